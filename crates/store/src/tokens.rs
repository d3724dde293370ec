//! Bearer tokens for machine clients: only a SHA-256 of each token is stored.

use crate::audit::{Event, Who};
use crate::types::ts;
use crate::{ApiToken, Result, SqlStore, StoreError, TokenRepo};
use everychild_domain::UserId;
use everychild_policy::{self as policy, Permit};

#[async_trait::async_trait]
impl TokenRepo for SqlStore {
    async fn issue_token(
        &self,
        p: &Permit<policy::ManageApiTokens>,
        user: UserId,
        name: &str,
        token_hash: &str,
    ) -> Result<i64> {
        let mut a = self.begin_audited().await?;
        let creator = p.actor().map(|a| a.user_id.0);
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (name, token_hash, user_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(token_hash)
        .bind(user.0)
        .bind(creator)
        .bind(ts(self.now()))
        .fetch_one(&mut *a.tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::NotFound(_) => StoreError::NotFound("user: Select a user that exists".into()),
            other => other,
        })?;
        self.commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success("api_token.issue", Some(("api_token", id.to_string())))
                .detail(serde_json::json!({"name": name, "user_id": user.0})),
        )
        .await?;
        Ok(id)
    }

    async fn list_tokens(&self, _p: &Permit<policy::ManageApiTokens>) -> Result<Vec<ApiToken>> {
        let rows: Vec<(i64, String, String, String, Option<String>, Option<String>)> =
            sqlx::query_as(
                "SELECT t.id, t.name, u.username, t.created_at, t.last_used_at, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
            )
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, username, created_at, last_used_at, revoked_at)| ApiToken {
                    id,
                    name,
                    username,
                    created_at,
                    last_used_at,
                    revoked_at,
                },
            )
            .collect())
    }

    async fn revoke_token(&self, p: &Permit<policy::ManageApiTokens>, id: i64) -> Result<bool> {
        let mut a = self.begin_audited().await?;
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(ts(self.now()))
        .bind(id)
        .execute(&mut *a.tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        self.commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success("api_token.revoke", Some(("api_token", id.to_string()))),
        )
        .await?;
        Ok(true)
    }
}
