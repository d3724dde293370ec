//! Referrals from a request for support to services in the demo's Leicester directory: a
//! teacher asks for support, West's front door decides on a referral to a service and appoints
//! the health visitor as lead, who searches the directory from the request, sees whether the
//! child is eligible for each service, and refers. Without the family's consent to referral
//! nothing is sent; a child the service's rules leave out is referred only with a reason, kept
//! with every reason they were not eligible; a service with no places puts children on its
//! waiting list in order; each change of a referral is checked against its status and version;
//! only the lead professional (or the locality manager) refers; everything is audited.

use super::requests::{count, decide, register_child, request_for, user_id, version};
use everychild_domain::casework::referral::{check_eligibility, ChildFacts};
use everychild_domain::casework::{Level, Need};
use everychild_domain::directory::search::{DirectoryIndex, Published};
use everychild_domain::directory::{Capacity, Catchment};
use everychild_policy::{authorize, Principal, Target};
use everychild_store::{DirectoryImport, DirectoryRepo, ImportedService};
use everychild_testkit::{Client, Resp, TestApp};
use std::sync::Arc;

const NEEDS: [Need; 2] = [Need::Health, Need::BasicCare];

/// A request for a child in West (born 2015-05-05), decided at level 2 for a referral to a
/// service, with the health visitor as lead professional. `refer`: whether the family agreed
/// to referral when the request was made. Returns (request, lead's client, manager's client).
async fn service_request(app: &TestApp, refer: bool) -> (i64, Client, Client) {
    let (mut teacher, _) = app.signed_in("teacher").await;
    let child = register_child(&mut teacher, "LE3 0SG").await;
    let mut fields = vec![
        (
            "concern",
            "Tired and hungry; mum is struggling in the mornings",
        ),
        ("needs", NEEDS[0].as_str()),
        ("needs", NEEDS[1].as_str()),
        ("consent", "share"),
        ("consent_given_by", "Ruby's mother"),
    ];
    if refer {
        fields.push(("consent", "refer"));
    }
    let id = request_for(&mut teacher, child, &fields).await;
    let (mut west, _) = app.signed_in("manager.west").await;
    decide(
        &mut west,
        id,
        "2",
        "service",
        "A breakfast club and parenting support",
    )
    .await;
    let hv_id = user_id(app, "health.visitor").await;
    let v = version(&mut west, id).await;
    let r = west
        .post_form(
            &format!("/requests/{id}/lead"),
            &[("lead", &hv_id), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (hv, _) = app.signed_in("health.visitor").await;
    (id, hv, west)
}

async fn index(app: &TestApp) -> Arc<DirectoryIndex> {
    let p = authorize(&Principal::Anonymous, Target::None, None).unwrap();
    app.store.directory_index(&p).await.unwrap()
}

/// What the request records about its child, as the store works it out.
async fn facts(app: &TestApp, request: i64) -> ChildFacts {
    let locality = count(
        app,
        &format!("SELECT locality_id FROM support_requests WHERE id = {request}"),
    )
    .await;
    let today = time::Date::parse(
        &app.clock_today(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    ChildFacts::of_request(
        Some("2015-05-05"),
        today,
        Some(Level::Targeted),
        Some(locality),
        NEEDS.to_vec(),
    )
}

fn name(l: i64) -> String {
    format!("locality {l}")
}

/// Services the child is eligible for with nothing to confirm and places free, each with a
/// name no other service has.
fn eligible<'a>(idx: &'a DirectoryIndex, f: &ChildFacts) -> Vec<&'a Published> {
    idx.all()
        .filter(|e| {
            let c = check_eligibility(&e.service, &e.extras, f, name);
            c.eligible()
                && c.to_confirm.is_empty()
                && e.extras.capacity.as_ref().is_none_or(|c| c.available > 0.0)
                && idx
                    .all()
                    .filter(|o| o.service.name == e.service.name)
                    .count()
                    == 1
        })
        .collect()
}

/// A service whose rules leave the child out for exactly one reason, starting `why`.
fn ineligible<'a>(idx: &'a DirectoryIndex, f: &ChildFacts, why: &str) -> &'a Published {
    idx.all()
        .find(|e| {
            let c = check_eligibility(&e.service, &e.extras, f, name);
            c.not_eligible.len() == 1 && c.not_eligible[0].starts_with(why)
        })
        .unwrap_or_else(|| {
            panic!("the demo directory has a service that leaves the child out: {why}")
        })
}

/// Refer the request's child to a service for a need.
async fn refer(c: &mut Client, request: i64, service: &str, need: &str) -> Resp {
    c.post_form(
        &format!("/requests/{request}/referrals"),
        &[("service", service), ("need", need)],
    )
    .await
}

/// Text as the pages write it.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn latest_referral(app: &TestApp, request: i64) -> (i64, String) {
    let id = count(
        app,
        &format!("SELECT MAX(id) FROM service_referrals WHERE request_id = {request}"),
    )
    .await;
    let v = count(
        app,
        &format!("SELECT version FROM service_referrals WHERE id = {id}"),
    )
    .await;
    (id, v.to_string())
}

async fn events(app: &TestApp, action: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'"),
    )
    .await
}

#[tokio::test]
async fn a_child_is_referred_with_consent_to_a_service_and_the_referral_runs_its_course() {
    let (app, _) = TestApp::spawn_demo().await;
    let (id, mut hv, mut west) = service_request(&app, false).await;
    let idx = index(&app).await;
    let f = facts(&app, id).await;
    let ok = eligible(&idx, &f);
    assert!(
        ok.len() >= 3,
        "the demo directory has services for the child"
    );
    let (first, second, third) = (&ok[0].service, &ok[1].service, &ok[2].service);

    // Only those who may run the request refer: not the teacher who asked, nor a stranger.
    let (mut teacher, _) = app.signed_in("teacher").await;
    let (mut nurse, _) = app.signed_in("school.nurse").await;
    for c in [&mut teacher, &mut nurse] {
        let r = c.get(&format!("/requests/{id}/referrals/new")).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = c
            .post_form(
                &format!("/requests/{id}/referrals"),
                &[("service", &first.id), ("need", "dev_health")],
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    let page = teacher.get(&format!("/requests/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Referrals to services") && !page.body.contains("Refer to a service")
    );

    // The lead professional sees the way in, and is told consent to referral is missing.
    let page = hv.get(&format!("/requests/{id}")).await;
    assert!(page.body.contains("No referrals yet"), "{}", page.body);
    assert!(page
        .body
        .contains(&format!("href=\"/requests/{id}/referrals/new\"")));
    let page = hv.get(&format!("/requests/{id}/referrals/new")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("The family has not agreed to referral"));

    // Searching shows each service with the child's eligibility, places and waiting time.
    let q = serde_urlencoded::to_string([("q", first.name.as_str())]).unwrap();
    let page = hv.get(&format!("/requests/{id}/referrals/new?{q}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let shown = escaped(&first.name);
    assert!(page.body.contains(&shown), "{}", page.body);
    assert!(page.body.contains("Eligible") && page.body.contains("Waiting time"));
    let r = hv
        .get(&format!(
            "/requests/{id}/referrals/new?category=no-such-term"
        ))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose a kind of support from the list"));
    let q = serde_urlencoded::to_string([("service", first.id.as_str())]).unwrap();
    let page = hv.get(&format!("/requests/{id}/referrals/new?{q}")).await;
    assert!(page.body.contains("Refer to this service"), "{}", page.body);
    assert!(
        !page.body.contains("override_reason"),
        "an eligible child needs no override"
    );

    // Without consent to referral, nothing is sent.
    let r = refer(&mut hv, id, &first.id, "dev_health").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body
            .contains("Record the family&#39;s consent to referral on the request first"),
        "{}",
        r.body
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM service_referrals").await,
        0
    );

    // The lead records the family's consent; bad input is named and changes nothing.
    let r = hv
        .post_form(
            &format!("/requests/{id}/consents"),
            &[("purpose", "refer"), ("consent_given_by", "Ruby's mother")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = refer(&mut hv, id, &first.id, "").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose the need this referral is for"));
    let r = refer(&mut hv, id, "", "dev_health").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose a service to refer to"));
    let r = refer(&mut hv, id, &first.id, "group_travelling").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r
        .body
        .contains("Choose one of the needs the request records"));
    let r = refer(&mut hv, id, "no-such-service", "dev_health").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("not published in the directory now"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM service_referrals").await,
        0
    );

    // Referred: the request shows it with its need and what can happen next.
    let r = refer(&mut hv, id, &first.id, "dev_health").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("/requests/{id}?done=referral-referred")
    );
    let page = hv.get(&r.location()).await;
    assert!(page.body.contains("The referral has been made"));
    assert!(page.body.contains(&shown) && page.body.contains("Referred"));
    assert!(
        page.body.contains("The service offered a place")
            && !page.body.contains("The service has started")
    );
    let (rid, v1) = latest_referral(&app, id).await;
    assert_eq!(
        app.db
            .raw_text(&format!("SELECT status || ' ' || need || ' ' || entry_id FROM service_referrals WHERE id = {rid}"))
            .await,
        format!("referred dev_health {}", first.id)
    );
    assert_eq!(events(&app, "request.referral").await, 1);
    let detail = app
        .db
        .raw_text("SELECT detail FROM audit_events WHERE action = 'request.referral'")
        .await;
    assert!(
        detail.contains("\"override\":false") && detail.contains(&first.id),
        "{detail}"
    );

    // Each change is checked against the referral's status and version.
    let cmd = |rid: i64| format!("/requests/{id}/referrals/{rid}");
    let r = hv
        .post_form(&cmd(rid), &[("command", "start"), ("version", &v1)])
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains(
        "A referral that is referred cannot be started. From there it can be: offer, decline, withdraw"
    ), "{}", r.body);
    let r = hv
        .post_form(&cmd(rid), &[("command", "offer"), ("version", &v1)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/requests/{id}?done=referral-offer"));
    let r = hv
        .post_form(&cmd(rid), &[("command", "offer"), ("version", &v1)])
        .await;
    assert_eq!(r.status, 409, "a stale form is refused");
    assert!(r.body.contains("Someone else changed this referral"));
    let (_, v2) = latest_referral(&app, id).await;
    let r = hv
        .post_form(&cmd(rid), &[("command", "start"), ("version", &v2)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, v3) = latest_referral(&app, id).await;
    let r = hv
        .post_form(&cmd(rid), &[("command", "end"), ("version", &v3)])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose how things are for the child now"));
    let r = hv
        .post_form(&cmd(rid), &[("command", "fly"), ("version", &v3)])
        .await;
    assert_eq!(r.status, 400);
    let r = hv
        .post_form(
            &cmd(rid),
            &[("command", "end"), ("version", &v3), ("outcome", "better")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, v4) = latest_referral(&app, id).await;
    let r = hv
        .post_form(
            &cmd(rid),
            &[
                ("command", "withdraw"),
                ("version", &v4),
                ("reason", "Moved"),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(
        r.body
            .contains("From there it can be: nothing (it is finished)"),
        "{}",
        r.body
    );
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM service_referrals WHERE id = {rid} AND status = 'ended' AND outcome = 'better' AND offered_at IS NOT NULL AND started_at IS NOT NULL AND closed_at IS NOT NULL AND version = 4")).await,
        1
    );
    // A referral of another request, or none at all, is not found.
    let r = hv
        .post_form(&cmd(rid + 1000), &[("command", "offer"), ("version", "1")])
        .await;
    assert_eq!(r.status, 404);

    // A second service declines (with its reason); a third referral is withdrawn. The locality
    // manager may step in too.
    for (svc, who, command, why) in [
        (
            second,
            &mut hv,
            "decline",
            "No places for children outside the school",
        ),
        (
            third,
            &mut west,
            "withdraw",
            "The family chose a service nearer home",
        ),
    ] {
        let r = refer(who, id, &svc.id, "parent_care").await;
        assert_eq!(r.status, 303, "{}", r.body);
        let (rid, v) = latest_referral(&app, id).await;
        let r = who
            .post_form(
                &cmd(rid),
                &[("command", command), ("version", &v), ("reason", " ")],
            )
            .await;
        assert_eq!(r.status, 400);
        assert!(r.body.contains("Give the reason"), "{}", r.body);
        assert!(r
            .body
            .contains(&format!("id=\"referral-{rid}-{command}-reason\"")));
        let r = who
            .post_form(
                &cmd(rid),
                &[("command", command), ("version", &v), ("reason", why)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = who.get(&format!("/requests/{id}")).await;
        assert!(page.body.contains(why));
    }
    let page = hv.get(&format!("/requests/{id}")).await;
    for text in ["Declined by the service", "Withdrawn", "Ended", "Better"] {
        assert!(page.body.contains(text), "{text}");
    }
    for (action, n) in [
        ("request.referral", 3),
        ("request.referral.offer", 1),
        ("request.referral.start", 1),
        ("request.referral.end", 1),
        ("request.referral.decline", 1),
        ("request.referral.withdraw", 1),
    ] {
        assert_eq!(events(&app, action).await, n, "{action}");
    }
}

#[tokio::test]
async fn a_child_the_rules_leave_out_is_referred_only_with_a_reason_kept_with_the_reasons() {
    let (app, _) = TestApp::spawn_demo().await;
    let (id, mut hv, _) = service_request(&app, true).await;
    let idx = index(&app).await;
    let f = facts(&app, id).await;
    let too_old = ineligible(&idx, &f, "The child is 11; the service is for ");
    let elsewhere = ineligible(&idx, &f, "The family lives in ");
    let before = app.audit_count().await;

    // The search and the chosen service say why; the override is asked for.
    let q = serde_urlencoded::to_string([("service", too_old.service.id.as_str())]).unwrap();
    let page = hv.get(&format!("/requests/{id}/referrals/new?{q}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Not eligible")
            && page.body.contains("The child is 11; the service is for")
    );
    assert!(page.body.contains("name=\"override_reason\""));

    for (svc, says) in [
        (too_old, "The child is 11; the service is for"),
        (
            elsewhere,
            "The family lives in West Leicester; the service takes families from",
        ),
    ] {
        let r = hv
            .post_form(
                &format!("/requests/{id}/referrals"),
                &[("service", &svc.service.id), ("need", "dev_health")],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM service_referrals").await,
        0
    );
    let long = "x".repeat(501);
    let r = hv
        .post_form(
            &format!("/requests/{id}/referrals"),
            &[
                ("service", &too_old.service.id),
                ("need", "dev_health"),
                ("override_reason", &long),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("Give the reason in 500 characters or fewer"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM service_referrals").await,
        0
    );

    // With a reason it is referred, and both the reasons and the override are kept and shown.
    let why = "Her older brother goes there and the provider agreed to take her too";
    let r = hv
        .post_form(
            &format!("/requests/{id}/referrals"),
            &[
                ("service", &too_old.service.id),
                ("need", "dev_health"),
                ("override_reason", why),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (rid, _) = latest_referral(&app, id).await;
    let kept = app
        .db
        .raw_text(&format!(
            "SELECT not_eligible || ' | ' || override_reason FROM service_referrals WHERE id = {rid}"
        ))
        .await;
    assert!(
        kept.contains("The child is 11") && kept.ends_with(why),
        "{kept}"
    );
    let page = hv.get(&format!("/requests/{id}")).await;
    assert!(
        page.body
            .contains("Referred although the service's rules leave the child out"),
        "{}",
        page.body
    );
    assert!(page.body.contains(why));
    let detail = app
        .db
        .raw_text("SELECT detail FROM audit_events WHERE action = 'request.referral'")
        .await;
    assert!(detail.contains("\"override\":true"), "{detail}");
    assert!(app.audit_count().await > before);
}

#[tokio::test]
async fn a_service_with_no_places_puts_children_on_its_waiting_list_in_order() {
    let (app, _) = TestApp::spawn_demo().await;
    let (first, mut hv1, _) = service_request(&app, true).await;
    let (second, mut hv2, _) = service_request(&app, true).await;
    let idx = index(&app).await;
    let f = facts(&app, first).await;
    let svc = eligible(&idx, &f)[0].clone();

    // The service is full: imported again with no places.
    let mut extras = svc.extras.clone();
    extras.capacity = Some(Capacity {
        id: "0f0e0d0c-0b0a-4909-8807-060504030201".into(),
        unit: "Places".into(),
        available: 0.0,
        maximum: Some(12.0),
        description: None,
        updated: "2026-12-01T00:00:00Z".into(),
    });
    assert!(matches!(
        extras.catchment,
        Catchment::CityWide | Catchment::Localities(_)
    ));
    let p = authorize(&Principal::Console, Target::None, Some("test set-up")).unwrap();
    let report = app
        .store
        .import_directory(
            &p,
            &DirectoryImport {
                source: "test".into(),
                services: vec![ImportedService {
                    service: svc.service.clone(),
                    extras: Some(extras),
                    review_by: None,
                }],
                ..DirectoryImport::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.changed, vec![svc.service.id.clone()]);
    let q = serde_urlencoded::to_string([("service", svc.service.id.as_str())]).unwrap();
    let page = hv1
        .get(&format!("/requests/{first}/referrals/new?{q}"))
        .await;
    assert!(page.body.contains("No places now"), "{}", page.body);

    for (request, hv, place) in [(first, &mut hv1, 1), (second, &mut hv2, 2)] {
        let r = hv
            .post_form(
                &format!("/requests/{request}/referrals"),
                &[("service", &svc.service.id), ("need", "parent_care")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(
            r.location(),
            format!("/requests/{request}?done=referral-waiting")
        );
        let page = hv.get(&r.location()).await;
        assert!(page.body.contains("the child is on its waiting list"));
        assert!(page.body.contains("On the waiting list"));
        assert!(
            page.body
                .contains(&format!("Number {place} on the service's waiting list")),
            "{place}: {}",
            page.body
        );
    }
    // The first child is offered a place: the second moves up.
    let (rid, v) = latest_referral(&app, first).await;
    let r = hv1
        .post_form(
            &format!("/requests/{first}/referrals/{rid}"),
            &[("command", "offer"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = hv2.get(&format!("/requests/{second}")).await;
    assert!(page.body.contains("Number 1 on the service's waiting list"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM service_referrals WHERE status = 'waiting'"
        )
        .await,
        1
    );
}
