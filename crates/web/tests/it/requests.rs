//! Requests for support over HTTP, across three agencies: a teacher asks for support; the lead
//! locality's manager decides level and route at the front door; a health visitor becomes lead
//! professional (and so may see the child), the school nurse joins the team; the level steps up
//! and down with reasons kept; the request closes with an outcome, and a new request within 12
//! months is a re-referral. Bad input is named and changes nothing; a stale form never
//! overwrites; every step is audited.

use everychild_testkit::{input_value, Client, TestApp};

/// A child the teacher registers: (given, family) name, date of birth and postcode; returns
/// the child's id.
pub(crate) async fn register(
    teacher: &mut Client,
    (given, family): (&str, &str),
    born: &str,
    postcode: &str,
) -> i64 {
    let r = teacher
        .post_form(
            "/children",
            &[
                ("given_name", given),
                ("family_name", family),
                ("date_of_birth", born),
                ("sex", "female"),
                ("address", "4 Larch Avenue"),
                ("postcode", postcode),
                ("role", "school"),
                ("since", "2026-09-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/children/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Ruby Hall, born 2015, registered by the teacher at `postcode`.
pub(crate) async fn register_child(teacher: &mut Client, postcode: &str) -> i64 {
    register(teacher, ("Ruby", "Hall"), "2015-05-05", postcode).await
}

pub(crate) async fn user_id(app: &TestApp, username: &str) -> String {
    app.db
        .raw_i64(&format!(
            "SELECT id FROM users WHERE username = '{username}'"
        ))
        .await
        .to_string()
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.raw_i64(sql).await
}

/// The version the page's forms carry.
pub(crate) async fn version(c: &mut Client, id: i64) -> String {
    let page = c.get(&format!("/requests/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    input_value(&page.body, "version").expect("a version in the form")
}

/// A request for support for `child` from the form `fields`; returns its id.
pub(crate) async fn request_for(c: &mut Client, child: i64, fields: &[(&str, &str)]) -> i64 {
    let r = c
        .post_form(&format!("/children/{child}/requests"), fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/requests/")
        .parse()
        .unwrap()
}

/// The front door's decision on request `id`, from the page's current version.
pub(crate) async fn decide(manager: &mut Client, id: i64, level: &str, route: &str, why: &str) {
    let v = version(manager, id).await;
    let r = manager
        .post_form(
            &format!("/requests/{id}/decide"),
            &[
                ("level", level),
                ("route", route),
                ("rationale", why),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test]
async fn a_request_goes_from_a_teacher_through_the_front_door_to_a_team_and_closes() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let child = register_child(&mut teacher, "LE3 0SG").await;

    // Bad input: no concern, no need, an unknown need, consent without who gave it.
    let page = teacher
        .get(&format!("/children/{child}/requests/new"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Domestic abuse") && page.body.contains("Young carer"));
    let before = count(&app, "SELECT COUNT(*) FROM support_requests").await;
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[
                ("concern", ""),
                ("needs", "no_such_need"),
                ("consent", "share"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose a need from the list"), "{}", r.body);
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[("concern", "Often hungry"), ("consent", "share")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose at least one need you have seen"));
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[("concern", "  "), ("needs", "dev_health")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Describe what you have seen"), "{}", r.body);
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[
                ("concern", "Often hungry"),
                ("needs", "dev_health"),
                ("consent", "share"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Enter who gave consent"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM support_requests").await,
        before
    );

    // A good request lands at the West front door (the child lives in West).
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[
                ("concern", "Ruby is often hungry and tired; her mother has told us she is struggling since her partner left"),
                ("needs", "dev_health"),
                ("needs", "issue_parental_mental_health"),
                ("needs", "parent_care"),
                ("service_asked", "Breakfast club"),
                ("family_words", "Mum says: I just need some help in the mornings"),
                ("consent", "share"),
                ("consent", "assess"),
                ("consent_given_by", "Ruby's mother"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r
        .location()
        .trim_start_matches("/requests/")
        .parse()
        .unwrap();
    let page = teacher.get(&format!("/requests/{id}")).await;
    assert!(page.body.contains("Waiting for the front door"));
    assert!(page.body.contains("Breakfast club"));
    assert!(
        page.body.contains("the home locality leads"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Record the decision"),
        "only the front door decides"
    );

    // Another locality's manager cannot see or decide it; West's manager can.
    let (mut central, _) = app.signed_in("manager.central").await;
    let fd = central.get("/front-door").await;
    assert!(!fd.body.contains("Ruby Hall"));
    let v = count(
        &app,
        &format!("SELECT version FROM support_requests WHERE id = {id}"),
    )
    .await
    .to_string();
    let r = central
        .post_form(
            &format!("/requests/{id}/decide"),
            &[
                ("level", "3"),
                ("route", "early_help"),
                ("rationale", "x"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let (mut west, _) = app.signed_in("manager.west").await;
    let fd = west.get("/front-door").await;
    assert_eq!(fd.status, 200);
    assert!(fd.body.contains("Ruby Hall"), "{}", fd.body);
    assert!(fd.body.contains("Parental mental ill-health"));

    // The decision must be consistent and explained; a refused one changes nothing.
    for (fields, says) in [
        (
            vec![("level", "3"), ("route", "early_help"), ("rationale", " ")],
            "Enter why this level and route",
        ),
        (
            vec![
                ("level", "2"),
                ("route", "social_care"),
                ("rationale", "Risk"),
            ],
            "A step-up to children&#39;s social care is level 4",
        ),
        (
            vec![("level", "5"), ("route", "early_help"), ("rationale", "x")],
            "Choose a level of need from the list",
        ),
    ] {
        let mut fields = fields.clone();
        fields.push(("version", &v));
        let r = west
            .post_form(&format!("/requests/{id}/decide"), &fields)
            .await;
        assert_eq!(r.status, 400, "{says}");
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM level_changes WHERE request_id = {id}")
        )
        .await,
        0
    );
    let r = west
        .post_form(
            &format!("/requests/{id}/decide"),
            &[
                ("level", "3"),
                ("route", "early_help"),
                (
                    "rationale",
                    "Several needs across health and parenting: a team around the child",
                ),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The same stale form again: told, never overwritten.
    let r = west
        .post_form(
            &format!("/requests/{id}/decide"),
            &[
                ("level", "2"),
                ("route", "service"),
                ("rationale", "Again"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("cannot decide") || r.body.contains("Someone else changed"),
        "{}",
        r.body
    );

    // The health visitor has no relationship yet: no access.
    let (mut hv, _) = app.signed_in("health.visitor").await;
    assert_eq!(hv.get(&format!("/requests/{id}")).await.status, 403);
    let page = hv.get(&format!("/children/{child}")).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("no recorded relationship") && !page.body.contains("Larch"));

    // The manager appoints the health visitor as lead professional.
    let hv_id = user_id(&app, "health.visitor").await;
    let page = west.get(&format!("/requests/{id}")).await;
    assert!(page.body.contains("Needs a lead professional"));
    assert!(
        page.body.contains(&format!("<option value=\"{hv_id}\"")),
        "the locality's staff are offered"
    );
    let v = input_value(&page.body, "version").unwrap();
    let r = west
        .post_form(
            &format!("/requests/{id}/lead"),
            &[("lead", "x"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose someone from the list"));
    let r = west
        .post_form(
            &format!("/requests/{id}/lead"),
            &[("lead", &hv_id), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Now the health visitor sees the child and the request, and runs the team.
    let page = hv.get(&format!("/children/{child}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Larch"),
        "the lead professional sees the record"
    );
    let page = hv.get(&format!("/requests/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Team around the child") && page.body.contains("Current lead"));
    let nurse = user_id(&app, "school.nurse").await;
    // The school nurse is not in West's teams: the lead may add only people offered.
    let r = hv
        .post_form(
            &format!("/requests/{id}/members"),
            &[("member", &nurse), ("team_role", "")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("Enter the member&#39;s part in the team"),
        "{}",
        r.body
    );
    let r = hv
        .post_form(
            &format!("/requests/{id}/members"),
            &[
                ("member", &nurse),
                ("team_role", "School nurse: sleep and diet"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (mut sn, _) = app.signed_in("school.nurse").await;
    // The place is offered, not imposed: the record opens once the nurse accepts it.
    assert_eq!(
        sn.get(&format!("/requests/{id}")).await.status,
        403,
        "an invited member who has not accepted sees nothing"
    );
    crate::involve::accept_place(&mut sn, id).await;
    assert_eq!(
        sn.get(&format!("/requests/{id}")).await.status,
        200,
        "a team member sees the request"
    );
    let r = sn
        .post_form(
            &format!("/requests/{id}/level"),
            &[("new_level", "2"), ("reason", "x"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, 403, "a team member does not run the team");

    // Step up to social care, then down again: both kept with reasons.
    let v = version(&mut hv, id).await;
    let r = hv
        .post_form(
            &format!("/requests/{id}/level"),
            &[("new_level", "4"), ("reason", ""), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Enter the reason for the change"));
    let r = hv
        .post_form(
            &format!("/requests/{id}/level"),
            &[
                ("new_level", "4"),
                ("reason", "Disclosure to the school nurse"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let v = version(&mut hv, id).await;
    let r = hv
        .post_form(
            &format!("/requests/{id}/level"),
            &[
                ("new_level", "2"),
                (
                    "reason",
                    "Section 47 enquiry found no risk; early help continues",
                ),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.db
            .raw_text(&format!(
                "SELECT kind FROM level_changes WHERE request_id = {id} ORDER BY id DESC LIMIT 1"
            ))
            .await,
        "step_down"
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM level_changes WHERE request_id = {id}")
        )
        .await,
        3
    );
    let page = hv.get(&format!("/requests/{id}")).await;
    assert!(page.body.contains("Stepped up to Level 4"), "{}", page.body);
    assert!(page.body.contains("Stepped down to Level 2"));

    // Consent to share is withdrawn; it stays on record as withdrawn.
    let consent = count(
        &app,
        &format!("SELECT id FROM request_consents WHERE request_id = {id} AND purpose = 'share'"),
    )
    .await;
    let r = hv
        .post_form(&format!("/requests/{id}/consents/{consent}/withdraw"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert!(hv
        .get(&format!("/requests/{id}"))
        .await
        .body
        .contains("Withdrawn"));

    // The summary API counts without naming anyone.
    let locality = count(
        &app,
        &format!("SELECT locality_id FROM support_requests WHERE id = {id}"),
    )
    .await;
    let s = west
        .get(&format!("/api/v1/localities/{locality}/summary"))
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    let j = s.json();
    assert_eq!(j["open_by_level"][1], 1);
    assert_eq!(j["step_ups"], 1);
    assert_eq!(j["step_downs"], 1);
    assert!(!s.body.contains("Ruby"));
    assert_eq!(
        hv.get(&format!("/api/v1/localities/{locality}/summary"))
            .await
            .status,
        403
    );

    // Close with an outcome; the team's access ends with it.
    let v = version(&mut hv, id).await;
    let mut close = vec![
        ("outcome", "better"),
        (
            "summary",
            "Breakfast club and a parenting group; attendance up",
        ),
        ("version", v.as_str()),
        ("outcome-dev_health", "better"),
        ("outcome-parent_care", "same"),
    ];
    // Without a reason, and with one need left without its outcome: refused, naming both.
    let r = hv.post_form(&format!("/requests/{id}/close"), &close).await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("Choose why the request closes from the list"),
        "{}",
        r.body
    );
    close.push(("closure_reason", "needs_met"));
    let r = hv.post_form(&format!("/requests/{id}/close"), &close).await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("Choose how things are now for parental mental ill-health"),
        "{}",
        r.body
    );
    close.push(("outcome-issue_parental_mental_health", "better"));
    close.push(("feedback", "Mum: the mornings are calmer now"));
    let r = hv.post_form(&format!("/requests/{id}/close"), &close).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = hv.get(&format!("/requests/{id}")).await;
    assert!(page.body.contains("Reason: Needs met"));
    assert!(page
        .body
        .contains("Basic care, safety and protection: The same"));
    assert!(page
        .body
        .contains("The family: Mum: the mornings are calmer now"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM request_needs WHERE request_id = {id} AND outcome IS NOT NULL")
        )
        .await,
        3
    );
    assert_eq!(sn.get(&format!("/requests/{id}")).await.status, 403);
    let r = west
        .post_form(
            &format!("/requests/{id}/level"),
            &[
                ("new_level", "3"),
                ("reason", "x"),
                ("version", &(v.parse::<i64>().unwrap() + 1).to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("cannot change the level"), "{}", r.body);

    // Asked again within 12 months: a re-referral.
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[("concern", "Hungry again"), ("needs", "dev_health")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = teacher.get(&format!("/children/{child}/requests")).await;
    assert!(list.body.contains("Re-referral"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM support_requests WHERE re_referral = 1"
        )
        .await,
        1
    );
    for action in [
        "request.create",
        "request.command",
        "request.add_member",
        "request.view",
        "request.withdraw_consent",
        "request.front_door",
    ] {
        assert!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")
            )
            .await
                >= 1,
            "{action} is audited"
        );
    }
}

/// A request decided for early help with the health visitor as lead; returns its id.
async fn early_help_request(app: &TestApp, consent: bool) -> (i64, Client, Client) {
    let (mut teacher, _) = app.signed_in("teacher").await;
    let child = register_child(&mut teacher, "LE3 0SG").await;
    let mut fields = vec![("concern", "Tired and hungry"), ("needs", "dev_health")];
    if consent {
        fields.extend([("consent", "share"), ("consent_given_by", "Ruby's mother")]);
    }
    let id = request_for(&mut teacher, child, &fields).await;
    let (mut west, _) = app.signed_in("manager.west").await;
    decide(&mut west, id, "2", "early_help", "Early help").await;
    let hv_id = user_id(app, "health.visitor").await;
    let v = version(&mut west, id).await;
    let r = west
        .post_form(
            &format!("/requests/{id}/lead"),
            &[("lead", &hv_id), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303);
    let (hv, _) = app.signed_in("health.visitor").await;
    (id, hv, west)
}

fn assessment_form<'a>(version: &'a str, summary: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("dev_health-strengths", "Healthy weight"),
        ("dev_health-needs", "Tired most mornings"),
        ("dev_health-need", "yes"),
        ("parent_warmth-strengths", "Mum is warm and keen for help"),
        ("family_housing-needs", "Overcrowded flat"),
        ("child_words", "I like school when I have had breakfast"),
        ("summary", summary),
    ]
}

#[tokio::test]
async fn an_assessment_is_written_saved_in_versions_completed_and_shared_only_with_consent() {
    let (app, _) = TestApp::spawn_demo().await;
    let (id, mut hv, mut west) = early_help_request(&app, false).await;
    let path = format!("/requests/{id}/assessment");
    let page = hv.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Basic care, safety and protection"));
    let r = hv.post_form(&path, &assessment_form("0", "")).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // An incomplete assessment cannot be completed (no summary yet) and changes nothing.
    let v = input_value(&hv.get(&path).await.body, "version").unwrap();
    assert_eq!(v, "1");
    let r = hv
        .post_form(&format!("{path}/complete"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("An incomplete assessment cannot be completed"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Write the summary"));

    // Two people edit version 1: the manager saves first; the health visitor is shown the
    // difference and nothing of theirs is saved until they save again.
    let r = west
        .post_form(
            &path,
            &assessment_form(&v, "Breakfast club; review in six weeks"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = hv
        .post_form(
            &path,
            &assessment_form(&v, "Family support worker for mornings"),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("saved this assessment at"), "{}", r.body);
    assert!(
        r.body.contains("Family support worker for mornings")
            && r.body.contains("Breakfast club; review in six weeks")
    );
    let stored = app
        .db
        .raw_text(&format!(
            "SELECT content FROM assessments WHERE request_id = {id}"
        ))
        .await;
    assert!(
        stored.contains("Breakfast club"),
        "the first save stands: {stored}"
    );
    // Having seen it, they save on the new version.
    let v2 = input_value(&r.body, "version").unwrap();
    assert_eq!(v2, "2");
    let r = hv
        .post_form(
            &path,
            &assessment_form(&v2, "Breakfast club and a family support worker"),
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM assessment_versions").await,
        3,
        "every save is kept"
    );

    // The team member does not see a draft; completing, then sharing needs consent.
    let nurse = user_id(&app, "school.nurse").await;
    let r = hv
        .post_form(
            &format!("/requests/{id}/members"),
            &[("member", &nurse), ("team_role", "School nurse")],
        )
        .await;
    assert_eq!(r.status, 303);
    let (mut sn, _) = app.signed_in("school.nurse").await;
    crate::involve::accept_place(&mut sn, id).await;
    assert_eq!(sn.get(&path).await.status, 404);
    let v = input_value(&hv.get(&path).await.body, "version").unwrap();
    let r = hv
        .post_form(&format!("{path}/share"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("complete it first"));
    let r = hv
        .post_form(&format!("{path}/complete"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A completed assessment is no longer edited.
    let r = hv.post_form(&path, &assessment_form("4", "Changed")).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("only a draft can be changed"), "{}", r.body);
    let v = input_value(&hv.get(&path).await.body, "version").unwrap();
    let r = hv
        .post_form(&format!("{path}/share"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("has not agreed to share"), "{}", r.body);
    let r = hv
        .post_form(
            &format!("/requests/{id}/consents"),
            &[("purpose", "share"), ("consent_given_by", "Ruby's mother")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = hv
        .post_form(&format!("{path}/share"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = sn.get(&path).await;
    assert_eq!(page.status, 200, "shared with the team");
    assert!(page
        .body
        .contains("Breakfast club and a family support worker"));
    assert!(page.body.contains("Tired most mornings"));
    assert!(!page.body.contains("Save the draft"));
    assert!(
        count(&app, "SELECT COUNT(*) FROM audit_events WHERE action IN ('assessment.save', 'assessment.complete', 'assessment.share', 'assessment.view')").await >= 7
    );
}

#[tokio::test]
async fn the_chronology_shows_every_agency_on_one_timeline_and_alerts_when_concerns_accumulate() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let child = register_child(&mut teacher, "LE3 0SG").await;
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[("concern", "Bruises seen in PE"), ("needs", "parent_care")],
        )
        .await;
    assert_eq!(r.status, 303);
    let path = format!("/children/{child}/chronology");
    let page = teacher.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Asked for support: Bruises seen in PE"));
    assert!(page
        .body
        .contains("Started working with the child (school)"));
    assert!(
        !page.body.contains("Concerns are accumulating"),
        "one agency so far"
    );

    // The police become involved and raise a concern the same week: the alert shows.
    let (mut police, _) = app.signed_in("police.officer").await;
    crate::involve::declare_and_approve(&app, &mut police, child, "police", &mut teacher).await;
    let r = police
        .post_form(
            &format!("/children/{child}/requests"),
            &[
                ("concern", "Domestic incident at home"),
                ("needs", "issue_domestic_abuse"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = teacher.get(&path).await;
    assert!(
        page.body.contains("Concerns are accumulating: 2 agencies"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Leicestershire Police"));

    // Filtered to requests only; a kind that does not exist is refused by name.
    let page = teacher.get(&format!("{path}?kind=request")).await;
    assert!(page.body.contains("Domestic incident at home"));
    assert!(!page.body.contains("Started working with the child"));
    let r = teacher.get(&format!("{path}?kind=gossip")).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose a kind of event from the list"));

    // No relationship, no chronology; each reading is audited.
    let (mut hv, _) = app.signed_in("health.visitor").await;
    assert_eq!(hv.get(&path).await.status, 403);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'child.chronology'"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn the_plan_needs_owned_dated_actions_and_shows_what_is_overdue() {
    let (app, _) = TestApp::spawn_demo().await;
    let (id, mut hv, _) = early_help_request(&app, true).await;
    let path = format!("/requests/{id}");
    let hv_id = user_id(&app, "health.visitor").await;
    let nurse = user_id(&app, "school.nurse").await;

    // Due dates a few weeks from the app's today, so the test does not depend on the date.
    let due_in = |days: i64| {
        use everychild_domain::Clock;
        (app.clock.now().date() + time::Duration::days(days)).to_string()
    };
    // An action without owner or due date is refused, naming both; nothing is stored.
    let r = hv
        .post_form(
            &format!("{path}/actions"),
            &[
                ("description", "Book the breakfast club"),
                ("owner", ""),
                ("due", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("Choose who owns the action")
            && r.body.contains("Enter the date it is due"),
        "{}",
        r.body
    );
    let r = hv
        .post_form(
            &format!("{path}/actions"),
            &[
                ("description", "Book the breakfast club"),
                ("owner", &hv_id),
                ("due", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("The due date must be today or later"));
    // The owner must be in the team.
    let r = hv
        .post_form(
            &format!("{path}/actions"),
            &[
                ("description", "Check sleep"),
                ("owner", &nurse),
                ("due", &due_in(30)),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("The owner must be a member of the team around the child"),
        "{}",
        r.body
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tac_actions").await, 0);

    let r = hv
        .post_form(
            &format!("{path}/members"),
            &[("member", &nurse), ("team_role", "School nurse")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = hv
        .post_form(
            &format!("{path}/actions"),
            &[
                ("description", "Check sleep and diet with Ruby"),
                ("owner", &nurse),
                ("due", &due_in(30)),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = hv
        .post_form(
            &format!("{path}/actions"),
            &[
                ("description", "Book the breakfast club"),
                ("owner", &hv_id),
                ("due", &due_in(29)),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    // A meeting must say when, who and what; a review moves the next review date.
    let r = hv
        .post_form(
            &format!("{path}/meetings"),
            &[
                ("held_on", "2099-01-01"),
                ("attendees", ""),
                ("decisions", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Enter who attended") && r.body.contains("Enter what was decided"));
    let page = hv.get(&path).await;
    let first_review = extract_review(&page.body);
    let r = hv
        .post_form(
            &format!("{path}/meetings"),
            &[
                ("held_on", &app.clock_today()),
                ("attendees", "Mum, health visitor, school nurse"),
                ("decisions", "Plan agreed"),
                ("is_review", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = hv.get(&path).await;
    assert!(page.body.contains("Plan agreed"));
    assert!(!page.body.contains("Overdue"));
    assert!(extract_review(&page.body) >= first_review);

    // Seven weeks on: both actions and the review are overdue, here and at the front door.
    app.clock.advance(time::Duration::weeks(7));
    let (mut hv, _) = app.signed_in("health.visitor").await;
    let page = hv.get(&path).await;
    assert_eq!(
        page.body.matches("govuk-tag--red\">Overdue").count(),
        2,
        "{}",
        page.body
    );
    assert!(page.body.contains("Review overdue"));
    let locality = count(
        &app,
        &format!("SELECT locality_id FROM support_requests WHERE id = {id}"),
    )
    .await;
    let (mut west, _) = app.signed_in("manager.west").await;
    let j = west
        .get(&format!("/api/v1/localities/{locality}/summary"))
        .await
        .json();
    assert_eq!(j["overdue_actions"], 2, "{j}");
    assert_eq!(j["overdue_reviews"], 1);

    // The nurse marks her own action done; she cannot mark the health visitor's.
    let (mut sn, _) = app.signed_in("school.nurse").await;
    crate::involve::accept_place(&mut sn, id).await;
    let mine = count(
        &app,
        &format!("SELECT id FROM tac_actions WHERE owner_id = {nurse}"),
    )
    .await;
    let theirs = count(
        &app,
        &format!("SELECT id FROM tac_actions WHERE owner_id = {hv_id}"),
    )
    .await;
    let r = sn
        .post_form(&format!("{path}/actions/{theirs}/done"), &[])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Only an open action"));
    let r = sn
        .post_form(&format!("{path}/actions/{mine}/done"), &[])
        .await;
    assert_eq!(r.status, 303);
    let j = west
        .get(&format!("/api/v1/localities/{locality}/summary"))
        .await
        .json();
    assert_eq!(j["overdue_actions"], 1);
}

fn extract_review(body: &str) -> String {
    everychild_testkit::extract(body, "Next review of the plan: ", "<")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn stuck_and_referred_cases_go_to_the_locality_panel_which_decides_and_counts_them() {
    let (app, _) = TestApp::spawn_demo().await;
    let (referred, mut hv, _) = early_help_request(&app, true).await;
    // A second request: early help agreed but nobody leads it.
    let (mut teacher, _) = app.signed_in("teacher").await;
    let child = register_child(&mut teacher, "LE3 0SG").await;
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[("concern", "Often absent"), ("needs", "dev_learning")],
        )
        .await;
    let stuck: i64 = r
        .location()
        .trim_start_matches("/requests/")
        .parse()
        .unwrap();
    let (mut west, _) = app.signed_in("manager.west").await;
    let v = version(&mut west, stuck).await;
    let r = west
        .post_form(
            &format!("/requests/{stuck}/decide"),
            &[
                ("level", "2"),
                ("route", "early_help"),
                ("rationale", "Attendance"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let locality = count(
        &app,
        &format!("SELECT locality_id FROM support_requests WHERE id = {stuck}"),
    )
    .await;
    let panel = format!("/localities/{locality}/panel");

    // The lead professional refers the first case; a reason is required.
    let r = hv
        .post_form(&format!("/requests/{referred}/panel"), &[("why", " ")])
        .await;
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("Say why the panel should discuss this case"));
    let r = hv
        .post_form(
            &format!("/requests/{referred}/panel"),
            &[("why", "We disagree about the level of need")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = west.get(&panel).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("Referred: We disagree about the level of need"));
    assert!(!page.body.contains("No lead professional"), "not stuck yet");

    // Three weeks on, the second case has had no lead for more than 14 days: proposed too.
    app.clock.advance(time::Duration::weeks(3));
    let (mut west, _) = app.signed_in("manager.west").await;
    let page = west.get(&panel).await;
    assert!(
        page.body
            .contains("No lead professional for more than 14 days"),
        "{}",
        page.body
    );
    // Another locality's manager cannot run this panel; a practitioner neither.
    let (mut central, _) = app.signed_in("manager.central").await;
    assert_eq!(central.get(&panel).await.status, 403);
    let (mut hv2, _) = app.signed_in("health.visitor").await;
    assert_eq!(hv2.get(&panel).await.status, 403);

    let r = west.post_form(&panel, &[("meets_on", "2020-01-01")]).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("The panel must meet today or later"));
    let today = app.clock_today();
    let r = west.post_form(&panel, &[("meets_on", &today)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let agenda = r.location();
    let page = west.get(&agenda).await;
    assert!(page.body.contains("We disagree about the level of need"));
    assert!(page
        .body
        .contains("No lead professional for more than 14 days"));
    assert_eq!(
        count(&app, "SELECT stuck_count FROM panels").await,
        1,
        "one stuck case when the agenda was set"
    );

    // Decisions: an action needs an owner from the team and a due date; a decision is needed.
    let item = count(
        &app,
        &format!("SELECT id FROM panel_referrals WHERE request_id = {referred}"),
    )
    .await;
    let hv_id = user_id(&app, "health.visitor").await;
    let r = west
        .post_form(
            &format!("{agenda}/items/{item}"),
            &[
                ("decision", ""),
                ("description", "Reassess at level 3"),
                ("owner", &hv_id),
                ("due", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Enter the date it is due"));
    let r = west
        .post_form(
            &format!("{agenda}/items/{item}"),
            &[
                ("decision", "Level 3 agreed; reassess"),
                ("description", "Update the assessment at level 3"),
                ("owner", &hv_id),
                ("due", "2027-01-15"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM tac_actions WHERE request_id = {referred} AND owner_id = {hv_id}")).await,
        1
    );
    let r = west
        .post_form(&format!("{agenda}/items/{item}"), &[("decision", "Again")])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("already decided"));
    let page = west.get(&panel).await;
    assert!(page.body.contains(&today));
    assert!(
        page.body.contains("Nothing is proposed"),
        "both cases are on the panel now"
    );
    drop(hv);
}

#[tokio::test]
async fn a_step_up_records_what_social_care_decided_and_no_further_action_steps_down() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let child = register_child(&mut teacher, "LE3 0SG").await;
    let id = request_for(
        &mut teacher,
        child,
        &[
            (
                "concern",
                "Bruising seen on both arms; Ruby says she is scared to go home",
            ),
            ("needs", "parent_care"),
        ],
    )
    .await;
    let (mut west, _) = app.signed_in("manager.west").await;
    decide(
        &mut west,
        id,
        "4",
        "social_care",
        "Possible significant harm",
    )
    .await;
    let url = format!("/requests/{id}/social-care");
    // Bad input is named and changes nothing.
    let v = version(&mut west, id).await;
    let r = west
        .post_form(
            &url,
            &[
                ("version", &v),
                ("social_care_outcome", "maybe"),
                ("social_care_note", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("href=\"#social_care_outcome\""),
        "{}",
        r.body
    );
    let r = west
        .post_form(
            &url,
            &[
                ("version", &v),
                ("social_care_outcome", "child_protection"),
                ("social_care_note", " "),
            ],
        )
        .await;
    assert!(r.status == 400 || r.status == 409, "{}", r.body);
    assert!(
        r.body
            .contains("Enter what children&#39;s social care said"),
        "{}",
        r.body
    );
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM support_requests WHERE id = {id} AND social_care_outcome IS NULL")).await, 1);
    // A section 47 enquiry: social care keeps the case.
    let r = west
        .post_form(
            &url,
            &[
                ("version", &v),
                ("social_care_outcome", "child_protection"),
                (
                    "social_care_note",
                    "Strategy discussion held; enquiry opened",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = west.get(&format!("/requests/{id}")).await;
    assert!(
        page.body.contains("Child protection enquiry (section 47)")
            && page.body.contains("Strategy discussion held"),
        "{}",
        page.body
    );
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM support_requests WHERE id = {id} AND status = 'social_care' AND level = '4'")).await, 1);
    // A stale form is refused.
    let r = west
        .post_form(
            &url,
            &[
                ("version", &v),
                ("social_care_outcome", "no_further_action"),
                ("social_care_note", "Closed by social care"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("Someone else changed this request"),
        "{}",
        r.body
    );
    // No further action: stepped down to early help at level 3, awaiting a lead professional.
    let v = version(&mut west, id).await;
    let r = west
        .post_form(
            &url,
            &[
                ("version", &v),
                ("social_care_outcome", "no_further_action"),
                (
                    "social_care_note",
                    "Enquiry concluded; early help to support the family",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM support_requests WHERE id = {id} AND status = 'awaiting_lead' AND level = '3' AND social_care_outcome = 'no_further_action'")).await, 1);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM level_changes WHERE request_id = {id} AND kind = 'step_down' AND from_level = '4' AND to_level = '3'")).await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'request.command' AND detail LIKE '%record the social care outcome%'").await, 2);
    // The form is gone once the request is no longer with social care.
    let page = west.get(&format!("/requests/{id}")).await;
    assert!(!page.body.contains("/social-care\""), "{}", page.body);
}
