//! everychild's HTTP layer: thin handlers over the policy and the store. Pages follow the
//! GOV.UK Design System; the JSON API lives under `/api/v1` with an OpenAPI document.
//!
//! Every request passes through [`context::layer`], which gives it a request id and CSP nonce,
//! works out who is asking (session cookie or bearer token; a database error fails closed
//! with 503), checks the CSRF token of every unsafe request, and adds the security headers.

pub mod api;
mod assets;
mod charts;
mod context;
mod crypto;
mod error;
mod forms;
pub mod oidc;
mod pages;
mod routes;
pub mod secrets;
mod settings;
mod svgmap;
mod totp;

pub use context::Ctx;
pub use crypto::hash_password;
pub use routes::{route_list, RouteInfo};
pub use settings::WebSettings;
pub use totp::totp_code_at;

use everychild_domain::Clock;
use everychild_store::Repositories;
use std::sync::Arc;

/// Shared state of the running app.
#[derive(Clone)]
pub struct AppState {
    /// The repositories.
    pub store: Arc<dyn Repositories>,
    /// Settings.
    pub settings: Arc<WebSettings>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

/// Build the whole application: routes, middleware and state.
pub fn app(state: AppState) -> axum::Router {
    routes::build(state)
}
