//! Four eyes on the keys to the audit log: resetting the password or the authenticator of an
//! administrator or of the data protection officer needs a second administrator. The first
//! asks; another administrator (never the one who asked, never the account's owner) approves,
//! and the reset happens in the same transaction as the approval. Both steps are audited.

use crate::audit::Event;
use crate::{Result, SqlStore, StoreError};
use everychild_domain::Role;
use everychild_policy::{self as policy, Permit};
use serde::Serialize;
use serde_json::json;

/// Which credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetKind {
    /// The password (a temporary one is issued to the approver).
    Password,
    /// The authenticator app (the owner sets up a new one at next sign-in).
    SecondFactor,
}

impl ResetKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ResetKind::Password => "password",
            ResetKind::SecondFactor => "second_factor",
        }
    }
}

/// Whether resetting an account of `role` needs a second administrator.
pub fn needs_second_person(role: Role) -> bool {
    matches!(role, Role::Administrator | Role::DataProtectionOfficer)
}

/// A reset waiting for a second administrator.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PendingReset {
    /// Id.
    pub id: i64,
    /// `password` or `second_factor`.
    pub kind: String,
    /// Who asked (username).
    pub requested_by: String,
    /// Their user id.
    pub requested_by_id: i64,
    /// When.
    pub requested_at: String,
}

/// Resets of one account, asked for and approved by two administrators.
#[async_trait::async_trait]
pub trait ResetRepo: Send + Sync {
    /// Whether resetting the permit's user needs a second administrator (their role only;
    /// nothing personal is read, so it is not audited).
    async fn reset_needs_second_person(&self, p: &Permit<policy::ManageUser>) -> Result<bool>;
    /// Ask for a reset of the permit's user; a reset of the same kind already waiting is
    /// answered with a conflict. Audited.
    async fn request_reset(&self, p: &Permit<policy::ManageUser>, kind: ResetKind) -> Result<i64>;
    /// Resets of the permit's user waiting for a second administrator.
    async fn pending_resets(&self, p: &Permit<policy::ManageUser>) -> Result<Vec<PendingReset>>;
    /// Approve reset `id` of the permit's user and carry it out (with `new_hash` for a
    /// password) in one transaction; refused to the administrator who asked. Audited.
    async fn approve_reset(
        &self,
        p: &Permit<policy::ManageUser>,
        id: i64,
        new_hash: Option<&str>,
    ) -> Result<ResetKind>;
}

#[async_trait::async_trait]
impl ResetRepo for SqlStore {
    async fn reset_needs_second_person(&self, p: &Permit<policy::ManageUser>) -> Result<bool> {
        let target = Self::target_user(p)?;
        let role: Option<(String,)> = sqlx::query_as("SELECT role FROM users WHERE id = $1")
            .bind(target.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(role
            .and_then(|(r,)| Role::parse(&r))
            .is_some_and(needs_second_person))
    }

    async fn request_reset(&self, p: &Permit<policy::ManageUser>, kind: ResetKind) -> Result<i64> {
        let target = Self::target_user(p)?;
        let me = p.actor().ok_or_else(|| {
            StoreError::Database("a reset needs a signed-in administrator".into())
        })?;
        let mut a = self.audited(p).await?;
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM credential_resets WHERE user_id = $1 AND kind = $2 AND approved_at IS NULL",
        )
        .bind(target.0)
        .bind(kind.as_str())
        .fetch_one(&mut *a.tx)
        .await?;
        if waiting > 0 {
            return Err(StoreError::invalid(
                "reset",
                "This reset is already waiting for a second administrator",
            ));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO credential_resets (user_id, kind, requested_by_id, requested_by, requested_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(target.0)
        .bind(kind.as_str())
        .bind(me.user_id.0)
        .bind(&me.username)
        .bind(self.now().to_db())
        .fetch_one(&mut *a.tx)
        .await?;
        a.commit(
            Event::success("user.reset_requested", Some(("user", target.0.to_string())))
                .detail(json!({ "reset_id": id, "kind": kind.as_str() })),
        )
        .await?;
        Ok(id)
    }

    async fn pending_resets(&self, p: &Permit<policy::ManageUser>) -> Result<Vec<PendingReset>> {
        let target = Self::target_user(p)?;
        Ok(sqlx::query_as(
            "SELECT id, kind, requested_by, requested_by_id, requested_at FROM credential_resets \
             WHERE user_id = $1 AND approved_at IS NULL ORDER BY id",
        )
        .bind(target.0)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn approve_reset(
        &self,
        p: &Permit<policy::ManageUser>,
        id: i64,
        new_hash: Option<&str>,
    ) -> Result<ResetKind> {
        let target = Self::target_user(p)?;
        let me = p.actor().ok_or_else(|| {
            StoreError::Database("a reset needs a signed-in administrator".into())
        })?;
        let now = self.now().to_db();
        let mut a = self.audited(p).await?;
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT kind, requested_by_id FROM credential_resets WHERE id = $1 AND user_id = $2 AND approved_at IS NULL",
        )
        .bind(id)
        .bind(target.0)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((kind, asked_by)) = row else {
            return Err(StoreError::invalid(
                "reset",
                "There is no reset of this account waiting with that number",
            ));
        };
        if asked_by == me.user_id.0 {
            return Err(StoreError::invalid(
                "reset",
                "Another administrator must approve a reset you asked for",
            ));
        }
        let kind = match kind.as_str() {
            "password" => ResetKind::Password,
            _ => ResetKind::SecondFactor,
        };
        match (kind, new_hash) {
            (ResetKind::Password, Some(h)) => {
                sqlx::query(
                    "UPDATE users SET password_hash = $1, must_change_password = 1, updated_at = $2 WHERE id = $3",
                )
                .bind(h)
                .bind(&now)
                .bind(target.0)
                .execute(&mut *a.tx)
                .await?;
            }
            (ResetKind::Password, None) => {
                return Err(StoreError::Database(
                    "a password reset needs the new hash".into(),
                ))
            }
            (ResetKind::SecondFactor, _) => {
                sqlx::query(
                    "UPDATE users SET totp_secret = NULL, totp_enabled = 0, totp_last_step = 0, updated_at = $1 WHERE id = $2",
                )
                .bind(&now)
                .bind(target.0)
                .execute(&mut *a.tx)
                .await?;
            }
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(target.0)
            .execute(&mut *a.tx)
            .await?;
        sqlx::query(
            "UPDATE credential_resets SET approved_by_id = $1, approved_by = $2, approved_at = $3 WHERE id = $4",
        )
        .bind(me.user_id.0)
        .bind(&me.username)
        .bind(&now)
        .bind(id)
        .execute(&mut *a.tx)
        .await?;
        a.commit(
            Event::success(
                match kind {
                    ResetKind::Password => "user.password_reset",
                    ResetKind::SecondFactor => "user.second_factor_reset",
                },
                Some(("user", target.0.to_string())),
            )
            .detail(json!({ "reset_id": id, "approved_by_second_administrator": true })),
        )
        .await?;
        Ok(kind)
    }
}
