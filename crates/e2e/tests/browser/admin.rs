//! User administration in the browser: a form's errors, a confirmation, a forged CSRF token,
//! and disabling, enabling and resetting an account while its owner is signed in elsewhere.

use crate::harness::Chromedriver;
use everychild_domain::Role::*;
use everychild_testkit::TestApp;
use serde_json::{json, Value};

#[tokio::test]
async fn adding_a_user_shows_errors_then_a_temporary_password_and_a_forged_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    app.org("Northfield Primary School").await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;
    b.sign_in(&app, "boss").await;
    let users = || app.db.raw_i64("SELECT COUNT(*) FROM users");
    assert_eq!(users().await, 1);

    // Empty: the error summary names each problem, links to its field and takes the focus.
    b.visit("/admin/users/new", "add-a-user form").await;
    b.press("Add user", "add-a-user form with errors").await;
    assert_eq!(b.h1().await, "Add a user");
    assert!(b.client.title().await.unwrap().starts_with("Error: "));
    let links = b
        .js("return [...document.querySelectorAll('.govuk-error-summary__list a')].map(a => [a.getAttribute('href'), a.textContent.trim(), !!document.getElementById(a.getAttribute('href').slice(1))]);")
        .await;
    let hrefs: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[0].as_str().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        ["#display_name", "#username", "#role", "#organisation_id"],
        "the summary lists the problems in the order of the form"
    );
    for l in links.as_array().unwrap() {
        assert_eq!(l[2], Value::Bool(true), "summary link to no field: {l}");
        assert!(!l[1].as_str().unwrap().is_empty());
    }
    let summary_focused = b
        .js("return document.activeElement.classList.contains('govuk-error-summary');")
        .await;
    assert_eq!(
        summary_focused,
        json!(true),
        "GOV.UK Frontend focuses the error summary"
    );
    b.client
        .find(fantoccini::Locator::Css(
            ".govuk-error-summary__list a[href='#role']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        b.js("return document.activeElement.id;").await,
        json!("role")
    );
    let described = b
        .js("return document.getElementById('role').getAttribute('aria-describedby');")
        .await;
    assert_eq!(described, json!("role-error"));
    assert_eq!(users().await, 1);

    // Filled in: the confirmation shows the temporary password once.
    b.fill("display_name", "Nia Okafor").await;
    b.fill("username", "nia.okafor").await;
    b.fill("job_title", "School nurse").await;
    b.choose("role", "Practitioner").await;
    b.choose("organisation_id", "Northfield Primary School")
        .await;
    b.press("Add user", "user-added confirmation").await;
    assert_eq!(b.h1().await, "nia.okafor has been added");
    let temp = b.text("#secret").await;
    assert!(temp.len() >= 16, "temporary password: {temp:?}");
    assert_eq!(users().await, 2);
    b.press("Continue", "the new user's page").await;
    assert_eq!(b.h1().await, "Nia Okafor");

    // The same form with its CSRF token forged is refused, and nothing is created.
    b.visit("/admin/users/new", "add-a-user form again").await;
    b.fill("display_name", "Mal Forger").await;
    b.fill("username", "mal.forger").await;
    b.choose("role", "Administrator").await;
    b.choose("organisation_id", "Test Trust").await;
    b.js("document.querySelector('form[action=\"/admin/users\"] input[name=csrf_token]').value = 'forged';")
        .await;
    b.press("Add user", "forbidden page").await;
    assert!(
        b.page_text().await.contains("You do not have permission"),
        "{}",
        b.page_text().await
    );
    assert_eq!(users().await, 2, "a forged token must create nothing");
}

#[tokio::test]
async fn a_disabled_practitioner_is_signed_out_in_their_own_browser_and_returns_when_enabled() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    let id = app.user("pat.p", "Pat Practitioner", Practitioner).await.0;
    let driver = Chromedriver::start();
    let admin = driver.browser(&app).await;
    let pat = driver.browser(&app).await;
    admin.sign_in(&app, "boss").await;
    pat.sign_in(&app, "pat.p").await;
    pat.visit("/account", "practitioner's account page").await;
    pat.assert_at("/account").await;

    let page = format!("/admin/users/{id}");
    admin.visit(&page, "user page").await;
    assert_eq!(admin.h1().await, "Pat Practitioner");
    admin.press("Disable account", "user page, disabled").await;
    admin.assert_at(&format!("{page}?done=disabled")).await;
    assert!(admin
        .page_text()
        .await
        .contains("The account has been disabled and its sessions ended"));

    // The practitioner's next page is the sign-in page, and their password no longer works.
    pat.visit("/account", "practitioner after being disabled")
        .await;
    pat.assert_at("/sign-in").await;
    pat.fill("username", "pat.p").await;
    pat.fill("password", everychild_testkit::PASSWORD).await;
    pat.press("Sign in", "sign-in refused").await;
    pat.assert_at("/sign-in").await;
    assert!(pat
        .text(".govuk-error-summary")
        .await
        .contains("There is a problem"));

    admin.press("Enable account", "user page, enabled").await;
    admin.assert_at(&format!("{page}?done=enabled")).await;
    assert!(admin
        .page_text()
        .await
        .contains("The account has been enabled"));
    pat.sign_in(&app, "pat.p").await;

    admin
        .press("Reset password", "password-reset confirmation")
        .await;
    assert_eq!(admin.h1().await, "The password has been reset");
    let temp = admin.text("#secret").await;
    assert!(temp.len() >= 16, "temporary password: {temp:?}");
    // A reset ends the practitioner's sessions too.
    pat.visit("/account", "practitioner after the reset").await;
    pat.assert_at("/sign-in").await;
}
