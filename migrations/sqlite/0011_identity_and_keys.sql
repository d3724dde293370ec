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
