-- Referrals from a request for support to services in the directory: which entry (and the
-- version whose eligibility and capacity were checked), the need it is for, the eligibility
-- check's result and any override with its reason, and the referral's life (referred or on the
-- waiting list → offered → started → ended with an outcome; declined or withdrawn with a
-- reason). What was asked for stays on the request (service_asked); a referral offered a
-- place is what was offered; a referral started is what was received.

CREATE TABLE service_referrals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    entry_id TEXT NOT NULL REFERENCES directory_entries(id),
    entry_version INTEGER NOT NULL,
    service_name TEXT NOT NULL,
    categories TEXT NOT NULL,
    need TEXT,
    status TEXT NOT NULL CHECK (status IN ('referred', 'waiting', 'offered', 'declined', 'withdrawn', 'started', 'ended')),
    not_eligible TEXT,
    override_reason TEXT,
    reason TEXT,
    outcome TEXT CHECK (outcome IN ('better', 'same', 'worse')),
    referred_by TEXT NOT NULL,
    referred_at TEXT NOT NULL,
    offered_at TEXT,
    started_at TEXT,
    closed_at TEXT,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX service_referrals_request ON service_referrals(request_id);
CREATE INDEX service_referrals_entry ON service_referrals(entry_id, status);
