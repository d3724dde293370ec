//! Meetings, the action plan and reviews of the team around the child, and what is overdue.

use super::*;
use async_trait::async_trait;

/// A meeting of the team around the child.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRow {
    /// When.
    pub held_on: String,
    /// Who attended.
    pub attendees: String,
    /// What was decided.
    pub decisions: String,
    /// Whether it reviewed the plan.
    pub is_review: bool,
    /// Recorded by.
    pub recorded_by: String,
}

/// One action of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    /// Id.
    pub id: i64,
    /// What.
    pub description: String,
    /// Owner's user id.
    pub owner_id: i64,
    /// Owner's name.
    pub owner: String,
    /// Due (`YYYY-MM-DD`).
    pub due_on: String,
    /// Done, when.
    pub done_at: Option<String>,
    /// Open and past its due date.
    pub overdue: bool,
}

/// The plan of a request: meetings, actions and the next review.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Plan {
    /// Meetings, newest first.
    pub meetings: Vec<MeetingRow>,
    /// Actions, open first, by due date.
    pub actions: Vec<ActionRow>,
    /// When the plan is next reviewed (only while a team works with the child).
    pub next_review: Option<String>,
    /// The review is past due.
    pub review_overdue: bool,
}

fn date_of(s: &str) -> Option<time::Date> {
    time::Date::parse(
        s.get(..10)?,
        &time::format_description::well_known::Iso8601::DATE,
    )
    .ok()
}

/// The next review date of a request: `(due, overdue)`, if a team works with the child.
async fn review_state(
    conn: &mut sqlx::AnyConnection,
    request: i64,
    today: time::Date,
) -> Result<Option<(time::Date, bool)>> {
    let row: Option<(String, i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT r.status, r.review_weeks, \
         (SELECT MIN(t.since) FROM tac_members t WHERE t.request_id = r.id AND t.is_lead = 1), \
         (SELECT MAX(m.held_on) FROM tac_meetings m WHERE m.request_id = r.id AND m.is_review = 1) \
         FROM support_requests r WHERE r.id = $1",
    )
    .bind(request)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((status, weeks, began, last)) = row else {
        return Ok(None);
    };
    if status != "team_around_child" {
        return Ok(None);
    }
    let Some(began) = began.as_deref().and_then(date_of) else {
        return Ok(None);
    };
    let due =
        everychild_domain::casework::next_review(last.as_deref().and_then(date_of), began, weeks);
    Ok(Some((due, due < today)))
}

impl SqlStore {
    /// Today by the store's clock.
    pub fn today_date(&self) -> time::Date {
        self.clock.now().date()
    }

    /// Overdue actions and reviews in a locality's open requests.
    pub(crate) async fn overdue_in_locality(
        &self,
        conn: &mut sqlx::AnyConnection,
        locality: i64,
    ) -> Result<(i64, i64)> {
        let today = self.today_date();
        let (actions,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM tac_actions a JOIN support_requests r ON r.id = a.request_id \
             WHERE r.locality_id = $1 AND r.status <> 'closed' AND a.status = 'open' AND a.due_on < $2",
        )
        .bind(locality)
        .bind(today.to_string())
        .fetch_one(&mut *conn)
        .await?;
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM support_requests WHERE locality_id = $1 AND status = 'team_around_child'",
        )
        .bind(locality)
        .fetch_all(&mut *conn)
        .await?;
        let mut reviews = 0;
        for (id,) in ids {
            if review_state(conn, id, today).await?.is_some_and(|r| r.1) {
                reviews += 1;
            }
        }
        Ok((actions, reviews))
    }
}

/// The plan of a request: its meetings and actions; audited.
#[async_trait]
pub trait PlanRepo: Send + Sync {
    /// The request's meetings, action plan and next review.
    async fn plan(&self, p: &Permit<policy::ViewRequest>, request: i64) -> Result<Plan>;
    /// Record a meeting (or review) of the team around the child.
    async fn add_meeting(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        m: &everychild_domain::casework::NewMeeting,
    ) -> Result<()>;
    /// Add an action owned by a member of the team.
    async fn add_action(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        a: &everychild_domain::casework::NewAction,
    ) -> Result<i64>;
    /// Mark an action done (its owner, the lead professional or the locality manager).
    async fn complete_action(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
        action: i64,
    ) -> Result<()>;
}

#[async_trait]
impl PlanRepo for SqlStore {
    async fn plan(&self, p: &Permit<policy::ViewRequest>, request: i64) -> Result<Plan> {
        let (mut conn, child) = read_for_child(self, p).await?;
        request_of_child(&mut conn, request, child).await?;
        let today = self.today_date();
        let meetings: Vec<(String, String, String, i64, String)> = sqlx::query_as(
            "SELECT held_on, attendees, decisions, is_review, recorded_by FROM tac_meetings WHERE request_id = $1 ORDER BY held_on DESC, id DESC",
        )
        .bind(request)
        .fetch_all(&mut *conn)
        .await?;
        let actions: Vec<(i64, String, i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT a.id, a.description, a.owner_id, u.display_name, a.due_on, a.done_at FROM tac_actions a \
             JOIN users u ON u.id = a.owner_id WHERE a.request_id = $1 \
             ORDER BY CASE WHEN a.status = 'open' THEN 0 ELSE 1 END, a.due_on, a.id",
        )
        .bind(request)
        .fetch_all(&mut *conn)
        .await?;
        let review = review_state(&mut conn, request, today).await?;
        Ok(Plan {
            meetings: meetings
                .into_iter()
                .map(|m| MeetingRow {
                    held_on: m.0,
                    attendees: m.1,
                    decisions: m.2,
                    is_review: m.3 != 0,
                    recorded_by: m.4,
                })
                .collect(),
            actions: actions
                .into_iter()
                .map(|a| ActionRow {
                    overdue: a.5.is_none() && date_of(&a.4).is_some_and(|d| d < today),
                    id: a.0,
                    description: a.1,
                    owner_id: a.2,
                    owner: a.3,
                    due_on: a.4,
                    done_at: a.5,
                })
                .collect(),
            next_review: review.map(|r| r.0.to_string()),
            review_overdue: review.is_some_and(|r| r.1),
        })
    }

    async fn add_meeting(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        m: &everychild_domain::casework::NewMeeting,
    ) -> Result<()> {
        let (mut a, child) = begin_for_child(self, p).await?;
        let status = request_of_child(&mut a.tx, request, child).await?;
        if status == "closed" || status == "awaiting_decision" {
            return Err(StoreError::invalid(
                "request",
                "Meetings are for a request the front door has decided and not yet closed",
            ));
        }
        sqlx::query(
            "INSERT INTO tac_meetings (request_id, held_on, attendees, decisions, is_review, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(request)
        .bind(m.held_on.to_string())
        .bind(&m.attendees)
        .bind(&m.decisions)
        .bind(i64::from(m.is_review))
        .bind(maker(p.principal()))
        .bind(self.now().to_db())
        .execute(&mut *a.tx)
        .await?;
        sqlx::query("UPDATE support_requests SET updated_at = $1 WHERE id = $2")
            .bind(self.now().to_db())
            .bind(request)
            .execute(&mut *a.tx)
            .await?;
        a.commit(
            Event::success("request.meeting", Some(("person", child.to_string())))
                .detail(json!({ "request_id": request, "review": m.is_review })),
        )
        .await
    }

    async fn add_action(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        x: &everychild_domain::casework::NewAction,
    ) -> Result<i64> {
        let (mut a, child) = begin_for_child(self, p).await?;
        let status = request_of_child(&mut a.tx, request, child).await?;
        if status == "closed" {
            return Err(StoreError::invalid(
                "request",
                "The request is closed; its plan cannot change",
            ));
        }
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
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO tac_actions (request_id, description, owner_id, due_on, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
        )
        .bind(request)
        .bind(&x.description)
        .bind(x.owner)
        .bind(x.due.to_string())
        .bind(maker(p.principal()))
        .bind(self.now().to_db())
        .fetch_one(&mut *a.tx)
        .await?;
        sqlx::query("UPDATE support_requests SET updated_at = $1 WHERE id = $2")
            .bind(self.now().to_db())
            .bind(request)
            .execute(&mut *a.tx)
            .await?;
        a.commit(
            Event::success("request.action", Some(("person", child.to_string())))
                .detail(json!({ "request_id": request, "action_id": id, "owner": x.owner })),
        )
        .await?;
        Ok(id)
    }

    async fn complete_action(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
        action: i64,
    ) -> Result<()> {
        let (_, claimed) = permit_child(p)?;
        let actor = permit_user(p)?.user_id.0;
        let (mut a, child) = begin_for_child(self, p).await?;
        request_of_child(&mut a.tx, request, child).await?;
        let runs_team = matches!(
            claimed,
            policy::Basis::LeadProfessional | policy::Basis::Locality
        );
        let n = sqlx::query(
            "UPDATE tac_actions SET status = 'done', done_by = $1, done_at = $2 \
             WHERE id = $3 AND request_id = $4 AND status = 'open' AND (owner_id = $5 OR $6 = 1)",
        )
        .bind(maker(p.principal()))
        .bind(self.now().to_db())
        .bind(action)
        .bind(request)
        .bind(actor)
        .bind(i64::from(runs_team))
        .execute(&mut *a.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::invalid("action", "Only an open action's owner, the lead professional or the locality manager can mark it done"));
        }
        sqlx::query("UPDATE support_requests SET updated_at = $1 WHERE id = $2")
            .bind(self.now().to_db())
            .bind(request)
            .execute(&mut *a.tx)
            .await?;
        a.commit(
            Event::success("request.action_done", Some(("person", child.to_string())))
                .detail(json!({ "request_id": request, "action_id": action })),
        )
        .await
    }
}
