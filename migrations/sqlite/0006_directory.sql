-- The service directory: providers (Open Referral organisations) and which partnership
-- organisation maintains their entries; taxonomies and their terms; one row per service entry
-- with its status in the life draft → awaiting approval → published → archived, and every
-- version of its Open Referral UK 3.0 document and our extensions kept with who changed it and
-- when. The public sees the entry's live version (the last one approved, or imported from a
-- feed) until a newer one is approved. directory_version moves on with every change so the
-- in-memory search index of each server reloads.

CREATE TABLE directory_organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    owner_organisation_id INTEGER REFERENCES organisations(id),
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX directory_organisations_owner ON directory_organisations(owner_organisation_id);

CREATE TABLE directory_taxonomies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE directory_terms (
    id TEXT PRIMARY KEY,
    taxonomy_id TEXT,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX directory_terms_taxonomy ON directory_terms(taxonomy_id);

CREATE TABLE directory_entries (
    id TEXT PRIMARY KEY,
    directory_organisation_id TEXT REFERENCES directory_organisations(id),
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'awaiting_approval', 'published', 'archived')),
    version INTEGER NOT NULL,
    live_version INTEGER,
    review_by TEXT,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX directory_entries_organisation ON directory_entries(directory_organisation_id);
CREATE INDEX directory_entries_status ON directory_entries(status);

CREATE TABLE directory_entry_versions (
    entry_id TEXT NOT NULL REFERENCES directory_entries(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'awaiting_approval', 'published', 'archived')),
    change TEXT NOT NULL CHECK (change IN ('created', 'edit', 'submit', 'approve', 'reject', 'archive', 'restore', 'imported')),
    note TEXT,
    document TEXT NOT NULL,
    extras TEXT NOT NULL,
    review_by TEXT,
    changed_by_id INTEGER REFERENCES users(id),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (entry_id, version)
);

CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);
