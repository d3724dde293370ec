//! Bearer tokens for service clients: named accounts that never sign in, each token with
//! scopes, an expiry and an accountable owner. Only a SHA-256 of each token is stored.

use crate::audit::Event;
use crate::types::ts;
use crate::{ApiToken, NewServiceToken, Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_policy::{self as policy, Permit};

/// The username of the service client called `name`: `svc-` and its letters and digits.
pub fn service_username(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(56).collect();
    format!("svc-{slug}")
}

/// Bearer tokens for machine clients.
#[async_trait]
pub trait TokenRepo: Send + Sync {
    /// Issue a token for a service client (created, in the owner's organisation, if new);
    /// only its hash is stored; audited.
    async fn issue_token(
        &self,
        p: &Permit<policy::ManageApiTokens>,
        t: NewServiceToken<'_>,
    ) -> Result<i64>;
    /// Every token, live and revoked.
    async fn list_tokens(&self, p: &Permit<policy::ManageApiTokens>) -> Result<Vec<ApiToken>>;
    /// Revoke a token; audited. False if no live token has that id.
    async fn revoke_token(&self, p: &Permit<policy::ManageApiTokens>, id: i64) -> Result<bool>;
}

#[async_trait::async_trait]
impl TokenRepo for SqlStore {
    async fn issue_token(
        &self,
        p: &Permit<policy::ManageApiTokens>,
        t: NewServiceToken<'_>,
    ) -> Result<i64> {
        if !policy::token_may_act_as(t.role, &[]) {
            return Err(StoreError::invalid(
                "role",
                "A service client cannot have a role that sees personal data",
            ));
        }
        if t.scopes.is_empty() {
            return Err(StoreError::invalid("scopes", "Select at least one scope"));
        }
        let username = service_username(t.client);
        if username.len() < 5 {
            return Err(StoreError::invalid(
                "client",
                "Enter the service client's name, with letters or digits",
            ));
        }
        let mut a = self.audited(p).await?;
        let now = ts(self.now());
        let owner: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, organisation_id FROM users WHERE username = $1 AND service = 0 AND disabled = 0",
        )
        .bind(t.owner)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((owner_id, org)) = owner else {
            return Err(StoreError::invalid(
                "owner",
                "There is no active person with that username to own the token",
            ));
        };
        let existing: Option<(i64, i64, String)> =
            sqlx::query_as("SELECT id, service, role FROM users WHERE username = $1")
                .bind(&username)
                .fetch_optional(&mut *a.tx)
                .await?;
        let client_id = match existing {
            Some((_, 0, _)) => {
                return Err(StoreError::invalid("client", "That name belongs to a person's account; choose another"))
            }
            Some((id, _, role)) if role == t.role.as_str() => id,
            Some(_) => {
                return Err(StoreError::invalid("role", "That service client already exists with another role; revoke its tokens and name a new client"))
            }
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO users (username, display_name, role, organisation_id, password_hash, \
                     service, created_at, updated_at) VALUES ($1, $2, $3, $4, '!', 1, $5, $5) RETURNING id",
                )
                .bind(&username)
                .bind(t.client.trim())
                .bind(t.role.as_str())
                .bind(org)
                .bind(&now)
                .fetch_one(&mut *a.tx)
                .await?;
                id
            }
        };
        let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (name, token_hash, user_id, created_by, created_at, scopes, expires_at, owner_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(t.client.trim())
        .bind(t.token_hash)
        .bind(client_id)
        .bind(p.actor().map(|a| a.user_id.0))
        .bind(&now)
        .bind(scopes.join(" "))
        .bind(ts(t.expires_at))
        .bind(owner_id)
        .fetch_one(&mut *a.tx)
        .await?;
        a.commit(
            Event::success("api_token.issue", Some(("api_token", id.to_string()))).detail(
                serde_json::json!({
                    "client": username,
                    "scopes": scopes,
                    "expires_at": ts(t.expires_at),
                    "owner": t.owner,
                }),
            ),
        )
        .await?;
        Ok(id)
    }

    async fn list_tokens(&self, _p: &Permit<policy::ManageApiTokens>) -> Result<Vec<ApiToken>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            name: String,
            username: String,
            role: String,
            owner: Option<String>,
            scopes: String,
            expires_at: Option<String>,
            created_at: String,
            last_used_at: Option<String>,
            revoked_at: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT t.id, t.name, u.username, u.role, o.username AS owner, t.scopes, t.expires_at, \
             t.created_at, t.last_used_at, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN users o ON o.id = t.owner_id \
             ORDER BY t.id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let now = ts(self.now());
        Ok(rows
            .into_iter()
            .map(|r| ApiToken {
                live: r.revoked_at.is_none()
                    && !r.scopes.is_empty()
                    && r.expires_at.as_deref().is_some_and(|e| e > now.as_str()),
                id: r.id,
                name: r.name,
                username: r.username,
                role: r.role,
                owner: r.owner,
                scopes: r
                    .scopes
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                expires_at: r.expires_at,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                revoked_at: r.revoked_at,
            })
            .collect())
    }

    async fn revoke_token(&self, p: &Permit<policy::ManageApiTokens>, id: i64) -> Result<bool> {
        let mut a = self.audited(p).await?;
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
        a.commit(Event::success(
            "api_token.revoke",
            Some(("api_token", id.to_string())),
        ))
        .await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn service_usernames_are_slugs() {
        assert_eq!(
            super::service_username("Directory sync (nightly)"),
            "svc-directory-sync-nightly"
        );
        assert_eq!(super::service_username("  "), "svc-");
    }
}
