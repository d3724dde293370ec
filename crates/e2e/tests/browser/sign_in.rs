//! Signing in with a password and an authenticator app, signing out, and doing it all with
//! the keyboard alone.

use crate::axe::assert_accessible;
use crate::harness::Chromedriver;
use everychild_domain::Role::*;
use everychild_testkit::{TestApp, PASSWORD};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

#[tokio::test]
async fn an_administrator_sets_up_a_second_factor_signs_out_and_signs_in_again_with_a_code() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;

    b.visit("/sign-in", "sign-in page").await;
    b.fill("username", "boss").await;
    b.fill("password", PASSWORD).await;
    b.press("Sign in", "set-up page").await;
    b.assert_at("/sign-in/set-up-second-factor").await;
    assert_eq!(b.h1().await, "Set up your authenticator app");
    let secret = b.text("#totp-secret").await;
    assert!(secret.len() >= 16, "set-up key: {secret:?}");
    b.fill("code", &app.code(&secret, 0)).await;
    b.press("Continue", "home page after set-up").await;
    b.assert_at("/").await;
    assert_eq!(b.h1().await, "Welcome, Bea Admin");

    b.press_in("form[action='/sign-out']", "Sign out", "signed-out page")
        .await;
    b.assert_at("/sign-in?signed_out=1").await;
    assert!(b.page_text().await.contains("You have signed out"));

    // The second time, the code is asked for; the one already used would be refused, so the
    // clock moves to the next 30-second step.
    b.fill("username", "boss").await;
    b.fill("password", PASSWORD).await;
    b.press("Sign in", "second-factor page").await;
    b.assert_at("/sign-in/second-factor").await;
    assert_eq!(b.h1().await, "Enter the code from your authenticator app");
    app.clock.advance(time::Duration::seconds(30));
    b.fill("code", &app.code(&secret, 0)).await;
    b.press("Continue", "home page after the code").await;
    b.assert_at("/").await;
    assert_eq!(b.h1().await, "Welcome, Bea Admin");
}

/// Press and release each key in turn, as a person at a keyboard would.
async fn keys(b: &crate::harness::Browser, keys: &str) {
    let mut seq = KeyActions::new("keyboard".into());
    for k in keys.chars() {
        seq = seq
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
    }
    b.client.perform_actions(seq).await.expect("key actions");
}

/// What has the keyboard focus: its id, or its text if it has none.
async fn focused(b: &crate::harness::Browser) -> String {
    let v = b
        .js("const e = document.activeElement; return e.id || e.textContent.trim();")
        .await;
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[tokio::test]
async fn a_keyboard_user_skips_to_the_form_and_signs_in_without_a_mouse() {
    let app = TestApp::spawn().await;
    // A role that needs no second factor, so the keyboard journey ends on the home page.
    app.user("kb.user", "Kit Board", AdvisoryBoardMember).await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;
    b.visit("/sign-in", "sign-in page").await;

    let tab = char::from(Key::Tab).to_string();
    let enter = char::from(Key::Enter).to_string();
    keys(&b, &tab).await;
    assert_eq!(
        focused(&b).await,
        "Skip to main content",
        "the skip link is the first thing the Tab key reaches"
    );
    // Following it moves focus to the main content, so the next Tab reaches the form.
    keys(&b, &enter).await;
    keys(&b, &tab).await;
    assert_eq!(focused(&b).await, "username");
    keys(&b, "kb.user").await;
    keys(&b, &tab).await;
    assert_eq!(focused(&b).await, "password");
    keys(&b, PASSWORD).await;
    b.mark_page().await;
    keys(&b, &enter).await;
    b.wait_for_new_page().await;
    assert_accessible(&b.client, "home page after keyboard sign-in").await;
    b.assert_at("/").await;
    assert_eq!(b.h1().await, "Welcome, Kit Board");
}
