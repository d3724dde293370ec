//! Sign-in with password and second factor, second-factor enrolment, sign-out.

use super::{render, render_status, Chrome};
use crate::context::{new_session, set_cookie};
use crate::crypto::{tag, tag_ok, verify_password_bounded};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{totp, AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::Timestamp;
use everychild_policy::{self as policy, Principal, Target};
use everychild_store::{Claim, NewSession, SessionStage};
use secrecy::ExposeSecret;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    c: Chrome,
    username: String,
    errors: FormErrors,
    signed_out: bool,
    /// The identity provider's name, when sign-in through it is configured.
    idp: Option<String>,
}

fn idp_name(st: &AppState) -> Option<String> {
    st.settings
        .oidc
        .as_ref()
        .map(|p| p.settings.display_name.clone())
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    c: Chrome,
    errors: FormErrors,
}

/// The enrolment form, used at sign-in and from the account page.
#[derive(Template)]
#[template(path = "enrol.html")]
pub(crate) struct EnrolPage {
    pub c: Chrome,
    pub errors: FormErrors,
    pub action: &'static str,
    pub secret: String,
    pub secret_tag: String,
    pub qr_svg: String,
    pub required: bool,
    /// Replacing an authenticator already set up needs the current password.
    pub needs_password: bool,
    /// An authenticator is already set up (this replaces it).
    pub replacing: bool,
}

/// Query of the sign-in page.
#[derive(Deserialize)]
pub struct SignInQuery {
    signed_out: Option<String>,
}

fn where_next(ctx: &Ctx) -> Option<&'static str> {
    match (&ctx.principal, ctx.stage) {
        (Principal::Pending(p), _) if p.must_enrol => Some("/sign-in/set-up-second-factor"),
        (Principal::Pending(_), _) => Some("/sign-in/second-factor"),
        (Principal::User(_), Some(SessionStage::Full)) if !ctx.via_token => Some("/"),
        _ => None,
    }
}

/// GET /sign-in
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<SignInQuery>,
) -> Result<Response, PageError> {
    if let Some(next) = where_next(&ctx) {
        return Ok(Redirect::to(next).into_response());
    }
    render(&SignInPage {
        c: Chrome::new(&st, &ctx, "Sign in", ""),
        username: String::new(),
        errors: FormErrors::none(),
        signed_out: q.signed_out.is_some(),
        idp: idp_name(&st),
    })
}

pub(crate) fn sign_in_form(
    st: &AppState,
    ctx: &Ctx,
    username: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    render_status(
        status,
        &SignInPage {
            c: Chrome::new(st, ctx, "Sign in", "").errors(true),
            username: username.to_owned(),
            errors,
            signed_out: false,
            idp: idp_name(st),
        },
    )
}

/// The throttle keys of a password check: the account and the client address, with their
/// limits.
fn password_keys(st: &AppState, ctx: &Ctx, username: &str) -> Vec<(String, i64)> {
    vec![
        (format!("account:{username}"), st.settings.account_failures),
        (
            format!("address:{}", ctx.ip.as_deref().unwrap_or("unknown")),
            st.settings.address_failures,
        ),
    ]
}

/// The throttle keys of a second-factor code: counted apart from passwords, so a correct
/// password never clears failed codes.
fn code_keys(st: &AppState, ctx: &Ctx, username: &str) -> Vec<(String, i64)> {
    vec![
        (format!("code:{username}"), st.settings.account_failures),
        (
            format!("address:{}", ctx.ip.as_deref().unwrap_or("unknown")),
            st.settings.address_failures,
        ),
    ]
}

fn lock_message(st: &AppState) -> String {
    format!(
        "There have been too many failed attempts to sign in. Wait {} minutes, then try again",
        st.settings.throttle_window.whole_minutes()
    )
}

fn window_start(st: &AppState) -> Timestamp {
    Timestamp::from_datetime(st.clock.now() - st.settings.throttle_window)
}

/// What checking a password found.
pub(crate) enum PasswordCheck {
    /// Correct.
    Correct,
    /// Wrong (recorded against the keys).
    Wrong,
    /// Too many failures in the window: not checked.
    Throttled,
}

/// Check `password` against `stored` for `username`, throttled like a sign-in: the attempt
/// is claimed first (atomically, against the account and the address), the hash waits its
/// turn, and a correct password releases the claim.
pub(crate) async fn check_password(
    st: &AppState,
    ctx: &Ctx,
    username: &str,
    password: String,
    stored: Option<String>,
) -> Result<PasswordCheck, AppError> {
    let permit = ctx
        .authorize::<policy::Authenticate>(st, Target::None, None)
        .await?;
    let keys = password_keys(st, ctx, username);
    let ids = match st
        .store
        .claim_attempt(&permit, username, &keys, window_start(st))
        .await?
    {
        Claim::Throttled => return Ok(PasswordCheck::Throttled),
        Claim::Granted(ids) => ids,
    };
    let ok = verify_password_bounded(password, stored)
        .await
        .ok_or(AppError::Unavailable)?;
    if ok {
        st.store.release_attempt(&permit, &ids).await?;
        Ok(PasswordCheck::Correct)
    } else {
        Ok(PasswordCheck::Wrong)
    }
}

/// POST /sign-in
pub async fn submit(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::Authenticate>(&st, Target::None, None)
        .await?;
    let f = Fields::parse(&body);
    let raw_username = f.get("username");
    let password = f.get("password").to_owned();
    let mut errors = FormErrors::none();
    if raw_username.trim().is_empty() {
        errors.add("username", "Enter your username");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return sign_in_form(&st, &ctx, raw_username, errors, StatusCode::BAD_REQUEST);
    }
    // Normalised as accounts are, but never rejected for its form: an unknown name must look
    // exactly like a wrong password.
    let username: String = raw_username
        .trim()
        .to_lowercase()
        .chars()
        .take(128)
        .collect();
    // Failed codes lock the password step too, until the window ends.
    let code_key = format!("code:{username}");
    let code_failures = st
        .store
        .failures_since(&permit, std::slice::from_ref(&code_key), window_start(&st))
        .await?;
    let creds = st.store.credentials(&permit, &username).await?;
    let stored = creds.as_ref().map(|c| c.password_hash.clone());
    let check = if code_failures.first().copied().unwrap_or(0) >= st.settings.account_failures {
        PasswordCheck::Throttled
    } else {
        check_password(&st, &ctx, &username, password, stored).await?
    };
    let creds = match (check, creds) {
        (PasswordCheck::Throttled, _) => {
            errors.add("username", &lock_message(&st));
            return sign_in_form(
                &st,
                &ctx,
                raw_username,
                errors,
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
        (PasswordCheck::Correct, Some(c)) if !c.disabled => c,
        (_, other) => {
            let reason = match other {
                None => "unknown account",
                Some(c) if c.disabled => "account disabled",
                Some(_) => "wrong password",
            };
            st.store
                .record_sign_in_failure(&permit, &username, &[], reason)
                .await?;
            errors.add("username", "Enter a correct username and password");
            return sign_in_form(&st, &ctx, raw_username, errors, StatusCode::BAD_REQUEST);
        }
    };
    let stage = if creds.totp_enabled {
        SessionStage::SecondFactor
    } else if st.settings.second_factor_required(creds.role) {
        SessionStage::Enrol
    } else {
        SessionStage::Full
    };
    let (_id, hash, cookie) = new_session(&st);
    st.store
        .start_session(
            &permit,
            NewSession {
                user_id: creds.user_id,
                username: &creds.username,
                stage,
                id_hash: &hash,
                replaces: ctx.session_hash.as_deref(),
                clear_key: &format!("account:{}", creds.username),
                idp: None,
            },
        )
        .await?;
    let next = match stage {
        SessionStage::SecondFactor => "/sign-in/second-factor",
        SessionStage::Enrol => "/sign-in/set-up-second-factor",
        SessionStage::Full => "/",
    };
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(next)).into_response())
}

/// GET /sign-in/second-factor
pub async fn second_factor(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::CompleteSignIn>(&st, Target::None, None)
        .await?;
    if let Some(next) = where_next(&ctx).filter(|n| *n != "/sign-in/second-factor") {
        return Ok(Redirect::to(next).into_response());
    }
    render(&SecondFactorPage {
        c: Chrome::new(&st, &ctx, "Enter the code from your authenticator app", ""),
        errors: FormErrors::none(),
    })
}

fn unix_now(st: &AppState) -> u64 {
    u64::try_from(st.clock.now().unix_timestamp()).unwrap_or(0)
}

/// POST /sign-in/second-factor
pub async fn second_factor_submit(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::CompleteSignIn>(&st, Target::None, None)
        .await?;
    let Principal::Pending(pending) = &ctx.principal else {
        return Err(AppError::NotSignedIn.into());
    };
    let old_hash = ctx.session_hash.clone().ok_or(AppError::NotSignedIn)?;
    let f = Fields::parse(&body);
    let code = f.get("code");
    let auth = ctx
        .authorize::<policy::Authenticate>(&st, Target::None, None)
        .await?;
    let keys = code_keys(&st, &ctx, &pending.username);
    let mut errors = FormErrors::none();
    let show = |errors: FormErrors, status| {
        render_status(
            status,
            &SecondFactorPage {
                c: Chrome::new(&st, &ctx, "Enter the code from your authenticator app", "")
                    .errors(true),
                errors,
            },
        )
    };
    if code.trim().is_empty() {
        errors.add("code", "Enter the 6-digit code from your authenticator app");
        return show(errors, StatusCode::BAD_REQUEST);
    }
    let claimed = match st
        .store
        .claim_attempt(&auth, &pending.username, &keys, window_start(&st))
        .await?
    {
        Claim::Throttled => {
            errors.add("code", &lock_message(&st));
            return show(errors, StatusCode::TOO_MANY_REQUESTS);
        }
        Claim::Granted(ids) => ids,
    };
    let sf = st
        .store
        .second_factor(&permit)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let keys_ = st.settings.secret_keys();
    let opened = sf
        .secret
        .as_deref()
        .and_then(|s| crate::secrets::open(&keys_, s));
    let step = opened
        .as_ref()
        .and_then(|o| totp::matching_step(&o.secret, code, unix_now(&st)))
        .filter(|step| *step > sf.last_step);
    // A secret stored in plain text or under an old key is written again under the newest.
    let resealed = opened
        .filter(|o| o.stale)
        .and_then(|o| crate::secrets::seal(&keys_, &o.secret));
    let (_id, new_hash, cookie) = new_session(&st);
    let done = match step {
        Some(step) => {
            st.store
                .complete_sign_in(&permit, &old_hash, &new_hash, step, resealed.as_deref())
                .await?
        }
        None => false,
    };
    if done {
        st.store.release_attempt(&auth, &claimed).await?;
        st.store
            .clear_failures(&auth, &format!("code:{}", pending.username))
            .await?;
    } else {
        st.store
            .record_sign_in_failure(
                &auth,
                &pending.username,
                &[],
                "wrong or reused second-factor code",
            )
            .await?;
        errors.add("code", "The code is not correct or has already been used. Enter the current code from your authenticator app");
        return show(errors, StatusCode::BAD_REQUEST);
    }
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

/// The enrolment page for a new random secret; its tag binds the secret to this session.
pub(crate) fn enrol_page(
    st: &AppState,
    ctx: &Ctx,
    action: &'static str,
    account: &str,
    required: bool,
    errors: FormErrors,
    secret: Option<String>,
) -> EnrolPage {
    let secret = secret.unwrap_or_else(totp::new_secret);
    let secret_tag = enrol_tag(st, ctx, &secret);
    let uri = totp::otpauth_uri("everychild", account, &secret);
    EnrolPage {
        c: Chrome::new(
            st,
            ctx,
            "Set up your authenticator app",
            if action.starts_with("/account") {
                "/account"
            } else {
                ""
            },
        )
        .errors(!errors.is_empty()),
        // From the account page, setting up or replacing an authenticator needs the password.
        needs_password: action.starts_with("/account"),
        replacing: ctx.actor().is_some_and(|a| a.totp_enabled),
        errors,
        action,
        qr_svg: totp::qr_svg(&uri).unwrap_or_default(),
        secret,
        secret_tag,
        required,
    }
}

fn enrol_tag(st: &AppState, ctx: &Ctx, secret: &str) -> String {
    tag(
        st.settings.secret_key.expose_secret(),
        &format!(
            "enrol:{}:{secret}",
            ctx.session_hash.as_deref().unwrap_or("")
        ),
    )
}

/// Check an enrolment form: the secret must be one we issued to this session, and the code
/// must match it. Returns the secret and the step.
pub(crate) fn check_enrolment(
    st: &AppState,
    ctx: &Ctx,
    f: &Fields,
) -> Result<(String, i64), (FormErrors, Option<String>)> {
    let secret = f.get("secret").to_owned();
    let mut errors = FormErrors::none();
    if secret.is_empty()
        || !tag_ok(
            st.settings.secret_key.expose_secret(),
            &format!(
                "enrol:{}:{secret}",
                ctx.session_hash.as_deref().unwrap_or("")
            ),
            f.get("secret_tag"),
        )
    {
        errors.add(
            "code",
            "The set-up has expired. Scan the new code and try again",
        );
        return Err((errors, None));
    }
    if f.get("code").trim().is_empty() {
        errors.add("code", "Enter the 6-digit code from your authenticator app");
        return Err((errors, Some(secret)));
    }
    match totp::matching_step(&secret, f.get("code"), unix_now(st)) {
        Some(step) => Ok((secret, step)),
        None => {
            errors.add(
                "code",
                "The code is not correct. Enter the current code from your authenticator app",
            );
            Err((errors, Some(secret)))
        }
    }
}

/// GET /sign-in/set-up-second-factor
pub async fn enrol(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::CompleteSignIn>(&st, Target::None, None)
        .await?;
    let Principal::Pending(p) = &ctx.principal else {
        return Err(AppError::NotSignedIn.into());
    };
    if !p.must_enrol {
        return Ok(Redirect::to("/sign-in/second-factor").into_response());
    }
    render(&enrol_page(
        &st,
        &ctx,
        "/sign-in/set-up-second-factor",
        &p.username,
        true,
        FormErrors::none(),
        None,
    ))
}

/// POST /sign-in/set-up-second-factor
pub async fn enrol_submit(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::CompleteSignIn>(&st, Target::None, None)
        .await?;
    let Principal::Pending(p) = &ctx.principal else {
        return Err(AppError::NotSignedIn.into());
    };
    if !p.must_enrol {
        return Err(AppError::Forbidden.into());
    }
    let old_hash = ctx.session_hash.clone().ok_or(AppError::NotSignedIn)?;
    let f = Fields::parse(&body);
    match check_enrolment(&st, &ctx, &f) {
        Ok((secret, step)) => {
            let (_id, new_hash, cookie) = new_session(&st);
            let sealed = crate::secrets::seal(&st.settings.secret_keys(), &secret)
                .ok_or_else(|| AppError::Internal("could not encrypt the secret".into()))?;
            if st
                .store
                .complete_sign_in(&permit, &old_hash, &new_hash, step, Some(&sealed))
                .await?
            {
                return Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response());
            }
            let mut errors = FormErrors::none();
            errors.add(
                "code",
                "The code has already been used. Wait for the next code and try again",
            );
            render_status(
                StatusCode::BAD_REQUEST,
                &enrol_page(
                    &st,
                    &ctx,
                    "/sign-in/set-up-second-factor",
                    &p.username,
                    true,
                    errors,
                    Some(secret),
                ),
            )
        }
        Err((errors, secret)) => render_status(
            StatusCode::BAD_REQUEST,
            &enrol_page(
                &st,
                &ctx,
                "/sign-in/set-up-second-factor",
                &p.username,
                true,
                errors,
                secret,
            ),
        ),
    }
}

/// POST /sign-out
pub async fn sign_out(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::SignOut>(&st, Target::None, None)
        .await?;
    let idp = match &ctx.session_hash {
        Some(h) => st.store.sign_out(&permit, h).await?,
        None => None,
    };
    let clear = set_cookie(&st, st.settings.session_cookie(), "", true);
    // A session that came through the council's identity provider ends there too
    // (RP-initiated sign-out), returning to the signed-out page.
    let mut next = "/sign-in?signed_out=1".to_owned();
    if let (Some(_), Some(provider), Some(base)) = (idp, &st.settings.oidc, &st.settings.public_url)
    {
        let back = format!("{}/sign-in?signed_out=1", base.trim_end_matches('/'));
        if let Some(url) = provider.end_session_url(&back).await {
            next = url;
        }
    }
    Ok(([(header::SET_COOKIE, clear)], Redirect::to(&next)).into_response())
}
