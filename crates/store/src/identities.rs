//! Accounts at the council's identity provider linked to staff accounts. An administrator
//! links them (or pre-registers them when creating the account): a token alone never creates
//! or finds an account that was not linked.

use crate::audit::Event;
use crate::types::ts;
use crate::{AuthRepo, Credentials, Result, SqlStore, StoreError};
use everychild_policy::{self as policy, Permit};

/// An identity linked to an account.
#[derive(Debug, Clone)]
pub struct LinkedIdentity {
    /// Id of the link.
    pub id: i64,
    /// The provider's issuer (for Microsoft Entra ID, the tenant's issuer).
    pub issuer: String,
    /// The subject at that issuer (for Entra ID, the object id `oid`).
    pub subject: String,
    /// When it was linked.
    pub linked_at: String,
    /// Who linked it.
    pub linked_by: Option<String>,
}

/// Links between staff accounts and identities at the council's identity provider.
#[async_trait::async_trait]
pub trait IdentityRepo: Send + Sync {
    /// The account linked to (`issuer`, `subject`), if any.
    async fn identity_credentials(
        &self,
        p: &Permit<policy::Authenticate>,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<Credentials>>;
    /// The identities linked to the permit's user.
    async fn identities(&self, p: &Permit<policy::ManageUser>) -> Result<Vec<LinkedIdentity>>;
    /// Link (`issuer`, `subject`) to the permit's user; audited. An identity already linked
    /// to anyone is refused.
    async fn link_identity(
        &self,
        p: &Permit<policy::ManageUser>,
        issuer: &str,
        subject: &str,
    ) -> Result<i64>;
    /// Remove a link of the permit's user; audited. False when there was no such link.
    async fn unlink_identity(&self, p: &Permit<policy::ManageUser>, id: i64) -> Result<bool>;
}

#[async_trait::async_trait]
impl IdentityRepo for SqlStore {
    async fn identity_credentials(
        &self,
        p: &Permit<policy::Authenticate>,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<Credentials>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT u.username FROM user_identities i JOIN users u ON u.id = i.user_id \
             WHERE i.issuer = $1 AND i.subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some((username,)) => self.credentials(p, &username).await,
            None => Ok(None),
        }
    }

    async fn identities(&self, p: &Permit<policy::ManageUser>) -> Result<Vec<LinkedIdentity>> {
        let user = Self::target_user(p)?;
        let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT i.id, i.issuer, i.subject, i.linked_at, b.username FROM user_identities i \
             LEFT JOIN users b ON b.id = i.linked_by WHERE i.user_id = $1 ORDER BY i.id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, issuer, subject, linked_at, linked_by)| LinkedIdentity {
                    id,
                    issuer,
                    subject,
                    linked_at,
                    linked_by,
                },
            )
            .collect())
    }

    async fn link_identity(
        &self,
        p: &Permit<policy::ManageUser>,
        issuer: &str,
        subject: &str,
    ) -> Result<i64> {
        let user = Self::target_user(p)?;
        let mut a = self.audited(p).await?;
        let role: Option<(String,)> = sqlx::query_as("SELECT role FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&mut *a.tx)
            .await?;
        let Some((role,)) = role else {
            return Err(StoreError::NotFound("no such user".into()));
        };
        // Administrators and the DPO keep local passwords and authenticators (break-glass);
        // linking an outside identity to one would let a single administrator take it over.
        if everychild_domain::Role::parse(&role).is_some_and(crate::needs_second_person) {
            return Err(StoreError::invalid("subject", "Administrators and the data protection officer sign in with their own password and authenticator app; their accounts are not linked to the identity provider"));
        }
        let taken: Option<(i64,)> = sqlx::query_as(
            "SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&mut *a.tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "subject",
                "This identity is already linked to an account",
            ));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO user_identities (user_id, issuer, subject, linked_by, linked_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user.0)
        .bind(issuer)
        .bind(subject)
        .bind(p.actor().map(|a| a.user_id.0))
        .bind(ts(self.now()))
        .fetch_one(&mut *a.tx)
        .await?;
        a.commit(
            Event::success("user.identity_linked", Some(("user", user.0.to_string())))
                .detail(serde_json::json!({ "issuer": issuer, "link": id })),
        )
        .await?;
        Ok(id)
    }

    async fn unlink_identity(&self, p: &Permit<policy::ManageUser>, id: i64) -> Result<bool> {
        let user = Self::target_user(p)?;
        let mut a = self.audited(p).await?;
        let gone: Option<(String,)> = sqlx::query_as(
            "DELETE FROM user_identities WHERE id = $1 AND user_id = $2 RETURNING issuer",
        )
        .bind(id)
        .bind(user.0)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((issuer,)) = gone else {
            return Ok(false);
        };
        // Sessions that came through the provider end with the link.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND idp = $2")
            .bind(user.0)
            .bind(&issuer)
            .execute(&mut *a.tx)
            .await?;
        a.commit(
            Event::success("user.identity_unlinked", Some(("user", user.0.to_string())))
                .detail(serde_json::json!({ "issuer": issuer, "link": id })),
        )
        .await?;
        Ok(true)
    }
}
