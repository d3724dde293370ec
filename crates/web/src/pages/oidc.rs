//! Sign-in through the council's identity provider (OpenID Connect): `GET /sign-in/oidc`
//! starts the flow, `GET /sign-in/oidc/callback` ends it. Every refusal is shown with what
//! went wrong, audited with its reason, and starts no session.

use super::sign_in::sign_in_form;
use crate::context::{cookie, new_session, set_cookie};
use crate::error::{AppError, PageError};
use crate::forms::FormErrors;
use crate::oidc::{Provider, Refusal, FLOW_SECONDS};
use crate::{AppState, Ctx};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use everychild_policy::{self as policy, Target};
use everychild_store::{NewSession, SessionStage};
use serde::Deserialize;
use std::sync::Arc;

fn provider(st: &AppState) -> Result<&Arc<Provider>, AppError> {
    st.settings.oidc.as_ref().ok_or(AppError::NotFound)
}

/// Where the provider sends the browser back: under the configured public URL only (never
/// from the request's Host header).
fn callback_url(st: &AppState) -> Result<String, AppError> {
    let base = st.settings.public_url.as_deref().ok_or_else(|| {
        AppError::Internal("sign-in through an identity provider needs public_url".into())
    })?;
    Ok(format!(
        "{}/sign-in/oidc/callback",
        base.trim_end_matches('/')
    ))
}

fn flow_cookie(st: &AppState, value: &str, clear: bool) -> HeaderValue {
    let secure = if st.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = if clear { 0 } else { FLOW_SECONDS };
    HeaderValue::from_str(&format!(
        "{}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={age}{secure}",
        st.settings.oidc_cookie()
    ))
    .unwrap_or_else(|_| set_cookie(st, st.settings.oidc_cookie(), "", true))
}

/// GET /sign-in/oidc
pub async fn start(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::Authenticate>(&st, Target::None, None)
        .await?;
    let p = provider(&st)?;
    let redirect = callback_url(&st)?;
    match p
        .start(
            &st.settings.flow_keys(),
            &redirect,
            st.clock.now().unix_timestamp(),
        )
        .await
    {
        Ok(started) => Ok((
            [(header::SET_COOKIE, flow_cookie(&st, &started.cookie, false))],
            Redirect::to(&started.url),
        )
            .into_response()),
        Err(r) => refuse(&st, &ctx, &permit, p, r, None).await,
    }
}

/// Query of the callback.
#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn address_key(ctx: &Ctx) -> String {
    format!("address:{}", ctx.ip.as_deref().unwrap_or("unknown"))
}

/// Show the refusal on the sign-in page, audit it with its reason (counted against the
/// client's address, so a flood is throttled rather than logged event by event).
async fn refuse(
    st: &AppState,
    ctx: &Ctx,
    permit: &policy::Permit<policy::Authenticate>,
    p: &Provider,
    r: Refusal,
    subject: Option<&str>,
) -> Result<Response, PageError> {
    if let Refusal::ProviderUnavailable(m) = &r {
        tracing::warn!(error = %m, "identity provider unavailable");
    }
    let who = match subject {
        Some(s) => format!("oidc:{s}"),
        None => "oidc".to_owned(),
    };
    st.store
        .record_sign_in_failure(
            permit,
            &who,
            &[address_key(ctx)],
            &format!("identity provider: {}", r.reason()),
        )
        .await?;
    let mut errors = FormErrors::none();
    errors.add("oidc", &r.message(&p.settings.display_name));
    let status = match r {
        Refusal::ProviderUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Refusal::WrongTenant | Refusal::NoAccount(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut resp = sign_in_form(st, ctx, "", errors, status)?;
    resp.headers_mut()
        .append(header::SET_COOKIE, flow_cookie(st, "", true));
    Ok(resp)
}

/// GET /sign-in/oidc/callback
pub async fn callback(
    ctx: Ctx,
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::Authenticate>(&st, Target::None, None)
        .await?;
    let p = provider(&st)?;
    // Refusals count against the address like failed passwords; past the limit nothing more
    // is tried (or logged one by one).
    let since =
        everychild_domain::Timestamp::from_datetime(st.clock.now() - st.settings.throttle_window);
    let failures = st
        .store
        .failures_since(&permit, &[address_key(&ctx)], since)
        .await?;
    if failures.first().copied().unwrap_or(0) >= st.settings.address_failures {
        let mut errors = FormErrors::none();
        errors.add(
            "oidc",
            &format!(
                "There have been too many failed attempts to sign in. Wait {} minutes, then try again",
                st.settings.throttle_window.whole_minutes()
            ),
        );
        return sign_in_form(&st, &ctx, "", errors, StatusCode::TOO_MANY_REQUESTS);
    }
    if let Some(e) = &q.error {
        let detail = match &q.error_description {
            Some(d) => format!("{e}: {d}"),
            None => e.clone(),
        };
        let detail: String = detail.chars().take(200).collect();
        return refuse(&st, &ctx, &permit, p, Refusal::ProviderError(detail), None).await;
    }
    let (Some(code), Some(state)) = (q.code.as_deref(), q.state.as_deref()) else {
        return refuse(
            &st,
            &ctx,
            &permit,
            p,
            Refusal::Invalid("the callback carried no code or state".into()),
            None,
        )
        .await;
    };
    let sealed = cookie(&headers, st.settings.oidc_cookie());
    let identity = match p
        .finish(
            &st.settings.flow_keys(),
            sealed,
            state,
            code,
            &callback_url(&st)?,
            st.clock.now(),
        )
        .await
    {
        Ok(i) => i,
        Err(r) => return refuse(&st, &ctx, &permit, p, r, None).await,
    };
    let creds = st
        .store
        .identity_credentials(&permit, &identity.issuer, &identity.subject)
        .await?;
    let creds = match creds {
        Some(c) if !c.disabled => c,
        Some(_) => {
            let r = Refusal::NoAccount("account disabled");
            return refuse(&st, &ctx, &permit, p, r, Some(&identity.subject)).await;
        }
        None => {
            let r = Refusal::NoAccount("identity not linked");
            return refuse(&st, &ctx, &permit, p, r, Some(&identity.subject)).await;
        }
    };
    // The provider's assertion of a multi-factor sign-in satisfies the second factor;
    // otherwise the account's own authenticator is asked for, as after a password.
    let stage = if identity.mfa || !st.settings.second_factor_required(creds.role) {
        SessionStage::Full
    } else if creds.totp_enabled {
        SessionStage::SecondFactor
    } else {
        SessionStage::Enrol
    };
    let (_id, hash, session) = new_session(&st);
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
                idp: Some(&identity.issuer),
            },
        )
        .await?;
    let next = match stage {
        SessionStage::SecondFactor => "/sign-in/second-factor",
        SessionStage::Enrol => "/sign-in/set-up-second-factor",
        SessionStage::Full => "/",
    };
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut().append(header::SET_COOKIE, session);
    resp.headers_mut()
        .append(header::SET_COOKIE, flow_cookie(&st, "", true));
    Ok(resp)
}
