//! Operations: health and readiness, security headers on every response, failing closed.

use everychild_domain::Role::*;
use everychild_testkit::TestApp;

#[tokio::test]
async fn health_and_ready_answer_and_ready_fails_without_the_database() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    assert_eq!(c.get("/health").await.json()["status"], "ok");
    assert_eq!(c.get("/ready").await.json()["status"], "ready");
    app.store.close().await;
    let r = c.get("/ready").await;
    assert_eq!(r.status, 503);
    assert_eq!(
        c.get("/health").await.status,
        200,
        "the process is still up"
    );
}

#[tokio::test]
async fn when_the_database_is_unreachable_requests_fail_closed_with_503() {
    let app = TestApp::spawn().await;
    app.user("hv.user", "Hana Visitor", Practitioner).await;
    let (mut c, _) = app.signed_in("hv.user").await;
    assert_eq!(c.get("/staff").await.status, 200);
    app.store.close().await;
    let r = c.get("/staff").await;
    assert_eq!(
        r.status, 503,
        "a signed-in user is not let through, nor treated as signed out"
    );
    assert!(r.body.contains("Sorry, the service is unavailable"));
    assert!(
        !r.body.to_lowercase().contains("sqlx") && !r.body.contains("pool"),
        "no internals leak"
    );
    let mut api = app.client();
    api.bearer = Some("ec_anything".into());
    let r = api.get("/api/v1/me").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["error"]["code"], "unavailable");
    let r = app
        .client()
        .sign_in("hv.user", everychild_testkit::PASSWORD)
        .await;
    assert_eq!(r.status, 503, "nobody signs in while the database is down");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    app.user("hv.user", "Hana Visitor", Practitioner).await;
    let (mut c, _) = app.signed_in("hv.user").await;
    for path in [
        "/",
        "/sign-in",
        "/staff",
        "/no-such-page",
        "/assets/app.css",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/health",
    ] {
        let r = c.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("script-src 'nonce-")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("default-src 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
        assert!(!r.header("x-request-id").is_empty(), "{path}");
        assert!(
            r.header("strict-transport-security").is_empty(),
            "no HSTS over plain HTTP"
        );
    }
    // Each page's nonce is fresh and is the one its scripts carry.
    let a = c.get("/").await;
    let b = c.get("/").await;
    let nonce = |r: &everychild_testkit::Resp| {
        everychild_testkit::extract(&r.header("content-security-policy"), "'nonce-", "'").unwrap()
    };
    assert_ne!(nonce(&a), nonce(&b));
    assert!(a.body.contains(&format!("nonce=\"{}\"", nonce(&a))));
    let missing = c.get("/no-such-page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"));
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let mut s = everychild_testkit::test_settings();
    s.public_url = Some("https://everychild.example.org".into());
    let app = TestApp::spawn_with(s).await;
    let r = app.client().get("/").await;
    assert!(r
        .header("strict-transport-security")
        .starts_with("max-age="));
}

#[tokio::test]
async fn the_policy_decides_before_any_store_access_and_denials_are_audited() {
    let app = TestApp::spawn().await;
    let t = app.user("someone", "Some One", Practitioner).await;
    app.user("board", "Bo Ard", AdvisoryBoardMember).await;
    let (mut c, _) = app.signed_in("board").await;
    let before = app.audit_count().await;
    let r = c.get(&format!("/staff/{}", t.0)).await;
    assert_eq!(r.status, 403);
    assert!(!r.body.contains("Some One"));
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(
        app.db
            .raw_text("SELECT outcome || ' ' || action FROM audit_events ORDER BY seq DESC LIMIT 1")
            .await,
        "denied access.denied"
    );
}

/// After a bulk load (here the demo's build, through the product's own imports), PostgreSQL
/// has fresh planner statistics for the big tables at once, not whenever autovacuum gets
/// round to them: `last_analyze` is set only by an explicit ANALYZE. SQLite keeps no
/// statistics (stale ones made it scan the audit log on every read): none are left behind.
#[tokio::test]
async fn bulk_loads_leave_fresh_planner_statistics_on_postgresql() {
    let (app, _) = TestApp::spawn_demo_with(0).await;
    if !app.db.postgres {
        let stats = app
            .db
            .raw_i64("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            .await;
        assert_eq!(stats, 0, "no planner statistics to go stale on SQLite");
        return;
    }
    for table in [
        "persons",
        "person_addresses",
        "agency_records",
        "postcodes",
        "wards",
    ] {
        let analysed = app
            .db
            .raw_i64(&format!(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() \
                 AND relname = '{table}' AND last_analyze IS NOT NULL"
            ))
            .await;
        assert_eq!(analysed, 1, "{table} was not analysed after the bulk load");
    }
}
