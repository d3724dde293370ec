//! The authorisation matrix: every route the router serves × every role (and the public),
//! with the outcome this table expects. A route the table does not name fails the test, so
//! adding a route means deciding here who may use it.

use everychild_domain::Role;
use everychild_testkit::{Client, TestApp};
use everychild_web::route_list;
use Role::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Only someone half-way through sign-in (never a signed-in user).
    PendingOnly,
    /// Only these roles.
    Roles(&'static [Role]),
}

const ADMIN: Rule = Rule::Roles(&[Administrator]);
const DPO: Rule = Rule::Roles(&[DataProtectionOfficer]);
const FRONT_LINE: Rule = Rule::Roles(&[Practitioner, LocalityManager]);
const AUDIT: Rule = Rule::Roles(&[Administrator, DataProtectionOfficer]);
const DIRECTORY: Rule = Rule::Roles(&[DirectoryEditor, Commissioner, Administrator]);
const APPROVERS: Rule = Rule::Roles(&[Commissioner, Administrator]);
const STAFF: Rule = Rule::Roles(&[
    Practitioner,
    LocalityManager,
    Commissioner,
    Analyst,
    Administrator,
    DataProtectionOfficer,
]);

fn rule(method: &str, path: &str) -> Rule {
    use Rule::*;
    match (method, path) {
        ("GET", "/health" | "/ready" | "/assets/{*path}" | "/" | "/sign-in" | "/api/v1/openapi.json") => Public,
        ("POST", "/sign-in") => Public,
        // Without an identity provider configured these answer 404 to everyone.
        ("GET", "/sign-in/oidc" | "/sign-in/oidc/callback") => Public,
        ("GET" | "POST", "/sign-in/second-factor" | "/sign-in/set-up-second-factor") => PendingOnly,
        ("POST", "/sign-out") => SignedIn,
        ("GET", "/account" | "/account/password" | "/account/second-factor") => SignedIn,
        ("POST", "/account/password" | "/account/second-factor" | "/account/second-factor/remove") => SignedIn,
        ("GET", "/staff" | "/staff/{id}") => STAFF,
        ("GET", "/admin/users" | "/admin/users/new" | "/admin/users/{id}" | "/admin/organisations" | "/admin/tokens") => ADMIN,
        ("POST", "/admin/users" | "/admin/organisations" | "/admin/tokens") => ADMIN,
        ("POST", "/admin/users/{id}/disable" | "/admin/users/{id}/enable" | "/admin/users/{id}/reset-password" | "/admin/users/{id}/reset-second-factor") => ADMIN,
        ("POST", "/admin/tokens/{id}/revoke") => ADMIN,
        ("POST", "/admin/users/{id}/resets/{reset}/approve") => ADMIN,
        ("POST", "/admin/users/{id}/identities" | "/admin/users/{id}/identities/{link}/remove") => ADMIN,
        ("GET", "/audit") => AUDIT,
        ("GET", "/api/v1/me" | "/api/v1/organisations") => SignedIn,
        ("GET", "/api/v1/users" | "/api/v1/users/{id}") => ADMIN,
        ("POST", "/api/v1/users" | "/api/v1/users/{id}/disable" | "/api/v1/users/{id}/enable") => ADMIN,
        ("GET", "/api/v1/staff" | "/api/v1/staff/{id}") => STAFF,
        ("GET", "/api/v1/audit/events") => AUDIT,
        ("GET", "/localities" | "/localities/{id}" | "/postcode") => Public,
        ("GET", "/children" | "/children/new") => FRONT_LINE,
        ("POST", "/children" | "/children/{id}/involvement" | "/children/{id}/break-glass") => FRONT_LINE,
        // The target user's id names no child: the front line are told it is not found.
        ("GET", "/children/{id}") => FRONT_LINE,
        ("POST", "/children/{id}/flags" | "/children/{id}/flags/{flag}/end" | "/children/{id}/relatives" | "/children/{id}/shield") => FRONT_LINE,
        ("GET", "/children/{id}/access-log" | "/break-glass") => DPO,
        ("POST", "/children/{id}/merge" | "/merges/{id}/undo" | "/merge-requests/{id}/{verdict}") => Rule::Roles(&[LocalityManager]),
        ("GET", "/reviews" | "/reviews/{id}") => Rule::Roles(&[LocalityManager]),
        ("POST", "/reviews/{id}") => Rule::Roles(&[LocalityManager]),
        // Requests for support: the target user's id names no child and no request, so the
        // front line are told it is not found; everyone else is refused before looking.
        ("GET", "/children/{id}/requests" | "/children/{id}/requests/new" | "/children/{id}/chronology" | "/requests/{id}") => FRONT_LINE,
        ("GET", "/requests/{id}/assessment") => FRONT_LINE,
        ("POST", "/requests/{id}/assessment" | "/requests/{id}/assessment/complete" | "/requests/{id}/assessment/share" | "/requests/{id}/consents") => FRONT_LINE,
        ("POST", "/children/{id}/requests" | "/requests/{id}/decide" | "/requests/{id}/lead" | "/requests/{id}/members" | "/requests/{id}/level" | "/requests/{id}/close" | "/requests/{id}/social-care" | "/requests/{id}/consents/{consent}/withdraw" | "/requests/{id}/meetings" | "/requests/{id}/actions" | "/requests/{id}/actions/{action}/done") => FRONT_LINE,
        ("GET", "/front-door") => Rule::Roles(&[LocalityManager]),
        // A locality and a panel the target id does not name: no manager runs it, so every
        // role is refused; the panel's scope is looked up by the front line first (404).
        ("GET" | "POST", "/localities/{id}/panel") => Rule::Roles(&[]),
        ("GET", "/panels/{id}") | ("POST", "/panels/{id}/items/{item}") => FRONT_LINE,
        ("POST", "/requests/{id}/panel") => FRONT_LINE,
        // Referrals to services: as the request's other forms (the front line are told the
        // request is not found; everyone else is refused before looking).
        ("GET", "/requests/{id}/referrals/new") => FRONT_LINE,
        ("POST", "/requests/{id}/referrals" | "/requests/{id}/referrals/{referral}") => FRONT_LINE,
        // A locality the manager does not work in: only those who see every locality's counts.
        ("GET", "/api/v1/localities/{id}/summary") => Rule::Roles(&[Commissioner, Analyst]),
        ("GET", "/localities/{id}/dashboard") => Rule::Roles(&[Commissioner, Analyst]),
        ("POST", "/break-glass/{id}/review") => DPO,
        // Declarations to decide are the front line's (the target id names no declaration: not
        // found); the data protection officer oversees them all. Places in teams around
        // children are answered by the front line (the target id names no place: not found).
        ("GET", "/involvements" | "/team-invitations") => FRONT_LINE,
        ("POST", "/involvements/{id}/decision" | "/requests/{id}/membership") => FRONT_LINE,
        ("GET", "/oversight/involvements") => DPO,
        ("GET", "/localities/{id}/teams") => STAFF,
        // Target user id as a locality id: no such locality, so only administrators (any
        // locality) pass; locality managers manage only their own.
        ("GET", "/localities/{id}/manage") => ADMIN,
        ("POST", "/localities/{id}/sites" | "/localities/{id}/teams" | "/localities/{id}/members" | "/localities/{id}/contacts") => ADMIN,
        // Teams around a school or cluster. The list is for the front line (the target id names
        // no locality: not found); creating one is for that locality's managers, and no manager
        // works in it, so every role is refused. A team the target id does not name: the front
        // line are told it is not found; everyone else is refused before looking.
        ("GET", "/localities/{id}/group-teams") => FRONT_LINE,
        ("POST", "/localities/{id}/group-teams") => Rule::Roles(&[]),
        ("GET", "/group-teams/{id}") => FRONT_LINE,
        ("POST", "/group-teams/{id}/members" | "/group-teams/{id}/members/{item}/remove" | "/group-teams/{id}/children" | "/group-teams/{id}/children/{item}/remove" | "/group-teams/{id}/meetings") => FRONT_LINE,
        ("GET", "/admin/boundary-sets" | "/admin/boundary-sets/new" | "/admin/boundary-sets/{id}") => ADMIN,
        ("POST", "/admin/boundary-sets" | "/admin/boundary-sets/{id}/make-current" | "/admin/localities") => ADMIN,
        ("GET", "/admin/authority") => ADMIN,
        ("POST", "/admin/authority/lead-rule" | "/admin/authority/age-phases" | "/admin/authority/schools") => ADMIN,
        ("GET", "/api/v1/localities" | "/api/v1/localities/{id}" | "/api/v1/postcodes/{postcode}" | "/api/v1/hubs" | "/api/v1/lead-locality") => Public,
        ("GET", "/api/v1/boundary-sets") => SignedIn,
        ("GET", "/api/v1/teams") => STAFF,
        ("GET", "/api/v1/children" | "/api/v1/children/{id}") => FRONT_LINE,
        // The published service directory and its Open Referral UK API are public.
        ("GET", "/find-support" | "/find-support/services/{id}") => Public,
        ("GET", "/api/openreferral" | "/api/openreferral/" | "/api/openreferral/services" | "/api/openreferral/services/{id}" | "/api/openreferral/service_at_locations" | "/api/openreferral/service_at_locations/{id}" | "/api/openreferral/taxonomies" | "/api/openreferral/taxonomies/{id}" | "/api/openreferral/taxonomy_terms" | "/api/openreferral/taxonomy_terms/{id}") => Public,
        // The directory's entries: editors (their own organisation's), commissioners and
        // administrators. The target id names no entry, so they are told it is not found (an
        // empty form is refused as invalid); everyone else is refused before anything is
        // looked up. Deciding and the providers are for approvers.
        ("GET", "/directory" | "/directory/entries/new" | "/directory/entries/{id}" | "/directory/entries/{id}/edit") => DIRECTORY,
        ("POST", "/directory/entries" | "/directory/entries/{id}" | "/directory/entries/{id}/status") => DIRECTORY,
        ("POST", "/directory/entries/{id}/decision") => APPROVERS,
        ("GET" | "POST", "/directory/organisations") => APPROVERS,
        _ => panic!("route {method} {path} is not in the authorisation matrix: add it to tests/it/matrix.rs"),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Denied,
    SignInFirst,
    /// A server error is never an answer the matrix expects: it fails the test.
    ServerError,
}

fn classify(status: u16, location: &str) -> Outcome {
    match status {
        500..=599 => Outcome::ServerError,
        401 => Outcome::SignInFirst,
        303 | 302 | 307 if location == "/sign-in" => Outcome::SignInFirst,
        403 => Outcome::Denied,
        _ => Outcome::Allowed,
    }
}

fn expected(rule: Rule, role: Option<Role>) -> Outcome {
    match (rule, role) {
        (Rule::Public, _) => Outcome::Allowed,
        (_, None) => Outcome::SignInFirst,
        (Rule::SignedIn, Some(_)) => Outcome::Allowed,
        (Rule::PendingOnly, Some(_)) => Outcome::Denied,
        (Rule::Roles(rs), Some(r)) => {
            if rs.contains(&r) {
                Outcome::Allowed
            } else {
                Outcome::Denied
            }
        }
    }
}

async fn request(c: &mut Client, method: &str, path: &str) -> (u16, String) {
    let r = match method {
        "GET" => c.get(path).await,
        "POST" if path.starts_with("/api/") => c.post_json(path, "{}").await,
        "POST" => c.post_form(path, &[]).await,
        m => panic!("method {m} not handled by the matrix"),
    };
    (r.status, r.location())
}

#[tokio::test]
async fn every_route_for_every_role_matches_the_matrix() {
    let app = TestApp::spawn().await;
    let target = app.user("target.user", "Target User", Practitioner).await;
    let routes = route_list();
    assert!(
        routes.len() >= 40,
        "the route list looks incomplete: {}",
        routes.len()
    );
    // Sign-out ends the session, so it goes last for each role.
    let mut ordered: Vec<_> = routes.iter().filter(|r| r.path != "/sign-out").collect();
    ordered.extend(routes.iter().filter(|r| r.path == "/sign-out"));

    let mut failures = Vec::new();
    let mut checked = 0;
    let mut roles: Vec<Option<Role>> = vec![None];
    roles.extend(Role::ALL.iter().copied().map(Some));
    for role in roles {
        let mut client = match role {
            None => app.client(),
            Some(r) => {
                let name = format!("matrix.{}", r.as_str());
                app.user(&name, &format!("Matrix {}", r.label()), r).await;
                app.signed_in(&name).await.0
            }
        };
        for route in &ordered {
            let path = route
                .path
                .replace("{id}", &target.0.to_string())
                .replace("{flag}", "1")
                .replace("{consent}", "1")
                .replace("{action}", "1")
                .replace("{item}", "1")
                .replace("{referral}", "1")
                .replace("{reset}", "1")
                .replace("{link}", "1")
                .replace("{verdict}", "approve")
                .replace("{*path}", "app.css");
            let want = expected(rule(route.method, route.path), role);
            let (status, location) = request(&mut client, route.method, &path).await;
            let got = classify(status, &location);
            checked += 1;
            if got != want {
                failures.push(format!(
                    "{:?} {} {}: expected {want:?}, got {got:?} ({status} {location})",
                    role.map(Role::as_str).unwrap_or("public"),
                    route.method,
                    path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, routes.len() * (Role::ALL.len() + 1));
}

#[test]
fn the_matrix_names_every_route() {
    for r in route_list() {
        let _ = rule(r.method, r.path);
    }
}
