//! Signing in through the council's identity provider in a real browser: the sign-in page
//! offers it (and passes axe), the provider's own form signs the person in, and they arrive
//! home signed in; signing out goes through the provider's sign-out.

use crate::axe::assert_accessible;
use crate::harness::Chromedriver;
use everychild_domain::Role::*;
use everychild_testkit::{oidc_set_claims, oidc_settings, unique_suffix, TestApp};
use fantoccini::Locator;

#[tokio::test]
async fn a_practitioner_signs_in_through_the_councils_identity_provider() {
    let app = TestApp::spawn_with(oidc_settings(&[], None)).await;
    let priya = app.user("priya", "Priya Patel", Practitioner).await;
    let sub = format!("priya-{}", unique_suffix());
    app.db
        .raw(&format!(
            "INSERT INTO user_identities (user_id, issuer, subject, linked_at) \
             VALUES ({}, '{}', '{sub}', '2026-01-01T00:00:00.000Z')",
            priya.0,
            everychild_testkit::oidc_provider()
        ))
        .await;
    oidc_set_claims(&sub, serde_json::json!({"amr": ["pwd", "mfa"]})).await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;

    b.visit("/sign-in", "sign-in page with the identity provider")
        .await;
    // The provider's form is not ours: no axe check until we are back.
    let start = b
        .client
        .find(Locator::LinkText("Sign in with Test council account"))
        .await
        .expect("the identity provider's button");
    b.mark_page().await;
    start.click().await.expect("click");
    b.wait_for_new_page().await;
    let url = b.client.current_url().await.expect("url");
    assert!(
        url.as_str()
            .starts_with(&everychild_testkit::oidc_provider()),
        "at the provider: {url}"
    );
    let field = b
        .client
        .find(Locator::Css("input[name='sub']"))
        .await
        .expect("the provider's form");
    field.send_keys(&sub).await.expect("type");
    b.mark_page().await;
    b.client
        .find(Locator::XPath("//button[normalize-space()='Authorize']"))
        .await
        .expect("authorize")
        .click()
        .await
        .expect("click");
    b.wait_for_new_page().await;
    b.assert_at("/").await;
    assert_eq!(b.h1().await, "Welcome, Priya Patel");
    assert_accessible(&b.client, "home page after the identity provider").await;

    // Signing out ends the provider's session too: the browser is sent to its sign-out.
    b.mark_page().await;
    b.client
        .find(Locator::XPath(
            "//form[@action='/sign-out']//button[normalize-space()='Sign out']",
        ))
        .await
        .expect("sign out")
        .click()
        .await
        .expect("click");
    b.wait_for_new_page().await;
    let url = b.client.current_url().await.expect("url");
    assert!(
        url.as_str().starts_with(&format!(
            "{}/oauth2/end_session",
            everychild_testkit::oidc_provider()
        )),
        "{url}"
    );
}
