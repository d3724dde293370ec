//! Children's records in Chromium: register a child, find them by a misspelt name, see who is
//! involved, and ask for access as a colleague with no relationship; every page checked with axe.

use crate::harness::Chromedriver;
use everychild_testkit::TestApp;

#[tokio::test]
async fn a_practitioner_finds_a_child_sees_who_is_involved_and_a_colleague_asks_for_access() {
    let (app, _) = TestApp::spawn_demo().await;
    let driver = Chromedriver::start();
    let teacher = driver.browser(&app).await;
    teacher.sign_in(&app, "teacher").await;
    teacher.visit("/children/new", "register a child").await;
    // Bad input first: the errors are shown accessibly.
    teacher
        .press("Register the child", "register form with errors")
        .await;
    assert!(teacher
        .text(".govuk-error-summary")
        .await
        .contains("Enter the first name"));
    for (field, value) in [
        ("given_name", "Muhammad"),
        ("family_name", "Khan"),
        ("date_of_birth", "2014-03-07"),
        ("nhs_number", "943 476 5919"),
        ("address", "12 Larch Avenue"),
        ("postcode", "LE3 0SG"),
        ("since", "2026-09-01"),
        ("contact", "School office, ask for the SENCO"),
    ] {
        teacher.fill(field, value).await;
    }
    teacher.choose("role", "School or college").await;
    teacher
        .press("Register the child", "the new child's record")
        .await;
    assert_eq!(teacher.h1().await, "Muhammad Khan");
    assert!(teacher
        .page_text()
        .await
        .contains("School office, ask for the SENCO"));

    let hv = driver.browser(&app).await;
    hv.sign_in(&app, "health.visitor").await;
    hv.visit("/children", "find a child").await;
    hv.fill("name", "Mohamed Khan").await;
    hv.fill("date_of_birth", "2014-07-03").await;
    hv.js("document.getElementById('purpose-known').click();")
        .await;
    hv.press("Search", "search results").await;
    assert!(hv.text("main table").await.contains("Muhammad Khan"));
    hv.press("Muhammad Khan", "no recorded relationship").await;
    assert_eq!(
        hv.h1().await,
        "You have no recorded relationship with this child"
    );
    assert!(!hv.page_text().await.contains("Larch"));
    hv.choose("role", "Health visitor").await;
    hv.fill("since", "2026-10-01").await;
    hv.fill("reason", "Health visitor for the family since October")
        .await;
    hv.press(
        "Record that I work with this child",
        "the record after declaring",
    )
    .await;
    let text = hv.page_text().await;
    assert!(
        text.contains("Who is involved")
            && text.contains("Health visitor")
            && text.contains("School or college")
    );
}
