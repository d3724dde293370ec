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
        "Ask to be recorded as working with this child",
        "the page after declaring",
    )
    .await;
    // A declaration opens nothing by itself: the record stays closed until it is approved.
    let text = hv.page_text().await;
    assert!(
        text.contains("Waiting for approval") && !text.contains("Larch"),
        "{text}"
    );
    // The teacher, who works with the child, sees it on the record and approves it.
    let id = app
        .db
        .raw_i64("SELECT child_id FROM involvements WHERE status = 'pending'")
        .await;
    teacher
        .visit(
            &format!("/children/{id}"),
            "the record with a declaration to decide",
        )
        .await;
    assert!(teacher
        .page_text()
        .await
        .contains("Waiting for your decision"));
    teacher.mark_page().await;
    teacher
        .js("document.querySelector('button[name=decision][value=approve]').click();")
        .await;
    teacher.wait_for_new_page().await;
    assert!(teacher
        .page_text()
        .await
        .contains("The declaration has been approved"));
    hv.visit(&format!("/children/{id}"), "the record after approval")
        .await;
    let text = hv.page_text().await;
    assert!(
        text.contains("Who is involved")
            && text.contains("Health visitor")
            && text.contains("School or college")
    );
}

#[tokio::test]
async fn a_locality_manager_resolves_a_review_item_side_by_side() {
    use everychild_domain::person::ExtractRow;
    let (app, _) = TestApp::spawn_demo().await;
    let row = |id: &str, given: &str, dob: &str, postcode: &str| ExtractRow {
        source_id: id.into(),
        given_name: Some(given.into()),
        family_name: Some("Khan".into()),
        date_of_birth: Some(dob.into()),
        postcode: Some(postcode.into()),
        nhs_number_verified: true,
        ..ExtractRow::default()
    };
    app.import_extract(
        "City Community Health Services (NHS)",
        &[row("H1", "Muhammad", "2014-03-07", "LE3 0SG")],
    )
    .await;
    let school = app
        .import_extract(
            "Leicester City Council Education Services",
            &[row("A123456789012", "Mohammed", "2013-09-07", "LE5 3AA")],
        )
        .await;
    assert_eq!(school.review, 1, "{school:?}");

    let driver = Chromedriver::start();
    let m = driver.browser(&app).await;
    m.sign_in(&app, "manager.west").await;
    m.visit("/reviews", "the review queue").await;
    m.press(
        "Leicester City Council Education Services: A123456789012",
        "a review item",
    )
    .await;
    assert_eq!(m.h1().await, "Is this one of these children?");
    let table = m.text("main table").await;
    assert!(
        table.contains("Mohammed") && table.contains("Muhammad"),
        "{table}"
    );
    assert!(table.contains("nickname or transliteration"), "{table}");
    m.press(
        "This is the same child as candidate 1",
        "the queue after linking",
    )
    .await;
    m.assert_at("/reviews").await;
    assert!(m.page_text().await.contains("There is nothing to review."));
    let linked = app
        .db
        .raw_i64("SELECT COUNT(*) FROM agency_records WHERE source_id = 'A123456789012' AND status = 'linked'")
        .await;
    assert_eq!(linked, 1);
}
