//! A place in a team around the child is offered, not imposed: the lead professional adds a
//! member, and the membership opens the child's record only once the member accepts it. A
//! member may decline instead. Both answers are audited against the child.

use crate::audit::Event;
use crate::people::permit_user;
use crate::{Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_policy::{self as policy, Permit};
use serde::Serialize;
use serde_json::json;

/// A place in a team around the child waiting for the user's answer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TeamInvitation {
    /// The request for support.
    pub request_id: i64,
    /// The child's name (what the member needs to recognise the child).
    pub child_name: String,
    /// The child's date of birth.
    pub date_of_birth: Option<String>,
    /// The lead professional's name, if there is one.
    pub lead_name: Option<String>,
    /// The role offered in the team.
    pub team_role: String,
    /// When the place was offered.
    pub since: String,
}

/// Places in teams around children offered to a user, and their answers; audited.
#[async_trait]
pub trait InvitationRepo: Send + Sync {
    /// Places in teams around children offered to the user and waiting for an answer; audited.
    async fn team_invitations(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
    ) -> Result<Vec<TeamInvitation>>;
    /// Accept or decline the place offered to the user in request `id`'s team; audited.
    async fn answer_team_invitation(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
        id: i64,
        accept: bool,
    ) -> Result<()>;
}

#[async_trait]
impl InvitationRepo for SqlStore {
    /// The places offered to the permit's user that are waiting for an answer.
    async fn team_invitations(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
    ) -> Result<Vec<TeamInvitation>> {
        let user = permit_user(p)?.user_id.0;
        let rows: Vec<TeamInvitation> = sqlx::query_as(
            "SELECT r.id AS request_id, c.given_name || ' ' || c.family_name AS child_name, \
         c.date_of_birth, l.display_name AS lead_name, t.team_role, t.since \
         FROM tac_members t JOIN support_requests r ON r.id = t.request_id \
         JOIN persons c ON c.id = r.child_id LEFT JOIN users l ON l.id = r.lead_professional_id \
         WHERE t.user_id = $1 AND t.until IS NULL AND t.accepted_at IS NULL \
         AND r.status <> 'closed' ORDER BY t.since",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        if !rows.is_empty() {
            let requests: Vec<i64> = rows.iter().map(|r| r.request_id).collect();
            self.audit_only(
                p,
                Event::success("request.invitations", None).detail(json!({ "requests": requests })),
            )
            .await?;
        }
        Ok(rows)
    }

    /// Accept (or decline) the place offered to the permit's user in request `id`'s team.
    async fn answer_team_invitation(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
        id: i64,
        accept: bool,
    ) -> Result<()> {
        let user = permit_user(p)?.user_id.0;
        let now = self.now().to_db();
        let mut a = self.audited(p).await?;
        let child: Option<(i64,)> = sqlx::query_as(
            "SELECT r.child_id FROM tac_members t JOIN support_requests r ON r.id = t.request_id \
         WHERE t.request_id = $1 AND t.user_id = $2 AND t.until IS NULL \
         AND t.accepted_at IS NULL AND r.status <> 'closed'",
        )
        .bind(id)
        .bind(user)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((child,)) = child else {
            return Err(StoreError::NotFound(
                "There is no place in this team waiting for your answer".into(),
            ));
        };
        let sql = if accept {
            "UPDATE tac_members SET accepted_at = $1 WHERE request_id = $2 AND user_id = $3 \
         AND until IS NULL AND accepted_at IS NULL"
        } else {
            "UPDATE tac_members SET until = $1 WHERE request_id = $2 AND user_id = $3 \
         AND until IS NULL AND accepted_at IS NULL"
        };
        sqlx::query(sql)
            .bind(&now)
            .bind(id)
            .bind(user)
            .execute(&mut *a.tx)
            .await?;
        a.commit(
            Event::success(
                if accept {
                    "request.accept_membership"
                } else {
                    "request.decline_membership"
                },
                Some(("person", child.to_string())),
            )
            .detail(json!({ "request_id": id })),
        )
        .await
    }
}
