//! User administration and the staff directory.

use crate::audit::Event;
use crate::types::ts;
use crate::{NewUser, Result, SqlStore, StaffCard, StoreError, UserDetail, UserQuery};
use async_trait::async_trait;
use everychild_domain::{AgencyType, Role, UserId};
use everychild_policy::{self as policy, Permit};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    email: Option<String>,
    job_title: Option<String>,
    role: String,
    organisation_id: i64,
    organisation_name: String,
    totp_enabled: i64,
    disabled: i64,
    must_change_password: i64,
    created_at: String,
}

impl UserRow {
    fn into_detail(self) -> Result<UserDetail> {
        Ok(UserDetail {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            email: self.email,
            job_title: self.job_title,
            role: Role::parse(&self.role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", self.role)))?,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            totp_enabled: self.totp_enabled != 0,
            disabled: self.disabled != 0,
            must_change_password: self.must_change_password != 0,
            created_at: self.created_at,
        })
    }
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.email, u.job_title, u.role, \
    u.organisation_id, o.name AS organisation_name, u.totp_enabled, u.disabled, \
    u.must_change_password, u.created_at";

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    display_name: String,
    job_title: Option<String>,
    email: Option<String>,
    role: String,
    organisation_name: String,
    agency_type: String,
}

impl StaffRow {
    fn into_card(self) -> Result<StaffCard> {
        Ok(StaffCard {
            id: self.id,
            display_name: self.display_name,
            job_title: self.job_title,
            email: self.email,
            role: Role::parse(&self.role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", self.role)))?,
            organisation_name: self.organisation_name,
            agency_type: AgencyType::parse(&self.agency_type).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown agency {}", self.agency_type))
            })?,
        })
    }
}

const STAFF_COLUMNS: &str = "u.id, u.display_name, u.job_title, u.email, u.role, \
    o.name AS organisation_name, o.agency_type";

impl SqlStore {
    pub(crate) async fn user_detail(&self, id: UserId) -> Result<Option<UserDetail>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1"
        );
        sqlx::query_as::<_, UserRow>(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .map(UserRow::into_detail)
            .transpose()
    }

    async fn change_target<F>(
        &self,
        p: &Permit<policy::ManageUser>,
        action: &str,
        sql: &str,
        bind: F,
    ) -> Result<bool>
    where
        F: for<'q> FnOnce(
            sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        )
            -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    {
        let target = Self::target_user(p)?;
        let mut a = self.audited(p).await?;
        let q = bind(sqlx::query(sql));
        let changed = q
            .bind(ts(self.now()))
            .bind(target.0)
            .execute(&mut *a.tx)
            .await?;
        if changed.rows_affected() == 0 {
            return Ok(false);
        }
        // Every change an administrator makes to an account ends its sessions at once.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(target.0)
            .execute(&mut *a.tx)
            .await?;
        a.commit(Event::success(action, Some(("user", target.0.to_string()))))
            .await?;
        Ok(true)
    }
}

/// User administration and the staff directory.
#[async_trait]
pub trait UserRepo: Send + Sync {
    /// Search user accounts; audited.
    async fn list_users(
        &self,
        p: &Permit<policy::ListUsers>,
        q: &UserQuery,
    ) -> Result<Vec<UserSummary>>;
    /// One user account; audited.
    async fn get_user(&self, p: &Permit<policy::ViewUser>) -> Result<Option<UserDetail>>;
    /// Create a user account; audited.
    async fn create_user(&self, p: &Permit<policy::CreateUser>, u: NewUser) -> Result<UserId>;
    /// Disable (ending every session at once) or enable the target account; audited.
    async fn set_user_disabled(
        &self,
        p: &Permit<policy::ManageUser>,
        disabled: bool,
    ) -> Result<bool>;
    /// Reset the target's password (they must change it at next sign-in); audited.
    async fn reset_user_password(
        &self,
        p: &Permit<policy::ManageUser>,
        new_hash: &str,
    ) -> Result<bool>;
    /// Remove the target's second factor so they enrol again; audited.
    async fn reset_user_totp(&self, p: &Permit<policy::ManageUser>) -> Result<bool>;
    /// Search the staff directory; audited.
    async fn search_staff(
        &self,
        p: &Permit<policy::SearchStaff>,
        q: &str,
    ) -> Result<Vec<StaffCard>>;
    /// One colleague's staff profile; audited.
    async fn staff_profile(
        &self,
        p: &Permit<policy::ViewStaffProfile>,
    ) -> Result<Option<StaffCard>>;
}

#[async_trait::async_trait]
impl UserRepo for SqlStore {
    async fn list_users(
        &self,
        p: &Permit<policy::ListUsers>,
        q: &UserQuery,
    ) -> Result<Vec<UserSummary>> {
        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE ($1 = '' OR LOWER(u.username) LIKE $2 OR LOWER(u.display_name) LIKE $2) \
             AND ($3 = '' OR u.role = $3) AND ($4 = 1 OR u.disabled = 0) \
             ORDER BY u.display_name, u.id LIMIT 1000"
        );
        let pattern = format!(
            "%{}%",
            text.unwrap_or("").to_lowercase().replace(['%', '_'], "")
        );
        let rows = sqlx::query_as::<_, UserRow>(&sql)
            .bind(text.unwrap_or(""))
            .bind(&pattern)
            .bind(q.role.map(Role::as_str).unwrap_or(""))
            .bind(i64::from(q.include_disabled))
            .fetch_all(&self.pool)
            .await?;
        let users = rows
            .into_iter()
            .map(UserRow::into_detail)
            .collect::<Result<Vec<_>>>()?;
        let detail = serde_json::json!({"text": text, "role": q.role, "include_disabled": q.include_disabled, "results": users.len()});
        self.audit_only(p, Event::success("user.search", None).detail(detail))
            .await?;
        Ok(users)
    }

    async fn get_user(&self, p: &Permit<policy::ViewUser>) -> Result<Option<UserDetail>> {
        let id = Self::target_user(p)?;
        let u = self.user_detail(id).await?;
        if u.is_some() {
            self.audit_only(
                p,
                Event::success("user.view", Some(("user", id.0.to_string()))),
            )
            .await?;
        }
        Ok(u)
    }

    async fn create_user(&self, p: &Permit<policy::CreateUser>, u: NewUser) -> Result<UserId> {
        let mut a = self.audited(p).await?;
        let now = ts(self.now());
        let res: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO users (username, display_name, email, job_title, role, organisation_id, password_hash, \
             must_change_password, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(u.username.as_str())
        .bind(u.display_name.as_str())
        .bind(u.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(&u.job_title)
        .bind(u.role.as_str())
        .bind(u.organisation_id.0)
        .bind(&u.password_hash)
        .bind(i64::from(u.must_change_password))
        .bind(&now)
        .fetch_one(&mut *a.tx)
        .await;
        let (id,) = match res {
            Ok(r) => r,
            Err(e) => {
                return Err(match StoreError::from(e) {
                    StoreError::Conflict(_) => {
                        StoreError::invalid("username", "That username is already taken")
                    }
                    StoreError::NotFound(_) => {
                        StoreError::invalid("organisation_id", "Select an organisation that exists")
                    }
                    other => other,
                })
            }
        };
        let detail = serde_json::json!({"username": u.username.as_str(), "role": u.role, "organisation_id": u.organisation_id.0});
        a.commit(Event::success("user.create", Some(("user", id.to_string()))).detail(detail))
            .await?;
        Ok(UserId(id))
    }

    async fn set_user_disabled(
        &self,
        p: &Permit<policy::ManageUser>,
        disabled: bool,
    ) -> Result<bool> {
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        let flag = i64::from(disabled);
        self.change_target(
            p,
            action,
            "UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3",
            |q| q.bind(flag),
        )
        .await
    }

    async fn reset_user_password(
        &self,
        p: &Permit<policy::ManageUser>,
        new_hash: &str,
    ) -> Result<bool> {
        let h = new_hash.to_owned();
        self.change_target(
            p,
            "user.password_reset",
            "UPDATE users SET password_hash = $1, must_change_password = 1, updated_at = $2 WHERE id = $3",
            |q| q.bind(h),
        )
        .await
    }

    async fn reset_user_totp(&self, p: &Permit<policy::ManageUser>) -> Result<bool> {
        self.change_target(
            p,
            "user.second_factor_reset",
            "UPDATE users SET totp_secret = NULL, totp_enabled = 0, totp_last_step = $1, updated_at = $2 WHERE id = $3",
            |q| q.bind(0_i64),
        )
        .await
    }

    async fn search_staff(
        &self,
        p: &Permit<policy::SearchStaff>,
        q: &str,
    ) -> Result<Vec<StaffCard>> {
        let text = q.trim();
        let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
        let sql = format!(
            "SELECT {STAFF_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.disabled = 0 AND (LOWER(u.display_name) LIKE $1 OR LOWER(o.name) LIKE $1 \
             OR LOWER(COALESCE(u.job_title, '')) LIKE $1) ORDER BY u.display_name, u.id LIMIT 200"
        );
        let rows = sqlx::query_as::<_, StaffRow>(&sql)
            .bind(&pattern)
            .fetch_all(&self.pool)
            .await?;
        let cards = rows
            .into_iter()
            .map(StaffRow::into_card)
            .collect::<Result<Vec<_>>>()?;
        self.audit_only(
            p,
            Event::success("staff.search", None)
                .detail(serde_json::json!({"text": text, "results": cards.len()})),
        )
        .await?;
        Ok(cards)
    }

    async fn staff_profile(
        &self,
        p: &Permit<policy::ViewStaffProfile>,
    ) -> Result<Option<StaffCard>> {
        let id = Self::target_user(p)?;
        let sql = format!(
            "SELECT {STAFF_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.id = $1 AND u.disabled = 0"
        );
        let Some(row) = sqlx::query_as::<_, StaffRow>(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let card = row.into_card()?;
        // Fail closed: the record is returned only once its view is in the audit log.
        self.audit_only(
            p,
            Event::success("staff.view", Some(("user", id.0.to_string()))),
        )
        .await?;
        Ok(Some(card))
    }
}

use crate::UserSummary;
