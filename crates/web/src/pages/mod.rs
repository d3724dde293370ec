//! Pages: thin handlers that ask the policy, call the store and render a template.

pub mod account;
pub mod admin;
pub mod assessment;
pub mod audit;
pub mod authority;
pub mod boundaries;
pub mod children;
pub mod chronology;
pub mod dashboard;
pub mod directory_admin;
pub mod errors;
pub mod find_support;
pub mod group_teams;
pub mod home;
pub mod involvements;
pub mod localities;
pub mod locality_admin;
pub mod oidc;
pub mod oversight;
pub mod panels;
pub mod referrals;
pub mod requests;
pub mod reviews;
pub mod sign_in;
pub mod staff;

use crate::error::{AppError, PageError};
use crate::{AppState, Ctx};
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use everychild_policy::{decide, Action, Decision, Principal, Target};

/// One item in the service navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Link.
    pub href: &'static str,
    /// Text.
    pub text: &'static str,
    /// Whether this is the current section.
    pub current: bool,
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Page title (before " – everychild").
    pub title: String,
    /// Prefix the title with "Error: ".
    pub has_errors: bool,
    /// CSP nonce.
    pub nonce: String,
    /// CSRF token for forms.
    pub csrf: String,
    /// Authority name in the service navigation.
    pub authority: String,
    /// Navigation allowed to this user.
    pub nav: Vec<NavItem>,
    /// "Name (Role, Organisation)" when signed in.
    pub who: Option<String>,
    /// The demonstration runs with the second factor switched off (a banner says so).
    pub second_factor_off: bool,
}

impl Chrome {
    /// Layout data for `ctx`, with `current` the href of the section the page belongs to.
    pub fn new(st: &AppState, ctx: &Ctx, title: impl Into<String>, current: &str) -> Self {
        let mut nav = Vec::new();
        let mut add = |href: &'static str, text: &'static str| {
            nav.push(NavItem {
                href,
                text,
                current: href == current,
            })
        };
        let can = |action| decide(&ctx.principal, action, &Target::None) == Decision::Allow;
        if !matches!(ctx.principal, Principal::User(_)) {
            add("/find-support", "Find support");
            add("/localities", "Localities");
            add("/postcode", "Find your locality");
        }
        let who = match &ctx.principal {
            Principal::User(a) => {
                add("/", "Home");
                add("/localities", "Localities");
                add("/find-support", "Find support");
                if directory_admin::can_manage_directory(&ctx.principal) {
                    add("/directory", "Service directory");
                }
                if can(Action::SearchChildren) {
                    add("/children", "Children");
                }
                if a.role == everychild_domain::Role::LocalityManager && !a.localities.is_empty() {
                    add("/front-door", "Front door");
                }
                if can(Action::ReviewLinks) {
                    add("/reviews", "Records to review");
                }
                if can(Action::SearchStaff) {
                    add("/staff", "Staff directory");
                }
                if can(Action::ListUsers) {
                    add("/admin/users", "Users");
                }
                if can(Action::ManageOrganisations) {
                    add("/admin/organisations", "Organisations");
                }
                if can(Action::ManageApiTokens) {
                    add("/admin/tokens", "API tokens");
                }
                if can(Action::ReadAudit) {
                    add("/audit", "Audit log");
                }
                if can(Action::ReviewBreakGlass) {
                    add("/break-glass", "Emergency access");
                }
                if can(Action::OverseeAccess) {
                    add("/oversight/involvements", "Declared involvements");
                }
                if can(Action::ManageBoundarySets) {
                    add("/admin/boundary-sets", "Boundaries");
                }
                if can(Action::ConfigureAuthority) {
                    add("/admin/authority", "Authority");
                }
                add("/account", "Your account");
                Some(format!(
                    "{} ({}, {})",
                    a.display_name,
                    a.role.label(),
                    a.organisation_name
                ))
            }
            Principal::Pending(p) => Some(p.username.clone()),
            _ => None,
        };
        Self {
            title: title.into(),
            has_errors: false,
            nonce: ctx.nonce.clone(),
            csrf: ctx.csrf_token.clone(),
            authority: st.settings.authority_name.clone(),
            nav,
            who,
            second_factor_off: st.settings.demo_second_factor_off,
        }
    }

    /// Mark the page as showing errors.
    pub fn errors(mut self, has: bool) -> Self {
        self.has_errors = has;
        self
    }
}

/// Render a template as a page.
pub fn render<T: Template>(t: &T) -> Result<Response, PageError> {
    t.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| PageError(AppError::Internal(e.to_string())))
}

/// Render with a status (for forms re-shown with errors).
pub fn render_status<T: Template>(
    status: axum::http::StatusCode,
    t: &T,
) -> Result<Response, PageError> {
    render(t).map(|r| (status, r).into_response())
}
