//! Sign-in throttling that holds under parallel requests. An attempt is claimed before the
//! password (or code) is checked: in one transaction, holding a lock on each key, the failures
//! of each key in the window are counted and, if every key is under its limit, one row per key
//! is recorded at once. A success releases the rows; a failure keeps them. So parallel requests
//! can never pass the limit, and they never start more password hashes than it allows.
//!
//! A refused attempt is not audited one by one: the first refusal in a window records one
//! `sign_in.locked` event, later ones only count on the lock row. Failures older than the
//! window are purged as attempts are claimed.

use crate::audit::{Event, Who};
use crate::types::ts;
use crate::{Backend, Result, SqlStore};
use everychild_domain::Timestamp;
use everychild_policy::{self as policy, Permit};
use serde_json::json;

/// What claiming an attempt decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Go ahead: these failure rows were recorded; release them on success.
    Granted(Vec<i64>),
    /// A key is at its limit: nothing was checked or recorded.
    Throttled,
}

/// Sign-in throttling (see the module documentation).
#[async_trait::async_trait]
pub trait ThrottleRepo: Send + Sync {
    /// Claim an attempt against `keys` (each with its limit) for the window that began at
    /// `since`; `username` names the attempt in the one audit event of a lock.
    async fn claim_attempt(
        &self,
        p: &Permit<policy::Authenticate>,
        username: &str,
        keys: &[(String, i64)],
        since: Timestamp,
    ) -> Result<Claim>;
    /// A claimed attempt succeeded: forget its rows.
    async fn release_attempt(&self, p: &Permit<policy::Authenticate>, ids: &[i64]) -> Result<()>;
    /// Forget every failure of `key` (a completed sign-in clears its failed codes).
    async fn clear_failures(&self, p: &Permit<policy::Authenticate>, key: &str) -> Result<()>;
    /// How many attempts a lock of `key` refused in the window that began at `since`.
    async fn lock_attempts(
        &self,
        p: &Permit<policy::Authenticate>,
        key: &str,
        since: Timestamp,
    ) -> Result<i64>;
}

#[async_trait::async_trait]
impl ThrottleRepo for SqlStore {
    /// Claim an attempt against `keys` (each with its limit) for the window that began at
    /// `since`. `username` names the attempt in the one audit event of a lock.
    async fn claim_attempt(
        &self,
        p: &Permit<policy::Authenticate>,
        username: &str,
        keys: &[(String, i64)],
        since: Timestamp,
    ) -> Result<Claim> {
        let since = ts(since);
        let now = ts(self.now());
        let _writer = match &self.writer_lock {
            Some(l) => Some(l.clone().lock_owned().await),
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        let mut sorted: Vec<&(String, i64)> = keys.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        if self.backend == Backend::Postgres {
            for (k, _) in &sorted {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1)::bigint)")
                    .bind(k)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(&since)
            .execute(&mut *tx)
            .await?;
        let mut over = None;
        for (k, limit) in &sorted {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM sign_in_failures WHERE throttle_key = $1 AND at >= $2",
            )
            .bind(k)
            .bind(&since)
            .fetch_one(&mut *tx)
            .await?;
            if n >= *limit {
                over = Some(k.clone());
                break;
            }
        }
        if let Some(key) = over {
            // One lock row per key and window; only the first refusal is audited.
            let first: Option<(String,)> =
                sqlx::query_as("SELECT first_at FROM sign_in_locks WHERE throttle_key = $1")
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await?;
            let fresh = first.as_ref().is_none_or(|(f,)| *f < since);
            if fresh {
                sqlx::query("DELETE FROM sign_in_locks WHERE throttle_key = $1")
                    .bind(&key)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO sign_in_locks (throttle_key, first_at, last_at, attempts) VALUES ($1, $2, $2, 1)",
                )
                .bind(&key)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE sign_in_locks SET last_at = $1, attempts = attempts + 1 WHERE throttle_key = $2",
                )
                .bind(&now)
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM sign_in_locks WHERE last_at < $1")
                .bind(&since)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            drop(_writer);
            if fresh {
                let kind = key.split(':').next().unwrap_or("key").to_owned();
                self.audit_queued(
                    Who::named(None, username),
                    None,
                    Event {
                        action: "sign_in.locked",
                        outcome: "refused",
                        subject: None,
                        detail: json!({ "key": kind, "later_attempts": "counted on the lock, not audited one by one" }),
                    },
                )
                .await?;
            }
            let _ = p;
            return Ok(Claim::Throttled);
        }
        let mut ids = Vec::with_capacity(keys.len());
        for (k, _) in keys {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO sign_in_failures (throttle_key, at) VALUES ($1, $2) RETURNING id",
            )
            .bind(k)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(Claim::Granted(ids))
    }

    /// A claimed attempt succeeded: forget its rows.
    async fn release_attempt(&self, _p: &Permit<policy::Authenticate>, ids: &[i64]) -> Result<()> {
        let _writer = match &self.writer_lock {
            Some(l) => Some(l.clone().lock_owned().await),
            None => None,
        };
        // One transaction: a correct password releases its whole claim or none of it.
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many attempts were refused on a lock of `key` in the window that began at `since`.
    async fn lock_attempts(
        &self,
        _p: &Permit<policy::Authenticate>,
        key: &str,
        since: Timestamp,
    ) -> Result<i64> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT attempts FROM sign_in_locks WHERE throttle_key = $1 AND last_at >= $2",
        )
        .bind(key)
        .bind(ts(since))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0).unwrap_or(0))
    }

    /// Forget every failure of `key` (a completed sign-in clears its failed codes).
    async fn clear_failures(&self, _p: &Permit<policy::Authenticate>, key: &str) -> Result<()> {
        let _writer = match &self.writer_lock {
            Some(l) => Some(l.clone().lock_owned().await),
            None => None,
        };
        sqlx::query("DELETE FROM sign_in_failures WHERE throttle_key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
