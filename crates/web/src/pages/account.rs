//! One's own account: details, password change, authenticator app.

use super::sign_in::{check_enrolment, enrol_page};
use super::{render, render_status, Chrome};
use crate::crypto::hash_password;
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::Password;
use everychild_policy::{self as policy, Target};
use everychild_store::UserDetail;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    u: UserDetail,
    done: Option<&'static str>,
    second_factor_required: bool,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    errors: FormErrors,
    must_change: bool,
}

/// Query of the account page.
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn hash(p: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)
}

/// Check the signed-in user's current password, throttled as a sign-in is: `None` when there
/// have been too many failures (the password is then not checked).
async fn verify(st: &AppState, ctx: &Ctx, p: String, h: String) -> Result<Option<bool>, AppError> {
    let actor = ctx.actor().ok_or(AppError::NotSignedIn)?;
    let username = actor.username.clone();
    Ok(
        match super::sign_in::check_password(st, ctx, &username, p, Some(h)).await? {
            super::sign_in::PasswordCheck::Correct => Some(true),
            super::sign_in::PasswordCheck::Wrong => Some(false),
            super::sign_in::PasswordCheck::Throttled => None,
        },
    )
}

/// The message for a current password that was wrong, or not checked for too many failures.
fn wrong_password(checked: Option<bool>) -> &'static str {
    match checked {
        None => "There have been too many failed attempts. Wait, then try again",
        _ => "Your current password is not correct",
    }
}

async fn account_page(
    ctx: &Ctx,
    st: &AppState,
    done: Option<&'static str>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ViewOwnAccount>(st, Target::None, None)
        .await?;
    let u = st
        .store
        .own_account(&permit)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &AccountPage {
            c: Chrome::new(st, ctx, "Your account", "/account").errors(!errors.is_empty()),
            second_factor_required: st.settings.second_factor_required(u.role),
            u,
            done,
            errors,
        },
    )
}

/// GET /account
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let done = match q.done.as_deref() {
        Some("password") => Some("Your password has been changed"),
        Some("second-factor") => Some("Your authenticator app is set up"),
        Some("second-factor-removed") => Some("Your authenticator app has been removed"),
        _ => None,
    };
    account_page(&ctx, &st, done, FormErrors::none()).await
}

/// GET /account/password
pub async fn password(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageOwnAccount>(&st, Target::None, None)
        .await?;
    render(&PasswordPage {
        c: Chrome::new(&st, &ctx, "Change your password", "/account"),
        errors: FormErrors::none(),
        must_change: ctx.actor().is_some_and(|a| a.must_change_password),
    })
}

/// POST /account/password
pub async fn password_submit(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageOwnAccount>(&st, Target::None, None)
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let current = f.get("current_password");
    if current.is_empty() {
        errors.add("current_password", "Enter your current password");
    }
    let new = errors.take(Password::parse_new(f.get("new_password"), "new_password"));
    if new.is_some() && f.get("confirm_password") != f.get("new_password") {
        errors.add("confirm_password", "The passwords do not match");
    }
    if errors.is_empty() {
        let stored = st.store.own_password_hash(&permit).await?;
        let checked = verify(&st, &ctx, current.to_owned(), stored).await?;
        if checked != Some(true) {
            errors.add("current_password", wrong_password(checked));
        }
    }
    match new {
        Some(new) if errors.is_empty() => {
            let h = hash(new.expose().to_owned()).await?;
            st.store
                .change_own_password(&permit, &h, ctx.session_hash.as_deref())
                .await?;
            Ok(Redirect::to("/account?done=password").into_response())
        }
        _ => render_status(
            StatusCode::BAD_REQUEST,
            &PasswordPage {
                c: Chrome::new(&st, &ctx, "Change your password", "/account").errors(true),
                errors,
                must_change: ctx.actor().is_some_and(|a| a.must_change_password),
            },
        ),
    }
}

/// GET /account/second-factor
pub async fn second_factor(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageOwnAccount>(&st, Target::None, None)
        .await?;
    let actor = ctx.actor().ok_or(AppError::NotSignedIn)?;
    render(&enrol_page(
        &st,
        &ctx,
        "/account/second-factor",
        &actor.username,
        false,
        FormErrors::none(),
        None,
    ))
}

/// POST /account/second-factor
pub async fn second_factor_submit(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageOwnAccount>(&st, Target::None, None)
        .await?;
    let actor = ctx.actor().ok_or(AppError::NotSignedIn)?;
    let f = Fields::parse(&body);
    let checked = check_enrolment(&st, &ctx, &f);
    // Setting up or replacing an authenticator is a sensitive change: ask for the password
    // (a stolen session must not be able to enrol an attacker's authenticator).
    let checked = match checked {
        Ok(ok) => {
            let given = f.get("current_password").to_owned();
            let stored = st.store.own_password_hash(&permit).await?;
            let result = if given.is_empty() {
                Some(false)
            } else {
                verify(&st, &ctx, given, stored).await?
            };
            if result == Some(true) {
                Ok(ok)
            } else {
                let mut errors = FormErrors::none();
                errors.add(
                    "current_password",
                    if result.is_none() {
                        wrong_password(None)
                    } else if actor.totp_enabled {
                        "Enter your current password to replace your authenticator app"
                    } else {
                        "Enter your current password to set up an authenticator app"
                    },
                );
                Err((errors, Some(ok.0)))
            }
        }
        other => other,
    };
    match checked {
        Ok((secret, step)) => {
            let sealed = crate::secrets::seal(&st.settings.secret_keys(), &secret)
                .ok_or_else(|| AppError::Internal("could not encrypt the secret".into()))?;
            st.store
                .set_own_totp(&permit, Some((&sealed, step)))
                .await?;
            Ok(Redirect::to("/account?done=second-factor").into_response())
        }
        Err((errors, secret)) => render_status(
            StatusCode::BAD_REQUEST,
            &enrol_page(
                &st,
                &ctx,
                "/account/second-factor",
                &actor.username,
                false,
                errors,
                secret,
            ),
        ),
    }
}

/// POST /account/second-factor/remove (needs the current password; not for roles that require it)
pub async fn second_factor_remove(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageOwnAccount>(&st, Target::None, None)
        .await?;
    let actor = ctx.actor().ok_or(AppError::NotSignedIn)?;
    let mut errors = FormErrors::none();
    if st.settings.second_factor_required(actor.role) {
        errors.add("current_password", "Your role must use an authenticator app. Ask your administrator to reset it if you have lost it");
        return account_page(&ctx, &st, None, errors).await;
    }
    let f = Fields::parse(&body);
    let given = f.get("current_password").to_owned();
    if given.is_empty() {
        errors.add("current_password", "Enter your current password");
        return account_page(&ctx, &st, None, errors).await;
    }
    let stored = st.store.own_password_hash(&permit).await?;
    let checked = verify(&st, &ctx, given, stored).await?;
    if checked != Some(true) {
        errors.add("current_password", wrong_password(checked));
        return account_page(&ctx, &st, None, errors).await;
    }
    st.store.set_own_totp(&permit, None).await?;
    Ok(Redirect::to("/account?done=second-factor-removed").into_response())
}
