//! Stored markup shown as text, and every page of the service checked with axe as the public,
//! a practitioner and an administrator see it.

use crate::harness::Chromedriver;
use everychild_domain::Role::*;
use everychild_testkit::TestApp;
use serde_json::json;

const XSS_NAME: &str = r#"<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"#;

#[tokio::test]
async fn a_display_name_with_markup_is_shown_as_text_and_never_runs() {
    let app = TestApp::spawn().await;
    let id = app.user("mallory", XSS_NAME, Practitioner).await.0;
    app.user("vic.user", "Vic Reader", Practitioner).await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;
    b.sign_in(&app, "vic.user").await;

    let no_script_ran = "return typeof window.__xss === 'undefined' && document.querySelectorAll('main script, main img').length === 0;";
    b.visit(
        &format!("/staff/{id}"),
        "staff profile with markup in the name",
    )
    .await;
    assert_eq!(
        b.js(no_script_ran).await,
        json!(true),
        "the stored markup ran"
    );
    assert_eq!(b.h1().await, XSS_NAME, "the name is shown as text");

    b.visit("/staff?q=script", "staff search listing the name")
        .await;
    assert_eq!(
        b.js(no_script_ran).await,
        json!(true),
        "the stored markup ran"
    );
    assert_eq!(b.text("main table a").await, XSS_NAME);
}

#[tokio::test]
async fn every_page_meets_wcag_2_2_aa_for_the_public_a_practitioner_and_an_administrator() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    app.user("hv.user", "Hana Visitor", Practitioner).await;
    app.user("an.user", "Ana Lyst", Analyst).await;
    // Tokens never act as a role that sees personal data: a directory editor's will do.
    app.user("ed.user", "Ed Itor", DirectoryEditor).await;
    app.org("Northfield Primary School").await;
    let driver = Chromedriver::start();

    let public = driver.browser(&app).await;
    public.visit("/", "landing page").await;
    assert_eq!(public.h1().await, "everychild");
    public.visit("/sign-in", "sign-in page").await;
    public.visit("/no-such-page", "page not found").await;
    assert_eq!(public.h1().await, "Page not found");

    let sam = app.user("sw.walker", "Sam Walker", Practitioner).await.0;
    let prac = driver.browser(&app).await;
    prac.sign_in(&app, "hv.user").await;
    for (path, label, h1) in [
        ("/", "practitioner's home page", "Welcome, Hana Visitor"),
        ("/staff?q=a", "staff search results", "Staff directory"),
        ("/account", "account page", ""),
        ("/account/password", "change-password page", ""),
        ("/account/second-factor", "authenticator set-up page", ""),
    ] {
        prac.visit(path, label).await;
        prac.assert_at(path).await;
        let heading = prac.h1().await;
        assert!(!heading.is_empty(), "{path} has no heading");
        if !h1.is_empty() {
            assert_eq!(heading, h1, "{path}");
        }
    }
    prac.visit(&format!("/staff/{sam}"), "staff profile").await;
    assert_eq!(prac.h1().await, "Sam Walker");

    let admin = driver.browser(&app).await;
    admin.sign_in(&app, "boss").await;
    for path in [
        "/admin/users",
        "/admin/organisations",
        "/admin/tokens",
        "/audit",
    ] {
        admin.visit(path, &format!("administrator's {path}")).await;
        admin.assert_at(path).await;
        assert!(!admin.h1().await.is_empty(), "{path} has no heading");
    }
    // With a token issued, the tokens page lists it in a table.
    admin.visit("/admin/tokens", "tokens page, empty").await;
    assert!(admin
        .page_text()
        .await
        .contains("No tokens have been issued"));
    admin.fill("client", "Nightly import").await;
    admin.choose("role", "Service directory editor").await;
    admin
        .js("document.getElementById('scope-1').click(); return true")
        .await;
    admin.press("Issue token", "token issued").await;
    assert_eq!(admin.h1().await, "Token issued for Nightly import");
    admin
        .visit("/admin/tokens", "tokens page with a token")
        .await;
    assert!(admin.text("main table").await.contains("Nightly import"));
}

/// The checker itself: axe-core loads in our pages despite their Content Security Policy and
/// reports a violation planted in one, so a clean result elsewhere means something.
#[tokio::test]
async fn axe_reports_a_violation_planted_in_a_page() {
    let app = TestApp::spawn().await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;
    b.visit("/sign-in", "sign-in page").await;
    b.js("const i = document.createElement('input'); i.id = 'unlabelled'; document.querySelector('main').append(i);")
        .await;
    let (url, found) = crate::axe::violations(&b.client, "sign-in page with a planted input").await;
    assert_eq!(url, "/sign-in");
    let ids: Vec<&str> = found.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["label"], "{found:?}");
    assert_eq!(found[0]["nodes"][0]["target"], json!(["#unlabelled"]));
}
