-- Sign-in through the council's identity provider (docs/adr/0011): an account is linked to
-- an (issuer, subject) pair by an administrator; a token alone never creates an account.
CREATE TABLE user_identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    linked_by INTEGER REFERENCES users(id),
    linked_at TEXT NOT NULL,
    UNIQUE (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities(user_id);
-- The identity provider a session came from, for its sign-out.
ALTER TABLE sessions ADD COLUMN idp TEXT;

-- The audit chain is keyed: each event names the key (held outside the database) that
-- sealed it; events from before keying have none.
ALTER TABLE audit_events ADD COLUMN key_id TEXT;

-- API tokens belong to named service clients (accounts that never sign in), with scopes,
-- an expiry and an accountable owner. Tokens issued to people's accounts before this change
-- no longer authenticate (they have no scopes and act as no service client).
ALTER TABLE users ADD COLUMN service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN owner_id INTEGER REFERENCES users(id);

-- Four eyes: merging two records that live in different localities waits for a second
-- reviewer, who approves (the merge is made in the approval's transaction) or refuses.
CREATE TABLE person_merge_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    survivor_id INTEGER NOT NULL REFERENCES persons(id),
    merged_id INTEGER NOT NULL REFERENCES persons(id),
    reason TEXT NOT NULL,
    requested_by_id INTEGER NOT NULL REFERENCES users(id),
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_by_id INTEGER REFERENCES users(id),
    decided_by TEXT,
    decided_at TEXT,
    outcome TEXT CHECK (outcome IN ('merged', 'refused')),
    merge_id INTEGER REFERENCES person_merges(id)
);
CREATE INDEX person_merge_requests_survivor ON person_merge_requests(survivor_id, decided_at);
CREATE INDEX person_merge_requests_merged ON person_merge_requests(merged_id, decided_at);

-- Volume limits: whether a user already opened this record within the hour is one indexed
-- lookup (a record opened again adds nothing to the count of distinct records).
CREATE INDEX audit_events_actor_subject ON audit_events(actor_id, subject_id, at);
