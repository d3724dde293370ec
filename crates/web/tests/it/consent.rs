//! Consent per purpose and per agency, over HTTP: a family agrees to share the early help
//! assessment with one organisation only, then with every agency in the team, then withdraws
//! both. A member of the team around the child sees the shared assessment only while a consent
//! in force covers their organisation; the rule is in the store's read, and every consent and
//! withdrawal is audited naming the organisation.

use everychild_testkit::{input_value, Client, TestApp};

/// A child registered by the teacher at `postcode`; returns the child's id.
pub(crate) async fn register_child(teacher: &mut Client, given: &str, postcode: &str) -> i64 {
    super::requests::register(teacher, (given, "Okafor"), "2016-03-04", postcode).await
}

/// A request for the child by the teacher, with no consent; returns its id.
pub(crate) async fn ask(teacher: &mut Client, child: i64) -> i64 {
    let r = teacher
        .post_form(
            &format!("/children/{child}/requests"),
            &[("concern", "Tired and hungry"), ("needs", "dev_health")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/requests/")
        .parse()
        .unwrap()
}

pub(crate) async fn user_id(app: &TestApp, username: &str) -> String {
    app.db
        .raw_i64(&format!(
            "SELECT id FROM users WHERE username = '{username}'"
        ))
        .await
        .to_string()
}

async fn version(c: &mut Client, id: i64) -> String {
    let page = c.get(&format!("/requests/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    input_value(&page.body, "version").expect("a version in the form")
}

/// The front door decides early help and appoints the health visitor as lead.
pub(crate) async fn early_help(app: &TestApp, manager: &mut Client, id: i64) {
    let v = version(manager, id).await;
    let r = manager
        .post_form(
            &format!("/requests/{id}/decide"),
            &[
                ("level", "2"),
                ("route", "early_help"),
                ("rationale", "Early help"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let hv = user_id(app, "health.visitor").await;
    let v = version(manager, id).await;
    let r = manager
        .post_form(
            &format!("/requests/{id}/lead"),
            &[("lead", &hv), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.raw_i64(sql).await
}

#[tokio::test]
async fn a_shared_assessment_is_seen_only_by_the_agencies_the_family_agreed_to() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut teacher, _) = app.signed_in("teacher").await;
    let child = register_child(&mut teacher, "Tobi", "LE3 0SG").await;
    let id = ask(&mut teacher, child).await;
    let (mut west, _) = app.signed_in("manager.west").await;
    early_help(&app, &mut west, id).await;
    let (mut hv, _) = app.signed_in("health.visitor").await;

    // The team: the school nurse (a health organisation, X) and the family support worker
    // (another organisation, Y).
    for (who, part) in [
        ("school.nurse", "School nurse"),
        ("family.support", "Family worker"),
    ] {
        let u = user_id(&app, who).await;
        let r = hv
            .post_form(
                &format!("/requests/{id}/members"),
                &[("member", &u), ("team_role", part)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let org_of = |who: &str| format!("SELECT organisation_id FROM users WHERE username = '{who}'");
    let x = count(&app, &org_of("school.nurse")).await;
    let y = count(&app, &org_of("family.support")).await;
    assert_ne!(x, y, "two agencies");
    let x_name = app
        .db
        .raw_text(&format!("SELECT name FROM organisations WHERE id = {x}"))
        .await;

    // The consent form offers the whole team or one organisation, the team's own first.
    let page = hv.get(&format!("/requests/{id}")).await;
    assert!(page
        .body
        .contains("Every agency in the team around the child"));
    assert!(page
        .body
        .contains("<optgroup label=\"Organisations in the team around the child\">"));
    assert!(page.body.contains(&format!("<option value=\"{x}\"")));

    // The lead writes, completes and (once the family agrees) shares the assessment.
    let path = format!("/requests/{id}/assessment");
    let r = hv
        .post_form(
            &path,
            &[
                ("version", "0"),
                ("dev_health-strengths", "Healthy weight"),
                ("dev_health-needs", "Tired most mornings"),
                ("dev_health-need", "yes"),
                ("parent_warmth-strengths", "Dad is warm and keen for help"),
                ("family_housing-needs", "Overcrowded flat"),
                ("summary", "Breakfast club and a family support worker"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let v = input_value(&hv.get(&path).await.body, "version").unwrap();
    let r = hv
        .post_form(&format!("{path}/complete"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Bad consent forms are refused naming the field, and record nothing.
    let consents = format!("/requests/{id}/consents");
    let before = count(&app, "SELECT COUNT(*) FROM request_consents").await;
    for (fields, field, says) in [
        (
            vec![
                ("purpose", "share"),
                ("organisation", "x"),
                ("consent_given_by", "Mum"),
            ],
            "organisation",
            "Choose every agency in the team around the child, or one organisation from the list",
        ),
        (
            vec![
                ("purpose", "share"),
                ("organisation", "999999"),
                ("consent_given_by", "Mum"),
            ],
            "organisation",
            "Choose every agency in the team around the child, or one organisation from the list",
        ),
        (
            vec![
                ("purpose", "share"),
                ("organisation", "team"),
                ("consent_given_by", " "),
            ],
            "consent_given_by",
            "Enter who gave consent",
        ),
        (
            vec![
                ("purpose", "gossip"),
                ("organisation", "team"),
                ("consent_given_by", "Mum"),
            ],
            "purpose",
            "Choose what the family agrees to from the list",
        ),
    ] {
        let r = hv.post_form(&consents, &fields).await;
        assert_eq!(r.status, 400, "{field}: {}", r.body);
        assert!(r.body.contains(says), "{field}: {}", r.body);
        assert!(
            r.body.contains(&format!("href=\"#{field}\"")),
            "the summary links to {field}"
        );
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM request_consents").await,
        before
    );

    // Consent to share with X only.
    let r = hv
        .post_form(
            &consents,
            &[
                ("purpose", "share"),
                ("organisation", &x.to_string()),
                ("consent_given_by", "Tobi's father"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = hv.get(&format!("/requests/{id}")).await;
    assert!(
        page.body.contains(&format!("for {x_name} only")),
        "{}",
        page.body
    );
    let v = input_value(&hv.get(&path).await.body, "version").unwrap();
    let r = hv
        .post_form(&format!("{path}/share"), &[("version", &v)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let (mut nurse, _) = app.signed_in("school.nurse").await;
    let (mut fsw, _) = app.signed_in("family.support").await;
    crate::involve::accept_place(&mut nurse, id).await;
    crate::involve::accept_place(&mut fsw, id).await;
    let page = nurse.get(&path).await;
    assert_eq!(page.status, 200, "X is covered: {}", page.body);
    assert!(page.body.contains("Tired most mornings"));
    assert!(page.body.contains("Who the family agreed to share it with"));
    assert!(page.body.contains(&x_name));
    let page = fsw.get(&path).await;
    assert_eq!(page.status, 404, "Y is not covered");
    assert!(page
        .body
        .contains("the family has not agreed to share it with your organisation"));
    assert!(!page.body.contains("Tired most mornings"), "no content");
    assert!(!page.body.contains("Breakfast club"), "no content");
    // Both still see the request itself as members of the team.
    assert_eq!(fsw.get(&format!("/requests/{id}")).await.status, 200);

    // Consent for every agency in the team: both see it.
    let r = hv
        .post_form(
            &consents,
            &[
                ("purpose", "share"),
                ("organisation", "team"),
                ("consent_given_by", "Tobi's father"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for c in [&mut nurse, &mut fsw] {
        let page = c.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Tired most mornings"));
        assert!(page
            .body
            .contains("Every agency in the team around the child"));
    }
    // The teacher who asked is involved with the child but not on the team: a consent for
    // every agency in the team is not a consent to them.
    let page = teacher.get(&path).await;
    assert!(!page.body.contains("Tired most mornings"), "{}", page.body);
    assert_ne!(page.status, 200);

    // Both consents withdrawn: neither sees it (the lead still does).
    for purpose_org in [
        format!("organisation_id = {x}"),
        "organisation_id IS NULL".into(),
    ] {
        let consent = count(
            &app,
            &format!(
                "SELECT id FROM request_consents WHERE request_id = {id} AND purpose = 'share' AND {purpose_org}"
            ),
        )
        .await;
        let r = hv
            .post_form(&format!("{consents}/{consent}/withdraw"), &[])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    for c in [&mut nurse, &mut fsw] {
        let page = c.get(&path).await;
        assert_eq!(page.status, 404, "{}", page.body);
        assert!(!page.body.contains("Tired most mornings"));
    }
    let page = hv.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("Nobody: the family has not agreed to share"));

    // Every consent and withdrawal is audited, naming the organisation.
    let audited = |action: &str, name: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = '{action}' AND detail LIKE '%{}%'",
            name.replace('\'', "''")
        )
    };
    for action in ["request.record_consent", "request.withdraw_consent"] {
        assert_eq!(
            count(&app, &audited(action, &x_name)).await,
            1,
            "{action} X"
        );
        assert_eq!(
            count(
                &app,
                &audited(action, "Every agency in the team around the child")
            )
            .await,
            1,
            "{action} team"
        );
    }
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'request.record_consent' AND detail LIKE '%\"organisation_id\":{x}%'"
            )
        )
        .await,
        1
    );
}
