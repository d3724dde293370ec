-- Access to a child's record is corroborated, never declared (docs/adr/0010).
-- A declared involvement waits for approval; every involvement lapses unless renewed; a
-- member of a team around the child works with the child only once they accept.
ALTER TABLE involvements ADD COLUMN status TEXT NOT NULL DEFAULT 'approved'
    CHECK (status IN ('pending', 'approved', 'refused', 'ended'));
ALTER TABLE involvements ADD COLUMN reason TEXT;
ALTER TABLE involvements ADD COLUMN expires_on TEXT;
ALTER TABLE involvements ADD COLUMN decided_by INTEGER REFERENCES users(id);
ALTER TABLE involvements ADD COLUMN decided_at TEXT;
ALTER TABLE involvements ADD COLUMN decision_ground TEXT;
ALTER TABLE involvements ADD COLUMN decision_note TEXT;
-- Declarations made before this change were never approved: they wait now.
UPDATE involvements SET status = 'pending' WHERE basis = 'declared';
-- Every involvement lapses twelve months after it was recorded unless renewed.
UPDATE involvements SET expires_on = date(substr(recorded_at, 1, 10), '+12 months');
CREATE INDEX involvements_status ON involvements(status, child_id);

-- The team within the user's organisation that an agency extract may name.
ALTER TABLE users ADD COLUMN team TEXT;

-- A member of a team around the child accepts before the membership opens the record.
ALTER TABLE tac_members ADD COLUMN accepted_at TEXT;
UPDATE tac_members SET accepted_at = since;

-- Break-glass is read-only and once a day per child and user without review.
CREATE INDEX break_glass_child ON break_glass(child_id, user_id, granted_at);

-- Volume limits count a user's searches and reads in the last hour.
CREATE INDEX audit_events_actor_at ON audit_events(actor_id, at);

-- Sign-in throttling: failures purged by time, and one lock row per key and window that
-- counts refused attempts (audited once, not one event each).
CREATE INDEX sign_in_failures_at ON sign_in_failures(at);
CREATE TABLE sign_in_locks (
    throttle_key TEXT PRIMARY KEY,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    attempts INTEGER NOT NULL
);

-- Four eyes: resetting an administrator's or the DPO's password or authenticator.
CREATE TABLE credential_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('password', 'second_factor')),
    requested_by_id INTEGER NOT NULL REFERENCES users(id),
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    approved_by_id INTEGER REFERENCES users(id),
    approved_by TEXT,
    approved_at TEXT
);
CREATE INDEX credential_resets_user ON credential_resets(user_id, approved_at);
