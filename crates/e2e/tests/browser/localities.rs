//! Localities in Chromium: the map, a locality profile, the postcode lookup (with a keyboard),
//! the team directory, and the administrator's boundary-set editor, every page checked with axe.

use crate::harness::Chromedriver;
use everychild_testkit::TestApp;
use fantoccini::key::Key;
use serde_json::json;

#[tokio::test]
async fn the_public_finds_a_locality_on_the_map_and_by_postcode_with_the_keyboard() {
    let (app, built) = TestApp::spawn_demo().await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;
    b.visit("/localities", "localities overview with the map")
        .await;
    assert_eq!(b.h1().await, "Localities");
    // The map is drawn: one shape per ward, an accessible name, a label per locality.
    let shapes = b.js("return [document.querySelectorAll('figure svg path').length, document.querySelector('figure svg').getAttribute('role'), document.querySelectorAll('figure svg text').length, document.getElementById('map-title').textContent];").await;
    assert_eq!(shapes[0], json!(21));
    assert_eq!(shapes[1], json!("img"));
    assert_eq!(shapes[2], json!(8));
    assert!(shapes[3].as_str().unwrap().contains("8 localities"));
    let (_, west) = &built.authorities[0].localities[0];
    b.press(west, "West Leicester's profile").await;
    assert_eq!(b.h1().await, *west);
    assert!(b
        .page_text()
        .await
        .contains("Children and young people by age phase"));
    assert!(b.text("main table").await.contains("0-12"));

    // The postcode lookup, keyboard only: tab to the field, type, submit with Enter.
    b.visit("/postcode", "postcode lookup").await;
    b.js("document.activeElement && document.activeElement.blur();")
        .await;
    let body = b
        .client
        .find(fantoccini::Locator::Css("body"))
        .await
        .unwrap();
    let mut reached = false;
    for _ in 0..30 {
        body.send_keys(&Key::Tab.to_string()).await.unwrap();
        if b.js("return document.activeElement.id;").await == json!("postcode") {
            reached = true;
            break;
        }
    }
    assert!(reached, "the postcode field is not reachable with Tab");
    b.mark_page().await;
    let field = b
        .client
        .find(fantoccini::Locator::Id("postcode"))
        .await
        .unwrap();
    field
        .send_keys(&format!("le1 1aa{}", Key::Enter))
        .await
        .unwrap();
    b.wait_for_new_page().await;
    crate::axe::assert_accessible(&b.client, "postcode lookup result").await;
    let text = b.page_text().await;
    assert!(
        text.contains("LE1 1AA")
            && text.contains("Central Leicester")
            && text.contains("Hub for ages 13-19"),
        "{text}"
    );
    // A malformed postcode: the error summary links to the field.
    b.fill("postcode", "LE1").await;
    b.press("Find", "postcode lookup with an error").await;
    assert!(b
        .text(".govuk-error-summary")
        .await
        .contains("Enter a full postcode"));
    assert_eq!(
        b.js("return document.title.startsWith('Error:');").await,
        json!(true)
    );
}

#[tokio::test]
async fn staff_see_the_team_directory_and_an_administrator_previews_a_new_boundary_set() {
    let (app, _) = TestApp::spawn_demo().await;
    let driver = Chromedriver::start();
    let hv = driver.browser(&app).await;
    hv.sign_in(&app, "health.visitor").await;
    hv.visit("/localities", "localities as a practitioner")
        .await;
    hv.press("West Leicester", "profile as a practitioner")
        .await;
    hv.press("Who is in the core and extended teams", "team directory")
        .await;
    assert_eq!(hv.h1().await, "Teams in West Leicester");
    hv.press("0-12", "team directory for 0-12").await;
    let text = hv.page_text().await;
    assert!(text.contains("West Leicester 0-12 core team") && !text.contains("13-19 core team"));

    let admin = driver.browser(&app).await;
    admin.sign_in(&app, "admin").await;
    admin.visit("/admin/boundary-sets", "boundary sets").await;
    assert!(admin
        .text("main table")
        .await
        .contains("Eight localities (2008)"));
    admin
        .press("Make a new boundary set", "boundary set editor")
        .await;
    // Move Castle ward to East Leicester and preview.
    admin.choose("ward_E05010463", "East Leicester").await;
    admin
        .press("Preview populations", "boundary set preview")
        .await;
    let preview = admin.text("main table").await;
    assert!(
        preview.contains("Current set") && preview.contains("East Leicester"),
        "{preview}"
    );
    admin.fill("name", "Castle to the east").await;
    admin.press("Save boundary set", "saved boundary set").await;
    assert_eq!(admin.h1().await, "Castle to the east");
    assert!(admin.page_text().await.contains("Not current"));
    admin.visit("/admin/authority", "authority settings").await;
    assert_eq!(admin.h1().await, "Authority settings");
    admin
        .visit("/localities/1/manage", "managing a locality")
        .await;
    assert!(admin.h1().await.starts_with("Manage "));
    // A form with errors is accessible too.
    admin.fill("postcode", "nope").await;
    admin
        .press("Add the hub or site", "site form with errors")
        .await;
    assert!(admin
        .text(".govuk-error-summary")
        .await
        .contains("Enter a full postcode"));
}
