//! A request for support in Chromium, from the school through the front door to closure, across
//! three agencies (school, locality manager, health visitor); every page checked with axe.

use crate::harness::Chromedriver;
use everychild_testkit::TestApp;

#[tokio::test]
async fn a_request_goes_from_the_school_to_the_front_door_to_a_lead_professional_and_closes() {
    let (app, _) = TestApp::spawn_demo().await;
    // The school already works with the child.
    let (mut http, _) = app.signed_in("teacher").await;
    let r = http
        .post_form(
            "/children",
            &[
                ("given_name", "Maya"),
                ("family_name", "Patel"),
                ("date_of_birth", "2016-02-02"),
                ("sex", "female"),
                ("postcode", "LE3 0SG"),
                ("role", "school"),
                ("since", "2026-09-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let child = r
        .location()
        .trim_start_matches("/children/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    let driver = Chromedriver::start();
    let teacher = driver.browser(&app).await;
    teacher.sign_in(&app, "teacher").await;
    teacher
        .visit(
            &format!("/children/{child}/requests"),
            "the child's requests",
        )
        .await;
    teacher.press("Ask for support", "the request form").await;
    // Nothing filled in: the errors are named and linked.
    teacher
        .press("Send the request", "the form with errors")
        .await;
    let summary = teacher.text(".govuk-error-summary").await;
    assert!(summary.contains("Choose at least one need"), "{summary}");
    teacher
        .fill(
            "concern",
            "Maya is withdrawn and often late; mum has said she is not coping",
        )
        .await;
    teacher
        .js("document.getElementById('needs-dev_emotional').click();")
        .await;
    teacher
        .js("document.getElementById('needs-issue_parental_mental_health').click();")
        .await;
    teacher
        .js("document.getElementById('consent').click();")
        .await;
    teacher.fill("consent_given_by", "Maya's mother").await;
    teacher.press("Send the request", "the request sent").await;
    assert_eq!(teacher.h1().await, "Maya Patel");
    assert!(teacher
        .page_text()
        .await
        .contains("Waiting for the front door"));
    let id = teacher
        .path()
        .await
        .trim_start_matches("/requests/")
        .to_owned();

    let manager = driver.browser(&app).await;
    manager.sign_in(&app, "manager.west").await;
    manager.visit("/front-door", "the front door").await;
    manager
        .press("Maya Patel", "the request at the front door")
        .await;
    manager
        .js("document.getElementById('level-3').click();")
        .await;
    manager
        .js("document.getElementById('route-early_help').click();")
        .await;
    manager
        .fill(
            "rationale",
            "Emotional needs and a parent's mental health: a team around the child",
        )
        .await;
    manager
        .press("Record the decision", "the decided request")
        .await;
    assert!(manager
        .page_text()
        .await
        .contains("Needs a lead professional"));
    let hv = app
        .db
        .raw_i64("SELECT id FROM users WHERE username = 'health.visitor'")
        .await;
    manager
        .js(&format!("document.getElementById('lead').value = '{hv}';"))
        .await;
    manager
        .press("Appoint the lead professional", "the request with a lead")
        .await;
    assert!(manager.page_text().await.contains("Current lead"));
    // The locality's dashboard, from the front door: charts and their tables, checked by axe.
    let locality = app
        .db
        .raw_text(&format!(
            "SELECT l.name FROM localities l JOIN support_requests r ON r.locality_id = l.id WHERE r.id = {id}"
        ))
        .await;
    manager.visit("/front-door", "the front door").await;
    manager
        .press(
            &format!("Dashboard for {locality}"),
            "the locality dashboard",
        )
        .await;
    assert_eq!(manager.h1().await, locality);
    let text = manager.page_text().await;
    assert!(
        text.contains("Open work by age phase and level of need")
            && text.contains("Show the figures"),
        "{text}"
    );

    let lead = driver.browser(&app).await;
    lead.sign_in(&app, "health.visitor").await;
    lead.visit(&format!("/requests/{id}"), "the lead professional's view")
        .await;
    lead.js("document.getElementById('outcome').click();").await;
    lead.choose("closure_reason", "Needs met").await;
    lead.js("document.getElementById('outcome-dev_emotional').click();")
        .await;
    lead.js("document.getElementById('outcome-issue_parental_mental_health-same').click();")
        .await;
    lead.fill(
        "summary",
        "Family support worker and a parenting group; Maya is settled",
    )
    .await;
    lead.press("Close the request", "the closed request").await;
    let text = lead.page_text().await;
    assert!(
        text.contains("Closed") && text.contains("Better: Family support worker"),
        "{text}"
    );
    let status = app
        .db
        .raw_text(&format!(
            "SELECT status FROM support_requests WHERE id = {id}"
        ))
        .await;
    assert_eq!(status, "closed");
}
