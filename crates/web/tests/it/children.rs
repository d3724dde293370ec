//! Children's records over HTTP: registration, access only on a basis (involvement, locality,
//! break-glass), fuzzy search with a purpose, shielding, role restrictions on police details,
//! and the store refusing a permit whose basis does not hold.

use everychild_testkit::{Client, TestApp};

async fn register(
    c: &mut Client,
    given: &str,
    family: &str,
    dob: &str,
    postcode: &str,
    role: &str,
) -> i64 {
    let r = c
        .post_form(
            "/children",
            &[
                ("given_name", given),
                ("family_name", family),
                ("date_of_birth", dob),
                ("sex", "female"),
                ("ethnicity", "asian_indian"),
                ("nhs_number", "943 476 5919"),
                ("address", "12 Larch Avenue"),
                ("postcode", postcode),
                ("role", role),
                ("since", "2026-09-01"),
                ("contact", "Call the school office"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.location();
    loc.trim_start_matches("/children/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn audit(app: &TestApp, action: &str) -> i64 {
    app.db
        .raw_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = '{action}'"
        ))
        .await
}

#[tokio::test]
async fn a_child_is_seen_only_by_those_who_work_with_them_and_every_view_is_audited() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    // Bad input is named and nothing is stored.
    let r = teacher
        .post_form(
            "/children",
            &[
                ("given_name", ""),
                ("family_name", "Patel"),
                ("date_of_birth", "2030-01-01"),
                ("sex", "female"),
                ("nhs_number", "943 476 5918"),
                ("role", "school"),
                ("since", "2026-09-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    for msg in [
        "Enter the first name",
        "The date of birth must be today or in the past",
        "NHS number",
    ] {
        assert!(r.body.contains(msg), "{msg}: {}", r.body);
    }
    assert_eq!(app.db.raw_i64("SELECT COUNT(*) FROM persons").await, 0);

    let id = register(
        &mut teacher,
        "Asha",
        "Patel",
        "2016-04-12",
        "LE3 0SG",
        "school",
    )
    .await;
    let views = audit(&app, "child.view").await;
    let page = teacher.get(&format!("/children/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Asha")
            && page.body.contains("12 Larch Avenue")
            && page
                .body
                .contains("you are recorded as working with this child")
    );
    assert_eq!(audit(&app, "child.view").await, views + 1);
    let basis = app.db.raw_text(&format!("SELECT detail FROM audit_events WHERE action = 'child.view' AND subject_id = '{id}' ORDER BY seq DESC LIMIT 1")).await;
    assert!(basis.contains("\"involved\""), "{basis}");

    // A health visitor with no relationship is refused and sees nothing of the record.
    let (mut hv, _) = app.signed_in("health.visitor").await;
    let page = hv.get(&format!("/children/{id}")).await;
    assert_eq!(page.status, 403);
    assert!(!page.body.contains("Asha") && !page.body.contains("Larch"));
    assert!(page.body.contains("Record that you work with this child"));
    // Declaring involvement needs a reason and a role the agency has.
    let r = hv
        .post_form(
            &format!("/children/{id}/involvement"),
            &[
                ("role", "health_visitor"),
                ("since", "2026-10-01"),
                ("reason", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Explain in at least 10 characters"));
    let r = hv
        .post_form(
            &format!("/children/{id}/involvement"),
            &[
                ("role", "police"),
                ("since", "2026-10-01"),
                ("reason", "I am the officer for this family"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("cannot work with a child as"), "{}", r.body);
    // A declaration with a reason is only a request: the record stays closed, page and API.
    let r = hv
        .post_form(
            &format!("/children/{id}/involvement"),
            &[
                ("role", "health_visitor"),
                ("since", "2026-10-01"),
                ("reason", "Health visitor for the family since October"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = hv.get(&format!("/children/{id}")).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Waiting for approval") && !page.body.contains("Larch"));
    assert_ne!(hv.get(&format!("/api/v1/children/{id}")).await.status, 200);
    // The teacher, who registered the child, sees the declaration and approves it.
    let page = teacher.get(&format!("/children/{id}")).await;
    assert!(
        page.body.contains("Waiting for your decision"),
        "{}",
        page.body
    );
    let inv = app
        .db
        .raw_i64(&format!(
            "SELECT id FROM involvements WHERE child_id = {id} AND status = 'pending'"
        ))
        .await;
    let r = teacher
        .post_form(
            &format!("/involvements/{inv}/decision"),
            &[("decision", "approve"), ("back", "child")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = hv.get(&format!("/children/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Health visitor") && page.body.contains("School or college"),
        "both involvements are listed"
    );
    assert_eq!(audit(&app, "child.declare_involvement").await, 1);

    // The back office never reads children's records.
    for who in ["admin", "analyst", "commissioner", "board.member"] {
        let (mut c, _) = app.signed_in(who).await;
        assert_eq!(c.get(&format!("/children/{id}")).await.status, 403, "{who}");
        assert_eq!(
            c.get("/children?name=Asha&purpose=known").await.status,
            403,
            "{who}"
        );
    }
    assert_eq!(
        app.client().get(&format!("/children/{id}")).await.status,
        303,
        "the public is sent to sign in"
    );
    assert_eq!(teacher.get("/children/999999").await.status, 404);
}

#[tokio::test]
async fn search_finds_close_spellings_and_swapped_dates_shows_little_and_records_its_purpose() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = register(
        &mut teacher,
        "Muhammad",
        "Khan",
        "2014-03-07",
        "LE3 0SG",
        "school",
    )
    .await;
    register(
        &mut teacher,
        "Amelia",
        "Nowak",
        "2015-11-30",
        "LE3 0SG",
        "school",
    )
    .await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    let r = hv.get("/children?name=Mohamed+Khan").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose why you are searching"));
    let before = audit(&app, "child.search").await;
    let r = hv
        .get("/children?name=Mohamed+Khan&date_of_birth=2014-07-03&purpose=known")
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("Muhammad Khan") && r.body.contains(&format!("/children/{id}")),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Nowak"));
    assert!(
        r.body.contains("No recorded relationship")
            && r.body.contains("LE3")
            && !r.body.contains("0SG")
    );
    assert_eq!(audit(&app, "child.search").await, before + 1);
    let purpose = app.db.raw_text("SELECT purpose FROM audit_events WHERE action = 'child.search' ORDER BY seq DESC LIMIT 1").await;
    assert!(purpose.contains("already known"), "{purpose}");
    let r = hv
        .get("/children?identifier=9434765919&purpose=known")
        .await;
    assert!(r.body.contains("2 children found"), "{}", r.body);
    let r = hv.get("/children?name=Khna+Muhammad&purpose=known").await;
    assert!(
        r.body.contains("Muhammad Khan"),
        "names in any order, with a typo"
    );
    let r = hv
        .get("/children?date_of_birth=07/03/2014&purpose=known")
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn locality_managers_see_their_own_localities_children_only() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let west = register(
        &mut teacher,
        "Ruby",
        "Hall",
        "2012-05-05",
        "LE3 0SG",
        "school",
    )
    .await;
    let central = register(
        &mut teacher,
        "Omar",
        "Aziz",
        "2013-06-06",
        "LE1 1AA",
        "school",
    )
    .await;
    let (mut m, _) = app.signed_in("manager.west").await;
    let page = m.get(&format!("/children/{west}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("you manage this child"), "{}", page.body);
    assert_eq!(m.get(&format!("/children/{central}")).await.status, 403);
}

#[tokio::test]
async fn break_glass_needs_a_reason_expires_and_is_reviewed_by_the_dpo() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = register(
        &mut teacher,
        "Leo",
        "Brown",
        "2011-01-20",
        "LE1 1AA",
        "school",
    )
    .await;
    let (mut sw, _) = app.signed_in("social.worker").await;
    let r = sw
        .post_form(
            &format!("/children/{id}/break-glass"),
            &[("glass_reason", "urgent"), ("minutes", "30")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Explain in at least 10 characters"));
    let r = sw
        .post_form(
            &format!("/children/{id}/break-glass"),
            &[
                (
                    "glass_reason",
                    "Police report of a child alone at home tonight",
                ),
                ("minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = sw.get(&format!("/children/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("emergency access you asked for"));
    // Thirty-one minutes later the access has gone.
    app.clock.advance(time::Duration::minutes(31));
    let (mut sw2, _) = app.signed_in("social.worker").await;
    let r = sw2.get(&format!("/children/{id}")).await;
    assert_eq!(r.status, 403, "{}", r.location());
    // The DPO sees it, reviews it, and sees every access to the record.
    let (mut dpo, _) = app.signed_in("dpo").await;
    let list = dpo.get("/break-glass").await;
    assert!(list
        .body
        .contains("Police report of a child alone at home tonight"));
    let bg = app.db.raw_i64("SELECT id FROM break_glass").await;
    let r = dpo
        .post_form(
            &format!("/break-glass/{bg}/review"),
            &[("outcome", "appropriate")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.db
            .raw_text("SELECT review_outcome FROM break_glass")
            .await,
        "appropriate"
    );
    let log = dpo.get(&format!("/children/{id}/access-log")).await;
    assert_eq!(log.status, 200);
    assert!(
        log.body.contains("child.break_glass")
            && log.body.contains("social.worker")
            && log.body.contains("child.view")
    );
    // (The teacher's session ended while the clock moved on: sign in again.)
    let (mut teacher, _) = app.signed_in("teacher").await;
    assert_eq!(
        teacher
            .get(&format!("/children/{id}/access-log"))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn shielding_hides_the_address_and_police_details_are_for_police_and_social_care() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut police, _) = app.signed_in("police.officer").await;
    let id = register(
        &mut police,
        "Maya",
        "Green",
        "2010-09-09",
        "LE3 0SG",
        "police",
    )
    .await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    crate::involve::declare_and_approve(&app, &mut hv, id, "health_visitor", &mut police).await;
    let page = hv.get(&format!("/children/{id}")).await;
    assert!(page
        .body
        .contains("Ask the police through the locality front door"));
    assert!(
        !page.body.contains("Call the school office"),
        "the police contact is withheld from health"
    );
    let (mut sw, _) = app.signed_in("social.worker").await;
    crate::involve::declare_and_approve(&app, &mut sw, id, "social_worker", &mut police).await;
    let page = sw.get(&format!("/children/{id}")).await;
    assert!(
        page.body.contains("Call the school office"),
        "social care sees the police contact"
    );
    // Shield: the address disappears for everyone, and from search results.
    let r = hv.post_form(&format!("/children/{id}/shield"), &[]).await;
    assert_eq!(r.status, 303);
    for c in [&mut hv, &mut sw] {
        let page = c.get(&format!("/children/{id}")).await;
        assert!(!page.body.contains("12 Larch Avenue") && page.body.contains("shielded"));
    }
    let r = hv
        .get("/children?name=Maya+Green&purpose=working_with")
        .await;
    assert!(r.body.contains("Hidden") && !r.body.contains("LE3"));
}

#[tokio::test]
async fn the_store_refuses_a_permit_whose_claimed_basis_does_not_hold() {
    use everychild_policy::{authorize, Actor, Basis, Principal, Target};
    use everychild_store::PeopleRepo;
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let id = register(
        &mut teacher,
        "Zara",
        "Ali",
        "2012-02-02",
        "LE3 0SG",
        "school",
    )
    .await;
    let hv = app
        .db
        .raw_i64("SELECT id FROM users WHERE username = 'health.visitor'")
        .await;
    let actor = Actor {
        user_id: everychild_domain::UserId(hv),
        username: "health.visitor".into(),
        display_name: "HV".into(),
        role: everychild_domain::Role::Practitioner,
        organisation_id: everychild_domain::OrganisationId(2),
        organisation_name: "City Community Health Services (NHS)".into(),
        agency_type: everychild_domain::AgencyType::Health,
        localities: vec![],
        totp_enabled: false,
        must_change_password: false,
        token: None,
    };
    // A handler that claimed "involved" for someone who is not: the policy says yes to the
    // claim, the store checks it and reads nothing.
    let permit = authorize(
        &Principal::User(actor),
        Target::Child {
            id,
            basis: Basis::Involved,
        },
        Some("test"),
    )
    .unwrap();
    assert!(app.store.view_child(&permit).await.unwrap().is_none());
    let refused = app
        .db
        .raw_i64(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'child.view' AND outcome = 'refused'",
        )
        .await;
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn merging_then_undoing_restores_both_records_exactly() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let a = register(
        &mut teacher,
        "Jay",
        "Mistry",
        "2013-08-08",
        "LE3 0SG",
        "school",
    )
    .await;
    let b = register(
        &mut teacher,
        "Jai",
        "Mistry",
        "2013-08-08",
        "LE3 0SG",
        "school",
    )
    .await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    crate::involve::declare_and_approve(&app, &mut hv, b, "school_nurse", &mut teacher).await;
    hv.post_form(
        &format!("/children/{b}/flags"),
        &[("flag", "young_carer"), ("flag_since", "2026-10-02")],
    )
    .await;
    let (mut m, _) = app.signed_in("manager.west").await;
    let before_a = m.get(&format!("/api/v1/children/{a}")).await.json();
    let before_b = m.get(&format!("/api/v1/children/{b}")).await.json();
    assert_eq!(before_b["flags"].as_array().unwrap().len(), 1);

    // A short reason and a record merged into itself are refused.
    let r = m
        .post_form(
            &format!("/children/{a}/merge"),
            &[("other", &b.to_string()), ("merge_reason", "same")],
        )
        .await;
    assert_eq!(r.status, 400);
    let r = m
        .post_form(
            &format!("/children/{a}/merge"),
            &[
                ("other", &a.to_string()),
                ("merge_reason", "Same child, spelling of first name"),
            ],
        )
        .await;
    assert!(r.body.contains("cannot be merged into itself"));
    let r = m
        .post_form(
            &format!("/children/{a}/merge"),
            &[
                ("other", &b.to_string()),
                ("merge_reason", "Same child, spelling of first name"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let merged = m.get(&format!("/api/v1/children/{a}")).await.json();
    assert_eq!(merged["merged"], serde_json::json!([b]));
    assert_eq!(
        merged["flags"].as_array().unwrap().len(),
        1,
        "the merged record's flag is on the survivor"
    );
    assert_eq!(merged["involvements"].as_array().unwrap().len(), 3);
    // Asking for the merged record leads to the survivor.
    let r = m.get(&format!("/children/{b}")).await;
    assert_eq!((r.status, r.location()), (303, format!("/children/{a}")));

    let merge_id = app.db.raw_i64("SELECT id FROM person_merges").await;
    let r = m
        .post_form(
            &format!("/merges/{merge_id}/undo"),
            &[("child", &a.to_string())],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        m.get(&format!("/api/v1/children/{a}")).await.json(),
        before_a
    );
    assert_eq!(
        m.get(&format!("/api/v1/children/{b}")).await.json(),
        before_b
    );
    let r = m
        .post_form(
            &format!("/merges/{merge_id}/undo"),
            &[("child", &a.to_string())],
        )
        .await;
    assert_eq!(r.status, 409, "undoing twice is refused");
    assert_eq!(app.db.raw_i64("SELECT COUNT(*) FROM audit_events WHERE action IN ('person.merge', 'person.unmerge')").await, 2);
}
