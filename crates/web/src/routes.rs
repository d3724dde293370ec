//! Every route, registered through one builder that also records it, so the authorisation
//! matrix test can prove it covers every route the router serves.

use crate::context::{self, BODY_LIMIT};
use crate::pages::dashboard;
use crate::pages::referrals;
use crate::pages::{
    account, admin, assessment, audit, authority, boundaries, children, chronology,
    directory_admin, find_support, group_teams, home, involvements, localities, locality_admin,
    oidc, oversight, panels, requests, reviews, sign_in, staff,
};
use crate::{api, assets, AppState};
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post};
use axum::Router;

/// A route: method and path pattern as the router has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Path pattern, e.g. `/admin/users/{id}`.
    pub path: &'static str,
}

struct Builder {
    router: Router<AppState>,
    list: Vec<RouteInfo>,
}

impl Builder {
    fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.list.push(RouteInfo {
            method: "GET",
            path,
        });
        self.router = self.router.route(path, get(h));
        self
    }
    fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.list.push(RouteInfo {
            method: "POST",
            path,
        });
        self.router = self.router.route(path, post(h));
        self
    }
}

fn builder() -> Builder {
    Builder {
        router: Router::new(),
        list: Vec::new(),
    }
    // Operations
    .get("/health", api::health)
    .get("/ready", api::ready)
    .get("/assets/{*path}", assets::serve)
    // Sign-in
    .get("/", home::show)
    .get("/sign-in", sign_in::show)
    .post("/sign-in", sign_in::submit)
    .get("/sign-in/oidc", oidc::start)
    .get("/sign-in/oidc/callback", oidc::callback)
    .get("/sign-in/second-factor", sign_in::second_factor)
    .post("/sign-in/second-factor", sign_in::second_factor_submit)
    .get("/sign-in/set-up-second-factor", sign_in::enrol)
    .post("/sign-in/set-up-second-factor", sign_in::enrol_submit)
    .post("/sign-out", sign_in::sign_out)
    // Own account
    .get("/account", account::show)
    .get("/account/password", account::password)
    .post("/account/password", account::password_submit)
    .get("/account/second-factor", account::second_factor)
    .post("/account/second-factor", account::second_factor_submit)
    .post(
        "/account/second-factor/remove",
        account::second_factor_remove,
    )
    // Staff directory
    .get("/staff", staff::search)
    .get("/staff/{id}", staff::profile)
    // Children and the multi-agency index
    .get("/children", children::search)
    .post("/children", children::create)
    .get("/children/new", children::new)
    .get("/children/{id}", children::record)
    .post("/children/{id}/involvement", children::declare)
    .post("/children/{id}/break-glass", children::break_glass)
    .post("/children/{id}/flags", children::add_flag)
    .post("/children/{id}/flags/{flag}/end", children::end_flag)
    .post("/children/{id}/relatives", children::add_relative)
    .post("/children/{id}/shield", children::shield)
    .post("/children/{id}/merge", children::merge)
    .post("/merges/{id}/undo", children::unmerge)
    .post(
        "/merge-requests/{id}/{verdict}",
        children::decide_merge_request,
    )
    .get("/children/{id}/requests", requests::for_child)
    .get("/children/{id}/chronology", chronology::show)
    .post("/children/{id}/requests", requests::create)
    .get("/children/{id}/requests/new", requests::new)
    .get("/requests/{id}", requests::show)
    .post("/requests/{id}/decide", requests::decide_request)
    .post("/requests/{id}/lead", requests::lead)
    .post("/requests/{id}/meetings", requests::meeting)
    .post("/requests/{id}/actions", requests::action)
    .post(
        "/requests/{id}/actions/{action}/done",
        requests::action_done,
    )
    .post("/requests/{id}/members", requests::member)
    .post("/requests/{id}/level", requests::level)
    .post("/requests/{id}/close", requests::close)
    .post("/requests/{id}/social-care", requests::social_care)
    .post(
        "/requests/{id}/consents/{consent}/withdraw",
        requests::withdraw,
    )
    .get("/front-door", requests::front_door)
    .get("/localities/{id}/panel", panels::show)
    .post("/localities/{id}/panel", panels::create)
    .get("/panels/{id}", panels::agenda)
    .post("/panels/{id}/items/{item}", panels::decide)
    .post("/requests/{id}/panel", requests::refer_to_panel)
    .get("/requests/{id}/assessment", assessment::show)
    .post("/requests/{id}/assessment", assessment::save)
    .post("/requests/{id}/assessment/complete", assessment::complete)
    .post("/requests/{id}/assessment/share", assessment::share)
    .post("/requests/{id}/consents", assessment::consent)
    .get("/requests/{id}/referrals/new", referrals::new)
    .post("/requests/{id}/referrals", referrals::create)
    .post("/requests/{id}/referrals/{referral}", referrals::command)
    .get("/reviews", reviews::list)
    .get("/reviews/{id}", reviews::item)
    .post("/reviews/{id}", reviews::decide)
    .get("/children/{id}/access-log", oversight::access_log)
    .get("/break-glass", oversight::list)
    .get("/involvements", involvements::waiting)
    .post("/involvements/{id}/decision", involvements::decide)
    .get("/oversight/involvements", involvements::oversight)
    .get("/team-invitations", involvements::invitations)
    .post("/requests/{id}/membership", involvements::answer)
    .post("/break-glass/{id}/review", oversight::review)
    // Localities
    .get("/localities", localities::overview)
    .get("/localities/{id}", localities::profile)
    .get("/localities/{id}/teams", localities::teams)
    .get("/localities/{id}/dashboard", dashboard::show)
    .get("/localities/{id}/manage", locality_admin::show)
    .post("/localities/{id}/sites", locality_admin::add_site)
    .post("/localities/{id}/teams", locality_admin::create_team)
    .post("/localities/{id}/members", locality_admin::add_member)
    .post("/localities/{id}/contacts", locality_admin::set_contact)
    // Teams around a school or a cluster of schools
    .get("/localities/{id}/group-teams", group_teams::list)
    .post("/localities/{id}/group-teams", group_teams::create)
    .get("/group-teams/{id}", group_teams::show)
    .post("/group-teams/{id}/members", group_teams::add_member)
    .post(
        "/group-teams/{id}/members/{item}/remove",
        group_teams::remove_member,
    )
    .post("/group-teams/{id}/children", group_teams::add_child)
    .post(
        "/group-teams/{id}/children/{item}/remove",
        group_teams::remove_child,
    )
    .post("/group-teams/{id}/meetings", group_teams::meeting)
    .get("/postcode", localities::postcode)
    .get("/admin/boundary-sets", boundaries::list)
    .post("/admin/boundary-sets", boundaries::create)
    .get("/admin/boundary-sets/new", boundaries::new)
    .get("/admin/boundary-sets/{id}", boundaries::show)
    .post(
        "/admin/boundary-sets/{id}/make-current",
        boundaries::make_current,
    )
    .post("/admin/localities", boundaries::create_locality)
    .get("/admin/authority", authority::show)
    .post("/admin/authority/lead-rule", authority::lead_rule)
    .post("/admin/authority/age-phases", authority::age_phases)
    .post("/admin/authority/schools", authority::schools)
    // The service directory: public search, and its editors' and approvers' pages
    .get("/find-support", find_support::search)
    .get("/find-support/services/{id}", find_support::service)
    .get("/directory", directory_admin::list)
    .get("/directory/entries/new", directory_admin::new)
    .post("/directory/entries", directory_admin::create)
    .get("/directory/entries/{id}", directory_admin::show)
    .get("/directory/entries/{id}/edit", directory_admin::edit)
    .post("/directory/entries/{id}", directory_admin::save)
    .post("/directory/entries/{id}/status", directory_admin::status)
    .post(
        "/directory/entries/{id}/decision",
        directory_admin::decide_entry,
    )
    .get("/directory/organisations", directory_admin::organisations)
    .post(
        "/directory/organisations",
        directory_admin::create_organisation,
    )
    // Administration
    .get("/admin/users", admin::users)
    .post("/admin/users", admin::create_user)
    .get("/admin/users/new", admin::new_user)
    .get("/admin/users/{id}", admin::user)
    .post("/admin/users/{id}/disable", admin::disable)
    .post("/admin/users/{id}/enable", admin::enable)
    .post(
        "/admin/users/{id}/resets/{reset}/approve",
        admin::approve_reset,
    )
    .post("/admin/users/{id}/reset-password", admin::reset_password)
    .post("/admin/users/{id}/identities", admin::link_identity)
    .post(
        "/admin/users/{id}/identities/{link}/remove",
        admin::unlink_identity,
    )
    .post(
        "/admin/users/{id}/reset-second-factor",
        admin::reset_second_factor,
    )
    .get("/admin/organisations", admin::organisations)
    .post("/admin/organisations", admin::create_organisation)
    .get("/admin/tokens", admin::tokens)
    .post("/admin/tokens", admin::issue_token)
    .post("/admin/tokens/{id}/revoke", admin::revoke_token)
    .get("/audit", audit::show)
    // API
    .get("/api/v1/openapi.json", api::openapi)
    .get("/api/v1/me", api::me)
    .get("/api/v1/users", api::list_users)
    .post("/api/v1/users", api::create_user)
    .get("/api/v1/users/{id}", api::get_user)
    .post("/api/v1/users/{id}/disable", api::disable_user)
    .post("/api/v1/users/{id}/enable", api::enable_user)
    .get("/api/v1/staff", api::search_staff)
    .get("/api/v1/staff/{id}", api::staff_profile)
    .get("/api/v1/organisations", api::list_organisations)
    .get("/api/v1/audit/events", api::audit_events)
    .get("/api/v1/localities", api::localities::list_localities)
    .get("/api/v1/localities/{id}", api::localities::get_locality)
    .get("/api/v1/localities/{id}/summary", api::localities::summary)
    .get("/api/v1/boundary-sets", api::localities::list_boundary_sets)
    .get("/api/v1/postcodes/{postcode}", api::localities::postcode)
    .get("/api/v1/hubs", api::localities::list_hubs)
    .get("/api/v1/teams", api::localities::list_teams)
    .get("/api/v1/lead-locality", api::localities::lead)
    .get("/api/v1/children", api::children::search)
    .get("/api/v1/children/{id}", api::children::record)
    // Open Referral UK 3.0 (public, read-only)
    .get("/api/openreferral", api::openreferral::about)
    .get("/api/openreferral/", api::openreferral::about)
    .get("/api/openreferral/services", api::openreferral::services)
    .get(
        "/api/openreferral/services/{id}",
        api::openreferral::service,
    )
    .get(
        "/api/openreferral/service_at_locations",
        api::openreferral::service_at_locations,
    )
    .get(
        "/api/openreferral/service_at_locations/{id}",
        api::openreferral::service_at_location,
    )
    .get(
        "/api/openreferral/taxonomies",
        api::openreferral::taxonomies,
    )
    .get(
        "/api/openreferral/taxonomies/{id}",
        api::openreferral::taxonomy,
    )
    .get(
        "/api/openreferral/taxonomy_terms",
        api::openreferral::taxonomy_terms,
    )
    .get(
        "/api/openreferral/taxonomy_terms/{id}",
        api::openreferral::taxonomy_term,
    )
}

/// Every route the application serves.
pub fn route_list() -> Vec<RouteInfo> {
    builder().list
}

pub(crate) fn build(state: AppState) -> Router {
    builder()
        .router
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::layer,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}
