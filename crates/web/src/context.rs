//! The per-request layer: request id, CSP nonce, who is asking, CSRF, security headers, error
//! pages and the access log. Every route passes through it.

use crate::crypto::{random_bytes, random_token, sha256_hex, tag, tag_ok};
use crate::error::{json_error, AppError, ErrorPageMarker};
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{request::Parts, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use everychild_policy::{
    self as policy, Capability, DenyReason, PendingUser, Permit, Principal, Target,
};
use everychild_store::{with_request_meta, RequestMeta, SessionStage, SessionTimeouts};
use secrecy::ExposeSecret;
use std::net::SocketAddr;
use std::time::Instant;

/// The largest request body accepted anywhere (1 MiB); larger is refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler knows about its request.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Who is asking.
    pub principal: Principal,
    /// How far through sign-in the session is.
    pub stage: Option<SessionStage>,
    /// SHA-256 of the session id, if there is a session.
    pub session_hash: Option<String>,
    /// The CSRF token forms must carry.
    pub csrf_token: String,
    /// This response's CSP nonce.
    pub nonce: String,
    /// This request's id (also in the logs and the audit log).
    pub request_id: String,
    /// The client address.
    pub ip: Option<String>,
    /// Whether the request authenticated with a bearer token.
    pub via_token: bool,
}

impl Ctx {
    /// Ask the policy for a permit. A signed-in user's refusal is written to the audit log.
    pub async fn authorize<C: Capability>(
        &self,
        st: &AppState,
        target: Target,
        purpose: Option<&str>,
    ) -> Result<Permit<C>, AppError> {
        match policy::authorize::<C>(&self.principal, target.clone(), purpose) {
            Ok(p) => Ok(p),
            Err(d) => {
                if matches!(self.principal, Principal::User(_))
                    && matches!(
                        d.reason,
                        DenyReason::Forbidden
                            | DenyReason::SelfAction
                            | DenyReason::MissingScope(_)
                            | DenyReason::NotForTokens
                    )
                {
                    let subject = target.subject();
                    st.store
                        .record_denied(&self.principal, d.action, subject)
                        .await?;
                }
                Err(d.into())
            }
        }
    }

    /// The signed-in user, if any.
    pub fn actor(&self) -> Option<&policy::Actor> {
        match &self.principal {
            Principal::User(a) => Some(a),
            _ => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with our flags: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub(crate) fn set_cookie(st: &AppState, name: &str, value: &str, clear: bool) -> HeaderValue {
    let secure = if st.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = if clear { "; Max-Age=0" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Lax; Path=/{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Start a new session: a fresh 256-bit id, its hash and the cookie that carries it.
pub(crate) fn new_session(st: &AppState) -> (String, String, HeaderValue) {
    let id = random_token();
    let hash = sha256_hex(&id);
    let c = set_cookie(st, st.settings.session_cookie(), &id, false);
    (id, hash, c)
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn valid_request_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The layer itself.
pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    // A request id and a client address from the request's headers are believed only when
    // the request comes from the configured trusted proxy; otherwise anyone could write what
    // they liked into the audit log, or dodge the per-address throttle.
    let from_proxy = peer.is_some_and(|p| st.settings.trusted_proxies.contains(&p));
    let request_id = req
        .headers()
        .get("x-request-id")
        .filter(|_| from_proxy)
        .and_then(|v| v.to_str().ok())
        .filter(|s| valid_request_id(s))
        .map(str::to_owned)
        .unwrap_or_else(|| hex::encode(random_bytes::<12>()));
    let nonce = STANDARD.encode(random_bytes::<16>());
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .filter(|_| from_proxy)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next_back())
        .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
    let ip = forwarded.or(peer).map(|a| a.to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let is_api = path.starts_with("/api/");
    let is_asset = path.starts_with("/assets/");
    let meta = RequestMeta {
        ip: ip.clone(),
        request_id: Some(request_id.clone()),
    };

    let mut response = if is_asset {
        next.run(req).await
    } else {
        with_request_meta(
            meta,
            handle(
                st.clone(),
                req,
                next,
                request_id.clone(),
                nonce.clone(),
                ip,
                is_api,
            ),
        )
        .await
    };

    let h = response.headers_mut();
    // Forms post here only; signing out of a session from the council's identity provider
    // continues to the provider's sign-out, which the browser checks against form-action.
    let form_action = match st.settings.oidc.as_ref().and_then(|p| p.origin()) {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}' 'strict-dynamic'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
         form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if path.starts_with("/api/openreferral") {
        // The Open Referral API is public and read-only: any site or app may read it.
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            "cross-origin-resource-policy",
            HeaderValue::from_static("cross-origin"),
        );
    } else {
        h.insert(
            "cross-origin-resource-policy",
            HeaderValue::from_static("same-origin"),
        );
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if st.settings.hsts() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    tracing::info!(
        target: "everychild::http",
        request_id = %request_id,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    st: AppState,
    mut req: Request,
    next: Next,
    request_id: String,
    nonce: String,
    ip: Option<String>,
    is_api: bool,
) -> Response {
    // Refusals before the handler runs still get a proper error page (or the JSON shape).
    let early = Ctx {
        principal: Principal::Anonymous,
        stage: None,
        session_hash: None,
        csrf_token: String::new(),
        nonce: nonce.clone(),
        request_id: request_id.clone(),
        ip: ip.clone(),
        via_token: false,
    };
    let fail = |status: StatusCode, code: &str, msg: &str| -> Response {
        if is_api {
            json_error(status, code, msg, vec![])
        } else {
            crate::pages::errors::page(&st, &early, status, None)
        }
    };
    let key = st.settings.secret_key.expose_secret().to_owned();
    let auth_permit = match policy::authorize::<policy::Authenticate>(
        &Principal::Anonymous,
        Target::None,
        None,
    ) {
        Ok(p) => p,
        Err(_) => {
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Something went wrong",
            )
        }
    };
    let timeouts = SessionTimeouts {
        idle: st.settings.session_idle,
        absolute: st.settings.session_absolute,
    };

    let mut principal = Principal::Anonymous;
    let mut stage = None;
    let mut session_hash = None;
    let mut session_id = None;
    let mut via_token = false;
    let mut clear_session_cookie = false;

    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    if let Some(token) = bearer {
        match st.store.token_user(&auth_permit, &sha256_hex(&token)).await {
            Ok(Some(s)) => {
                principal = Principal::User(s.actor);
                stage = Some(SessionStage::Full);
                via_token = true;
            }
            Ok(None) => {
                let mut r = json_error(
                    StatusCode::UNAUTHORIZED,
                    "not_signed_in",
                    "The bearer token is not valid, has expired or has been revoked",
                    vec![],
                );
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return r;
            }
            Err(e) => {
                tracing::error!(error = %e, "token check failed");
                return fail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is unavailable. Try again later",
                );
            }
        }
    } else if let Some(id) = cookie(req.headers(), st.settings.session_cookie()).map(str::to_owned)
    {
        let hash = sha256_hex(&id);
        match st.store.load_session(&auth_permit, &hash, timeouts).await {
            Ok(Some(s)) => {
                stage = Some(s.stage);
                principal = match s.stage {
                    SessionStage::Full => Principal::User(s.actor),
                    SessionStage::SecondFactor | SessionStage::Enrol => {
                        Principal::Pending(PendingUser {
                            user_id: s.actor.user_id,
                            username: s.actor.username,
                            must_enrol: s.stage == SessionStage::Enrol,
                        })
                    }
                };
                session_hash = Some(hash);
                session_id = Some(id);
            }
            Ok(None) => clear_session_cookie = true,
            Err(e) => {
                tracing::error!(error = %e, "session check failed");
                return fail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is unavailable. Try again later",
                );
            }
        }
    }

    // CSRF: a token bound to the session, or before sign-in to a random pre-session cookie.
    let mut new_pre = None;
    let csrf_token = match &session_id {
        Some(id) => tag(&key, &format!("s:{id}")),
        None => {
            let pre = match cookie(req.headers(), st.settings.pre_cookie()) {
                Some(p) if p.len() >= 32 && p.len() <= 64 => p.to_owned(),
                _ => {
                    let p = random_token();
                    new_pre = Some(p.clone());
                    p
                }
            };
            tag(&key, &format!("p:{pre}"))
        }
    };

    if is_unsafe(req.method()) && !via_token {
        let given = if is_api {
            req.headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        } else {
            let (parts, body) = req.into_parts();
            let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
                Ok(b) => b,
                Err(_) => {
                    return fail(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "The request is larger than 1 MiB",
                    )
                }
            };
            let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|fields| {
                    fields
                        .into_iter()
                        .find(|(k, _)| k == "csrf_token")
                        .map(|(_, v)| v)
                });
            req = Request::from_parts(parts, Body::from(bytes));
            token
        };
        let ok = given.is_some_and(|g| {
            let expected_msg = match &session_id {
                Some(id) => format!("s:{id}"),
                None => match cookie(req.headers(), st.settings.pre_cookie()) {
                    Some(p) => format!("p:{p}"),
                    None => return false,
                },
            };
            tag_ok(&key, &expected_msg, &g)
        });
        if !ok {
            tracing::warn!(request_id = %request_id, "CSRF check failed");
            return fail(StatusCode::FORBIDDEN, "csrf", "The form has expired or did not come from this service. Go back, refresh the page and try again");
        }
    }

    let ctx = Ctx {
        principal,
        stage,
        session_hash,
        csrf_token,
        nonce,
        request_id,
        ip,
        via_token,
    };
    req.extensions_mut().insert(ctx.clone());
    let mut response = next.run(req).await;

    let status = response.status();
    let marker = response.extensions_mut().remove::<ErrorPageMarker>();
    let wants_page = marker.is_some()
        || (status.is_client_error() || status.is_server_error())
            && !response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    if wants_page {
        response = if is_api {
            let (code, msg) = match status {
                StatusCode::NOT_FOUND => ("not_found", "Not found"),
                StatusCode::METHOD_NOT_ALLOWED => {
                    ("method_not_allowed", "That method is not allowed here")
                }
                StatusCode::PAYLOAD_TOO_LARGE => {
                    ("payload_too_large", "The request is larger than 1 MiB")
                }
                StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                    "invalid_input",
                    "Send JSON with Content-Type: application/json",
                ),
                s if s.is_server_error() => {
                    ("internal_error", "Something went wrong. Try again later")
                }
                _ => ("invalid_input", "The request is not valid"),
            };
            json_error(status, code, msg, vec![])
        } else {
            let message = marker.and_then(|m| m.0);
            crate::pages::errors::page(&st, &ctx, status, message.as_deref())
        };
    }
    let h = response.headers_mut();
    if let Some(p) = new_pre.filter(|_| !is_api) {
        h.append(
            header::SET_COOKIE,
            set_cookie(&st, st.settings.pre_cookie(), &p, false),
        );
    }
    if clear_session_cookie {
        h.append(
            header::SET_COOKIE,
            set_cookie(&st, st.settings.session_cookie(), "", true),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_clients_are_checked() {
        assert!(valid_request_id("abc-123"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id(&"a".repeat(65)));
        assert!(!valid_request_id("<script>"));
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; everychild_session=xyz; b=2"),
        );
        assert_eq!(cookie(&h, "everychild_session"), Some("xyz"));
        assert_eq!(cookie(&h, "session"), None);
    }
}
