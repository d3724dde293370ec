//! Sign-in, sessions, second factor and one's own account.

use crate::audit::{Event, Who};
use crate::types::ts;
use crate::{
    Backend, Credentials, LoadedSession, NewSession, Result, SecondFactor, SessionStage,
    SessionTimeouts, SqlStore, StoreError, UserDetail,
};
use async_trait::async_trait;
use everychild_domain::{AgencyType, OrganisationId, Role, Timestamp, UserId};
use everychild_policy::{self as policy, Actor, Permit, Principal, Target};

#[derive(sqlx::FromRow)]
struct ActorRow {
    user_id: i64,
    username: String,
    display_name: String,
    role: String,
    organisation_id: i64,
    organisation_name: String,
    agency_type: String,
    totp_enabled: i64,
    disabled: i64,
    must_change_password: i64,
    localities: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    stage: String,
    created_at: String,
    last_seen_at: String,
    #[sqlx(flatten)]
    actor: ActorRow,
}

impl ActorRow {
    fn into_actor(self) -> Result<Actor> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", self.role)))?;
        let agency_type = AgencyType::parse(&self.agency_type).ok_or_else(|| {
            StoreError::Corrupt(format!("unknown agency type {}", self.agency_type))
        })?;
        Ok(Actor {
            user_id: UserId(self.user_id),
            username: self.username,
            display_name: self.display_name,
            role,
            organisation_id: OrganisationId(self.organisation_id),
            organisation_name: self.organisation_name,
            agency_type,
            localities: self
                .localities
                .unwrap_or_default()
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
            totp_enabled: self.totp_enabled != 0,
            must_change_password: self.must_change_password != 0,
            token: None,
        })
    }
}

impl SqlStore {
    fn actor_columns(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => {
                "u.id AS user_id, u.username, u.display_name, u.role, u.organisation_id, \
                 o.name AS organisation_name, o.agency_type, u.totp_enabled, u.disabled, \
                 u.must_change_password, \
                 (SELECT group_concat(locality_id) FROM user_localities WHERE user_id = u.id) AS localities"
            }
            Backend::Postgres => {
                "u.id AS user_id, u.username, u.display_name, u.role, u.organisation_id, \
                 o.name AS organisation_name, o.agency_type, u.totp_enabled, u.disabled, \
                 u.must_change_password, \
                 (SELECT string_agg(locality_id::text, ',') FROM user_localities WHERE user_id = u.id) AS localities"
            }
        }
    }

    fn pending_user(p: &Permit<policy::CompleteSignIn>) -> Result<&policy::PendingUser> {
        match p.principal() {
            Principal::Pending(u) => Ok(u),
            _ => Err(StoreError::NotFound("no sign-in in progress".into())),
        }
    }

    fn self_actor<C: policy::Capability>(p: &Permit<C>) -> Result<&Actor> {
        p.actor()
            .ok_or_else(|| StoreError::NotFound("no signed-in user".into()))
    }

    pub(crate) fn target_user<C: policy::Capability>(p: &Permit<C>) -> Result<UserId> {
        match p.target() {
            Target::User(id) => Ok(*id),
            _ => Err(StoreError::NotFound("no user named".into())),
        }
    }
}

/// Sign-in, sessions and bearer tokens.
#[async_trait]
pub trait AuthRepo: Send + Sync {
    /// The stored credentials for a username, if the account exists.
    async fn credentials(
        &self,
        p: &Permit<policy::Authenticate>,
        username: &str,
    ) -> Result<Option<Credentials>>;
    /// How many failures each throttle key has had since `since`.
    async fn failures_since(
        &self,
        p: &Permit<policy::Authenticate>,
        keys: &[String],
        since: Timestamp,
    ) -> Result<Vec<i64>>;
    /// Record a failed sign-in against each throttle key, and audit it.
    async fn record_sign_in_failure(
        &self,
        p: &Permit<policy::Authenticate>,
        attempted_username: &str,
        keys: &[String],
        reason: &str,
    ) -> Result<()>;
    /// Start a session after a correct password; clears the account's failures; audited.
    async fn start_session(
        &self,
        p: &Permit<policy::Authenticate>,
        s: NewSession<'_>,
    ) -> Result<()>;
    /// Load the session with this id hash; expired or disabled sessions are removed and `None`.
    async fn load_session(
        &self,
        p: &Permit<policy::Authenticate>,
        id_hash: &str,
        timeouts: SessionTimeouts,
    ) -> Result<Option<LoadedSession>>;
    /// The second-factor state of the user in a pending sign-in.
    async fn second_factor(
        &self,
        p: &Permit<policy::CompleteSignIn>,
    ) -> Result<Option<SecondFactor>>;
    /// Finish a sign-in with a second factor: accepts `step` only if later than the last used
    /// (no replay), optionally enrols `enrol_secret`, and swaps the session for a fresh id.
    /// Returns false when the step was already used.
    async fn complete_sign_in(
        &self,
        p: &Permit<policy::CompleteSignIn>,
        old_hash: &str,
        new_hash: &str,
        step: i64,
        enrol_secret: Option<&str>,
    ) -> Result<bool>;
    /// End a session on the server; audited. Returns the identity provider's issuer when the
    /// session came through one, so that the provider's session can be ended too.
    async fn sign_out(&self, p: &Permit<policy::SignOut>, id_hash: &str) -> Result<Option<String>>;
    /// The user behind a bearer token, if the token is live and the user enabled.
    async fn token_user(
        &self,
        p: &Permit<policy::Authenticate>,
        token_hash: &str,
    ) -> Result<Option<LoadedSession>>;
}

#[async_trait::async_trait]
impl AuthRepo for SqlStore {
    async fn credentials(
        &self,
        _p: &Permit<policy::Authenticate>,
        username: &str,
    ) -> Result<Option<Credentials>> {
        let row: Option<(i64, String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT id, username, password_hash, disabled, role, totp_enabled FROM users WHERE username = $1 AND service = 0",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, username, password_hash, disabled, role, totp)| {
            Ok(Credentials {
                user_id: UserId(id),
                username,
                password_hash,
                disabled: disabled != 0,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?,
                totp_enabled: totp != 0,
            })
        })
        .transpose()
    }

    async fn failures_since(
        &self,
        _p: &Permit<policy::Authenticate>,
        keys: &[String],
        since: Timestamp,
    ) -> Result<Vec<i64>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM sign_in_failures WHERE throttle_key = $1 AND at >= $2",
            )
            .bind(k)
            .bind(ts(since))
            .fetch_one(&self.pool)
            .await?;
            out.push(n);
        }
        Ok(out)
    }

    async fn record_sign_in_failure(
        &self,
        p: &Permit<policy::Authenticate>,
        attempted_username: &str,
        keys: &[String],
        reason: &str,
    ) -> Result<()> {
        let who = match p.principal() {
            Principal::Anonymous => Who::named(None, attempted_username),
            other => Who::of(other),
        };
        let mut a = self.audited_as(who, None).await?;
        let now = ts(self.now());
        for k in keys {
            sqlx::query("INSERT INTO sign_in_failures (throttle_key, at) VALUES ($1, $2)")
                .bind(k)
                .bind(&now)
                .execute(&mut *a.tx)
                .await?;
        }
        let ev = Event {
            action: "sign_in.failure",
            outcome: "failure",
            subject: None,
            detail: serde_json::json!({ "reason": reason }),
        };
        a.commit(ev).await
    }

    async fn start_session(
        &self,
        _p: &Permit<policy::Authenticate>,
        s: NewSession<'_>,
    ) -> Result<()> {
        let mut a = self
            .audited_as(Who::named(Some(s.user_id.0), s.username), None)
            .await?;
        let now = ts(self.now());
        if let Some(old) = s.replaces {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(old)
                .execute(&mut *a.tx)
                .await?;
        }
        sqlx::query("DELETE FROM sign_in_failures WHERE throttle_key = $1")
            .bind(s.clear_key)
            .execute(&mut *a.tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at, ip, idp) VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(s.id_hash)
        .bind(s.user_id.0)
        .bind(s.stage.as_str())
        .bind(&now)
        .bind(crate::meta::current().ip)
        .bind(s.idp)
        .execute(&mut *a.tx)
        .await?;
        let action = match (s.stage, s.idp.is_some()) {
            (SessionStage::Full, _) => "sign_in.success",
            (SessionStage::SecondFactor | SessionStage::Enrol, false) => {
                "sign_in.password_accepted"
            }
            (SessionStage::SecondFactor | SessionStage::Enrol, true) => "sign_in.identity_accepted",
        };
        let mut ev = Event::success(action, Some(("user", s.user_id.0.to_string())));
        if let Some(idp) = s.idp {
            ev = ev.detail(serde_json::json!({ "identity_provider": idp }));
        }
        a.commit(ev).await
    }

    async fn load_session(
        &self,
        _p: &Permit<policy::Authenticate>,
        id_hash: &str,
        t: SessionTimeouts,
    ) -> Result<Option<LoadedSession>> {
        let sql = format!(
            "SELECT s.stage, s.created_at, s.last_seen_at, {} FROM sessions s \
             JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id \
             WHERE s.id_hash = $1",
            self.actor_columns()
        );
        let Some(row) = sqlx::query_as::<_, SessionRow>(&sql)
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let now = self.now();
        let created =
            Timestamp::parse(&row.created_at).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let seen =
            Timestamp::parse(&row.last_seen_at).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let expired = now.datetime() - seen.datetime() > t.idle
            || now.datetime() - created.datetime() > t.absolute
            || row.actor.disabled != 0;
        if expired {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        // Record activity at most once a minute, to keep reads cheap.
        if now.datetime() - seen.datetime() > time::Duration::seconds(60) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(ts(now))
                .bind(id_hash)
                .execute(&self.pool)
                .await?;
        }
        let stage = SessionStage::parse(&row.stage)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown session stage {}", row.stage)))?;
        Ok(Some(LoadedSession {
            stage,
            actor: row.actor.into_actor()?,
        }))
    }

    async fn second_factor(
        &self,
        p: &Permit<policy::CompleteSignIn>,
    ) -> Result<Option<SecondFactor>> {
        let u = Self::pending_user(p)?;
        let row: Option<(Option<String>, i64, i64)> = sqlx::query_as(
            "SELECT totp_secret, totp_last_step, totp_enabled FROM users WHERE id = $1",
        )
        .bind(u.user_id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(secret, last_step, enabled)| SecondFactor {
            secret,
            last_step,
            enabled: enabled != 0,
        }))
    }

    async fn complete_sign_in(
        &self,
        p: &Permit<policy::CompleteSignIn>,
        old_hash: &str,
        new_hash: &str,
        step: i64,
        enrol_secret: Option<&str>,
    ) -> Result<bool> {
        let u = Self::pending_user(p)?;
        let mut a = self.audited(p).await?;
        let now = ts(self.now());
        let updated = match enrol_secret {
            Some(secret) => sqlx::query(
                "UPDATE users SET totp_secret = $1, totp_enabled = 1, totp_last_step = $2, updated_at = $3 \
                 WHERE id = $4 AND totp_last_step < $2",
            )
            .bind(secret)
            .bind(step)
            .bind(&now)
            .bind(u.user_id.0)
            .execute(&mut *a.tx)
            .await?,
            None => sqlx::query(
                "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1 AND totp_enabled = 1",
            )
            .bind(step)
            .bind(u.user_id.0)
            .execute(&mut *a.tx)
            .await?,
        };
        if updated.rows_affected() != 1 {
            // Replayed code: nothing changes (the claimed audit place is released by rollback).
            return Ok(false);
        }
        let deleted: Option<(Option<String>,)> = sqlx::query_as(
            "DELETE FROM sessions WHERE id_hash = $1 AND user_id = $2 RETURNING idp",
        )
        .bind(old_hash)
        .bind(u.user_id.0)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((idp,)) = deleted else {
            return Ok(false);
        };
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at, ip, idp) VALUES ($1, $2, 'full', $3, $3, $4, $5)",
        )
        .bind(new_hash)
        .bind(u.user_id.0)
        .bind(&now)
        .bind(crate::meta::current().ip)
        .bind(idp)
        .execute(&mut *a.tx)
        .await?;
        // (A secret given at a later sign-in is the same secret sealed under a newer key.)
        let action = if enrol_secret.is_some() && u.must_enrol {
            "sign_in.success_enrolled_second_factor"
        } else {
            "sign_in.success"
        };
        a.commit(Event::success(
            action,
            Some(("user", u.user_id.0.to_string())),
        ))
        .await?;
        Ok(true)
    }

    async fn sign_out(&self, p: &Permit<policy::SignOut>, id_hash: &str) -> Result<Option<String>> {
        let mut a = self.audited(p).await?;
        let idp: Option<(Option<String>,)> =
            sqlx::query_as("DELETE FROM sessions WHERE id_hash = $1 RETURNING idp")
                .bind(id_hash)
                .fetch_optional(&mut *a.tx)
                .await?;
        a.commit(Event::success("sign_out", None)).await?;
        Ok(idp.and_then(|(i,)| i))
    }

    async fn token_user(
        &self,
        _p: &Permit<policy::Authenticate>,
        token_hash: &str,
    ) -> Result<Option<LoadedSession>> {
        // Only a service client's token, with scopes, before its expiry.
        let sql = format!(
            "SELECT t.id AS token_id, t.name AS token_name, t.scopes AS token_scopes, {} \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             JOIN organisations o ON o.id = u.organisation_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0 \
               AND u.service = 1 AND t.scopes <> '' AND t.expires_at > $2",
            self.actor_columns()
        );
        #[derive(sqlx::FromRow)]
        struct TokenRow {
            token_id: i64,
            token_name: String,
            token_scopes: String,
            #[sqlx(flatten)]
            actor: ActorRow,
        }
        let Some(row) = sqlx::query_as::<_, TokenRow>(&sql)
            .bind(token_hash)
            .bind(ts(self.now()))
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(ts(self.now()))
            .bind(row.token_id)
            .execute(&self.pool)
            .await?;
        let mut actor = row.actor.into_actor()?;
        actor.token = Some(policy::TokenGrant {
            id: row.token_id,
            name: row.token_name,
            scopes: row
                .token_scopes
                .split(' ')
                .filter_map(policy::Scope::parse)
                .collect(),
        });
        Ok(Some(LoadedSession {
            stage: SessionStage::Full,
            actor,
        }))
    }
}

/// One's own account.
#[async_trait]
pub trait AccountRepo: Send + Sync {
    /// The signed-in user's account.
    async fn own_account(&self, p: &Permit<policy::ViewOwnAccount>) -> Result<Option<UserDetail>>;
    /// The signed-in user's password hash, to check the current password.
    async fn own_password_hash(&self, p: &Permit<policy::ManageOwnAccount>) -> Result<String>;
    /// Set a new password; ends the user's other sessions; audited.
    async fn change_own_password(
        &self,
        p: &Permit<policy::ManageOwnAccount>,
        new_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()>;
    /// Enrol (`Some(secret, step)`) or remove (`None`) the second factor; audited.
    async fn set_own_totp(
        &self,
        p: &Permit<policy::ManageOwnAccount>,
        secret_and_step: Option<(&str, i64)>,
    ) -> Result<()>;
}

#[async_trait::async_trait]
impl AccountRepo for SqlStore {
    async fn own_account(&self, p: &Permit<policy::ViewOwnAccount>) -> Result<Option<UserDetail>> {
        let a = Self::self_actor(p)?;
        self.user_detail(a.user_id).await
    }

    async fn own_password_hash(&self, p: &Permit<policy::ManageOwnAccount>) -> Result<String> {
        let a = Self::self_actor(p)?;
        let (h,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(a.user_id.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(h)
    }

    async fn change_own_password(
        &self,
        p: &Permit<policy::ManageOwnAccount>,
        new_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let actor = Self::self_actor(p)?;
        let mut a = self.audited(p).await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3")
            .bind(new_hash)
            .bind(ts(self.now()))
            .bind(actor.user_id.0)
            .execute(&mut *a.tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(actor.user_id.0)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *a.tx)
            .await?;
        a.commit(Event::success(
            "account.password_changed",
            Some(("user", actor.user_id.0.to_string())),
        ))
        .await
    }

    async fn set_own_totp(
        &self,
        p: &Permit<policy::ManageOwnAccount>,
        s: Option<(&str, i64)>,
    ) -> Result<()> {
        let actor = Self::self_actor(p)?;
        let mut a = self.audited(p).await?;
        let (secret, step, enabled) = match s {
            Some((secret, step)) => (Some(secret), step, 1_i64),
            None => (None, 0, 0),
        };
        sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2, totp_enabled = $3, updated_at = $4 WHERE id = $5")
            .bind(secret)
            .bind(step)
            .bind(enabled)
            .bind(ts(self.now()))
            .bind(actor.user_id.0)
            .execute(&mut *a.tx)
            .await?;
        let action = if enabled == 1 {
            "account.second_factor_enrolled"
        } else {
            "account.second_factor_removed"
        };
        a.commit(Event::success(
            action,
            Some(("user", actor.user_id.0.to_string())),
        ))
        .await
    }
}
