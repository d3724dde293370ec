//! Requests for support, from the front door to closure. Every command goes through the
//! domain's state machine ([`Episode::apply`]) inside one audited transaction that also checks
//! the permit's basis and the request's version, so two people deciding at once never
//! overwrite each other: the second is told.

use crate::audit::{AuditTx, Event, Who};
use crate::localities::{maker, permit_locality};
use crate::people::basis::{
    self, begin_checked as begin_for_child, read_checked as read_for_child,
};
use crate::people::{permit_child, permit_user};
use crate::{Result, SqlStore, StoreError};
use everychild_domain::casework::{
    CaseError, Command, ConsentPurpose, ConsentScope, Episode, Level, Need, Outcome, Route, Status,
};
use everychild_policy::{self as policy, Permit};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

mod assessment;
mod dashboard;
pub(crate) mod invitations;
mod panels;
mod plan;
mod referrals;
mod rules;

pub use assessment::{AssessmentView, SaveOutcome};
pub use dashboard::{AskedOfferedReceived, NeedMet, PhaseLevels, StuckPoint, WaitingList};
pub use invitations::TeamInvitation;
pub use panels::{PanelItem, PanelRow, Proposal, NO_LEAD_DAYS, STUCK_WEEKS};
pub use plan::{ActionRow, MeetingRow, Plan};
pub use referrals::{ReferralMade, ReferralRow, OVERRIDE_MAX};
pub use rules::CaseRules;

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

fn level_of(s: Option<String>) -> Option<Level> {
    s.and_then(|s| Level::parse(&s).ok())
}

fn case_error(e: CaseError) -> StoreError {
    match e {
        CaseError::Field(f) => StoreError::Conflict(format!("{}: {}", f.field, f.message)),
        other => StoreError::Conflict(format!("command: {other}")),
    }
}

const SUMMARY_SQL: &str = "SELECT r.id, r.child_id, p.given_name, p.family_name, p.date_of_birth, l.name, r.status, r.level, \
     COALESCE(u.display_name, '(a family)'), COALESCE(o.name, ''), r.created_at, lp.display_name, r.re_referral \
     FROM support_requests r JOIN persons p ON p.id = r.child_id JOIN localities l ON l.id = r.locality_id \
     LEFT JOIN users u ON u.id = r.requested_by LEFT JOIN organisations o ON o.id = r.requester_organisation_id \
     LEFT JOIN users lp ON lp.id = r.lead_professional_id";

async fn summaries(
    conn: &mut sqlx::AnyConnection,
    filter: &str,
    bind: i64,
) -> Result<Vec<RequestSummary>> {
    let sql = format!("{SUMMARY_SQL} WHERE {filter} ORDER BY r.created_at, r.id");
    let rows = sqlx::query(&sql).bind(bind).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let needs: Vec<(String,)> =
            sqlx::query_as("SELECT need FROM request_needs WHERE request_id = $1 ORDER BY need")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        let status: String = row.try_get(6)?;
        let given: String = row.try_get(2)?;
        let family: String = row.try_get(3)?;
        let by: String = row.try_get(8)?;
        let org: String = row.try_get(9)?;
        out.push(RequestSummary {
            id,
            child_id: row.try_get(1)?,
            child_name: format!("{given} {family}"),
            date_of_birth: row.try_get(4)?,
            locality: row.try_get(5)?,
            status: Status::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("request {id}: status {status}")))?,
            level: level_of(row.try_get(7)?),
            needs: needs
                .into_iter()
                .filter_map(|(n,)| Need::parse(&n).ok())
                .collect(),
            requested_by: if org.is_empty() {
                by
            } else {
                format!("{by}, {org}")
            },
            created_at: row.try_get(10)?,
            lead: row.try_get(11)?,
            re_referral: row.try_get::<i64, _>(12)? != 0,
        });
    }
    Ok(out)
}

impl SqlStore {
    pub(crate) async fn make_request(
        &self,
        p: &Permit<policy::RequestSupport>,
        r: NewRequest,
    ) -> Result<i64> {
        let actor = permit_user(p)?;
        let concern = r.concern.trim();
        if concern.is_empty() {
            return Err(StoreError::Conflict(
                "concern: Describe what you have seen and why the child needs support".into(),
            ));
        }
        if r.needs.is_empty() {
            return Err(StoreError::Conflict(
                "needs: Choose at least one need you have seen".into(),
            ));
        }
        let given_by = r
            .consent_given_by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if !r.consents.is_empty() && given_by.is_none() {
            return Err(StoreError::Conflict(
                "consent_given_by: Enter who gave consent".into(),
            ));
        }
        let now = self.now().to_db();
        let (mut a, child) = begin_for_child(self, p).await?;
        // The home locality under the current boundary set, from the child's postcode.
        let home: Option<(i64, String)> = sqlx::query_as(
            "SELECT l.id, l.name FROM persons p JOIN postcodes pc ON pc.postcode = p.postcode \
             JOIN boundary_set_wards bw ON bw.ward_code = pc.ward_code \
             JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
             JOIN localities l ON l.id = bw.locality_id WHERE p.id = $1",
        )
        .bind(child)
        .fetch_optional(&mut *a.tx)
        .await?;
        let (locality, reason) = match (home, r.locality) {
            (Some((id, name)), _) => (
                id,
                format!("The child lives in {name}, and the home locality leads"),
            ),
            (None, Some(l)) => {
                let name: Option<(String,)> =
                    sqlx::query_as("SELECT name FROM localities WHERE id = $1")
                        .bind(l)
                        .fetch_optional(&mut *a.tx)
                        .await?;
                let Some((name,)) = name else {
                    return Err(StoreError::Conflict(
                        "locality: Choose a locality from the list".into(),
                    ));
                };
                (
                    l,
                    format!("The child's home postcode is not known here; sent to {name} by the person asking"),
                )
            }
            (None, None) => {
                return Err(StoreError::Conflict(
                    "locality: The child's postcode is not in a locality: choose the locality to send this request to".into(),
                ))
            }
        };
        let year_ago = self.now().minus_days(365).to_db();
        let (recent,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM support_requests WHERE child_id = $1 AND status = 'closed' AND closed_at >= $2",
        )
        .bind(child)
        .bind(&year_ago)
        .fetch_one(&mut *a.tx)
        .await?;
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO support_requests (child_id, locality_id, locality_reason, requested_by, requester_organisation_id, \
             concern, service_asked, family_words, status, re_referral, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'awaiting_decision', $9, $10, $10) RETURNING id",
        )
        .bind(child)
        .bind(locality)
        .bind(&reason)
        .bind(actor.user_id.0)
        .bind(actor.organisation_id.0)
        .bind(concern)
        .bind(blank(&r.service_asked))
        .bind(blank(&r.family_words))
        .bind(i64::from(recent > 0))
        .bind(&now)
        .fetch_one(&mut *a.tx)
        .await?;
        for n in &r.needs {
            sqlx::query("INSERT INTO request_needs (request_id, need) VALUES ($1, $2)")
                .bind(id)
                .bind(n.as_str())
                .execute(&mut *a.tx)
                .await?;
        }
        for c in &r.consents {
            sqlx::query(
                "INSERT INTO request_consents (request_id, purpose, given_by, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(c.as_str())
            .bind(given_by)
            .bind(&actor.username)
            .bind(&now)
            .execute(&mut *a.tx)
            .await?;
        }
        self.commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success("request.create", Some(("person", child.to_string()))).detail(
                json!({ "request_id": id, "locality_id": locality, "needs": r.needs.iter().map(|n| n.as_str()).collect::<Vec<_>>(), "re_referral": recent > 0 }),
            ),
        )
        .await?;
        Ok(id)
    }

    pub(crate) async fn request_child(&self, id: i64) -> Result<Option<(i64, i64)>> {
        Ok(
            sqlx::query_as("SELECT child_id, locality_id FROM support_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub(crate) async fn child_requests(
        &self,
        p: &Permit<policy::ViewRequest>,
    ) -> Result<Vec<RequestSummary>> {
        let (mut conn, child) = read_for_child(self, p).await?;
        let out = summaries(
            &mut conn,
            &format!("r.child_id IN {}", basis::CLUSTER),
            child,
        )
        .await?;
        drop(conn);
        self.audit_only(
            p,
            Event::success("request.list", Some(("person", child.to_string())))
                .detail(json!({ "requests": out.len() })),
        )
        .await?;
        Ok(out)
    }

    pub(crate) async fn request_detail(
        &self,
        p: &Permit<policy::ViewRequest>,
        id: i64,
    ) -> Result<Option<RequestDetail>> {
        let (mut conn, child) = read_for_child(self, p).await?;
        let d = detail(&mut conn, id, child).await?;
        drop(conn);
        if d.is_some() {
            self.audit_only(
                p,
                Event::success("request.view", Some(("person", child.to_string())))
                    .detail(json!({ "request_id": id })),
            )
            .await?;
        }
        Ok(d)
    }

    pub(crate) async fn front_door(
        &self,
        p: &Permit<policy::ViewFrontDoor>,
    ) -> Result<(Vec<RequestSummary>, Vec<RequestSummary>)> {
        let locality = permit_locality(p)?;
        let mut conn = self.pool.acquire().await?;
        let waiting = summaries(
            &mut conn,
            "r.locality_id = $1 AND r.status = 'awaiting_decision'",
            locality,
        )
        .await?;
        let open = summaries(
            &mut conn,
            "r.locality_id = $1 AND r.status NOT IN ('awaiting_decision', 'closed')",
            locality,
        )
        .await?;
        drop(conn);
        self.audit_only(
            p,
            Event::success(
                "request.front_door",
                Some(("locality", locality.to_string())),
            )
            .detail(json!({ "waiting": waiting.len(), "open": open.len() })),
        )
        .await?;
        Ok((waiting, open))
    }

    /// Apply a command to a request in the permit's scope, checking its version.
    async fn command(
        &self,
        mut a: AuditTx,
        (who, purpose, by): (Who, Option<&str>, &str),
        id: i64,
        version: i64,
        cmd: Command,
        note: Option<&str>,
    ) -> Result<()> {
        let now = self.now().to_db();
        type State = (String, Option<String>, Option<i64>, i64, i64);
        let row: Option<State> = sqlx::query_as(
            "SELECT status, level, lead_professional_id, version, child_id FROM support_requests WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((status, level, lead, current, child)) = row else {
            return Err(StoreError::NotFound(
                "request: There is no such request".into(),
            ));
        };
        if current != version {
            return Err(StoreError::Conflict(
                "version: Someone else changed this request while you were looking at it. Check what they did before you try again".into(),
            ));
        }
        let mut e = Episode {
            status: Status::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("request {id}: status {status}")))?,
            level: level_of(level),
            lead,
        };
        let fx = e.apply(&cmd).map_err(case_error)?;
        let (route, rationale) = match &cmd {
            Command::Decide {
                route, rationale, ..
            } => (Some(route.as_str()), Some(rationale.trim())),
            _ => (None, None),
        };
        let (outcome, closure) = match &cmd {
            Command::Close {
                outcome, summary, ..
            } => (Some(outcome.as_str()), Some(summary.trim())),
            _ => (None, None),
        };
        if let Command::Close {
            reason,
            need_outcomes,
            feedback,
            ..
        } = &cmd
        {
            // Every need of the request gets its own outcome.
            let needs: Vec<(String,)> = sqlx::query_as(
                "SELECT need FROM request_needs WHERE request_id = $1 ORDER BY need",
            )
            .bind(id)
            .fetch_all(&mut *a.tx)
            .await?;
            for (need,) in &needs {
                let Some((_, o)) = need_outcomes.iter().find(|(n, _)| n.as_str() == need) else {
                    let label = Need::parse(need).map(|n| n.label()).unwrap_or("this need");
                    return Err(StoreError::Conflict(format!(
                        "outcome-{need}: Choose how things are now for {}",
                        label.to_lowercase()
                    )));
                };
                sqlx::query(
                    "UPDATE request_needs SET outcome = $1 WHERE request_id = $2 AND need = $3",
                )
                .bind(o.as_str())
                .bind(id)
                .bind(need)
                .execute(&mut *a.tx)
                .await?;
            }
            sqlx::query("UPDATE support_requests SET closure_reason = $1, family_feedback = $2 WHERE id = $3")
                .bind(reason.as_str())
                .bind(Some(feedback.trim()).filter(|f| !f.is_empty()))
                .bind(id)
                .execute(&mut *a.tx)
                .await?;
        }
        if let Command::SocialCareOutcome { outcome, note } = &cmd {
            sqlx::query(
                "UPDATE support_requests SET social_care_outcome = $1, social_care_note = $2, social_care_at = $3 WHERE id = $4",
            )
            .bind(outcome.as_str())
            .bind(note.trim())
            .bind(&now)
            .bind(id)
            .execute(&mut *a.tx)
            .await?;
        }
        let n = sqlx::query(
            "UPDATE support_requests SET status = $1, level = $2, lead_professional_id = $3, \
             route = COALESCE($4, route), rationale = COALESCE($5, rationale), \
             decided_by = CASE WHEN $4 IS NULL THEN decided_by ELSE $6 END, \
             decided_at = CASE WHEN $4 IS NULL THEN decided_at ELSE $7 END, \
             outcome = COALESCE($8, outcome), closure_summary = COALESCE($9, closure_summary), \
             closed_at = CASE WHEN $1 = 'closed' THEN $7 ELSE closed_at END, \
             updated_at = $7, version = version + 1 WHERE id = $10 AND version = $11",
        )
        .bind(e.status.as_str())
        .bind(e.level.map(|l| l.as_str()))
        .bind(e.lead)
        .bind(route)
        .bind(rationale)
        .bind(by)
        .bind(&now)
        .bind(outcome)
        .bind(closure)
        .bind(id)
        .bind(version)
        .execute(&mut *a.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(
                "version: Someone else changed this request while you were looking at it".into(),
            ));
        }
        if let Some((from, to, kind)) = fx.level_change {
            let reason = match &cmd {
                Command::Decide { rationale, .. } => rationale.trim(),
                Command::ChangeLevel { reason, .. } => reason.trim(),
                Command::SocialCareOutcome { note, .. } => note.trim(),
                _ => "",
            };
            sqlx::query(
                "INSERT INTO level_changes (request_id, from_level, to_level, kind, reason, changed_by, changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(from.map(|l| l.as_str()))
            .bind(to.as_str())
            .bind(kind.as_str())
            .bind(reason)
            .bind(by)
            .bind(&now)
            .execute(&mut *a.tx)
            .await?;
        }
        if let Command::AppointLead { user } = cmd {
            let ok: Option<(String,)> = sqlx::query_as(
                "SELECT role FROM users WHERE id = $1 AND disabled = 0 AND role IN ('practitioner', 'locality_manager')",
            )
            .bind(user)
            .fetch_optional(&mut *a.tx)
            .await?;
            if ok.is_none() {
                return Err(StoreError::Conflict(
                    "lead: Choose a practitioner or locality manager with an active account".into(),
                ));
            }
            sqlx::query(
                "UPDATE tac_members SET until = $1, handover_note = $2 WHERE request_id = $3 AND is_lead = 1 AND until IS NULL",
            )
            .bind(&now)
            .bind(note.map(str::trim).filter(|s| !s.is_empty()))
            .bind(id)
            .execute(&mut *a.tx)
            .await?;
            sqlx::query(
                "INSERT INTO tac_members (request_id, user_id, is_lead, team_role, since, added_by, accepted_at) VALUES ($1, $2, 1, 'Lead professional', $3, $4, $3)",
            )
            .bind(id)
            .bind(user)
            .bind(&now)
            .bind(by)
            .execute(&mut *a.tx)
            .await?;
        }
        if e.status == Status::Closed {
            sqlx::query(
                "UPDATE tac_members SET until = $1 WHERE request_id = $2 AND until IS NULL",
            )
            .bind(&now)
            .bind(id)
            .execute(&mut *a.tx)
            .await?;
            // Referrals end with the request: one not yet started is withdrawn (and leaves the
            // service's waiting list); one under way ends.
            sqlx::query(
                "UPDATE service_referrals SET status = 'withdrawn', reason = 'The request for support closed', \
                 closed_at = $1, updated_at = $1, version = version + 1 \
                 WHERE request_id = $2 AND status IN ('referred', 'waiting', 'offered')",
            )
            .bind(&now)
            .bind(id)
            .execute(&mut *a.tx)
            .await?;
            sqlx::query(
                "UPDATE service_referrals SET status = 'ended', closed_at = $1, updated_at = $1, version = version + 1 \
                 WHERE request_id = $2 AND status = 'started'",
            )
            .bind(&now)
            .bind(id)
            .execute(&mut *a.tx)
            .await?;
        }
        self.commit_audited(
            a,
            who,
            purpose,
            Event::success("request.command", Some(("person", child.to_string()))).detail(json!({
                "request_id": id,
                "command": cmd.name(),
                "status": e.status.as_str(),
                "level": e.level.map(|l| l.as_str()),
                "handed_over_by": fx.handed_over_by,
            })),
        )
        .await
    }

    pub(crate) async fn decide_request(
        &self,
        p: &Permit<policy::DecideRequest>,
        id: i64,
        version: i64,
        cmd: Command,
    ) -> Result<()> {
        let locality = permit_locality(p)?;
        if !matches!(cmd, Command::Decide { .. }) {
            return Err(StoreError::Conflict(
                "command: The front door decides a level and a route".into(),
            ));
        }
        let mut a = self.begin_audited().await?;
        let (actual,): (i64,) =
            match sqlx::query_as("SELECT locality_id FROM support_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *a.tx)
                .await?
            {
                Some(v) => v,
                None => {
                    return Err(StoreError::NotFound(
                        "request: There is no such request".into(),
                    ))
                }
            };
        if actual != locality {
            return Err(StoreError::NotFound(
                "request: There is no such request at this front door".into(),
            ));
        }
        self.command(
            a,
            (Who::of(p.principal()), p.purpose(), &maker(p.principal())),
            id,
            version,
            cmd,
            None,
        )
        .await
    }

    pub(crate) async fn manage_request(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        version: i64,
        cmd: Command,
        note: Option<&str>,
    ) -> Result<()> {
        if matches!(cmd, Command::Decide { .. }) {
            return Err(StoreError::Conflict(
                "command: Only the front door decides a request".into(),
            ));
        }
        let (mut a, child) = begin_for_child(self, p).await?;
        let owner: Option<(i64,)> =
            sqlx::query_as("SELECT child_id FROM support_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *a.tx)
                .await?;
        if owner.map(|o| o.0) != Some(child) {
            return Err(StoreError::NotFound(
                "request: There is no such request".into(),
            ));
        }
        self.command(
            a,
            (Who::of(p.principal()), p.purpose(), &maker(p.principal())),
            id,
            version,
            cmd,
            note,
        )
        .await
    }

    pub(crate) async fn add_team_member(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        user: i64,
        team_role: &str,
    ) -> Result<()> {
        let team_role = team_role.trim();
        if team_role.is_empty() || team_role.chars().count() > 200 {
            return Err(StoreError::Conflict(
                "team_role: Enter the member's part in the team (200 characters or fewer)".into(),
            ));
        }
        let (mut a, child) = begin_for_child(self, p).await?;
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT child_id, status FROM support_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *a.tx)
                .await?;
        match row {
            Some((c, s)) if c == child && s != "closed" => {}
            Some((c, _)) if c == child => {
                return Err(StoreError::Conflict(
                    "request: The request is closed; its team cannot change".into(),
                ))
            }
            _ => {
                return Err(StoreError::NotFound(
                    "request: There is no such request".into(),
                ))
            }
        }
        let ok: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM users WHERE id = $1 AND disabled = 0 AND role IN ('practitioner', 'locality_manager')",
        )
        .bind(user)
        .fetch_optional(&mut *a.tx)
        .await?;
        if ok.is_none() {
            return Err(StoreError::Conflict(
                "member: Choose a practitioner or locality manager with an active account".into(),
            ));
        }
        let (already,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM tac_members WHERE request_id = $1 AND user_id = $2 AND until IS NULL",
        )
        .bind(id)
        .bind(user)
        .fetch_one(&mut *a.tx)
        .await?;
        if already > 0 {
            return Err(StoreError::Conflict(
                "member: This person is already in the team".into(),
            ));
        }
        let now = self.now().to_db();
        sqlx::query(
            "INSERT INTO tac_members (request_id, user_id, is_lead, team_role, since, added_by) VALUES ($1, $2, 0, $3, $4, $5)",
        )
        .bind(id)
        .bind(user)
        .bind(team_role)
        .bind(&now)
        .bind(maker(p.principal()))
        .execute(&mut *a.tx)
        .await?;
        sqlx::query(
            "UPDATE support_requests SET version = version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(&now)
        .bind(id)
        .execute(&mut *a.tx)
        .await?;
        self.commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success("request.add_member", Some(("person", child.to_string())))
                .detail(json!({ "request_id": id, "user_id": user, "team_role": team_role })),
        )
        .await
    }

    pub(crate) async fn withdraw_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        consent: i64,
    ) -> Result<()> {
        let (mut a, child) = begin_for_child(self, p).await?;
        let now = self.now().to_db();
        // What is withdrawn, for the audit event: the purpose and whom it covered.
        let what: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT c.purpose, c.organisation_id, o.name FROM request_consents c \
             LEFT JOIN organisations o ON o.id = c.organisation_id WHERE c.id = $1 AND c.request_id = $2",
        )
        .bind(consent)
        .bind(id)
        .fetch_optional(&mut *a.tx)
        .await?;
        let n = sqlx::query(
            "UPDATE request_consents SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 AND request_id = $4 \
             AND withdrawn_at IS NULL AND request_id IN (SELECT id FROM support_requests WHERE child_id = $5)",
        )
        .bind(&now)
        .bind(maker(p.principal()))
        .bind(consent)
        .bind(id)
        .bind(child)
        .execute(&mut *a.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound(
                "consent: There is no such consent still in force".into(),
            ));
        }
        self.commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success(
                "request.withdraw_consent",
                Some(("person", child.to_string())),
            )
            .detail({
                let (purpose, org, org_name) = what.unwrap_or_default();
                json!({
                    "request_id": id,
                    "consent_id": consent,
                    "purpose": purpose,
                    "organisation_id": org,
                    "organisation": org_name.as_deref().unwrap_or(ConsentScope::TEAM_LABEL),
                })
            }),
        )
        .await
    }

    pub(crate) async fn team_candidates(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
    ) -> Result<Vec<(i64, String)>> {
        let (mut conn, child) = read_for_child(self, p).await?;
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT DISTINCT u.id, u.display_name, o.name, u.job_title FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.disabled = 0 AND u.role IN ('practitioner', 'locality_manager') AND ( \
               u.id IN (SELECT ul.user_id FROM user_localities ul JOIN support_requests r ON r.locality_id = ul.locality_id WHERE r.id = $1) \
               OR u.id IN (SELECT i.practitioner_id FROM involvements i WHERE i.child_id = $2 AND i.practitioner_id IS NOT NULL) \
               OR u.id IN (SELECT r.requested_by FROM support_requests r WHERE r.id = $1)) \
             ORDER BY u.display_name, u.id",
        )
        .bind(id)
        .bind(child)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, org, title)| {
                let what = title.map(|t| format!("{t}, {org}")).unwrap_or(org);
                (id, format!("{name} ({what})"))
            })
            .collect())
    }

    pub(crate) async fn locality_summary(
        &self,
        p: &Permit<policy::ViewLocalitySummary>,
    ) -> Result<LocalitySummary> {
        let l = permit_locality(p)?;
        let mut conn = self.pool.acquire().await?;
        let now = self.now();
        let year_ago = now.minus_days(365).to_db();
        let rules = self.rules;
        let stuck_since = now.minus_days(rules.stuck_weeks * 7).to_db();
        let no_lead_since = now.minus_days(rules.no_lead_days).to_db();
        let mut s = LocalitySummary {
            rules,
            ..LocalitySummary::default()
        };
        let name: Option<(String,)> = sqlx::query_as("SELECT name FROM localities WHERE id = $1")
            .bind(l)
            .fetch_optional(&mut *conn)
            .await?;
        s.locality_name = name.map(|n| n.0);
        let by_status: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM support_requests WHERE locality_id = $1 AND status <> 'closed' GROUP BY status ORDER BY status",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        for (st, n) in &by_status {
            match st.as_str() {
                "awaiting_decision" => s.awaiting_decision = *n,
                "awaiting_lead" => s.without_lead = *n,
                _ => {}
            }
        }
        s.open_by_status = by_status;
        let by_level: Vec<(String, i64)> = sqlx::query_as(
            "SELECT level, COUNT(*) FROM support_requests WHERE locality_id = $1 AND status <> 'closed' AND level IS NOT NULL GROUP BY level",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        for (lv, n) in by_level {
            if let Ok(x) = Level::parse(&lv) {
                s.open_by_level[usize::from(x.number() - 1)] = n;
            }
        }
        // The panel's rule (panels.rs): decided, open, and no progress or no lead for too long.
        // This counts every stuck case, those already on a panel's agenda too; the trend counts
        // what each new agenda was proposed (cases not already on an undecided agenda).
        let (stuck,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM support_requests r WHERE r.locality_id = $1 AND r.status NOT IN ('closed', 'awaiting_decision') \
             AND (r.updated_at < $2 OR (r.status = 'awaiting_lead' AND r.updated_at < $3))",
        )
        .bind(l)
        .bind(&stuck_since)
        .bind(&no_lead_since)
        .fetch_one(&mut *conn)
        .await?;
        s.stuck = stuck;
        let (rr,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM support_requests WHERE locality_id = $1 AND re_referral = 1 AND created_at >= $2",
        )
        .bind(l)
        .bind(&year_ago)
        .fetch_one(&mut *conn)
        .await?;
        s.re_referrals = rr;
        let moves: Vec<(String, i64)> = sqlx::query_as(
            "SELECT c.kind, COUNT(*) FROM level_changes c JOIN support_requests r ON r.id = c.request_id \
             WHERE r.locality_id = $1 AND c.changed_at >= $2 AND c.kind <> 'initial' GROUP BY c.kind",
        )
        .bind(l)
        .bind(&year_ago)
        .fetch_all(&mut *conn)
        .await?;
        for (k, n) in moves {
            match k.as_str() {
                "step_up" => s.step_ups = n,
                "step_down" => s.step_downs = n,
                _ => {}
            }
        }
        let outcomes: Vec<(String, i64)> = sqlx::query_as(
            "SELECT outcome, COUNT(*) FROM support_requests WHERE locality_id = $1 AND status = 'closed' AND closed_at >= $2 AND outcome IS NOT NULL GROUP BY outcome",
        )
        .bind(l)
        .bind(&year_ago)
        .fetch_all(&mut *conn)
        .await?;
        for (o, n) in outcomes {
            match o.as_str() {
                "better" => s.closed_by_outcome[0] = n,
                "same" => s.closed_by_outcome[1] = n,
                "worse" => s.closed_by_outcome[2] = n,
                _ => {}
            }
        }
        s.needs = sqlx::query_as(
            "SELECT n.need, COUNT(*) FROM request_needs n JOIN support_requests r ON r.id = n.request_id \
             WHERE r.locality_id = $1 AND r.status <> 'closed' GROUP BY n.need ORDER BY COUNT(*) DESC, n.need",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        let (actions, reviews) = self.overdue_in_locality(&mut conn, l).await?;
        s.overdue_actions = actions;
        s.overdue_reviews = reviews;
        self.dashboard_figures(&mut conn, l, &mut s).await?;
        Ok(s)
    }
}

async fn detail(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    child: i64,
) -> Result<Option<RequestDetail>> {
    let Some(summary) = summaries(conn, "r.id = $1", id).await?.pop() else {
        return Ok(None);
    };
    if summary.child_id != child {
        let (root,): (Option<i64>,) =
            sqlx::query_as("SELECT COALESCE(root_id, id) FROM persons WHERE id = $1")
                .bind(summary.child_id)
                .fetch_one(&mut *conn)
                .await?;
        if root != Some(child) {
            return Ok(None);
        }
    }
    type Extra = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        Option<String>,
        Option<String>,
    );
    let x: Extra = sqlx::query_as(
        "SELECT locality_id, locality_reason, concern, service_asked, family_words, route, rationale, decided_by, decided_at, \
         outcome, closure_summary, version, closure_reason, family_feedback FROM support_requests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let sc: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT social_care_outcome, social_care_note, social_care_at FROM support_requests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let social_care = match sc {
        (Some(o), Some(n), Some(at)) => Some((
            everychild_domain::casework::SocialCareOutcome::parse(&o)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            n,
            at,
        )),
        _ => None,
    };
    let need_rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT need, outcome FROM request_needs WHERE request_id = $1 ORDER BY need",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let levels: Vec<(Option<String>, String, String, String, String, String)> = sqlx::query_as(
        "SELECT from_level, to_level, kind, reason, changed_by, changed_at FROM level_changes WHERE request_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    type Member = (
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let team: Vec<Member> = sqlx::query_as(
        "SELECT t.id, t.user_id, u.display_name, o.name, u.phone, u.email, t.is_lead, t.team_role, t.since, t.until, t.handover_note \
         FROM tac_members t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id \
         WHERE t.request_id = $1 ORDER BY t.is_lead DESC, CASE WHEN t.until IS NULL THEN 0 ELSE 1 END, t.since DESC, t.id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    type Consent = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let consents: Vec<Consent> = sqlx::query_as(
        "SELECT c.id, c.purpose, c.given_by, c.recorded_at, c.withdrawn_at, c.organisation_id, o.name \
         FROM request_consents c LEFT JOIN organisations o ON o.id = c.organisation_id WHERE c.request_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let episode = Episode {
        status: summary.status,
        level: summary.level,
        lead: None,
    };
    let outcome = match (x.9.as_deref().map(Outcome::parse), x.10) {
        (Some(Ok(o)), Some(s)) => Some((o, s)),
        _ => None,
    };
    Ok(Some(RequestDetail {
        social_care,
        locality_id: x.0,
        locality_reason: x.1,
        concern: x.2,
        service_asked: x.3,
        family_words: x.4,
        route: x.5.as_deref().and_then(|r| Route::parse(r).ok()),
        rationale: x.6,
        decided: x.7.zip(x.8),
        outcome,
        version: x.11,
        closure_reason: x
            .12
            .as_deref()
            .and_then(|r| everychild_domain::casework::ClosureReason::parse(r).ok()),
        family_feedback: x.13,
        need_outcomes: need_rows
            .into_iter()
            .filter_map(|(n, o)| {
                Some((
                    Need::parse(&n).ok()?,
                    o.as_deref().and_then(|o| Outcome::parse(o).ok()),
                ))
            })
            .collect(),
        levels: levels
            .into_iter()
            .filter_map(|(from, to, kind, reason, by, at)| {
                Some(LevelChangeRow {
                    from_level: level_of(from),
                    to_level: Level::parse(&to).ok()?,
                    kind,
                    reason,
                    changed_by: by,
                    changed_at: at,
                })
            })
            .collect(),
        team: team
            .into_iter()
            .map(|m| TeamMemberRow {
                id: m.0,
                user_id: m.1,
                name: m.2,
                organisation: m.3,
                contact: [m.4, m.5]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                is_lead: m.6 != 0,
                team_role: m.7,
                since: m.8,
                until: m.9,
                handover_note: m.10,
            })
            .collect(),
        consents: consents
            .into_iter()
            .filter_map(|(id, purpose, by, at, withdrawn, org, org_name)| {
                Some(ConsentRow {
                    id,
                    purpose: ConsentPurpose::parse(&purpose).ok()?,
                    organisation: org.map(|o| (o, org_name.unwrap_or_default())),
                    given_by: by,
                    recorded_at: at,
                    withdrawn_at: withdrawn,
                })
            })
            .collect(),
        allowed: episode.allowed(),
        referrals: referrals::of_request(conn, id).await?,
        summary,
    }))
}

/// The request must belong to the permit's child (any record of their cluster) and be open.
pub(crate) async fn request_of_child(
    conn: &mut sqlx::AnyConnection,
    request: i64,
    child: i64,
) -> Result<String> {
    let row: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT status FROM support_requests WHERE id = $2 AND child_id IN {}",
        basis::CLUSTER
    ))
    .bind(child)
    .bind(request)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.0)
        .ok_or_else(|| StoreError::NotFound("request: There is no such request".into()))
}
