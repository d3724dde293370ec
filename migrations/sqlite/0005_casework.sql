-- Integrated processes: requests for support for a child, decided at the lead locality's front
-- door (level of need, route, rationale); the needs seen and the consent given per purpose and
-- agency; every level change kept with its reason (step-up, step-down); the lead professional
-- over time (with handovers) and the team around the child; the early help assessment with
-- every saved version; meetings, the action plan and reviews; locality panels for cases that
-- are stuck; closure with an outcome. Every
-- field's class is recorded in crates/domain/src/classification.rs.

CREATE TABLE support_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    child_id INTEGER NOT NULL REFERENCES persons(id),
    locality_id INTEGER NOT NULL REFERENCES localities(id),
    locality_reason TEXT NOT NULL,
    requested_by INTEGER REFERENCES users(id),
    requester_organisation_id INTEGER REFERENCES organisations(id),
    concern TEXT NOT NULL,
    service_asked TEXT,
    family_words TEXT,
    status TEXT NOT NULL CHECK (status IN ('awaiting_decision', 'awaiting_lead', 'team_around_child', 'with_service', 'social_care', 'closed')),
    level TEXT CHECK (level IN ('1', '2', '3', '4')),
    route TEXT CHECK (route IN ('signpost', 'early_help', 'service', 'social_care')),
    rationale TEXT,
    decided_by TEXT,
    decided_at TEXT,
    lead_professional_id INTEGER REFERENCES users(id),
    outcome TEXT CHECK (outcome IN ('better', 'same', 'worse')),
    closure_summary TEXT,
    closure_reason TEXT CHECK (closure_reason IN ('needs_met', 'stepped_up', 'stepped_down', 'moved_away', 'disengaged', 'consent_withdrawn')),
    family_feedback TEXT,
    closed_at TEXT,
    re_referral INTEGER NOT NULL DEFAULT 0,
    review_weeks INTEGER NOT NULL DEFAULT 6,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX support_requests_child ON support_requests(child_id);
CREATE INDEX support_requests_locality ON support_requests(locality_id, status);
CREATE INDEX support_requests_lead ON support_requests(lead_professional_id);

CREATE TABLE request_needs (
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    need TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('better', 'same', 'worse')),
    PRIMARY KEY (request_id, need)
);

CREATE TABLE request_consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('share', 'assess', 'refer')),
    organisation_id INTEGER REFERENCES organisations(id),
    given_by TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    withdrawn_by TEXT,
    withdrawn_at TEXT
);
CREATE INDEX request_consents_request ON request_consents(request_id);

CREATE TABLE level_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    from_level TEXT,
    to_level TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('initial', 'step_up', 'step_down')),
    reason TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX level_changes_request ON level_changes(request_id);

CREATE TABLE tac_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    is_lead INTEGER NOT NULL DEFAULT 0,
    team_role TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    handover_note TEXT,
    added_by TEXT NOT NULL
);
CREATE INDEX tac_members_request ON tac_members(request_id);
CREATE INDEX tac_members_user ON tac_members(user_id);

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL UNIQUE REFERENCES support_requests(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'completed', 'shared')),
    content TEXT NOT NULL,
    version INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT,
    shared_at TEXT
);

CREATE TABLE assessment_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    UNIQUE (assessment_id, version)
);

CREATE TABLE tac_meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    held_on TEXT NOT NULL,
    attendees TEXT NOT NULL,
    decisions TEXT NOT NULL,
    is_review INTEGER NOT NULL DEFAULT 0,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX tac_meetings_request ON tac_meetings(request_id);

CREATE TABLE tac_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    description TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    done_by TEXT,
    done_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX tac_actions_request ON tac_actions(request_id);
CREATE INDEX tac_actions_owner ON tac_actions(owner_id, status);

CREATE TABLE panel_referrals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    why TEXT NOT NULL,
    referred_by TEXT NOT NULL,
    referred_at TEXT NOT NULL,
    panel_id INTEGER,
    decision TEXT,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX panel_referrals_request ON panel_referrals(request_id);

CREATE TABLE panels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    locality_id INTEGER NOT NULL REFERENCES localities(id),
    meets_on TEXT NOT NULL,
    stuck_count INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX panels_locality ON panels(locality_id, meets_on);
