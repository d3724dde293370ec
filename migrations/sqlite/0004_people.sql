-- People and the multi-agency index: children and the adults around them, their identifiers,
-- addresses over time and family relationships; who is involved with each child, in what role
-- and since when; flags a practitioner must see; agency records brought in from extracts and
-- linked to a person by the linkage engine or queued for a reviewer; merges kept so that any
-- can be undone; and break-glass access. Every field's class (personal, special category,
-- criminal offence) is recorded in crates/domain/src/classification.rs.

CREATE TABLE persons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('child', 'adult')),
    given_name TEXT NOT NULL,
    middle_names TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL,
    preferred_name TEXT,
    date_of_birth TEXT,
    sex TEXT NOT NULL DEFAULT 'not_known' CHECK (sex IN ('female', 'male', 'other', 'not_known')),
    nhs_number TEXT,
    nhs_number_status TEXT NOT NULL DEFAULT 'none' CHECK (nhs_number_status IN ('none', 'verified', 'unverified', 'withheld')),
    upn TEXT,
    ethnicity TEXT,
    first_language TEXT,
    disability TEXT,
    send_status TEXT NOT NULL DEFAULT 'none' CHECK (send_status IN ('none', 'sen_support', 'ehc_plan')),
    shielded INTEGER NOT NULL DEFAULT 0,
    address TEXT,
    postcode TEXT,
    phone TEXT,
    merged_into INTEGER REFERENCES persons(id),
    root_id INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_root ON persons(root_id);
CREATE INDEX persons_family_name ON persons(family_name);
CREATE INDEX persons_dob ON persons(date_of_birth);
CREATE INDEX persons_nhs ON persons(nhs_number);
CREATE INDEX persons_postcode ON persons(postcode);

CREATE TABLE person_addresses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    address TEXT NOT NULL,
    postcode TEXT,
    from_date TEXT,
    to_date TEXT,
    source TEXT NOT NULL
);
CREATE INDEX person_addresses_person ON person_addresses(person_id);

CREATE TABLE person_relationships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    related_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    same_household INTEGER NOT NULL DEFAULT 1,
    parental_responsibility INTEGER NOT NULL DEFAULT 0,
    since TEXT,
    until TEXT,
    UNIQUE (person_id, related_id, kind)
);
CREATE INDEX person_relationships_related ON person_relationships(related_id);

CREATE TABLE involvements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    child_id INTEGER NOT NULL REFERENCES persons(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    practitioner_id INTEGER REFERENCES users(id),
    team TEXT,
    role TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    contact TEXT,
    basis TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX involvements_child ON involvements(child_id);
CREATE INDEX involvements_practitioner ON involvements(practitioner_id);

CREATE TABLE person_flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL CHECK (kind IN ('child_protection_plan', 'looked_after', 'child_in_need', 'young_carer', 'missing_from_education')),
    since TEXT NOT NULL,
    until TEXT,
    organisation_id INTEGER REFERENCES organisations(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX person_flags_person ON person_flags(person_id);

CREATE TABLE agency_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    source_id TEXT NOT NULL,
    person_id INTEGER REFERENCES persons(id),
    status TEXT NOT NULL CHECK (status IN ('linked', 'review', 'new')),
    probability REAL,
    fields TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    UNIQUE (organisation_id, source_id)
);
CREATE INDEX agency_records_person ON agency_records(person_id);

CREATE TABLE link_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_record_id INTEGER NOT NULL REFERENCES agency_records(id),
    candidate_id INTEGER NOT NULL REFERENCES persons(id),
    probability REAL NOT NULL,
    explanation TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'linked', 'rejected', 'deferred')),
    decided_by TEXT,
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX link_reviews_status ON link_reviews(status);

CREATE TABLE person_merges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    survivor_id INTEGER NOT NULL REFERENCES persons(id),
    merged_id INTEGER NOT NULL REFERENCES persons(id),
    reason TEXT NOT NULL,
    merged_by TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    undone_by TEXT,
    undone_at TEXT
);
CREATE INDEX person_merges_merged ON person_merges(merged_id);

CREATE TABLE linkage_models (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    authority_id INTEGER REFERENCES authorities(id),
    model TEXT NOT NULL,
    trained_at TEXT NOT NULL,
    records INTEGER NOT NULL
);

CREATE TABLE break_glass (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    child_id INTEGER NOT NULL REFERENCES persons(id),
    reason TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_outcome TEXT
);
CREATE INDEX break_glass_user ON break_glass(user_id, child_id);
