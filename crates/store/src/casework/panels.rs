//! Locality panels: stuck and referred cases proposed, agendas, decisions.

use super::*;
use async_trait::async_trait;

/// Weeks without any change after which an open request is proposed for the panel, unless the
/// deployment sets another ([`CaseRules`]).
pub const STUCK_WEEKS: i64 = 8;
/// Days early help may wait for a lead professional before it is proposed for the panel, unless
/// the deployment sets another ([`CaseRules`]).
pub const NO_LEAD_DAYS: i64 = 14;

/// A case proposed for the next panel, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// The request.
    pub request_id: i64,
    /// The child's name.
    pub child_name: String,
    /// Why: referred by someone, no lead professional, no progress.
    pub why: Vec<String>,
    /// Whether it was proposed because it is stuck (rather than referred by someone).
    pub stuck: bool,
}

/// One case on a panel's agenda.
#[derive(Debug, Clone, Serialize)]
pub struct PanelItem {
    /// The referral's id.
    pub id: i64,
    /// The request.
    pub request_id: i64,
    /// The child's name.
    pub child_name: String,
    /// Why it is on the agenda.
    pub why: String,
    /// What the panel decided, once it has.
    pub decision: Option<String>,
    /// The team around the child now: who may own an action.
    pub team: Vec<(i64, String)>,
}

/// A panel meeting.
#[derive(Debug, Clone, Serialize)]
pub struct PanelRow {
    /// Id.
    pub id: i64,
    /// When it meets.
    pub meets_on: String,
    /// Stuck cases when its agenda was set.
    pub stuck_count: i64,
    /// Cases on the agenda.
    pub items: i64,
    /// Cases decided.
    pub decided: i64,
}

impl SqlStore {
    async fn proposals_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        locality: i64,
    ) -> Result<Vec<Proposal>> {
        let now = self.now();
        let CaseRules {
            stuck_weeks,
            no_lead_days,
            ..
        } = self.rules;
        let stuck_before = now.minus_days(stuck_weeks * 7).to_db();
        let no_lead_before = now.minus_days(no_lead_days).to_db();
        let rows: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT r.id, p.given_name, p.family_name, r.status, r.updated_at, \
             (SELECT MIN(x.why) FROM panel_referrals x WHERE x.request_id = r.id AND x.panel_id IS NULL) \
             FROM support_requests r JOIN persons p ON p.id = r.child_id \
             WHERE r.locality_id = $1 AND r.status NOT IN ('closed', 'awaiting_decision') \
             AND NOT EXISTS (SELECT 1 FROM panel_referrals y WHERE y.request_id = r.id AND y.panel_id IS NOT NULL AND y.decision IS NULL) \
             ORDER BY r.id",
        )
        .bind(locality)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for (id, given, family, status, updated, referred) in rows {
            let mut why = Vec::new();
            let mut stuck = false;
            if let Some(w) = referred {
                why.push(format!("Referred: {w}"));
            }
            if status == "awaiting_lead" && updated < no_lead_before {
                why.push(format!(
                    "No lead professional for more than {no_lead_days} days"
                ));
                stuck = true;
            }
            if updated < stuck_before {
                why.push(format!("No progress for {stuck_weeks} weeks"));
                stuck = true;
            }
            if !why.is_empty() {
                out.push(Proposal {
                    request_id: id,
                    child_name: format!("{given} {family}"),
                    why,
                    stuck,
                });
            }
        }
        Ok(out)
    }
}

/// Locality panels: cases proposed and referred, meetings and their decisions; audited.
#[async_trait]
pub trait PanelRepo: Send + Sync {
    /// Bring a case to the locality panel, with why.
    async fn refer_to_panel(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        why: &str,
    ) -> Result<()>;
    /// Cases proposed for the permit's locality's next panel, and its panels so far.
    async fn panel_overview(
        &self,
        p: &Permit<policy::RunPanel>,
    ) -> Result<(Vec<Proposal>, Vec<PanelRow>)>;
    /// Set a panel's agenda from every case proposed now; records the stuck-case count.
    async fn create_panel(&self, p: &Permit<policy::RunPanel>, meets_on: time::Date)
        -> Result<i64>;
    /// The locality of a panel (no personal data: to choose the permit).
    async fn panel_scope(&self, p: &Permit<policy::FindChildBasis>, id: i64)
        -> Result<Option<i64>>;
    /// A panel's date and agenda.
    async fn panel_items(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
    ) -> Result<Option<(String, Vec<PanelItem>)>>;
    /// Record the panel's decision on a case, with an optional action for the team.
    async fn decide_panel_item(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
        item: i64,
        decision: &str,
        action: Option<&everychild_domain::casework::NewAction>,
    ) -> Result<()>;
}

#[async_trait]
impl PanelRepo for SqlStore {
    async fn refer_to_panel(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        why: &str,
    ) -> Result<()> {
        let why = why.trim();
        if why.is_empty() || why.chars().count() > 1000 {
            return Err(StoreError::invalid(
                "why",
                "Say why the panel should discuss this case (1,000 characters or fewer)",
            ));
        }
        let (mut a, child) = begin_for_child(self, p).await?;
        let status = request_of_child(&mut a.tx, request, child).await?;
        if status == "closed" || status == "awaiting_decision" {
            return Err(StoreError::invalid(
                "request",
                "Only a decided, open request can go to the panel",
            ));
        }
        let (open,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM panel_referrals WHERE request_id = $1 AND decision IS NULL",
        )
        .bind(request)
        .fetch_one(&mut *a.tx)
        .await?;
        if open > 0 {
            return Err(StoreError::invalid(
                "why",
                "This case is already waiting for the panel",
            ));
        }
        sqlx::query(
            "INSERT INTO panel_referrals (request_id, why, referred_by, referred_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(request)
        .bind(why)
        .bind(maker(p.principal()))
        .bind(self.now().to_db())
        .execute(&mut *a.tx)
        .await?;
        a.commit(
            Event::success("panel.refer", Some(("person", child.to_string())))
                .detail(json!({ "request_id": request })),
        )
        .await
    }

    async fn panel_overview(
        &self,
        p: &Permit<policy::RunPanel>,
    ) -> Result<(Vec<Proposal>, Vec<PanelRow>)> {
        let l = permit_locality(p)?;
        let mut conn = self.pool.acquire().await?;
        let proposals = self.proposals_in(&mut conn, l).await?;
        let panels: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT x.id, x.meets_on, x.stuck_count, \
             (SELECT COUNT(*) FROM panel_referrals r WHERE r.panel_id = x.id), \
             (SELECT COUNT(*) FROM panel_referrals r WHERE r.panel_id = x.id AND r.decision IS NOT NULL) \
             FROM panels x WHERE x.locality_id = $1 ORDER BY x.meets_on DESC, x.id DESC",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        self.audit_only(
            p,
            Event::success("panel.overview", Some(("locality", l.to_string())))
                .detail(json!({ "proposed": proposals.len() })),
        )
        .await?;
        Ok((
            proposals,
            panels
                .into_iter()
                .map(|x| PanelRow {
                    id: x.0,
                    meets_on: x.1,
                    stuck_count: x.2,
                    items: x.3,
                    decided: x.4,
                })
                .collect(),
        ))
    }

    async fn create_panel(
        &self,
        p: &Permit<policy::RunPanel>,
        meets_on: time::Date,
    ) -> Result<i64> {
        let l = permit_locality(p)?;
        if meets_on < self.today_date() {
            return Err(StoreError::invalid(
                "meets_on",
                "The panel must meet today or later",
            ));
        }
        let mut a = self.audited(p).await?;
        let proposals = self.proposals_in(&mut a.tx, l).await?;
        if proposals.is_empty() {
            return Err(StoreError::invalid(
                "meets_on",
                "No case is proposed for a panel: nothing is stuck or referred",
            ));
        }
        let stuck = proposals.iter().filter(|x| x.stuck).count() as i64;
        let by = maker(p.principal());
        let now = self.now().to_db();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO panels (locality_id, meets_on, stuck_count, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(l)
        .bind(meets_on.to_string())
        .bind(stuck)
        .bind(&by)
        .bind(&now)
        .fetch_one(&mut *a.tx)
        .await?;
        for x in &proposals {
            let n = sqlx::query(
                "UPDATE panel_referrals SET panel_id = $1, why = $2 WHERE request_id = $3 AND panel_id IS NULL AND decision IS NULL",
            )
            .bind(id)
            .bind(x.why.join("; "))
            .bind(x.request_id)
            .execute(&mut *a.tx)
            .await?
            .rows_affected();
            if n == 0 {
                sqlx::query(
                    "INSERT INTO panel_referrals (request_id, why, referred_by, referred_at, panel_id) VALUES ($1, $2, '(proposed: stuck)', $3, $4)",
                )
                .bind(x.request_id)
                .bind(x.why.join("; "))
                .bind(&now)
                .bind(id)
                .execute(&mut *a.tx)
                .await?;
            }
        }
        a.commit(
            Event::success("panel.create", Some(("locality", l.to_string())))
                .detail(json!({ "panel_id": id, "cases": proposals.len(), "stuck": stuck })),
        )
        .await?;
        Ok(id)
    }

    async fn panel_scope(
        &self,
        _p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT locality_id FROM panels WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn panel_items(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
    ) -> Result<Option<(String, Vec<PanelItem>)>> {
        let l = permit_locality(p)?;
        let mut conn = self.pool.acquire().await?;
        let meets: Option<(String,)> =
            sqlx::query_as("SELECT meets_on FROM panels WHERE id = $1 AND locality_id = $2")
                .bind(panel)
                .bind(l)
                .fetch_optional(&mut *conn)
                .await?;
        let Some((meets_on,)) = meets else {
            return Ok(None);
        };
        let rows: Vec<(i64, i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT x.id, x.request_id, p.given_name, p.family_name, x.why, x.decision FROM panel_referrals x \
             JOIN support_requests r ON r.id = x.request_id JOIN persons p ON p.id = r.child_id \
             WHERE x.panel_id = $1 ORDER BY x.id",
        )
        .bind(panel)
        .fetch_all(&mut *conn)
        .await?;
        let mut teams = Vec::with_capacity(rows.len());
        for r in &rows {
            let team: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT t.user_id, u.display_name, t.team_role FROM tac_members t JOIN users u ON u.id = t.user_id \
                 WHERE t.request_id = $1 AND t.until IS NULL ORDER BY t.is_lead DESC, u.display_name",
            )
            .bind(r.1)
            .fetch_all(&mut *conn)
            .await?;
            teams.push(
                team.into_iter()
                    .map(|(id, name, role)| (id, format!("{name} ({role})")))
                    .collect(),
            );
        }
        drop(conn);
        self.audit_only(
            p,
            Event::success("panel.view", Some(("locality", l.to_string())))
                .detail(json!({ "panel_id": panel, "cases": rows.len() })),
        )
        .await?;
        Ok(Some((
            meets_on,
            rows.into_iter()
                .zip(teams)
                .map(|(r, team)| PanelItem {
                    id: r.0,
                    request_id: r.1,
                    child_name: format!("{} {}", r.2, r.3),
                    why: r.4,
                    decision: r.5,
                    team,
                })
                .collect(),
        )))
    }

    async fn decide_panel_item(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
        item: i64,
        decision: &str,
        action: Option<&everychild_domain::casework::NewAction>,
    ) -> Result<()> {
        let l = permit_locality(p)?;
        let decision = decision.trim();
        if decision.is_empty() || decision.chars().count() > 4000 {
            return Err(StoreError::invalid(
                "decision",
                "Enter what the panel decided (4,000 characters or fewer)",
            ));
        }
        let mut a = self.audited(p).await?;
        let row: Option<(i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT x.request_id, r.child_id, x.decision FROM panel_referrals x JOIN panels k ON k.id = x.panel_id \
             JOIN support_requests r ON r.id = x.request_id WHERE x.id = $1 AND x.panel_id = $2 AND k.locality_id = $3",
        )
        .bind(item)
        .bind(panel)
        .bind(l)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((request, child, done)) = row else {
            return Err(StoreError::invalid(
                "item",
                "There is no such case on this panel",
            ));
        };
        if done.is_some() {
            return Err(StoreError::invalid(
                "decision",
                "The panel has already decided this case",
            ));
        }
        let by = maker(p.principal());
        let now = self.now().to_db();
        if let Some(x) = action {
            let (member,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM tac_members WHERE request_id = $1 AND user_id = $2 AND until IS NULL",
            )
            .bind(request)
            .bind(x.owner)
            .fetch_one(&mut *a.tx)
            .await?;
            if member == 0 {
                return Err(StoreError::invalid(
                    "owner",
                    "The owner must be a member of the team around the child",
                ));
            }
            sqlx::query(
                "INSERT INTO tac_actions (request_id, description, owner_id, due_on, status, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, 'open', $5, $6)",
            )
            .bind(request)
            .bind(&x.description)
            .bind(x.owner)
            .bind(x.due.to_string())
            .bind(&by)
            .bind(&now)
            .execute(&mut *a.tx)
            .await?;
        }
        sqlx::query("UPDATE panel_referrals SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
            .bind(decision)
            .bind(&by)
            .bind(&now)
            .bind(item)
            .execute(&mut *a.tx)
            .await?;
        sqlx::query("UPDATE support_requests SET updated_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(request)
            .execute(&mut *a.tx)
            .await?;
        a.commit(
            Event::success("panel.decide", Some(("person", child.to_string()))).detail(
                json!({ "panel_id": panel, "request_id": request, "action": action.is_some() }),
            ),
        )
        .await
    }
}
