//! The authorisation matrix extended to relationships: every route about one child or one
//! request, tried by a user holding each basis for the child (an agency record naming them,
//! an approved declaration, lead professional, an accepted team place, the child's locality,
//! break-glass) and by users with none (one of them with a declaration still waiting). A
//! server error is a failure, never "allowed".

use everychild_domain::person::ExtractRow;
use everychild_testkit::{Client, TestApp};
use everychild_web::route_list;

const POLICE: &str = "Leicestershire Police";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    AgencyRecord,
    Involved,
    Lead,
    Team,
    Locality,
    BreakGlass,
    Nothing,
    Pending,
}
use Basis::*;

/// Who may use each route, by basis. `None` for routes this matrix does not cover (they are
/// covered by the role matrix and their own tests).
fn allowed(method: &str, path: &str) -> Option<&'static [Basis]> {
    const SEE: &[Basis] = &[AgencyRecord, Involved, Lead, Team, Locality, BreakGlass];
    const WORK: &[Basis] = &[AgencyRecord, Involved, Lead, Team, Locality];
    const RUN: &[Basis] = &[Lead, Locality];
    Some(match (method, path) {
        ("GET", "/children/{id}" | "/api/v1/children/{id}") => SEE,
        ("GET", "/children/{id}/requests" | "/children/{id}/chronology" | "/requests/{id}") => SEE,
        ("GET", "/children/{id}/requests/new") => WORK,
        ("POST", "/children/{id}/flags" | "/children/{id}/relatives") => WORK,
        ("POST", "/children/{id}/requests") => WORK,
        ("POST", "/requests/{id}/lead" | "/requests/{id}/level" | "/requests/{id}/members") => RUN,
        ("GET", "/children/{id}/access-log") => &[],
        _ => return None,
    })
}

fn classify(status: u16) -> Result<bool, String> {
    match status {
        500..=599 => Err(format!("server error {status}")),
        403 | 404 => Ok(false),
        _ => Ok(true),
    }
}

async fn uid(app: &TestApp, who: &str) -> String {
    crate::requests::user_id(app, who).await
}

#[tokio::test]
async fn every_child_route_for_every_basis_and_none() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    // The police's extract names the officer: the child exists from it.
    app.import_extract(
        POLICE,
        &[ExtractRow {
            source_id: "P-1".into(),
            given_name: Some("Tomi".into()),
            family_name: Some("Bello".into()),
            date_of_birth: Some("2012-08-09".into()),
            postcode: Some("LE3 0SG".into()),
            nhs_number_verified: true,
            worker: Some("police.officer".into()),
            ..ExtractRow::default()
        }],
    )
    .await;
    let child = app
        .db
        .raw_i64("SELECT person_id FROM agency_records WHERE source_id = 'P-1'")
        .await;
    let (mut police, _) = app.signed_in("police.officer").await;
    let request = crate::requests::request_for(
        &mut police,
        child,
        &[
            ("concern", "Repeated calls to the home"),
            ("needs", "issue_domestic_abuse"),
        ],
    )
    .await;
    let (mut manager, _) = app.signed_in("manager.west").await;
    crate::requests::decide(
        &mut manager,
        request,
        "3",
        "early_help",
        "Several needs: a team around the child",
    )
    .await;
    let v = crate::requests::version(&mut manager, request).await;
    let yw = uid(&app, "youth.worker").await;
    let r = manager
        .post_form(
            &format!("/requests/{request}/lead"),
            &[("lead", &yw), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (mut lead, _) = app.signed_in("youth.worker").await;
    let fs = uid(&app, "family.support").await;
    lead.get(&format!("/requests/{request}")).await;
    let r = lead
        .post_form(
            &format!("/requests/{request}/members"),
            &[("member", &fs), ("team_role", "Family worker")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (mut team, _) = app.signed_in("family.support").await;
    crate::involve::accept_place(&mut team, request).await;
    let (mut nurse, _) = app.signed_in("school.nurse").await;
    crate::involve::declare_and_approve(&app, &mut nurse, child, "school_nurse", &mut lead).await;
    let (mut glass, _) = app.signed_in("social.worker").await;
    glass.get(&format!("/children/{child}")).await;
    let r = glass
        .post_form(
            &format!("/children/{child}/break-glass"),
            &[
                ("glass_reason", "A call about the child tonight"),
                ("minutes", "120"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (mut none, _) = app.signed_in("health.visitor").await;
    let (mut pending, _) = app.signed_in("housing.officer").await;
    let r = pending
        .post_form(
            &format!("/children/{child}/involvement"),
            &[
                ("role", "housing"),
                ("since", "2026-10-01"),
                ("reason", "The family's tenancy officer"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let mut users: Vec<(Basis, &mut Client)> = vec![
        (AgencyRecord, &mut police),
        (Involved, &mut nurse),
        (Lead, &mut lead),
        (Team, &mut team),
        (Locality, &mut manager),
        (BreakGlass, &mut glass),
        (Nothing, &mut none),
        (Pending, &mut pending),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut covered = 0;
    for route in route_list() {
        let Some(ok) = allowed(route.method, route.path) else {
            continue;
        };
        covered += 1;
        let path = route
            .path
            .replace("/children/{id}", &format!("/children/{child}"))
            .replace("/requests/{id}", &format!("/requests/{request}"));
        for (basis, c) in users.iter_mut() {
            // A page first, for the form's CSRF token.
            c.get("/account").await;
            let r = match route.method {
                "GET" => c.get(&path).await,
                _ => c.post_form(&path, &[]).await,
            };
            checked += 1;
            match classify(r.status) {
                Err(e) => failures.push(format!("{} {path} as {basis:?}: {e}", route.method)),
                Ok(got) if got != ok.contains(basis) => failures.push(format!(
                    "{} {path} as {basis:?}: {} (expected {})",
                    route.method,
                    r.status,
                    if ok.contains(basis) {
                        "allowed"
                    } else {
                        "refused"
                    }
                )),
                Ok(_) => {}
            }
        }
    }
    assert!(covered >= 12, "routes covered: {covered}");
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
