//! Administration: user accounts, organisations and API tokens.

use super::{render, render_status, Chrome};
use crate::crypto::{hash_password, random_token, sha256_hex};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::{
    AgencyType, DisplayName, Email, OrganisationId, OrganisationKind, Password, Role, UserId,
    Username,
};
use everychild_policy::{self as policy, Target};
use everychild_store::ResetKind;
use everychild_store::{ApiToken, NewOrganisation, NewUser, Organisation, UserDetail, UserQuery};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserDetail>,
    q: String,
    role: String,
    roles: Vec<(String, String)>,
    include_disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewUserPage {
    c: Chrome,
    errors: FormErrors,
    v: NewUserValues,
    roles: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
}

#[derive(Default)]
struct NewUserValues {
    username: String,
    display_name: String,
    email: String,
    job_title: String,
    role: String,
    organisation_id: String,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    c: Chrome,
    u: UserDetail,
    done: Option<&'static str>,
    is_self: bool,
    /// Resets of this account waiting for a second administrator.
    resets: Vec<everychild_store::PendingReset>,
    /// The signed-in administrator's user id (who may not approve their own request).
    me: i64,
    /// The identity provider's name, when sign-in through one is configured.
    idp: Option<String>,
    /// The issuer offered when linking an identity.
    idp_issuer: String,
    /// Identities at the provider linked to this account.
    identities: Vec<everychild_store::LinkedIdentity>,
    errors: FormErrors,
    subject: String,
}

#[derive(Template)]
#[template(path = "admin_secret.html")]
struct SecretPage {
    c: Chrome,
    heading: String,
    intro: String,
    secret: String,
    back: String,
}

#[derive(Template)]
#[template(path = "admin_organisations.html")]
struct OrganisationsPage {
    c: Chrome,
    organisations: Vec<Organisation>,
    errors: FormErrors,
    org_name: String,
    kinds: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    kind: String,
    agency: String,
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    c: Chrome,
    tokens: Vec<ApiToken>,
    errors: FormErrors,
    form: TokenForm,
    roles: Vec<(String, String)>,
    /// Every scope: its name, what it allows, and whether it is ticked.
    scopes: Vec<(&'static str, &'static str, bool)>,
}

/// What the token form holds.
#[derive(Default, Clone)]
struct TokenForm {
    client: String,
    role: String,
    owner: String,
    days: String,
    scopes: Vec<String>,
}

/// The roles a service client may have: those that see no personal data.
fn client_role_options() -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "Select a role".to_owned())];
    v.extend(
        Role::ALL
            .iter()
            .filter(|r| policy::token_may_act_as(**r, &[]))
            .map(|r| (r.as_str().to_owned(), r.label().to_owned())),
    );
    v
}

/// Longest life of a token, in days.
const TOKEN_MAX_DAYS: i64 = 365;

fn role_options(with_any: bool) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = if with_any {
        vec![(String::new(), "Any role".into())]
    } else {
        vec![(String::new(), "Select a role".into())]
    };
    v.extend(
        Role::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned())),
    );
    v
}

/// Filters of the user list.
#[derive(Deserialize, Default)]
pub struct UsersQuery {
    q: Option<String>,
    role: Option<String>,
    include_disabled: Option<String>,
}

/// GET /admin/users
pub async fn users(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<UsersQuery>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ListUsers>(&st, Target::None, Some("user administration"))
        .await?;
    let role = q.role.as_deref().and_then(Role::parse);
    let query = UserQuery {
        text: q.q.clone(),
        role,
        include_disabled: q.include_disabled.is_some(),
    };
    let users = st.store.list_users(&permit, &query).await?;
    render(&UsersPage {
        c: Chrome::new(&st, &ctx, "Users", "/admin/users"),
        users,
        q: q.q.unwrap_or_default(),
        role: role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        roles: role_options(true),
        include_disabled: query.include_disabled,
    })
}

async fn org_options(st: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, AppError> {
    let p = ctx
        .authorize::<policy::ListOrganisations>(st, Target::None, None)
        .await?;
    let mut v = vec![(String::new(), "Select an organisation".to_owned())];
    v.extend(
        st.store
            .list_organisations(&p)
            .await?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name)),
    );
    Ok(v)
}

/// GET /admin/users/new
pub async fn new_user(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::CreateUser>(&st, Target::None, None)
        .await?;
    render(&NewUserPage {
        c: Chrome::new(&st, &ctx, "Add a user", "/admin/users"),
        errors: FormErrors::none(),
        v: NewUserValues::default(),
        roles: role_options(false),
        organisations: org_options(&st, &ctx).await?,
    })
}

/// POST /admin/users
pub async fn create_user(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::CreateUser>(&st, Target::None, Some("user administration"))
        .await?;
    let f = Fields::parse(&body);
    let v = NewUserValues {
        username: f.get("username").to_owned(),
        display_name: f.get("display_name").to_owned(),
        email: f.get("email").to_owned(),
        job_title: f.get("job_title").to_owned(),
        role: f.get("role").to_owned(),
        organisation_id: f.get("organisation_id").to_owned(),
    };
    let mut errors = FormErrors::none();
    // In the order the form asks, so the error summary lists problems in that order.
    let display_name = errors.take(DisplayName::parse(&v.display_name));
    let username = errors.take(Username::parse(&v.username));
    let email = errors.take(Email::parse_optional(&v.email));
    let job_title = v.job_title.trim();
    if job_title.chars().count() > 100 {
        errors.add("job_title", "Job title must be 100 characters or fewer");
    }
    let role = Role::parse(&v.role);
    if role.is_none() {
        errors.add("role", "Select a role");
    }
    let org = v.organisation_id.parse::<i64>().ok();
    if org.is_none() {
        errors.add("organisation_id", "Select an organisation");
    }
    let temp = random_token().chars().take(20).collect::<String>();
    if let (Some(username), Some(display_name), Some(email), Some(role), Some(org), true) =
        (username, display_name, email, role, org, errors.is_empty())
    {
        let t = temp.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&t))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(AppError::Internal)?;
        let new = NewUser {
            username: username.clone(),
            display_name,
            email,
            job_title: Some(job_title.to_owned()).filter(|j| !j.is_empty()),
            role,
            organisation_id: OrganisationId(org),
            password_hash: hash,
            must_change_password: true,
        };
        match st.store.create_user(&permit, new).await {
            Ok(id) => {
                return render(&SecretPage {
                    c: Chrome::new(&st, &ctx, "User added", "/admin/users"),
                    heading: format!("{} has been added", username.as_str()),
                    intro: "Give them this temporary password in a secure way. They must change it when they first sign in. It will not be shown again.".into(),
                    secret: temp,
                    back: format!("/admin/users/{}", id.0),
                })
            }
            Err(e) => errors.refusal(e)?,
        }
    }
    render_status(
        StatusCode::BAD_REQUEST,
        &NewUserPage {
            c: Chrome::new(&st, &ctx, "Add a user", "/admin/users").errors(true),
            errors,
            v,
            roles: role_options(false),
            organisations: org_options(&st, &ctx).await?,
        },
    )
}

/// Query of the user page.
#[derive(Deserialize)]
pub struct DoneQ {
    done: Option<String>,
}

/// GET /admin/users/{id}
pub async fn user(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<DoneQ>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ViewUser>(&st, Target::User(UserId(id)), Some("user administration"))
        .await?;
    let u = st
        .store
        .get_user(&permit)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_self = ctx.actor().is_some_and(|a| a.user_id.0 == u.id);
    let (resets, identities) = if is_self {
        (Vec::new(), Vec::new())
    } else {
        let m = manage(&ctx, &st, id).await?;
        (
            st.store.pending_resets(&m).await?,
            st.store.identities(&m).await?,
        )
    };
    let done = match q.done.as_deref() {
        Some("reset-requested") => Some("The reset is waiting for a second administrator: the account of an administrator or of the data protection officer is reset only when another administrator approves"),
        Some("disabled") => Some("The account has been disabled and its sessions ended"),
        Some("enabled") => Some("The account has been enabled"),
        Some("second-factor") => Some("The authenticator app has been reset. They will set up a new one at their next sign-in if their role needs it"),
        Some("linked") => Some("The identity has been linked: they can sign in with it now"),
        Some("unlinked") => Some("The identity has been unlinked and its sessions ended"),
        _ => None,
    };
    render(&UserPage {
        c: Chrome::new(&st, &ctx, u.display_name.clone(), "/admin/users"),
        is_self,
        u,
        done,
        resets,
        me: ctx.actor().map(|a| a.user_id.0).unwrap_or(0),
        idp: idp_name(&st),
        idp_issuer: idp_issuer(&st),
        identities,
        errors: FormErrors::none(),
        subject: String::new(),
    })
}

fn idp_name(st: &AppState) -> Option<String> {
    st.settings
        .oidc
        .as_ref()
        .map(|p| p.settings.display_name.clone())
}

/// The issuer an administrator links identities at: the configured one, or for Entra ID the
/// first allowed tenant's.
fn idp_issuer(st: &AppState) -> String {
    match &st.settings.oidc {
        Some(p) => match p.settings.allowed_tenants.first() {
            Some(t) => crate::oidc::tenant_issuer(&p.settings.issuer, t),
            None => p.settings.issuer.clone(),
        },
        None => String::new(),
    }
}

/// POST /admin/users/{id}/identities: link an identity at the provider to the account.
pub async fn link_identity(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = manage(&ctx, &st, id).await?;
    if st.settings.oidc.is_none() {
        return Err(AppError::NotFound.into());
    }
    let f = Fields::parse(&body);
    let issuer = f.get("issuer").trim().to_owned();
    let subject = f.get("subject").trim().to_owned();
    let mut errors = FormErrors::none();
    if issuer.is_empty() || issuer.len() > 300 {
        errors.add(
            "issuer",
            "Enter the issuer of the identity provider (at most 300 characters)",
        );
    }
    if subject.is_empty() || subject.len() > 255 || subject.chars().any(char::is_control) {
        errors.add(
            "subject",
            "Enter the person's subject (object id) at the identity provider, at most 255 characters",
        );
    }
    if errors.is_empty() {
        match st.store.link_identity(&p, &issuer, &subject).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/admin/users/{id}?done=linked")).into_response())
            }
            Err(e) => errors.refusal(e)?,
        }
    }
    let view = ctx
        .authorize::<policy::ViewUser>(&st, Target::User(UserId(id)), Some("user administration"))
        .await?;
    let u = st.store.get_user(&view).await?.ok_or(AppError::NotFound)?;
    render_status(
        StatusCode::BAD_REQUEST,
        &UserPage {
            c: Chrome::new(&st, &ctx, u.display_name.clone(), "/admin/users").errors(true),
            is_self: false,
            u,
            done: None,
            resets: st.store.pending_resets(&p).await?,
            me: ctx.actor().map(|a| a.user_id.0).unwrap_or(0),
            idp: idp_name(&st),
            idp_issuer: issuer,
            identities: st.store.identities(&p).await?,
            errors,
            subject,
        },
    )
}

/// POST /admin/users/{id}/identities/{link}/remove
pub async fn unlink_identity(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, link)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let p = manage(&ctx, &st, id).await?;
    if !st.store.unlink_identity(&p, link).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to(&format!("/admin/users/{id}?done=unlinked")).into_response())
}

async fn manage(
    ctx: &Ctx,
    st: &AppState,
    id: i64,
) -> Result<policy::Permit<policy::ManageUser>, AppError> {
    ctx.authorize::<policy::ManageUser>(st, Target::User(UserId(id)), Some("user administration"))
        .await
}

/// POST /admin/users/{id}/disable
pub async fn disable(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = manage(&ctx, &st, id).await?;
    if !st.store.set_user_disabled(&p, true).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to(&format!("/admin/users/{id}?done=disabled")).into_response())
}

/// POST /admin/users/{id}/enable
pub async fn enable(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = manage(&ctx, &st, id).await?;
    if !st.store.set_user_disabled(&p, false).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to(&format!("/admin/users/{id}?done=enabled")).into_response())
}

/// POST /admin/users/{id}/reset-password
pub async fn reset_password(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = manage(&ctx, &st, id).await?;
    if st.store.reset_needs_second_person(&p).await? {
        st.store.request_reset(&p, ResetKind::Password).await?;
        return Ok(
            Redirect::to(&format!("/admin/users/{id}?done=reset-requested")).into_response(),
        );
    }
    let temp = random_token().chars().take(20).collect::<String>();
    let t = temp.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&t))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    debug_assert!(Password::parse_new(&temp, "p").is_ok());
    if !st.store.reset_user_password(&p, &hash).await? {
        return Err(AppError::NotFound.into());
    }
    render(&SecretPage {
        c: Chrome::new(&st, &ctx, "Password reset", "/admin/users"),
        heading: "The password has been reset".into(),
        intro: "Their sessions have ended. Give them this temporary password in a secure way; they must change it when they next sign in. It will not be shown again.".into(),
        secret: temp,
        back: format!("/admin/users/{id}"),
    })
}

/// POST /admin/users/{id}/reset-second-factor
pub async fn reset_second_factor(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = manage(&ctx, &st, id).await?;
    if st.store.reset_needs_second_person(&p).await? {
        st.store.request_reset(&p, ResetKind::SecondFactor).await?;
        return Ok(
            Redirect::to(&format!("/admin/users/{id}?done=reset-requested")).into_response(),
        );
    }
    if !st.store.reset_user_totp(&p).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to(&format!("/admin/users/{id}?done=second-factor")).into_response())
}

/// POST /admin/users/{id}/resets/{reset}/approve: a second administrator approves a reset.
pub async fn approve_reset(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, reset)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let p = manage(&ctx, &st, id).await?;
    let temp = random_token().chars().take(20).collect::<String>();
    let t = temp.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&t))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    match st.store.approve_reset(&p, reset, Some(&hash)).await? {
        ResetKind::Password => render(&SecretPage {
            c: Chrome::new(&st, &ctx, "Password reset", "/admin/users"),
            heading: "The password has been reset".into(),
            intro: "You approved a reset another administrator asked for. Their sessions have ended. Give them this temporary password in a secure way; they must change it when they next sign in. It will not be shown again.".into(),
            secret: temp,
            back: format!("/admin/users/{id}"),
        }),
        ResetKind::SecondFactor => {
            Ok(Redirect::to(&format!("/admin/users/{id}?done=second-factor")).into_response())
        }
    }
}

fn kind_options() -> Vec<(String, String)> {
    [
        OrganisationKind::Statutory,
        OrganisationKind::Voluntary,
        OrganisationKind::Private,
    ]
    .iter()
    .map(|k| {
        (k.as_str().to_owned(), {
            let s = k.as_str();
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
    })
    .collect()
}

fn agency_options() -> Vec<(String, String)> {
    AgencyType::ALL
        .iter()
        .map(|a| (a.as_str().to_owned(), a.label().to_owned()))
        .collect()
}

async fn organisations_page(
    ctx: &Ctx,
    st: &AppState,
    errors: FormErrors,
    name: String,
    kind: String,
    agency: String,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ListOrganisations>(st, Target::None, None)
        .await?;
    let organisations = st.store.list_organisations(&p).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &OrganisationsPage {
            c: Chrome::new(st, ctx, "Organisations", "/admin/organisations")
                .errors(!errors.is_empty()),
            organisations,
            errors,
            org_name: name,
            kinds: kind_options(),
            agencies: agency_options(),
            kind,
            agency,
        },
    )
}

/// GET /admin/organisations
pub async fn organisations(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageOrganisations>(&st, Target::None, None)
        .await?;
    organisations_page(
        &ctx,
        &st,
        FormErrors::none(),
        String::new(),
        String::new(),
        String::new(),
    )
    .await
}

/// POST /admin/organisations
pub async fn create_organisation(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ManageOrganisations>(&st, Target::None, None)
        .await?;
    let f = Fields::parse(&body);
    let (name, kind, agency) = (
        f.get("name").trim().to_owned(),
        f.get("kind").to_owned(),
        f.get("agency_type").to_owned(),
    );
    let mut errors = FormErrors::none();
    if name.is_empty() {
        errors.add("name", "Enter the organisation's name");
    }
    let k = OrganisationKind::parse(&kind);
    if k.is_none() {
        errors.add(
            "kind",
            "Select whether the organisation is statutory, voluntary or private",
        );
    }
    let a = AgencyType::parse(&agency);
    if a.is_none() {
        errors.add("agency_type", "Select the agency type");
    }
    if let (Some(kind), Some(agency_type), true) = (k, a, errors.is_empty()) {
        match st
            .store
            .create_organisation(
                &p,
                NewOrganisation {
                    name: name.clone(),
                    kind,
                    agency_type,
                },
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/organisations").into_response()),
            Err(e) => errors.refusal(e)?,
        }
    }
    organisations_page(&ctx, &st, errors, name, kind, agency).await
}

async fn tokens_page(
    ctx: &Ctx,
    st: &AppState,
    errors: FormErrors,
    form: TokenForm,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ManageApiTokens>(st, Target::None, None)
        .await?;
    let tokens = st.store.list_tokens(&p).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let scopes = policy::Scope::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                s.label(),
                form.scopes.iter().any(|x| x == s.as_str()),
            )
        })
        .collect();
    render_status(
        status,
        &TokensPage {
            c: Chrome::new(st, ctx, "API tokens", "/admin/tokens").errors(!errors.is_empty()),
            tokens,
            errors,
            form,
            roles: client_role_options(),
            scopes,
        },
    )
}

/// GET /admin/tokens
pub async fn tokens(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    let form = TokenForm {
        owner: ctx.actor().map(|a| a.username.clone()).unwrap_or_default(),
        days: "90".into(),
        ..TokenForm::default()
    };
    tokens_page(&ctx, &st, FormErrors::none(), form).await
}

/// POST /admin/tokens: issue a token for a named service client, with scopes, an expiry and
/// an owner. Tokens never act as people.
pub async fn issue_token(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ManageApiTokens>(&st, Target::None, Some("machine access"))
        .await?;
    let f = Fields::parse(&body);
    let form = TokenForm {
        client: f.get("client").trim().to_owned(),
        role: f.get("role").to_owned(),
        owner: f.get("owner").trim().to_lowercase(),
        days: f.get("days").trim().to_owned(),
        scopes: f.all("scopes").into_iter().map(str::to_owned).collect(),
    };
    let mut errors = FormErrors::none();
    if form.client.is_empty() || form.client.chars().count() > 60 {
        errors.add(
            "client",
            "Enter the service client's name, in 60 characters or fewer",
        );
    }
    let role = Role::parse(&form.role);
    match role {
        None => errors.add("role", "Select the service client's role"),
        Some(r) if !policy::token_may_act_as(r, &st.settings.second_factor_roles) => errors.add(
            "role",
            "A service client cannot have a role that sees personal data or must use an authenticator app",
        ),
        Some(_) => {}
    }
    if form.owner.is_empty() {
        errors.add(
            "owner",
            "Enter the username of the person accountable for the token",
        );
    }
    let days = match form.days.parse::<i64>() {
        Ok(d) if (1..=TOKEN_MAX_DAYS).contains(&d) => d,
        _ => {
            errors.add(
                "days",
                &format!("Enter how many days the token lasts, a whole number from 1 to {TOKEN_MAX_DAYS}"),
            );
            0
        }
    };
    let mut scopes = Vec::new();
    for s in &form.scopes {
        match policy::Scope::parse(s) {
            Some(x) if !scopes.contains(&x) => scopes.push(x),
            Some(_) => {}
            None => errors.add("scopes", &format!("{s:?} is not a scope")),
        }
    }
    if scopes.is_empty() && form.scopes.is_empty() {
        errors.add("scopes", "Select at least one scope");
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        let token = format!("ec_{}", random_token());
        let expires_at = everychild_domain::Timestamp::from_datetime(
            st.clock.now() + time::Duration::days(days),
        );
        let issued = st
            .store
            .issue_token(
                &p,
                everychild_store::NewServiceToken {
                    client: &form.client,
                    role,
                    owner: &form.owner,
                    scopes: &scopes,
                    expires_at,
                    token_hash: &sha256_hex(&token),
                },
            )
            .await;
        match issued {
            Ok(_) => {
                return render(&SecretPage {
                    c: Chrome::new(&st, &ctx, "Token issued", "/admin/tokens"),
                    heading: format!("Token issued for {}", form.client),
                    intro: format!(
                        "Copy the token now and store it in the client system's secret store. It will not be shown again. It acts as the service client {} with the scopes {}, until {}. Send it as: Authorization: Bearer <token>",
                        everychild_store::service_username(&form.client),
                        scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                        expires_at.to_db().get(..10).unwrap_or_default()
                    ),
                    secret: token,
                    back: "/admin/tokens".into(),
                })
            }
            Err(e) => errors.refusal(e)?,
        }
    }
    tokens_page(&ctx, &st, errors, form).await
}

/// POST /admin/tokens/{id}/revoke
pub async fn revoke_token(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ManageApiTokens>(&st, Target::None, None)
        .await?;
    if !st.store.revoke_token(&p, id).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to("/admin/tokens").into_response())
}
