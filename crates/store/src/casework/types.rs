//! What requests for support look like to the store's callers.

use super::{
    AskedOfferedReceived, CaseRules, NeedMet, PhaseLevels, ReferralRow, StuckPoint, WaitingList,
};
use everychild_domain::casework::{ConsentPurpose, Level, Need, Outcome, Route, Status};
use serde::Serialize;

/// A request as the practitioner makes it.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    /// What was seen (required).
    pub concern: String,
    /// Needs seen (at least one).
    pub needs: Vec<Need>,
    /// The service asked for, if any.
    pub service_asked: Option<String>,
    /// The child's and family's own words.
    pub family_words: Option<String>,
    /// Consent given, per purpose (for every agency in the team).
    pub consents: Vec<ConsentPurpose>,
    /// Who gave consent (a parent's name, "the young person", …); required with consent.
    pub consent_given_by: Option<String>,
    /// The locality to send it to when the child's home postcode names none.
    pub locality: Option<i64>,
}

/// One request in a list.
#[derive(Debug, Clone, Serialize)]
pub struct RequestSummary {
    /// Id.
    pub id: i64,
    /// The child.
    pub child_id: i64,
    /// The child's name.
    pub child_name: String,
    /// The child's date of birth.
    pub date_of_birth: Option<String>,
    /// The lead locality.
    pub locality: String,
    /// Status.
    pub status: Status,
    /// Level of need, once decided.
    pub level: Option<Level>,
    /// Needs seen.
    pub needs: Vec<Need>,
    /// Who asked, and from which organisation.
    pub requested_by: String,
    /// When.
    pub created_at: String,
    /// The lead professional's name.
    pub lead: Option<String>,
    /// A new request within 12 months of the last one closing.
    pub re_referral: bool,
}

/// A level change in the history.
#[derive(Debug, Clone, Serialize)]
pub struct LevelChangeRow {
    /// From (none for the first decision).
    pub from_level: Option<Level>,
    /// To.
    pub to_level: Level,
    /// `initial`, `step_up` or `step_down`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub changed_by: String,
    /// When.
    pub changed_at: String,
}

/// A member of the team around the child, past or present.
#[derive(Debug, Clone, Serialize)]
pub struct TeamMemberRow {
    /// Row id.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// Name.
    pub name: String,
    /// Organisation.
    pub organisation: String,
    /// Phone and email, to reach them.
    pub contact: String,
    /// Whether this row is a spell as lead professional.
    pub is_lead: bool,
    /// Their part in the team.
    pub team_role: String,
    /// Since.
    pub since: String,
    /// Until (none while current).
    pub until: Option<String>,
    /// The note left at handover.
    pub handover_note: Option<String>,
}

/// Consent recorded for a purpose.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentRow {
    /// Row id.
    pub id: i64,
    /// Purpose.
    pub purpose: ConsentPurpose,
    /// The one organisation it covers, `(id, name)`; `None`: every agency in the team.
    pub organisation: Option<(i64, String)>,
    /// Who gave it.
    pub given_by: String,
    /// Recorded when.
    pub recorded_at: String,
    /// Withdrawn when, if it was.
    pub withdrawn_at: Option<String>,
}

/// A request in full.
#[derive(Debug, Clone, Serialize)]
pub struct RequestDetail {
    /// The summary.
    pub summary: RequestSummary,
    /// Locality id.
    pub locality_id: i64,
    /// Why that locality leads.
    pub locality_reason: String,
    /// What was seen.
    pub concern: String,
    /// The service asked for.
    pub service_asked: Option<String>,
    /// The child's and family's words.
    pub family_words: Option<String>,
    /// The route chosen.
    pub route: Option<Route>,
    /// Why.
    pub rationale: Option<String>,
    /// Who decided, when.
    pub decided: Option<(String, String)>,
    /// Outcome at closure and what happened.
    pub outcome: Option<(Outcome, String)>,
    /// Why it closed.
    pub closure_reason: Option<everychild_domain::casework::ClosureReason>,
    /// What the family said at closure.
    pub family_feedback: Option<String>,
    /// Each need with its outcome at closure.
    pub need_outcomes: Vec<(Need, Option<Outcome>)>,
    /// Version (for edits).
    pub version: i64,
    /// Level history, oldest first.
    pub levels: Vec<LevelChangeRow>,
    /// Team, lead spells first, current first.
    pub team: Vec<TeamMemberRow>,
    /// Consent.
    pub consents: Vec<ConsentRow>,
    /// The commands the request's state accepts.
    pub allowed: Vec<&'static str>,
    /// Referrals to services in the directory, newest first.
    pub referrals: Vec<ReferralRow>,
    /// What children's social care decided after a step-up: the decision, what it said, when.
    pub social_care: Option<(
        everychild_domain::casework::SocialCareOutcome,
        String,
        String,
    )>,
}

/// Counts for a locality's dashboard and the summary API (no child is named).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LocalitySummary {
    /// Waiting at the front door.
    pub awaiting_decision: i64,
    /// Open requests by level (1 to 4).
    pub open_by_level: [i64; 4],
    /// Open requests by status.
    pub open_by_status: Vec<(String, i64)>,
    /// Early help agreed but no lead professional.
    pub without_lead: i64,
    /// Stuck now by the rules in force ([`CaseRules`]): open with no change for the stuck
    /// weeks, or early help waiting for a lead professional for more than the no-lead days.
    pub stuck: i64,
    /// Requests made within 12 months of the last one closing, in the past year.
    pub re_referrals: i64,
    /// Step-ups and step-downs in the past year.
    pub step_ups: i64,
    /// Step-downs in the past year.
    pub step_downs: i64,
    /// Closed in the past year by outcome (better, same, worse).
    pub closed_by_outcome: [i64; 3],
    /// Needs seen in open requests, most common first.
    pub needs: Vec<(String, i64)>,
    /// Open actions past their due date.
    pub overdue_actions: i64,
    /// Teams whose review is past due.
    pub overdue_reviews: i64,
    /// The locality's name (none if there is no such locality).
    pub locality_name: Option<String>,
    /// The rules the stuck count was made by.
    pub rules: CaseRules,
    /// Open requests by age phase (the authority's phases, then the oldest phase's extension
    /// for special educational needs and disabilities if it has one, then other ages) and level.
    pub open_by_phase: Vec<PhaseLevels>,
    /// Services whose waiting list holds referrals from this locality, longest list first.
    pub waiting_lists: Vec<WaitingList>,
    /// Each need recorded on requests in the past 12 months, against what was offered and
    /// received for it; most unmet first.
    pub need_met: Vec<NeedMet>,
    /// Requests in the past 12 months: asked for a service, offered one, received one.
    pub asked_offered_received: AskedOfferedReceived,
    /// The stuck-case count when each panel's agenda was set, oldest first.
    pub stuck_trend: Vec<StuckPoint>,
}
