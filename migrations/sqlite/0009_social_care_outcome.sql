-- What children's social care decided about a request stepped up to it: the outcome of the
-- front door's referral (section 17 assessment, section 47 enquiry, looked after, or no further
-- action with a step down to early help), what social care said, and when it was recorded.
ALTER TABLE support_requests ADD COLUMN social_care_outcome TEXT CHECK (social_care_outcome IN ('assessment', 'child_protection', 'looked_after', 'no_further_action'));
ALTER TABLE support_requests ADD COLUMN social_care_note TEXT;
ALTER TABLE support_requests ADD COLUMN social_care_at TEXT;
