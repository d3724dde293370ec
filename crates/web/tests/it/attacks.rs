//! Attacks the product must resist: session fixation, CSRF, account enumeration, stored XSS,
//! oversized bodies.

use everychild_domain::Role::*;
use everychild_testkit::{TestApp, PASSWORD};
use std::time::Instant;

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_a_planted_id_is_useless() {
    let app = TestApp::spawn().await;
    app.user("fx.user", "Fay Xu", Practitioner).await;
    let mut c = app.client();
    // An attacker plants a session id before the victim signs in.
    c.cookies.insert(
        "everychild_session".into(),
        "planted-by-attacker-0123456789abcdef".into(),
    );
    let r = c.sign_in("fx.user", PASSWORD).await;
    assert_eq!(r.location(), "/sign-in/set-up-second-factor");
    let issued = c.session().unwrap();
    assert_ne!(issued, "planted-by-attacker-0123456789abcdef");
    assert!(issued.len() >= 43, "at least 256 bits of base64: {issued}");
    let set = c
        .set_cookies
        .iter()
        .find(|s| s.starts_with("everychild_session=") && !s.contains("Max-Age=0"))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    // Signing in again issues another id.
    let mut d = app.client();
    d.sign_in("fx.user", PASSWORD).await;
    assert_ne!(d.session().unwrap(), issued);
}

#[tokio::test]
async fn secure_cookies_carry_the_secure_flag_and_host_prefix() {
    let mut s = everychild_testkit::test_settings();
    s.secure_cookies = true;
    let app = TestApp::spawn_with(s).await;
    let mut c = app.client();
    c.get("/sign-in").await;
    let pre = c
        .set_cookies
        .iter()
        .find(|s| s.starts_with("__Host-everychild_pre="))
        .unwrap();
    assert!(
        pre.contains("; Secure") && pre.contains("HttpOnly"),
        "{pre}"
    );
}

#[tokio::test]
async fn posts_without_or_with_a_foreign_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    app.user("other", "Oli Other", Practitioner).await;
    let org = app.org("Test Trust").await;
    let (mut admin, _) = app.signed_in("boss").await;
    let (mut other, _) = app.signed_in("other").await;
    other.get("/account").await;
    let foreign = other.csrf.clone().unwrap();
    let users_before = app.db.raw_i64("SELECT COUNT(*) FROM users").await;
    let fields = [
        ("username", "sneaky"),
        ("display_name", "Sneaky"),
        ("role", "administrator"),
        ("organisation_id", &org.0.to_string()),
    ];
    let r = admin.post_raw_form("/admin/users", &fields).await;
    assert_eq!(r.status, 403, "no token");
    let mut with_foreign = vec![("csrf_token", foreign.as_str())];
    with_foreign.extend_from_slice(&fields);
    let r = admin.post_raw_form("/admin/users", &with_foreign).await;
    assert_eq!(r.status, 403, "another session's token");
    let r = admin
        .post_json(
            "/api/v1/users",
            r#"{"username":"sneaky2","display_name":"S","role":"analyst","organisation_id":1}"#,
        )
        .await;
    assert_ne!(
        r.status, 403,
        "the API with the session's own header token works"
    );
    admin.csrf = Some(foreign);
    let r = admin
        .post_json(
            "/api/v1/users",
            r#"{"username":"sneaky3","display_name":"S","role":"analyst","organisation_id":1}"#,
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "csrf");
    assert_eq!(
        app.db.raw_i64("SELECT COUNT(*) FROM users").await,
        users_before + 1,
        "only the properly protected request wrote"
    );
    // Sign-in itself is protected too.
    let r = app
        .client()
        .post_raw_form("/sign-in", &[("username", "boss"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 403);
}

fn normalise(body: &str) -> String {
    // Tokens and nonces differ on every response; everything else must be identical.
    let mut out = String::new();
    for line in body.lines() {
        if line.contains("csrf_token") || line.contains("nonce=") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn unknown_accounts_and_wrong_passwords_are_indistinguishable() {
    let app = TestApp::spawn().await;
    app.user("real.person", "Real Person", Practitioner).await;
    let mut unknown_times = vec![];
    let mut wrong_times = vec![];
    let mut bodies = vec![];
    for i in 0..4 {
        // Different names each time so neither reaches the soft lock.
        let t = Instant::now();
        let a = app
            .client()
            .sign_in(&format!("ghost{i}"), "some password here")
            .await;
        unknown_times.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let b = app
            .client()
            .sign_in("real.person", &format!("wrong password {i}"))
            .await;
        wrong_times.push(t.elapsed().as_secs_f64());
        assert_eq!(a.status, b.status);
        bodies.push((
            normalise(&a.body).replace(&format!("ghost{i}"), "NAME"),
            normalise(&b.body).replace("real.person", "NAME"),
        ));
    }
    for (a, b) in &bodies {
        assert_eq!(a, b, "the pages must not differ");
    }
    unknown_times.sort_by(f64::total_cmp);
    wrong_times.sort_by(f64::total_cmp);
    let (u, w) = (unknown_times[2], wrong_times[2]);
    let ratio = u.max(w) / u.min(w);
    assert!(
        ratio < 3.0,
        "median times differ too much: unknown {u:.3}s, wrong password {w:.3}s"
    );
}

#[tokio::test]
async fn a_display_name_with_script_is_rendered_inert() {
    let app = TestApp::spawn().await;
    let id = app
        .user(
            "xss",
            "<script>alert('x')</script><img src=x onerror=alert(1)>",
            Practitioner,
        )
        .await;
    app.user("viewer", "Vee Viewer", Practitioner).await;
    let (mut c, _) = app.signed_in("viewer").await;
    let page = c.get(&format!("/staff/{}", id.0)).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>alert"));
    assert!(!page.body.contains("<img src=x"));
    let shown =
        |b: &str| b.contains("&#60;script&#62;alert(") || b.contains("&lt;script&gt;alert(");
    assert!(
        shown(&page.body),
        "the name must be shown as text: {}",
        page.body
    );
    let list = c.get("/staff?q=script").await;
    assert!(!list.body.contains("<script>alert"));
    // And the user's own pages escape it too.
    let (mut x, _) = app.signed_in("xss").await;
    assert!(!x.get("/").await.body.contains("<script>alert"));
}

#[tokio::test]
async fn an_oversized_request_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    let (mut admin, _) = app.signed_in("boss").await;
    let before = app.db.raw_i64("SELECT COUNT(*) FROM users").await;
    let big = "x".repeat(1024 * 1024 + 10);
    admin.get("/admin/users/new").await;
    let r = admin
        .post_form(
            "/admin/users",
            &[("username", "big"), ("display_name", &big)],
        )
        .await;
    assert_eq!(r.status, 413);
    assert!(r.body.contains("too large"));
    let r = admin.post_json("/api/v1/users", &format!("{{\"username\":\"big\",\"display_name\":\"{big}\",\"role\":\"analyst\",\"organisation_id\":1}}")).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["error"]["code"], "payload_too_large");
    assert_eq!(app.db.raw_i64("SELECT COUNT(*) FROM users").await, before);
}
