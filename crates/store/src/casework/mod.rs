//! Requests for support, from the front door to closure. Every command goes through the
//! domain's state machine ([`Episode::apply`]) inside one audited transaction that also checks
//! the permit's basis and the request's version, so two people deciding at once never
//! overwrite each other: the second is told.

use crate::audit::{AuditTx, Event};
use crate::localities::{maker, permit_locality};
use crate::people::basis::{
    self, begin_checked as begin_for_child, read_checked as read_for_child,
};
use crate::people::{permit_child, permit_user};
use crate::{Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_domain::casework::{
    CaseError, Command, ConsentPurpose, ConsentScope, Episode, Level, Need, Outcome, Route, Status,
};
use everychild_policy::{self as policy, Permit};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

mod assessment;
mod dashboard;
mod detail;
pub(crate) mod invitations;
mod panels;
mod plan;
mod referrals;
mod rules;
mod team;
mod types;

pub use assessment::{AssessmentRepo, AssessmentView, SaveOutcome};
pub use dashboard::{AskedOfferedReceived, NeedMet, PhaseLevels, StuckPoint, WaitingList};
use detail::{detail, summaries};
pub use invitations::{InvitationRepo, TeamInvitation};
pub use panels::{PanelItem, PanelRepo, PanelRow, Proposal, NO_LEAD_DAYS, STUCK_WEEKS};
pub use plan::{ActionRow, MeetingRow, Plan, PlanRepo};
pub use referrals::{ReferralMade, ReferralRepo, ReferralRow, OVERRIDE_MAX};
pub use rules::CaseRules;
pub use team::TeamRepo;
pub use types::*;

fn level_of(s: Option<String>) -> Option<Level> {
    s.and_then(|s| Level::parse(&s).ok())
}

fn case_error(e: CaseError) -> StoreError {
    match e {
        CaseError::Field(f) => StoreError::Invalid(vec![f]),
        other => StoreError::invalid("command", format!("{other}")),
    }
}

impl SqlStore {
    /// Apply a command to a request in the permit's scope, checking its version.
    async fn command(
        &self,
        mut a: AuditTx<'_>,
        by: &str,
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
            return Err(StoreError::invalid("request", "There is no such request"));
        };
        if current != version {
            return Err(StoreError::invalid("version", "Someone else changed this request while you were looking at it. Check what they did before you try again"));
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
                    let parsed = Need::parse(need).ok();
                    let label = parsed.map(|n| n.label()).unwrap_or("this need");
                    return Err(StoreError::invalid(
                        parsed.map_or("need_outcomes", |n| n.outcome_field()),
                        format!("Choose how things are now for {}", label.to_lowercase()),
                    ));
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
            return Err(StoreError::invalid(
                "version",
                "Someone else changed this request while you were looking at it",
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
            let ok: Option<(String,)> = sqlx::query_as(&format!(
                "SELECT role FROM users WHERE id = $1 AND disabled = 0 AND {front_line}",
                front_line = crate::sql::role_in("role", policy::FRONT_LINE)
            ))
            .bind(user)
            .fetch_optional(&mut *a.tx)
            .await?;
            if ok.is_none() {
                return Err(StoreError::invalid(
                    "lead",
                    "Choose a practitioner or locality manager with an active account",
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
        a.commit(
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
        .ok_or_else(|| StoreError::invalid("request", "There is no such request"))
}

/// Requests for support: made, decided at the front door, managed by their lead professional and team around the child; every change and every view of a child's requests audited.
#[async_trait]
pub trait RequestRepo: Send + Sync {
    /// The child and lead locality of a request (no personal data: to choose the permit).
    async fn request_scope(
        &self,
        p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<(i64, i64)>>;
    /// The casework rules in force (a deployment's settings, nothing personal: no permit).
    fn case_rules(&self) -> CaseRules;
    /// Ask for support for the permit's child; returns the request's id.
    async fn make_request(&self, p: &Permit<policy::RequestSupport>, r: NewRequest) -> Result<i64>;
    /// The permit's child's requests.
    async fn child_requests(&self, p: &Permit<policy::ViewRequest>) -> Result<Vec<RequestSummary>>;
    /// One request of the permit's child, in full.
    async fn request_detail(
        &self,
        p: &Permit<policy::ViewRequest>,
        id: i64,
    ) -> Result<Option<RequestDetail>>;
    /// The locality's front door: requests waiting for a decision, and open ones.
    async fn front_door(
        &self,
        p: &Permit<policy::ViewFrontDoor>,
    ) -> Result<(Vec<RequestSummary>, Vec<RequestSummary>)>;
    /// The front door's decision on a request at the permit's locality.
    async fn decide_request(
        &self,
        p: &Permit<policy::DecideRequest>,
        id: i64,
        version: i64,
        cmd: everychild_domain::casework::Command,
    ) -> Result<()>;
    /// Any other command on a request of the permit's child (`note`: a handover note).
    async fn manage_request(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        version: i64,
        cmd: everychild_domain::casework::Command,
        note: Option<&str>,
    ) -> Result<()>;

    /// Counts for the permit's locality.
    async fn locality_summary(
        &self,
        p: &Permit<policy::ViewLocalitySummary>,
    ) -> Result<LocalitySummary>;
}

#[async_trait]
impl RequestRepo for SqlStore {
    fn case_rules(&self) -> CaseRules {
        self.rules
    }

    async fn request_scope(
        &self,
        _p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<(i64, i64)>> {
        Ok(
            sqlx::query_as("SELECT child_id, locality_id FROM support_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn make_request(&self, p: &Permit<policy::RequestSupport>, r: NewRequest) -> Result<i64> {
        let actor = permit_user(p)?;
        let concern = r.concern.trim();
        if concern.is_empty() {
            return Err(StoreError::invalid(
                "concern",
                "Describe what you have seen and why the child needs support",
            ));
        }
        if r.needs.is_empty() {
            return Err(StoreError::invalid(
                "needs",
                "Choose at least one need you have seen",
            ));
        }
        let given_by = r
            .consent_given_by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if !r.consents.is_empty() && given_by.is_none() {
            return Err(StoreError::invalid(
                "consent_given_by",
                "Enter who gave consent",
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
                    return Err(StoreError::invalid("locality", "Choose a locality from the list"));
                };
                (
                    l,
                    format!("The child's home postcode is not known here; sent to {name} by the person asking"),
                )
            }
            (None, None) => {
                return Err(StoreError::invalid("locality", "The child's postcode is not in a locality: choose the locality to send this request to"))
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
        a.commit(Event::success("request.create", Some(("person", child.to_string()))).detail(
                json!({ "request_id": id, "locality_id": locality, "needs": r.needs.iter().map(|n| n.as_str()).collect::<Vec<_>>(), "re_referral": recent > 0 }),
            ))
        .await?;
        Ok(id)
    }

    async fn child_requests(&self, p: &Permit<policy::ViewRequest>) -> Result<Vec<RequestSummary>> {
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

    async fn request_detail(
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

    async fn front_door(
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

    async fn decide_request(
        &self,
        p: &Permit<policy::DecideRequest>,
        id: i64,
        version: i64,
        cmd: Command,
    ) -> Result<()> {
        let locality = permit_locality(p)?;
        if !matches!(cmd, Command::Decide { .. }) {
            return Err(StoreError::invalid(
                "command",
                "The front door decides a level and a route",
            ));
        }
        let mut a = self.audited(p).await?;
        let (actual,): (i64,) =
            match sqlx::query_as("SELECT locality_id FROM support_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *a.tx)
                .await?
            {
                Some(v) => v,
                None => return Err(StoreError::invalid("request", "There is no such request")),
            };
        if actual != locality {
            return Err(StoreError::invalid(
                "request",
                "There is no such request at this front door",
            ));
        }
        self.command(a, &maker(p.principal()), id, version, cmd, None)
            .await
    }

    async fn manage_request(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        version: i64,
        cmd: Command,
        note: Option<&str>,
    ) -> Result<()> {
        if matches!(cmd, Command::Decide { .. }) {
            return Err(StoreError::invalid(
                "command",
                "Only the front door decides a request",
            ));
        }
        let (mut a, child) = begin_for_child(self, p).await?;
        let owner: Option<(i64,)> =
            sqlx::query_as("SELECT child_id FROM support_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *a.tx)
                .await?;
        if owner.map(|o| o.0) != Some(child) {
            return Err(StoreError::invalid("request", "There is no such request"));
        }
        self.command(a, &maker(p.principal()), id, version, cmd, note)
            .await
    }

    async fn locality_summary(
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
