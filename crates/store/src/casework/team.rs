//! The team around the child of a request: members offered a place, consents to share with
//! them, and who may be offered one.

use super::*;
use async_trait::async_trait;

/// The team around the child of a request and the family's consents; audited.
#[async_trait]
pub trait TeamRepo: Send + Sync {
    /// Add a member to the team around the child.
    async fn add_to_team(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        user: i64,
        team_role: &str,
    ) -> Result<()>;
    /// Withdraw a consent.
    async fn withdraw_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        consent: i64,
    ) -> Result<()>;
    /// Who may join the team or lead: the locality's staff, those involved with the child, and
    /// whoever asked. `(user id, "Name (job, organisation)")`.
    async fn team_candidates(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
    ) -> Result<Vec<(i64, String)>>;
}

#[async_trait]
impl TeamRepo for SqlStore {
    async fn add_to_team(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        user: i64,
        team_role: &str,
    ) -> Result<()> {
        let team_role = team_role.trim();
        if team_role.is_empty() || team_role.chars().count() > 200 {
            return Err(StoreError::invalid(
                "team_role",
                "Enter the member's part in the team (200 characters or fewer)",
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
                return Err(StoreError::invalid(
                    "request",
                    "The request is closed; its team cannot change",
                ))
            }
            _ => return Err(StoreError::invalid("request", "There is no such request")),
        }
        let ok: Option<(i64,)> = sqlx::query_as(&format!(
            "SELECT id FROM users WHERE id = $1 AND disabled = 0 AND {front_line}",
            front_line = crate::sql::role_in("role", policy::FRONT_LINE)
        ))
        .bind(user)
        .fetch_optional(&mut *a.tx)
        .await?;
        if ok.is_none() {
            return Err(StoreError::invalid(
                "member",
                "Choose a practitioner or locality manager with an active account",
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
            return Err(StoreError::invalid(
                "member",
                "This person is already in the team",
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
        a.commit(
            Event::success("request.add_member", Some(("person", child.to_string())))
                .detail(json!({ "request_id": id, "user_id": user, "team_role": team_role })),
        )
        .await
    }

    async fn withdraw_consent(
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
            return Err(StoreError::invalid(
                "consent",
                "There is no such consent still in force",
            ));
        }
        a.commit(
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

    async fn team_candidates(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
    ) -> Result<Vec<(i64, String)>> {
        let (mut conn, child) = read_for_child(self, p).await?;
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            &format!(
"SELECT DISTINCT u.id, u.display_name, o.name, u.job_title FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.disabled = 0 AND {front_line} AND ( \
               u.id IN (SELECT ul.user_id FROM user_localities ul JOIN support_requests r ON r.locality_id = ul.locality_id WHERE r.id = $1) \
               OR u.id IN (SELECT i.practitioner_id FROM involvements i WHERE i.child_id = $2 AND i.practitioner_id IS NOT NULL) \
               OR u.id IN (SELECT r.requested_by FROM support_requests r WHERE r.id = $1)) \
             ORDER BY u.display_name, u.id",
front_line = crate::sql::role_in("u.role", policy::FRONT_LINE)
),
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
}
