//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//! Machine clients send `Authorization: Bearer <token>`; pages' scripts may use the session
//! cookie with an `X-CSRF-Token` header on unsafe requests. Errors always have one shape
//! ([`crate::error::ErrorBody`]).

pub mod children;
pub mod localities;
pub mod openreferral;

use crate::error::{ApiError, AppError, ErrorBody};
use crate::pages::audit::{to_filter, AuditQuery};
use crate::{AppState, Ctx};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use everychild_domain::{DisplayName, Email, FieldError, OrganisationId, Role, UserId, Username};
use everychild_policy::{self as policy, Target};
use everychild_store::{AuditRow, NewUser, StaffCard, UserDetail, UserQuery};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "everychild API", version = "1", description = "JSON API of everychild. Every call is checked by the access policy and every read of personal data is audited."),
    paths(me, list_users, create_user, get_user, disable_user, enable_user, search_staff, staff_profile, list_organisations, audit_events),
    components(schemas(ErrorBody, MeOut, UserOut, NewUserIn, StaffOut, OrganisationOut, AuditEventOut, AuditPageOut, CreatedOut)),
    modifiers(&Bearer),
    security(("bearer" = [])),
    tags((name = "account"), (name = "users"), (name = "staff"), (name = "organisations"), (name = "audit"))
)]
pub struct ApiDoc;

struct Bearer;
impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The whole OpenAPI document: the core document and each area's.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(localities::LocalitiesDoc::openapi());
    doc.merge(children::ChildrenDoc::openapi());
    doc.merge(openreferral::OpenReferralDoc::openapi());
    doc
}

/// GET /api/v1/openapi.json
pub async fn openapi() -> Response {
    Json(document()).into_response()
}

fn parse_json<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::Invalid(vec![FieldError::new(
            "body",
            format!("The JSON body is not valid: {e}"),
        )])
    })
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct MeOut {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    organisation_id: i64,
    organisation: String,
    agency_type: String,
    second_factor: bool,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = MeOut), (status = 401, body = ErrorBody)))]
/// Who the caller is.
pub async fn me(ctx: Ctx, State(st): State<AppState>) -> Result<Json<MeOut>, ApiError> {
    ctx.authorize::<policy::ViewOwnAccount>(&st, Target::None, None)
        .await?;
    let a = ctx.actor().ok_or(AppError::NotSignedIn)?;
    Ok(Json(MeOut {
        id: a.user_id.0,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role.as_str().into(),
        organisation_id: a.organisation_id.0,
        organisation: a.organisation_name.clone(),
        agency_type: a.agency_type.as_str().into(),
        second_factor: a.totp_enabled,
    }))
}

/// A user account.
#[derive(Serialize, ToSchema)]
pub struct UserOut {
    id: i64,
    username: String,
    display_name: String,
    email: Option<String>,
    job_title: Option<String>,
    role: String,
    organisation_id: i64,
    organisation: String,
    second_factor: bool,
    disabled: bool,
    must_change_password: bool,
    created_at: String,
}

impl From<UserDetail> for UserOut {
    fn from(u: UserDetail) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            job_title: u.job_title,
            role: u.role.as_str().into(),
            organisation_id: u.organisation_id,
            organisation: u.organisation_name,
            second_factor: u.totp_enabled,
            disabled: u.disabled,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
        }
    }
}

/// Filters of the user list.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct UsersParams {
    /// Text in username or name.
    q: Option<String>,
    /// Only this role.
    role: Option<String>,
    /// Include disabled accounts.
    include_disabled: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UsersParams), responses((status = 200, body = Vec<UserOut>), (status = 403, body = ErrorBody)))]
/// Search user accounts (administrators).
pub async fn list_users(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(p): Query<UsersParams>,
) -> Result<Json<Vec<UserOut>>, ApiError> {
    let permit = ctx
        .authorize::<policy::ListUsers>(&st, Target::None, Some("user administration"))
        .await?;
    let role = match p.role.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(Role::parse(r).ok_or_else(|| {
            AppError::from(FieldError::new("role", format!("Unknown role {r:?}")))
        })?),
        None => None,
    };
    let users = st
        .store
        .list_users(
            &permit,
            &UserQuery {
                text: p.q,
                role,
                include_disabled: p.include_disabled.unwrap_or(false),
            },
        )
        .await?;
    Ok(Json(users.into_iter().map(UserOut::from).collect()))
}

/// A new account. A temporary password is returned once; the user must change it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserIn {
    username: String,
    display_name: String,
    email: Option<String>,
    job_title: Option<String>,
    role: String,
    organisation_id: i64,
}

/// A created account and its one-time temporary password.
#[derive(Serialize, ToSchema)]
pub struct CreatedOut {
    id: i64,
    temporary_password: String,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserIn, responses((status = 201, body = CreatedOut), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
/// Create a user account (administrators).
pub async fn create_user(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let permit = ctx
        .authorize::<policy::CreateUser>(&st, Target::None, Some("user administration"))
        .await?;
    let input: NewUserIn = parse_json(&body)?;
    let mut errs = Vec::new();
    let username = Username::parse(&input.username)
        .map_err(|e| errs.push(e))
        .ok();
    let display_name = DisplayName::parse(&input.display_name)
        .map_err(|e| errs.push(e))
        .ok();
    let email = Email::parse_optional(input.email.as_deref().unwrap_or(""))
        .map_err(|e| errs.push(e))
        .ok();
    let role = Role::parse(&input.role);
    if role.is_none() {
        errs.push(FieldError::new("role", "Role must be one of practitioner, locality_manager, commissioner, advisory_board_member, analyst, administrator, data_protection_officer"));
    }
    let job_title = input
        .job_title
        .map(|j| j.trim().to_owned())
        .filter(|j| !j.is_empty());
    if job_title.as_ref().is_some_and(|j| j.chars().count() > 100) {
        errs.push(FieldError::new(
            "job_title",
            "Job title must be 100 characters or fewer",
        ));
    }
    let (Some(username), Some(display_name), Some(email), Some(role), true) =
        (username, display_name, email, role, errs.is_empty())
    else {
        return Err(AppError::Invalid(errs).into());
    };
    let temp: String = crate::crypto::random_token().chars().take(20).collect();
    let t = temp.clone();
    let hash = tokio::task::spawn_blocking(move || crate::crypto::hash_password(&t))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let id = st
        .store
        .create_user(
            &permit,
            NewUser {
                username,
                display_name,
                email,
                job_title,
                role,
                organisation_id: OrganisationId(input.organisation_id),
                password_hash: hash,
                must_change_password: true,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOut {
            id: id.0,
            temporary_password: temp,
        }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path, description = "User id")), responses((status = 200, body = UserOut), (status = 404, body = ErrorBody)))]
/// One user account (administrators).
pub async fn get_user(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<UserOut>, ApiError> {
    let permit = ctx
        .authorize::<policy::ViewUser>(&st, Target::User(UserId(id)), Some("user administration"))
        .await?;
    Ok(Json(
        st.store
            .get_user(&permit)
            .await?
            .ok_or(AppError::NotFound)?
            .into(),
    ))
}

async fn set_disabled(
    ctx: Ctx,
    st: AppState,
    id: i64,
    disabled: bool,
) -> Result<StatusCode, ApiError> {
    let permit = ctx
        .authorize::<policy::ManageUser>(&st, Target::User(UserId(id)), Some("user administration"))
        .await?;
    if st.store.set_user_disabled(&permit, disabled).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}

#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = i64, Path, description = "User id")), responses((status = 204, description = "Disabled; every session ended"), (status = 404, body = ErrorBody)))]
/// Disable an account and end its sessions at once (administrators).
pub async fn disable_user(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    set_disabled(ctx, st, id, true).await
}

#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = i64, Path, description = "User id")), responses((status = 204, description = "Enabled"), (status = 404, body = ErrorBody)))]
/// Enable an account (administrators).
pub async fn enable_user(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    set_disabled(ctx, st, id, false).await
}

/// A colleague in the staff directory.
#[derive(Serialize, ToSchema)]
pub struct StaffOut {
    id: i64,
    display_name: String,
    job_title: Option<String>,
    email: Option<String>,
    role: String,
    organisation: String,
    agency_type: String,
}

impl From<StaffCard> for StaffOut {
    fn from(s: StaffCard) -> Self {
        Self {
            id: s.id,
            display_name: s.display_name,
            job_title: s.job_title,
            email: s.email,
            role: s.role.as_str().into(),
            organisation: s.organisation_name,
            agency_type: s.agency_type.as_str().into(),
        }
    }
}

/// Staff search.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct StaffParams {
    /// Text in name, job title or organisation (1 to 100 characters).
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", params(StaffParams), responses((status = 200, body = Vec<StaffOut>), (status = 400, body = ErrorBody)))]
/// Search the staff directory (audited).
pub async fn search_staff(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(p): Query<StaffParams>,
) -> Result<Json<Vec<StaffOut>>, ApiError> {
    let permit = ctx
        .authorize::<policy::SearchStaff>(&st, Target::None, Some("find a colleague"))
        .await?;
    let q = p.q.unwrap_or_default();
    if q.trim().is_empty() || q.chars().count() > 100 {
        return Err(AppError::from(FieldError::new(
            "q",
            "Search text must be 1 to 100 characters",
        ))
        .into());
    }
    Ok(Json(
        st.store
            .search_staff(&permit, &q)
            .await?
            .into_iter()
            .map(StaffOut::from)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = i64, Path, description = "User id")), responses((status = 200, body = StaffOut), (status = 404, body = ErrorBody)))]
/// One colleague's profile (audited).
pub async fn staff_profile(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<StaffOut>, ApiError> {
    let permit = ctx
        .authorize::<policy::ViewStaffProfile>(
            &st,
            Target::User(UserId(id)),
            Some("contact a colleague"),
        )
        .await?;
    Ok(Json(
        st.store
            .staff_profile(&permit)
            .await?
            .ok_or(AppError::NotFound)?
            .into(),
    ))
}

/// An organisation.
#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    id: i64,
    name: String,
    kind: String,
    agency_type: String,
}

#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", responses((status = 200, body = Vec<OrganisationOut>)))]
/// Every organisation.
pub async fn list_organisations(
    ctx: Ctx,
    State(st): State<AppState>,
) -> Result<Json<Vec<OrganisationOut>>, ApiError> {
    let permit = ctx
        .authorize::<policy::ListOrganisations>(&st, Target::None, None)
        .await?;
    Ok(Json(
        st.store
            .list_organisations(&permit)
            .await?
            .into_iter()
            .map(|o| OrganisationOut {
                id: o.id,
                name: o.name,
                kind: o.kind.as_str().into(),
                agency_type: o.agency_type.as_str().into(),
            })
            .collect(),
    ))
}

/// An audit event.
#[derive(Serialize, ToSchema)]
pub struct AuditEventOut {
    seq: i64,
    at: String,
    actor_id: Option<i64>,
    actor_username: Option<String>,
    actor_role: Option<String>,
    actor_org: Option<String>,
    action: String,
    outcome: String,
    subject_type: Option<String>,
    subject_id: Option<String>,
    purpose: Option<String>,
    detail: serde_json::Value,
    ip: Option<String>,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditEventOut {
    fn from(r: AuditRow) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor_username: r.actor_username,
            actor_role: r.actor_role,
            actor_org: r.actor_org,
            action: r.action,
            outcome: r.outcome,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            purpose: r.purpose,
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::String(r.detail)),
            ip: r.ip,
            request_id: r.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A page of audit events, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPageOut {
    events: Vec<AuditEventOut>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// Audit filters.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// Actor username.
    actor: Option<String>,
    /// Action prefix.
    action: Option<String>,
    /// Subject type.
    subject_type: Option<String>,
    /// Subject id.
    subject_id: Option<String>,
    /// success, failure or denied.
    outcome: Option<String>,
    /// From date, YYYY-MM-DD (UTC).
    from: Option<String>,
    /// To date inclusive, YYYY-MM-DD (UTC).
    to: Option<String>,
    /// Page from 1.
    page: Option<i64>,
    /// Rows a page (1-500, default 100).
    per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(AuditParams), responses((status = 200, body = AuditPageOut), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
/// Filter the audit log (administrators and the data protection officer; the search is audited).
pub async fn audit_events(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(p): Query<AuditParams>,
) -> Result<Json<AuditPageOut>, ApiError> {
    let permit = ctx
        .authorize::<policy::ReadAudit>(&st, Target::None, Some("audit review"))
        .await?;
    let q = AuditQuery {
        actor: p.actor,
        action: p.action,
        subject_type: p.subject_type,
        subject_id: p.subject_id,
        outcome: p.outcome,
        from: p.from,
        to: p.to,
        page: p.page,
    };
    let f = to_filter(&q, p.per_page.unwrap_or(100))?;
    let page = st.store.search_audit(&permit, &f).await?;
    Ok(Json(AuditPageOut {
        events: page.events.into_iter().map(AuditEventOut::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// GET /health: the process is up.
pub async fn health() -> Response {
    Json(serde_json::json!({"status": "ok"})).into_response()
}

/// GET /ready: the database answers.
pub async fn ready(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}
