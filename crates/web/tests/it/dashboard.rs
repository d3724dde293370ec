//! The locality dashboard over HTTP: casework built through the pages (requests, front-door
//! decisions, lead professionals, referrals to the demo directory's services, a full service's
//! waiting list, a panel) gives exact counts by age phase and level, unmet need, asked /
//! offered / received, stuck cases and their trend, in the page's tables and the summary API,
//! naming no child. Only the locality's managers, commissioners and analysts see it. The stuck
//! rule is the deployment's setting.

use super::requests::{count, user_id, version};
use everychild_domain::casework::referral::{check_eligibility, ChildFacts};
use everychild_domain::casework::{Level, Need};
use everychild_domain::directory::search::Published;
use everychild_domain::directory::Capacity;
use everychild_policy::{authorize, Principal, Target};
use everychild_store::{CaseRules, DirectoryImport, DirectoryRepo, ImportedService};
use everychild_testkit::{Client, TestApp};
use serde_json::json;

const YOUNGER: &str = "2015-05-05";
const OLDER: &str = "2010-03-03";

/// Register a child in West with this date of birth, as the teacher.
async fn child(teacher: &mut Client, born: &str) -> i64 {
    super::requests::register(teacher, ("Amara", "Okafor"), born, "LE3 0SG").await
}

/// A request from the teacher for a new child; `asked`: the service asked for.
async fn request(app: &TestApp, born: &str, needs: &[Need], asked: &str) -> i64 {
    let (mut teacher, _) = app.signed_in("teacher").await;
    let c = child(&mut teacher, born).await;
    let mut fields = vec![
        (
            "concern",
            "Tired and hungry; mum is struggling in the mornings",
        ),
        ("consent", "share"),
        ("consent", "refer"),
        ("consent_given_by", "The child's mother"),
        ("service_asked", asked),
    ];
    fields.extend(needs.iter().map(|n| ("needs", n.as_str())));
    let r = teacher
        .post_form(&format!("/children/{c}/requests"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/requests/")
        .parse()
        .unwrap()
}

/// West's manager decides `level` with a referral to a service and makes the health visitor
/// lead professional.
async fn decide(app: &TestApp, id: i64, level: &str) {
    let (mut west, _) = app.signed_in("manager.west").await;
    let v = version(&mut west, id).await;
    let r = west
        .post_form(
            &format!("/requests/{id}/decide"),
            &[
                ("level", level),
                ("route", "service"),
                ("rationale", "A service can meet the needs"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let hv = user_id(app, "health.visitor").await;
    let v = version(&mut west, id).await;
    let r = west
        .post_form(
            &format!("/requests/{id}/lead"),
            &[("lead", &hv), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// The rows of the table with this id, as text with single spaces.
fn rows(body: &str, id: &str) -> Vec<String> {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id} in {body}"));
    let table = &body[start..];
    let table = &table[..table.find("</table>").unwrap()];
    table
        .split("<tr")
        .skip(1)
        .map(|row| {
            let row = &row[row.find('>').unwrap() + 1..];
            let mut text = String::new();
            let mut in_tag = false;
            for ch in row.chars() {
                match ch {
                    '<' => {
                        in_tag = true;
                        text.push(' ');
                    }
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.replace("&amp;", "&")
                .replace("&#39;", "'")
                .replace("&#34;", "\"")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

async fn locality_of(app: &TestApp, request: i64) -> i64 {
    count(
        app,
        &format!("SELECT locality_id FROM support_requests WHERE id = {request}"),
    )
    .await
}

/// Services in the demo directory the child of this (level 2, West, 0-12) request is
/// eligible for, with places and nothing to confirm, each with a name of its own.
async fn eligible_services(app: &TestApp, locality: i64, needs: &[Need]) -> Vec<Published> {
    let p = authorize(&Principal::Anonymous, Target::None, None).unwrap();
    let idx = app.store.directory_index(&p).await.unwrap();
    let today = time::Date::parse(
        &app.clock_today(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    let facts = ChildFacts::of_request(
        Some(YOUNGER),
        today,
        Some(Level::Targeted),
        Some(locality),
        needs.to_vec(),
    );
    idx.all()
        .filter(|e| {
            let c = check_eligibility(&e.service, &e.extras, &facts, |l| format!("locality {l}"));
            c.eligible()
                && c.to_confirm.is_empty()
                && e.extras.capacity.as_ref().is_none_or(|c| c.available > 0.0)
                && idx
                    .all()
                    .filter(|o| o.service.name == e.service.name)
                    .count()
                    == 1
        })
        .cloned()
        .collect()
}

/// The health visitor refers the request to a service for a need; returns the status the
/// referral starts in.
async fn refer(hv: &mut Client, request: i64, service: &str, need: Need) -> String {
    let r = hv
        .post_form(
            &format!("/requests/{request}/referrals"),
            &[("service", service), ("need", need.as_str())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .rsplit("referral-")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The health visitor records `command` (offer, start) on the request's latest referral.
async fn referral_command(app: &TestApp, hv: &mut Client, request: i64, command: &str) {
    let id = count(
        app,
        &format!("SELECT MAX(id) FROM service_referrals WHERE request_id = {request}"),
    )
    .await;
    let v = count(
        app,
        &format!("SELECT version FROM service_referrals WHERE id = {id}"),
    )
    .await
    .to_string();
    let r = hv
        .post_form(
            &format!("/requests/{request}/referrals/{id}"),
            &[("command", command), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{command}: {}", r.body);
}

#[tokio::test]
async fn the_dashboard_counts_open_work_unmet_need_waiting_lists_and_stuck_cases_naming_no_child() {
    let (app, _) = TestApp::spawn_demo().await;
    let needs = [Need::Health, Need::BasicCare];

    // Eight weeks and a day ago: a 16-year-old at level 3. Nothing has happened since.
    let older = request(&app, OLDER, &[Need::Learning], "").await;
    decide(&app, older, "3").await;
    let l = locality_of(&app, older).await;
    app.clock.advance(time::Duration::weeks(5));

    // Three weeks and a day ago: two 11-year-olds at level 2, and one not decided yet.
    let a = request(&app, YOUNGER, &needs, "A breakfast club").await;
    decide(&app, a, "2").await;
    let b = request(&app, YOUNGER, &needs, "").await;
    decide(&app, b, "2").await;
    let _undecided = request(&app, YOUNGER, &[Need::Isolation], "").await;
    assert_eq!(locality_of(&app, a).await, l);

    // Referrals: one service is full (A waits), A receives another for health, B is offered
    // a third for health.
    let services = eligible_services(&app, l, &needs).await;
    assert!(
        services.len() >= 3,
        "the demo directory has services for the child"
    );
    let full = services[0].clone();
    let mut extras = full.extras.clone();
    extras.capacity = Some(Capacity {
        id: "0f0e0d0c-0b0a-4909-8807-060504030201".into(),
        unit: "Places".into(),
        available: 0.0,
        maximum: Some(12.0),
        description: None,
        updated: "2026-12-01T00:00:00Z".into(),
    });
    let console = authorize(&Principal::Console, Target::None, Some("test set-up")).unwrap();
    app.store
        .import_directory(
            &console,
            &DirectoryImport {
                source: "test".into(),
                services: vec![ImportedService {
                    service: full.service.clone(),
                    extras: Some(extras),
                    review_by: None,
                }],
                ..DirectoryImport::default()
            },
        )
        .await
        .unwrap();
    let (mut hv, _) = app.signed_in("health.visitor").await;
    assert_eq!(
        refer(&mut hv, a, &full.service.id, Need::BasicCare).await,
        "waiting"
    );
    refer(&mut hv, a, &services[1].service.id, Need::Health).await;
    referral_command(&app, &mut hv, a, "offer").await;
    referral_command(&app, &mut hv, a, "start").await;
    refer(&mut hv, b, &services[2].service.id, Need::Health).await;
    referral_command(&app, &mut hv, b, "offer").await;

    // Now: the older child's case is stuck; a panel's agenda records it.
    app.clock
        .advance(time::Duration::weeks(3) + time::Duration::days(1));
    let (mut west, _) = app.signed_in("manager.west").await;
    let today = app.clock_today();
    let r = west
        .post_form(&format!("/localities/{l}/panel"), &[("meets_on", &today)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The page: headline figures, each chart an image with a name, each table its numbers.
    let path = format!("/localities/{l}/dashboard");
    let page = west.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for id in [
        "open-work",
        "unmet-need",
        "asked-offered-received",
        "stuck-trend",
    ] {
        assert!(
            page.body.contains(&format!(
                r#"role="img" aria-labelledby="{id}-title {id}-desc""#
            )),
            "{id}"
        );
        assert!(page.body.contains(&format!(r#"<title id="{id}-title">"#)));
    }
    let charts = &page.body[page.body.find("<figure class=\"ec-chart\">").unwrap()
        ..page.body.rfind("</figure>").unwrap()];
    assert!(!charts.contains("<script"), "no script draws the charts");
    assert!(!page.body.contains("Amara") && !page.body.contains("Okafor"));
    assert_eq!(
        rows(&page.body, "open-work-figures"),
        [
            "Age phase Level 1 Level 2 Level 3 Level 4 Not decided All",
            "0-12 0 2 0 0 1 3",
            "13-19 0 0 1 0 0 1",
            "13-19: ages 20 to 25 with special educational needs and disabilities 0 0 0 0 0 0",
            "Other ages, or date of birth not known 0 0 0 0 0 0",
        ]
    );
    assert_eq!(
        rows(&page.body, "unmet-need-figures"),
        [
            "Need Requests with it Offered Received Unmet",
            "Basic care, safety and protection 2 0 0 2",
            "Health 2 2 1 1",
            "Learning and education 1 0 0 1",
            "Isolation 1 0 0 1",
        ]
    );
    assert_eq!(
        rows(&page.body, "asked-offered-received-figures"),
        [
            "Requests Number",
            "Requests made 4",
            "Asked for a service 1",
            "Offered a place by a service 2",
            "Received a service 1",
        ]
    );
    assert_eq!(
        rows(&page.body, "stuck-trend-figures"),
        ["Panel meets Stuck cases".to_owned(), format!("{today} 1")]
    );
    assert_eq!(
        rows(&page.body, "waiting-lists"),
        [
            "Service Waiting Longest wait (days)".to_owned(),
            format!("{} 1 22", full.service.name),
        ]
    );
    assert!(page.body.contains("Stuck now: <strong>1</strong>"));
    assert!(page.body.contains("no progress for 8 weeks"));

    // The API gives the same figures.
    let s = west.get(&format!("/api/v1/localities/{l}/summary")).await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert!(!s.body.contains("Amara") && !s.body.contains("Okafor"));
    let j = s.json();
    assert_eq!(j["stuck"], 1);
    assert_eq!(j["open_by_level"], json!([0, 2, 1, 0]));
    assert_eq!(
        j["rules"],
        json!({"stuck_weeks": 8, "no_lead_days": 14, "alert_agencies": 2, "alert_days": 7})
    );
    assert_eq!(
        j["open_by_phase"],
        json!([
            {"phase": "0-12", "kind": "phase", "min_age": 0, "max_age": 12, "by_level": [0, 2, 0, 0], "not_decided": 1},
            {"phase": "13-19", "kind": "phase", "min_age": 13, "max_age": 19, "by_level": [0, 0, 1, 0], "not_decided": 0},
            {"phase": "13-19: ages 20 to 25 with special educational needs and disabilities", "kind": "send_extension", "min_age": 20, "max_age": 25, "by_level": [0, 0, 0, 0], "not_decided": 0},
            {"phase": "Other ages, or date of birth not known", "kind": "other", "min_age": null, "max_age": null, "by_level": [0, 0, 0, 0], "not_decided": 0},
        ])
    );
    assert_eq!(
        j["waiting_lists"],
        json!([{"entry_id": full.service.id, "service_name": full.service.name, "waiting": 1, "longest_wait_days": 22}])
    );
    assert_eq!(
        j["need_met"][0],
        json!({"need": "parent_care", "requests": 2, "offered": 0, "received": 0, "unmet": 2})
    );
    assert_eq!(
        j["need_met"][1],
        json!({"need": "dev_health", "requests": 2, "offered": 2, "received": 1, "unmet": 1})
    );
    assert_eq!(j["need_met"].as_array().unwrap().len(), 4);
    assert_eq!(
        j["asked_offered_received"],
        json!({"requests": 4, "asked": 1, "offered": 2, "received": 1})
    );
    assert_eq!(
        j["stuck_trend"],
        json!([{"meets_on": today, "stuck_count": 1}])
    );

    // Commissioners and analysts see it too; a practitioner and another locality's manager
    // do not, and nobody sees a locality that does not exist.
    for who in ["commissioner", "analyst"] {
        let (mut c, _) = app.signed_in(who).await;
        assert_eq!(c.get(&path).await.status, 200, "{who}");
        assert_eq!(c.get("/localities/999999/dashboard").await.status, 404);
        assert_eq!(c.get("/api/v1/localities/999999/summary").await.status, 404);
    }
    for who in ["health.visitor", "teacher", "manager.central"] {
        let (mut c, _) = app.signed_in(who).await;
        assert_eq!(c.get(&path).await.status, 403, "{who}");
        assert_eq!(
            c.get(&format!("/api/v1/localities/{l}/summary"))
                .await
                .status,
            403,
            "{who}"
        );
        let profile = c.get(&format!("/localities/{l}")).await;
        assert!(
            !profile.body.contains(&path),
            "{who} is not offered the link"
        );
    }
    let mut anonymous = Client::new(&app.base);
    let r = anonymous.get(&path).await;
    assert!(r.status == 303 || r.status == 401, "{}", r.status);

    // The way in: the front door and the locality's profile, for those allowed.
    assert!(west.get("/front-door").await.body.contains(&path));
    assert!(west
        .get(&format!("/localities/{l}"))
        .await
        .body
        .contains(&path));
    let (mut analyst, _) = app.signed_in("analyst").await;
    assert!(analyst
        .get(&format!("/localities/{l}"))
        .await
        .body
        .contains(&path));
}

/// A case decided for a service, with a lead, then left: stuck or not after two weeks and a
/// day, under these rules.
async fn stuck_after_two_weeks(rules: Option<CaseRules>) -> (i64, String, String) {
    let (app, _) = match rules {
        Some(r) => TestApp::spawn_demo_with_rules(0, r).await,
        None => TestApp::spawn_demo_with(0).await,
    };
    let id = request(&app, YOUNGER, &[Need::Health], "").await;
    decide(&app, id, "2").await;
    let l = locality_of(&app, id).await;
    app.clock
        .advance(time::Duration::weeks(2) + time::Duration::days(1));
    let (mut west, _) = app.signed_in("manager.west").await;
    let j = west
        .get(&format!("/api/v1/localities/{l}/summary"))
        .await
        .json();
    assert_eq!(
        j["rules"]["stuck_weeks"],
        rules.unwrap_or_default().stuck_weeks
    );
    let panel = west.get(&format!("/localities/{l}/panel")).await.body;
    let dashboard = west.get(&format!("/localities/{l}/dashboard")).await.body;
    (j["stuck"].as_i64().unwrap(), panel, dashboard)
}

#[tokio::test]
async fn the_stuck_rule_is_the_deployments_setting() {
    let two = CaseRules::new(2, 14, 2, 7).unwrap();
    let (stuck, panel, dashboard) = stuck_after_two_weeks(Some(two)).await;
    assert_eq!(stuck, 1, "stuck after two weeks when the rule says two");
    assert!(panel.contains("No progress for 2 weeks"), "{panel}");
    assert!(panel.contains("no progress for 2 weeks, or early help"));
    assert!(dashboard.contains("Stuck now: <strong>1</strong>"));
    assert!(dashboard.contains("no progress for 2 weeks"));

    let (stuck, panel, dashboard) = stuck_after_two_weeks(None).await;
    assert_eq!(
        stuck, 0,
        "not stuck after two weeks by the default of eight"
    );
    assert!(panel.contains("Nothing is proposed"), "{panel}");
    assert!(panel.contains("no progress for 8 weeks, or early help"));
    assert!(dashboard.contains("Stuck now: <strong>0</strong>"));
}
