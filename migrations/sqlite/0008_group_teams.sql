-- Teams around a school or a cluster of schools (Peterborough's team around the school and
-- the cluster): a locality's managers set one up with a name, its kind, its schools (by DfE
-- URN), a lead and members from several agencies; it covers a group of children, linked by
-- their open requests for support in the locality, and records its meetings with who attended
-- and what was decided. Members and children are never deleted: a row ends with who removed
-- it and when. Being a member is not a basis to read a child's record. Every field's class is
-- recorded in crates/domain/src/classification.rs.

CREATE TABLE group_teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    locality_id INTEGER NOT NULL REFERENCES localities(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('school', 'cluster')),
    lead_id INTEGER NOT NULL REFERENCES users(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (locality_id, name)
);

CREATE TABLE group_team_schools (
    team_id INTEGER NOT NULL REFERENCES group_teams(id),
    urn INTEGER NOT NULL REFERENCES schools(urn),
    PRIMARY KEY (team_id, urn)
);

CREATE TABLE group_team_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id INTEGER NOT NULL REFERENCES group_teams(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    team_role TEXT NOT NULL,
    since TEXT NOT NULL,
    added_by TEXT NOT NULL,
    until TEXT,
    removed_by TEXT
);
CREATE INDEX group_team_members_team ON group_team_members(team_id);
CREATE INDEX group_team_members_user ON group_team_members(user_id);

CREATE TABLE group_team_children (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id INTEGER NOT NULL REFERENCES group_teams(id),
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    removed_by TEXT,
    removed_at TEXT
);
CREATE INDEX group_team_children_team ON group_team_children(team_id);
CREATE INDEX group_team_children_request ON group_team_children(request_id);

CREATE TABLE group_team_meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id INTEGER NOT NULL REFERENCES group_teams(id),
    held_on TEXT NOT NULL,
    attendees TEXT NOT NULL,
    decisions TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX group_team_meetings_team ON group_team_meetings(team_id);
