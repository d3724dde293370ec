//! Access to a child's record is earned, never declared: a declaration opens nothing until
//! someone accountable for the child approves it; approvals lapse; an agency's own extract
//! opens a record only for the worker or team it names; a place in a team around the child
//! opens it once accepted; break-glass reads once a day without review.

use crate::involve::{accept_place, declare_and_approve};
use everychild_domain::person::ExtractRow;
use everychild_testkit::{Client, TestApp};

const HEALTH: &str = "City Community Health Services (NHS)";

/// A child the teacher registers in West; returns the id.
async fn child(teacher: &mut Client, given: &str) -> i64 {
    crate::requests::register(teacher, (given, "Okafor"), "2016-03-04", "LE3 0SG").await
}

async fn declare(c: &mut Client, child: i64, role: &str) -> u16 {
    c.post_form(
        &format!("/children/{child}/involvement"),
        &[
            ("role", role),
            ("since", "2026-10-01"),
            ("reason", "I have worked with this family for a while"),
        ],
    )
    .await
    .status
}

async fn pending_id(app: &TestApp, child: i64, username: &str) -> i64 {
    app.db
        .raw_i64(&format!(
            "SELECT MAX(i.id) FROM involvements i JOIN users u ON u.id = i.practitioner_id \
             WHERE i.child_id = {child} AND u.username = '{username}' AND i.status = 'pending'"
        ))
        .await
}

/// The probe anyone can run: a practitioner declares involvement with three children they
/// have no basis for, and none of the records opens, by page or by API.
#[tokio::test]
async fn declaring_involvement_with_three_children_opens_none_of_them() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let mut ids = Vec::new();
    for given in ["Ada", "Bo", "Cy"] {
        ids.push(child(&mut teacher, given).await);
    }
    let (mut hv, _) = app.signed_in("health.visitor").await;
    for &id in &ids {
        assert_eq!(declare(&mut hv, id, "health_visitor").await, 303);
        let page = hv.get(&format!("/children/{id}")).await;
        assert_eq!(page.status, 403, "the page stays closed");
        assert!(page.body.contains("Waiting for approval"));
        assert!(!page.body.contains("Okafor") && !page.body.contains("LE3 0SG"));
        let api = hv.get(&format!("/api/v1/children/{id}")).await;
        assert!(matches!(api.status, 403 | 404), "API: {}", api.status);
        assert!(!api.body.contains("Okafor"));
        for sub in ["requests", "chronology", "requests/new"] {
            let r = hv.get(&format!("/children/{id}/{sub}")).await;
            assert!(
                !r.body.contains("Okafor") && r.status != 200,
                "{sub}: {}",
                r.status
            );
        }
        // A second declaration while one waits is refused, naming why.
        let r = hv
            .post_form(
                &format!("/children/{id}/involvement"),
                &[
                    ("role", "health_visitor"),
                    ("since", "2026-10-01"),
                    ("reason", "Asking again in case it helps"),
                ],
            )
            .await;
        assert_eq!(r.status, 400);
        assert!(r.body.contains("wait for the decision"), "{}", r.body);
    }
    // Search shows the children but offers no way in.
    let r = hv.get("/children?name=Ada+Okafor&purpose=known").await;
    assert!(!r.body.contains("Open the record"), "{}", r.body);
    // Each declaration is in the child's access log and on the DPO's oversight page.
    let (mut dpo, _) = app.signed_in("dpo").await;
    for &id in &ids {
        let log = dpo.get(&format!("/children/{id}/access-log")).await;
        assert!(log.body.contains("child.declare_involvement"), "{id}");
    }
    let page = dpo.get("/oversight/involvements").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("Waiting</strong>").count(),
        3,
        "{}",
        page.body
    );
    assert!(page.body.contains("I have worked with this family"));
}

#[tokio::test]
async fn who_may_decide_a_declaration_and_who_may_not() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = child(&mut teacher, "Dee").await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    let (mut nurse, _) = app.signed_in("school.nurse").await;
    assert_eq!(declare(&mut hv, id, "health_visitor").await, 303);
    let inv = pending_id(&app, id, "health.visitor").await;
    // The declarer cannot approve their own; a colleague with no basis cannot either; nor
    // can the back office.
    for c in [&mut hv, &mut nurse] {
        c.get("/involvements").await;
        let r = c
            .post_form(
                &format!("/involvements/{inv}/decision"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    for who in ["admin", "dpo", "analyst"] {
        let (mut c, _) = app.signed_in(who).await;
        c.get("/account").await;
        let r = c
            .post_form(
                &format!("/involvements/{inv}/decision"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(r.status, 403, "{who}");
    }
    // A colleague on break-glass cannot approve it either.
    nurse.get(&format!("/children/{id}")).await;
    let r = nurse
        .post_form(
            &format!("/children/{id}/break-glass"),
            &[
                ("glass_reason", "A call about the child tonight"),
                ("minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = nurse
        .post_form(
            &format!("/involvements/{inv}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, 403, "break-glass is no ground to approve");
    assert_eq!(hv.get(&format!("/children/{id}")).await.status, 403);
    // The locality's manager may refuse it; a refusal needs a reason, and says why.
    let (mut manager, _) = app.signed_in("manager.west").await;
    let list = manager.get("/involvements").await;
    assert!(list.body.contains("Dee Okafor"), "{}", list.body);
    let r = manager
        .post_form(
            &format!("/involvements/{inv}/decision"),
            &[("decision", "refuse"), ("note", "no")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("Explain in at least 10 characters why you refuse"));
    let r = manager
        .post_form(
            &format!("/involvements/{inv}/decision"),
            &[
                ("decision", "refuse"),
                ("note", "Not known to our health visiting team"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/involvements?done=refused");
    let page = hv.get(&format!("/children/{id}")).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Not known to our health visiting team"));
    // Decided once only.
    let r = manager
        .post_form(
            &format!("/involvements/{inv}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(hv.get(&format!("/children/{id}")).await.status, 403);
    // Asked again, the manager approves: the record opens, and the decision is audited
    // against the child.
    assert_eq!(declare(&mut hv, id, "health_visitor").await, 303);
    let inv2 = pending_id(&app, id, "health.visitor").await;
    let r = manager
        .post_form(
            &format!("/involvements/{inv2}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.location(), "/involvements?done=approved");
    assert_eq!(hv.get(&format!("/children/{id}")).await.status, 200);
    let (mut dpo, _) = app.signed_in("dpo").await;
    let log = dpo.get(&format!("/children/{id}/access-log")).await;
    for action in [
        "child.declare_involvement",
        "child.involvement_refused",
        "child.involvement_approved",
        "child.break_glass",
    ] {
        assert!(log.body.contains(action), "{action}");
    }
    let page = dpo.get("/oversight/involvements").await;
    assert!(page.body.contains("Approved") && page.body.contains("Refused"));
    assert!(page.body.contains("manager of the child&#39;s locality"));
}

#[tokio::test]
async fn an_approval_lapses_after_the_authoritys_months_and_is_renewed_by_asking_again() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = child(&mut teacher, "Eve").await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    declare_and_approve(&app, &mut hv, id, "health_visitor", &mut teacher).await;
    assert_eq!(hv.get(&format!("/children/{id}")).await.status, 200);
    let expires = app
        .db
        .raw_text(&format!(
            "SELECT expires_on FROM involvements WHERE child_id = {id} AND basis = 'declared'"
        ))
        .await;
    let today = app.clock_today();
    assert_eq!(
        &expires[5..],
        &today[5..],
        "a year to the day: {expires} {today}"
    );
    // A year and a day later, neither the declaration nor the registration opens the record.
    app.clock.advance(time::Duration::days(366));
    let (mut hv, _) = app.signed_in("health.visitor").await;
    assert_eq!(hv.get(&format!("/children/{id}")).await.status, 403);
    let (mut teacher, _) = app.signed_in("teacher").await;
    assert_eq!(teacher.get(&format!("/children/{id}")).await.status, 403);
    // The locality's manager renews the health visitor's by approving a new declaration.
    let (mut manager, _) = app.signed_in("manager.west").await;
    declare_and_approve(&app, &mut hv, id, "health_visitor", &mut manager).await;
    assert_eq!(hv.get(&format!("/children/{id}")).await.status, 200);
}

#[tokio::test]
async fn a_line_manager_approves_for_their_organisations_own_caseload_only() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let known = child(&mut teacher, "Fay").await;
    let unknown = child(&mut teacher, "Gus").await;
    // Health's extract lists Fay (naming nobody), not Gus.
    app.import_extract(
        HEALTH,
        &[ExtractRow {
            source_id: "H-FAY".into(),
            given_name: Some("Fay".into()),
            family_name: Some("Okafor".into()),
            date_of_birth: Some("2016-03-04".into()),
            postcode: Some("LE3 0SG".into()),
            address: Some("9 Rowan Close".into()),
            nhs_number_verified: true,
            ..ExtractRow::default()
        }],
    )
    .await;
    let fay = app
        .db
        .raw_i64("SELECT person_id FROM agency_records WHERE source_id = 'H-FAY'")
        .await;
    assert_eq!(fay, known, "linked to the child the teacher registered");
    // The school nurse's line manager is the health visitor (same organisation).
    app.db
        .raw(
            "UPDATE users SET line_manager_id = (SELECT id FROM users WHERE username = 'health.visitor') \
             WHERE username = 'school.nurse'",
        )
        .await;
    let (mut nurse, _) = app.signed_in("school.nurse").await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    // The extract names no worker: it opens the record for nobody by itself.
    assert_eq!(hv.get(&format!("/children/{known}")).await.status, 403);
    for id in [known, unknown] {
        assert_eq!(declare(&mut nurse, id, "school_nurse").await, 303);
    }
    let list = hv.get("/involvements").await;
    assert!(
        list.body.contains("Fay Okafor") && !list.body.contains("Gus Okafor"),
        "{}",
        list.body
    );
    let on_known = pending_id(&app, known, "school.nurse").await;
    let on_unknown = pending_id(&app, unknown, "school.nurse").await;
    let r = hv
        .post_form(
            &format!("/involvements/{on_unknown}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, 403, "not on the organisation's caseload");
    let r = hv
        .post_form(
            &format!("/involvements/{on_known}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(nurse.get(&format!("/children/{known}")).await.status, 200);
    assert_eq!(nurse.get(&format!("/children/{unknown}")).await.status, 403);
    let ground = app
        .db
        .raw_text(&format!(
            "SELECT decision_ground FROM involvements WHERE id = {on_known}"
        ))
        .await;
    assert_eq!(ground, "line_manager");
}

#[tokio::test]
async fn an_agency_extract_opens_a_record_for_the_worker_or_team_it_names_only() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    app.db
        .raw("UPDATE users SET team = 'Health visiting West' WHERE username = 'school.nurse'")
        .await;
    let row = |id: &str, given: &str, worker: Option<&str>, team: Option<&str>| ExtractRow {
        source_id: id.into(),
        given_name: Some(given.into()),
        family_name: Some("Adeyemi".into()),
        date_of_birth: Some("2019-05-06".into()),
        postcode: Some("LE3 0SG".into()),
        nhs_number_verified: true,
        worker: worker.map(str::to_owned),
        team: team.map(str::to_owned),
        ..ExtractRow::default()
    };
    app.import_extract(
        HEALTH,
        &[
            row("H-1", "Ife", Some("Health.Visitor"), None),
            row("H-2", "Kemi", None, Some("health visiting west")),
            row("H-3", "Lola", None, None),
        ],
    )
    .await;
    let id = |src: &str| {
        let sql = format!("SELECT person_id FROM agency_records WHERE source_id = '{src}'");
        let db = &app.db;
        async move { db.raw_i64(&sql).await }
    };
    let (ife, kemi, lola) = (id("H-1").await, id("H-2").await, id("H-3").await);
    let (mut hv, _) = app.signed_in("health.visitor").await;
    let (mut nurse, _) = app.signed_in("school.nurse").await;
    let (mut police, _) = app.signed_in("police.officer").await;
    let page = hv.get(&format!("/children/{ife}")).await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("your organisation&#39;s records name you or your team"));
    assert_eq!(hv.get(&format!("/children/{kemi}")).await.status, 403);
    assert_eq!(
        nurse.get(&format!("/children/{kemi}")).await.status,
        200,
        "the team"
    );
    assert_eq!(nurse.get(&format!("/children/{ife}")).await.status, 403);
    for c in [&mut hv, &mut nurse] {
        assert_eq!(
            c.get(&format!("/children/{lola}")).await.status,
            403,
            "names nobody"
        );
    }
    assert_eq!(
        police.get(&format!("/children/{ife}")).await.status,
        403,
        "another agency"
    );
    // Twelve months on the extract's word lapses; the next extract renews it.
    app.clock.advance(time::Duration::days(370));
    let (mut hv, _) = app.signed_in("health.visitor").await;
    assert_eq!(hv.get(&format!("/children/{ife}")).await.status, 403);
    app.import_extract(HEALTH, &[row("H-1", "Ife", Some("Health.Visitor"), None)])
        .await;
    assert_eq!(hv.get(&format!("/children/{ife}")).await.status, 200);
}

#[tokio::test]
async fn a_place_in_a_team_around_the_child_opens_the_record_once_accepted_and_can_be_declined() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = child(&mut teacher, "Mo").await;
    let request = crate::requests::request_for(
        &mut teacher,
        id,
        &[
            ("concern", "Tired and hungry most mornings"),
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
    let hv_id = crate::requests::user_id(&app, "health.visitor").await;
    let v = crate::requests::version(&mut manager, request).await;
    let r = manager
        .post_form(
            &format!("/requests/{request}/lead"),
            &[("lead", &hv_id), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The lead adds two members; one accepts, one declines.
    let (mut leader, _) = app.signed_in("health.visitor").await;
    for who in ["youth.worker", "family.support"] {
        let uid = crate::requests::user_id(&app, who).await;
        leader.get(&format!("/requests/{request}")).await;
        let r = leader
            .post_form(
                &format!("/requests/{request}/members"),
                &[("member", &uid), ("team_role", "Support for Mo")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let (mut yw, _) = app.signed_in("youth.worker").await;
    let (mut fs, _) = app.signed_in("family.support").await;
    for c in [&mut yw, &mut fs] {
        assert_eq!(
            c.get(&format!("/children/{id}")).await.status,
            403,
            "not yet accepted"
        );
    }
    accept_place(&mut yw, request).await;
    assert_eq!(yw.get(&format!("/children/{id}")).await.status, 200);
    fs.get("/team-invitations").await;
    let r = fs
        .post_form(
            &format!("/requests/{request}/membership"),
            &[("answer", "decline")],
        )
        .await;
    assert_eq!(r.location(), "/team-invitations?done=declined");
    assert_eq!(fs.get(&format!("/children/{id}")).await.status, 403);
    // Nothing left to answer: a second answer is refused and changes nothing.
    let r = fs
        .post_form(
            &format!("/requests/{request}/membership"),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(fs.get(&format!("/children/{id}")).await.status, 403);
}

#[tokio::test]
async fn break_glass_reads_only_and_once_a_day_without_review() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = child(&mut teacher, "Noor").await;
    let (mut sw, _) = app.signed_in("social.worker").await;
    sw.get(&format!("/children/{id}")).await;
    let r = sw
        .post_form(
            &format!("/children/{id}/break-glass"),
            &[
                ("glass_reason", "Police report of a child alone tonight"),
                ("minutes", "240"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "at most two hours");
    let r = sw
        .post_form(
            &format!("/children/{id}/break-glass"),
            &[
                ("glass_reason", "Police report of a child alone tonight"),
                ("minutes", "60"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        sw.get(&format!("/children/{id}")).await.status,
        200,
        "it reads"
    );
    let r = sw
        .post_form(
            &format!("/children/{id}/flags"),
            &[("flag", "young_carer"), ("flag_since", "2026-10-02")],
        )
        .await;
    assert_eq!(r.status, 403, "it never changes the record");
    assert_eq!(
        app.db
            .raw_i64(&format!(
                "SELECT COUNT(*) FROM person_flags WHERE person_id = {id}"
            ))
            .await,
        0
    );
    // Once it has lapsed, a second use the same day is refused until the DPO reviews.
    app.clock.advance(time::Duration::minutes(61));
    let (mut sw, _) = app.signed_in("social.worker").await;
    sw.get(&format!("/children/{id}")).await;
    let r = sw
        .post_form(
            &format!("/children/{id}/break-glass"),
            &[
                ("glass_reason", "Another call about the child"),
                ("minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("the data protection officer must review it"),
        "{}",
        r.body
    );
    // The DPO sees it waiting at once; the reason is theirs, not in the audit log.
    let (mut dpo, _) = app.signed_in("dpo").await;
    let page = dpo.get("/break-glass").await;
    assert!(page.body.contains("Police report of a child alone tonight"));
    let detail = app
        .db
        .raw_text("SELECT detail FROM audit_events WHERE action = 'child.break_glass'")
        .await;
    assert!(!detail.contains("Police report"), "{detail}");
    let bg = app.db.raw_i64("SELECT id FROM break_glass").await;
    dpo.post_form(
        &format!("/break-glass/{bg}/review"),
        &[("outcome", "appropriate")],
    )
    .await;
    let r = sw
        .post_form(
            &format!("/children/{id}/break-glass"),
            &[
                ("glass_reason", "Another call about the child"),
                ("minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "reviewed: allowed again");
}

/// The search results for `query` as (id, score) pairs, in order.
async fn hits(c: &mut Client, query: &str) -> Vec<(i64, String)> {
    let r = c
        .get(&format!("/api/v1/children?purpose=known&{query}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_i64().unwrap(), h["score"].to_string()))
        .collect()
}

#[tokio::test]
async fn shielding_holds_in_search_order_relatives_merges_and_the_review_page() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    // A second West postcode.
    let west_pc = app
        .db
        .raw_text(
            "SELECT pc.postcode FROM postcodes pc JOIN boundary_set_wards bw ON bw.ward_code = pc.ward_code \
             JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
             JOIN localities l ON l.id = bw.locality_id WHERE l.name = 'West Leicester' \
             AND pc.postcode <> 'LE3 0SG' ORDER BY pc.postcode LIMIT 1",
        )
        .await;
    let hidden =
        crate::requests::register(&mut teacher, ("Zara", "Quinn"), "2015-02-03", "LE3 0SG").await;
    let other =
        crate::requests::register(&mut teacher, ("Zara", "Quinn"), "2015-02-03", &west_pc).await;
    // A relative with a phone number, then the child is shielded.
    teacher.get(&format!("/children/{hidden}")).await;
    let r = teacher
        .post_form(
            &format!("/children/{hidden}/relatives"),
            &[
                ("rel_given_name", "Rita"),
                ("rel_family_name", "Quinn"),
                ("rel_kind", "mother"),
                ("rel_phone", "07700 900123"),
                ("rel_household", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(teacher
        .get(&format!("/children/{hidden}"))
        .await
        .body
        .contains("07700 900123"));
    let r = teacher
        .post_form(&format!("/children/{hidden}/shield"), &[])
        .await;
    assert_eq!(r.status, 303);
    let page = teacher.get(&format!("/children/{hidden}")).await;
    assert!(
        page.body.contains("Rita") && !page.body.contains("07700 900123"),
        "relatives' contacts hidden"
    );
    // Trying postcodes one by one says nothing: the same hits, scores and order whichever
    // postcode is typed.
    let (mut hv, _) = app.signed_in("health.visitor").await;
    let with_true = hits(&mut hv, "name=Zara+Quinn&postcode=LE3+0SG").await;
    let with_other = hits(&mut hv, "name=Zara+Quinn&postcode=LE1+1AA").await;
    assert_eq!(with_true.len(), 2);
    let hidden_true = with_true.iter().find(|h| h.0 == hidden).cloned();
    let hidden_other = with_other.iter().find(|h| h.0 == hidden).cloned();
    assert_eq!(
        hidden_true, hidden_other,
        "the shielded child's score ignores its postcode"
    );
    // The unshielded child still ranks by its postcode.
    let top = hits(
        &mut hv,
        &format!("name=Zara+Quinn&postcode={}", west_pc.replace(' ', "+")),
    )
    .await;
    assert_eq!(top[0].0, other);
    // Merging the shielded record into the unshielded one keeps the survivor shielded.
    let (mut manager, _) = app.signed_in("manager.west").await;
    manager.get(&format!("/children/{other}")).await;
    let r = manager
        .post_form(
            &format!("/children/{other}/merge"),
            &[
                ("other", &hidden.to_string()),
                ("merge_reason", "The same child registered twice"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = manager.get(&format!("/children/{other}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("shielded")
            && !page.body.contains("LE3 0SG")
            && !page.body.contains(&west_pc),
        "{}",
        page.body
    );
    let api = manager.get(&format!("/api/v1/children/{other}")).await;
    assert!(
        !api.body.contains("LE3 0SG")
            && !api.body.contains(&west_pc)
            && !api.body.contains("07700"),
        "{}",
        api.body
    );
}

#[tokio::test]
async fn merges_and_the_review_queue_stay_in_the_reviewers_scope() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    // A West child the central manager has no basis for, and a Central child.
    let west =
        crate::requests::register(&mut teacher, ("Omar", "Said"), "2014-01-01", "LE3 0SG").await;
    let (mut central, _) = app.signed_in("manager.central").await;
    let central_pc = app
        .db
        .raw_text(
            "SELECT pc.postcode FROM postcodes pc JOIN boundary_set_wards bw ON bw.ward_code = pc.ward_code \
             JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
             JOIN localities l ON l.id = bw.locality_id WHERE l.name = 'Central Leicester' \
             ORDER BY pc.postcode LIMIT 1",
        )
        .await;
    let mine =
        crate::requests::register(&mut teacher, ("Omar", "Said"), "2013-06-06", &central_pc).await;
    assert_eq!(central.get(&format!("/children/{mine}")).await.status, 200);
    assert_eq!(central.get(&format!("/children/{west}")).await.status, 403);
    // Merging the West child into one of theirs would open it: refused, nothing changes.
    let r = central
        .post_form(
            &format!("/children/{mine}/merge"),
            &[
                ("other", &west.to_string()),
                ("merge_reason", "The same boy registered twice"),
            ],
        )
        .await;
    assert_ne!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.db
            .raw_i64("SELECT COUNT(*) FROM persons WHERE root_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(central.get(&format!("/children/{west}")).await.status, 403);
    // West's manager may merge two West records; Central's may not undo it.
    let (mut west_manager, _) = app.signed_in("manager.west").await;
    let west2 =
        crate::requests::register(&mut teacher, ("Omar", "Saeed"), "2014-01-01", "LE3 0SG").await;
    let r = west_manager
        .post_form(
            &format!("/children/{west}/merge"),
            &[
                ("other", &west2.to_string()),
                ("merge_reason", "The same boy registered twice"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let merge = app.db.raw_i64("SELECT id FROM person_merges").await;
    central.get("/reviews").await;
    let r = central
        .post_form(
            &format!("/merges/{merge}/undo"),
            &[("child", &west.to_string())],
        )
        .await;
    assert_ne!(r.status, 303);
    assert_eq!(
        app.db
            .raw_i64("SELECT COUNT(*) FROM person_merges WHERE undone_at IS NULL")
            .await,
        1
    );
}

/// Merging records that live in different localities takes two people: the first asks, the
/// merge waits (nothing changes), the asker cannot approve it, and a second reviewer with
/// the same scope approves (merging in that transaction) or refuses.
#[tokio::test]
async fn merges_across_localities_wait_for_a_second_reviewer() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    // Both managers review both West and Central.
    app.db
        .raw(
            "INSERT INTO user_localities (user_id, locality_id) \
             SELECT u.id, l.id FROM users u, localities l \
             WHERE u.username IN ('manager.west', 'manager.central') \
             AND l.name IN ('West Leicester', 'Central Leicester') \
             AND NOT EXISTS (SELECT 1 FROM user_localities x WHERE x.user_id = u.id AND x.locality_id = l.id)",
        )
        .await;
    let central_pc = app
        .db
        .raw_text(
            "SELECT pc.postcode FROM postcodes pc JOIN boundary_set_wards bw ON bw.ward_code = pc.ward_code \
             JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
             JOIN localities l ON l.id = bw.locality_id WHERE l.name = 'Central Leicester' \
             ORDER BY pc.postcode LIMIT 1",
        )
        .await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let west =
        crate::requests::register(&mut teacher, ("Nia", "Bello"), "2015-02-02", "LE3 0SG").await;
    let central =
        crate::requests::register(&mut teacher, ("Nia", "Bello"), "2015-02-02", &central_pc).await;
    let (mut first, _) = app.signed_in("manager.west").await;
    let (mut second, _) = app.signed_in("manager.central").await;
    assert_eq!(first.get(&format!("/children/{central}")).await.status, 200);

    let merge_count = || async {
        app.db
            .raw_i64("SELECT COUNT(*) FROM person_merges WHERE undone_at IS NULL")
            .await
    };
    let r = first
        .post_form(
            &format!("/children/{west}/merge"),
            &[
                ("other", &central.to_string()),
                ("merge_reason", "Registered twice after a house move"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().ends_with("done=merge-requested"));
    assert_eq!(merge_count().await, 0, "nothing is merged by one person");
    let page = first.get(&format!("/children/{west}")).await;
    assert!(page.body.contains("Merges waiting for a second reviewer"));
    assert!(page.body.contains("Another reviewer must decide it"));
    let request = app
        .db
        .raw_i64("SELECT id FROM person_merge_requests WHERE decided_at IS NULL")
        .await;
    // Asking again, or approving one's own, is refused and changes nothing.
    let again = first
        .post_form(
            &format!("/children/{west}/merge"),
            &[
                ("other", &central.to_string()),
                ("merge_reason", "Registered twice after a house move"),
            ],
        )
        .await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("already waiting for a second reviewer"));
    let own = first
        .post_form(
            &format!("/merge-requests/{request}/approve"),
            &[("child", &west.to_string())],
        )
        .await;
    assert_eq!(own.status, 400, "{}", own.body);
    assert!(own.body.contains("A second reviewer must decide"));
    assert_eq!(merge_count().await, 0);
    // Someone without a basis for both records cannot decide it (nor learn of it).
    let (mut north, _) = app.signed_in("manager.peterborough").await;
    let r = north
        .post_form(
            &format!("/merge-requests/{request}/approve"),
            &[("child", &west.to_string())],
        )
        .await;
    assert_ne!(r.status, 303);
    assert_eq!(merge_count().await, 0);
    // The second reviewer approves: merged in that transaction, audited as approved.
    second.get(&format!("/children/{west}")).await;
    let r = second
        .post_form(
            &format!("/merge-requests/{request}/approve"),
            &[("child", &west.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(merge_count().await, 1);
    assert_eq!(
        app.db
            .raw_text(&format!(
                "SELECT outcome FROM person_merge_requests WHERE id = {request}"
            ))
            .await,
        "merged"
    );
    let ev = app
        .db
        .raw_text("SELECT detail FROM audit_events WHERE action = 'person.merge' ORDER BY seq DESC LIMIT 1")
        .await;
    assert!(ev.contains("\"approved\":true"), "{ev}");

    // Refused: nothing merges.
    let other =
        crate::requests::register(&mut teacher, ("Ola", "Bello"), "2012-03-03", &central_pc).await;
    let r = first
        .post_form(
            &format!("/children/{west}/merge"),
            &[
                ("other", &other.to_string()),
                ("merge_reason", "Perhaps the same child, a sibling?"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let request = app
        .db
        .raw_i64("SELECT id FROM person_merge_requests WHERE decided_at IS NULL")
        .await;
    let r = second
        .post_form(
            &format!("/merge-requests/{request}/refuse"),
            &[("child", &west.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().ends_with("done=merge-refused"));
    assert_eq!(merge_count().await, 1);
}

#[tokio::test]
async fn a_search_must_name_one_child_and_volumes_are_limited_and_alerted() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    crate::requests::register(&mut teacher, ("Asha", "Patel"), "2016-04-12", "LE3 0SG").await;
    // A date of birth alone would list every child born that day: refused, naming the field.
    let r = teacher
        .get("/children?date_of_birth=2016-04-12&purpose=known")
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("Enter the child&#39;s name as well"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Asha"));
    let r = teacher
        .get("/api/v1/children?date_of_birth=2016-04-12&purpose=known")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "name");
    let r = teacher
        .get("/api/v1/children?name=Asha&purpose=known")
        .await;
    assert_eq!(r.status, 400, "one word of a name alone");
    assert_eq!(
        hits(&mut teacher, "name=Asha&date_of_birth=2016-04-12")
            .await
            .len(),
        1
    );
    // Sixty searches an hour, then refused and alerted.
    let mut refused = None;
    for i in 0..70 {
        let r = teacher
            .get("/api/v1/children?name=Asha+Patel&purpose=known")
            .await;
        if r.status == 429 {
            refused = Some(i);
            assert!(r.body.contains("limit of 60 searches"), "{}", r.body);
            break;
        }
        assert_eq!(r.status, 200);
    }
    assert_eq!(refused, Some(59), "the 61st search of the hour is refused");
    let (mut dpo, _) = app.signed_in("dpo").await;
    let page = dpo.get("/break-glass").await;
    assert!(page.body.contains("Unusual volumes of reads"));
    assert!(
        page.body.contains("teacher") && page.body.contains("Searches of the index"),
        "{}",
        page.body
    );
    // An hour later the teacher may search again.
    app.clock.advance(time::Duration::minutes(61));
    let (mut teacher, _) = app.signed_in("teacher").await;
    assert_eq!(
        teacher
            .get("/api/v1/children?name=Asha+Patel&purpose=known")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn administrators_read_the_audit_log_without_child_data_and_the_dpo_reads_it_all() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = child(&mut teacher, "Pia").await;
    teacher
        .get("/api/v1/children?name=Pia+Okafor&date_of_birth=2016-03-04&purpose=known")
        .await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    assert_eq!(declare(&mut hv, id, "health_visitor").await, 303);
    let (mut admin, _) = app.signed_in("admin").await;
    let log = admin
        .get("/api/v1/audit/events?action=child.&per_page=100")
        .await;
    assert_eq!(log.status, 200);
    assert!(log.body.contains("child.search") && log.body.contains("child.declare_involvement"));
    assert!(
        !log.body.contains("Pia") && !log.body.contains("2016-03-04"),
        "{}",
        log.body
    );
    assert!(log
        .body
        .contains("only the data protection officer reads this"));
    let (mut dpo, _) = app.signed_in("dpo").await;
    let log = dpo
        .get("/api/v1/audit/events?action=child.search&per_page=100")
        .await;
    assert!(
        log.body.contains("Pia Okafor") && log.body.contains("2016-03-04"),
        "{}",
        log.body
    );
}

/// Opening records is limited by distinct children per hour: past the limit a new child is
/// refused (429, saying so) while a child already opened this hour still opens, since reading
/// it again reveals nothing new.
#[tokio::test]
async fn the_hourly_limit_counts_distinct_records_and_a_record_already_opened_still_opens() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let limit = everychild_store::READS_PER_HOUR as usize;
    let mut ids = Vec::new();
    for i in 0..=limit {
        let given =
            format!("Kid{}", (b'a' + (i % 26) as u8) as char).repeat(1) + &"x".repeat(i / 26);
        ids.push(
            crate::requests::register(&mut teacher, (&given, "Volume"), "2015-05-05", "LE3 0SG")
                .await,
        );
    }
    for (n, id) in ids.iter().take(limit).enumerate() {
        let r = teacher.get(&format!("/children/{id}")).await;
        assert_eq!(r.status, 200, "record {n}");
    }
    // The same record again and again adds nothing to the count.
    for _ in 0..5 {
        assert_eq!(
            teacher.get(&format!("/children/{}", ids[0])).await.status,
            200
        );
    }
    let r = teacher.get(&format!("/children/{}", ids[limit])).await;
    assert_eq!(r.status, 429);
    assert!(
        r.body.contains("children&#39;s records opened")
            || r.body.contains("children's records opened"),
        "{}",
        r.body
    );
    assert_eq!(
        teacher.get(&format!("/children/{}", ids[3])).await.status,
        200
    );
}
