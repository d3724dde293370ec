//! Sign-in, second factor, sessions, throttling, password changes and bearer tokens.

use everychild_domain::Role::*;
use everychild_testkit::{input_value, TestApp, PASSWORD};

#[tokio::test]
async fn a_practitioner_signs_in_and_out_and_the_session_ends_on_the_server() {
    let app = TestApp::spawn().await;
    app.user("hv.user", "Hana Visitor", Practitioner).await;
    // A practitioner on a fresh deployment is asked for a second factor: the first sign-in
    // goes to setting up an authenticator, and nothing else opens until it is done.
    let mut first = app.client();
    let r = first.sign_in("hv.user", PASSWORD).await;
    assert_eq!(r.location(), "/sign-in/set-up-second-factor");
    assert_eq!(first.get("/account").await.location(), "/sign-in");
    let (mut c, secret) = app.signed_in("hv.user").await;
    assert!(
        secret.is_some(),
        "practitioners set up a second factor by default"
    );
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome, Hana Visitor"));
    let old = c.session().unwrap();
    let r = c.post_form("/sign-out", &[]).await;
    assert_eq!(
        (r.status, r.location().as_str()),
        (303, "/sign-in?signed_out=1")
    );
    // The old cookie no longer works, even if a client keeps sending it.
    c.cookies.insert("everychild_session".into(), old);
    let r = c.get("/account").await;
    assert_eq!((r.status, r.location().as_str()), (303, "/sign-in"));
}

#[tokio::test]
async fn administrators_must_enrol_a_second_factor_and_then_use_it_once_per_code() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    // Before enrolling, nothing but enrolment is reachable.
    let mut c = app.client();
    let r = c.sign_in("boss", PASSWORD).await;
    assert_eq!(r.location(), "/sign-in/set-up-second-factor");
    assert_eq!(c.get("/admin/users").await.location(), "/sign-in");
    // Enrolling with a wrong code fails and keeps the user out.
    let page = c.get("/sign-in/set-up-second-factor").await;
    let secret = everychild_testkit::extract(&page.body, "id=\"totp-secret\">", "<").unwrap();
    let tag = input_value(&page.body, "secret_tag").unwrap();
    let r = c
        .post_form(
            "/sign-in/set-up-second-factor",
            &[
                ("secret", &secret),
                ("secret_tag", &tag),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("The code is not correct"));
    // A secret the server did not issue is refused.
    let r = c
        .post_form(
            "/sign-in/set-up-second-factor",
            &[
                ("secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
                ("secret_tag", &tag),
                ("code", &app.code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 0)),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    let code = app.code(&secret, 0);
    let r = c
        .post_form(
            "/sign-in/set-up-second-factor",
            &[("secret", &secret), ("secret_tag", &tag), ("code", &code)],
        )
        .await;
    assert_eq!((r.status, r.location().as_str()), (303, "/"));
    assert_eq!(c.get("/admin/users").await.status, 200);

    // Next sign-in asks for the code; the code already used is refused (no replay).
    let mut d = app.client();
    assert_eq!(
        d.sign_in("boss", PASSWORD).await.location(),
        "/sign-in/second-factor"
    );
    assert_eq!(d.get("/admin/users").await.location(), "/sign-in");
    assert_eq!(d.get("/sign-in/second-factor").await.status, 200);
    let r = d
        .post_form("/sign-in/second-factor", &[("code", &code)])
        .await;
    assert_eq!(
        r.status,
        400,
        "a used code must not work twice: {}",
        r.location()
    );
    app.clock.advance(time::Duration::seconds(30));
    let r = d
        .post_form("/sign-in/second-factor", &[("code", &app.code(&secret, 0))])
        .await;
    assert_eq!((r.status, r.location().as_str()), (303, "/"));
    assert_eq!(d.get("/admin/users").await.status, 200);
}

#[tokio::test]
async fn any_user_can_set_up_an_authenticator_from_their_account() {
    let app = TestApp::spawn().await;
    // A role that needs no second factor by default (board members see aggregates only)
    // can still set one up.
    app.user("yw.user", "Yan Worker", AdvisoryBoardMember).await;
    let (mut c, secret) = app.signed_in("yw.user").await;
    assert!(secret.is_none());
    let page = c.get("/account/second-factor").await;
    let secret = everychild_testkit::extract(&page.body, "id=\"totp-secret\">", "<").unwrap();
    let tag = input_value(&page.body, "secret_tag").unwrap();
    let r = c
        .post_form(
            "/account/second-factor",
            &[
                ("secret", &secret),
                ("secret_tag", &tag),
                ("code", &app.code(&secret, 0)),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.location(), "/account?done=second-factor");
    app.clock.advance(time::Duration::seconds(30));
    let mut d = app.client();
    assert_eq!(
        d.sign_in("yw.user", PASSWORD).await.location(),
        "/sign-in/second-factor"
    );
    // Replacing it needs the current password.
    let page = c.get("/account/second-factor").await;
    assert!(page.body.contains("Your current password"));
    let s2 = everychild_testkit::extract(&page.body, "id=\"totp-secret\">", "<").unwrap();
    let tag2 = input_value(&page.body, "secret_tag").unwrap();
    let code2 = app.code(&s2, 0);
    let r = c
        .post_form(
            "/account/second-factor",
            &[("secret", &s2), ("secret_tag", &tag2), ("code", &code2)],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("Enter your current password to replace your authenticator app"));
    let r = c
        .post_form(
            "/account/second-factor",
            &[
                ("secret", &s2),
                ("secret_tag", &tag2),
                ("code", &code2),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.location(), "/account?done=second-factor");
    // Removing it needs the password.
    let r = c
        .post_form(
            "/account/second-factor/remove",
            &[("current_password", "wrong password!!")],
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c
        .post_form(
            "/account/second-factor/remove",
            &[("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(r.location(), "/account?done=second-factor-removed");
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_absolute_timeouts() {
    let app = TestApp::spawn().await;
    app.user("pr.user", "Pat Rowe", Practitioner).await;
    let (mut c, _) = app.signed_in("pr.user").await;
    app.clock.advance(time::Duration::minutes(29));
    assert_eq!(
        c.get("/account").await.status,
        200,
        "still within the idle timeout"
    );
    app.clock.advance(time::Duration::minutes(31));
    assert_eq!(
        c.get("/account").await.location(),
        "/sign-in",
        "idle for 31 minutes"
    );

    let (mut c, _) = app.signed_in("pr.user").await;
    for _ in 0..24 {
        app.clock.advance(time::Duration::minutes(29));
        assert_eq!(c.get("/account").await.status, 200);
    }
    // 25 × 29 min > 12 h: active all along, but past the absolute limit.
    app.clock.advance(time::Duration::minutes(29));
    assert_eq!(c.get("/account").await.location(), "/sign-in");
}

#[tokio::test]
async fn repeated_failures_soft_lock_the_account_for_the_window_only() {
    let app = TestApp::spawn().await;
    app.user("lo.user", "Lou Kim", Practitioner).await;
    for _ in 0..5 {
        let r = app.client().sign_in("lo.user", "not the password").await;
        assert_eq!(r.status, 400);
    }
    // Locked: even the right password is refused, with the same message as for an unknown name.
    let r = app.client().sign_in("lo.user", PASSWORD).await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("too many failed attempts"));
    for _ in 0..5 {
        app.client()
            .sign_in("nobody.here", "not the password")
            .await;
    }
    let r2 = app.client().sign_in("nobody.here", PASSWORD).await;
    assert_eq!(r2.status, 429, "unknown accounts lock the same way");
    // Soft: after the window, the right password works (and leads on to the second factor).
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(
        app.client().sign_in("lo.user", PASSWORD).await.location(),
        "/sign-in/set-up-second-factor"
    );
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once_and_blocks_sign_in() {
    let app = TestApp::spawn().await;
    let victim = app.user("sw.user", "Sam Worker", Practitioner).await;
    app.user("boss", "Bea Admin", Administrator).await;
    let (mut user, _) = app.signed_in("sw.user").await;
    assert_eq!(user.get("/account").await.status, 200);
    let (mut admin, _) = app.signed_in("boss").await;
    admin.get(&format!("/admin/users/{}", victim.0)).await;
    let r = admin
        .post_form(&format!("/admin/users/{}/disable", victim.0), &[])
        .await;
    assert_eq!(
        r.location(),
        format!("/admin/users/{}?done=disabled", victim.0)
    );
    assert_eq!(
        user.get("/account").await.location(),
        "/sign-in",
        "the next request is signed out"
    );
    assert_eq!(app.client().sign_in("sw.user", PASSWORD).await.status, 400);
    admin
        .post_form(&format!("/admin/users/{}/enable", victim.0), &[])
        .await;
    assert_eq!(
        app.client().sign_in("sw.user", PASSWORD).await.location(),
        "/sign-in/second-factor"
    );
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    let u = app.user("ty.user", "Tay Young", AdvisoryBoardMember).await;
    app.user("boss", "Bea Admin", Administrator).await;
    let (mut admin, _) = app.signed_in("boss").await;
    admin.get(&format!("/admin/users/{}", u.0)).await;
    let r = admin
        .post_form(&format!("/admin/users/{}/reset-password", u.0), &[])
        .await;
    assert_eq!(r.status, 200);
    let temp = everychild_testkit::extract(&r.body, "id=\"secret\">", "<").unwrap();
    assert_eq!(
        app.client().sign_in("ty.user", PASSWORD).await.status,
        400,
        "the old password no longer works"
    );
    let mut c = app.client();
    assert_eq!(c.sign_in("ty.user", &temp).await.location(), "/");
    assert_eq!(c.get("/").await.location(), "/account/password");
    assert_eq!(c.get("/account/password").await.status, 200);
    let r = c
        .post_form(
            "/account/password",
            &[
                ("current_password", &temp),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Password must be 12 characters or more"));
    let new = "a brand new long passphrase";
    let r = c
        .post_form(
            "/account/password",
            &[
                ("current_password", &temp),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(r.location(), "/account?done=password");
    assert_eq!(c.get("/").await.status, 200);
    assert_eq!(app.client().sign_in("ty.user", new).await.location(), "/");
}

/// Tokens belong to named service clients with scopes, an expiry and an owner: never to
/// people. Each refusal names what is missing; every event made with a token names it.
#[tokio::test]
async fn bearer_tokens_belong_to_service_clients_with_scopes_an_expiry_and_an_owner() {
    let app = TestApp::spawn().await;
    app.user("an.analyst", "Ann Analyst", Analyst).await;
    app.user("boss", "Bea Admin", Administrator).await;
    let (mut admin, _) = app.signed_in("boss").await;
    let page = admin.get("/admin/tokens").await;
    assert!(page.body.contains("never to people"));
    let issue = |client: &'static str,
                 role: &'static str,
                 owner: &'static str,
                 days: &'static str,
                 scopes: Vec<&'static str>| {
        let mut f: Vec<(&str, &str)> = vec![
            ("client", client),
            ("role", role),
            ("owner", owner),
            ("days", days),
        ];
        for s in scopes {
            f.push(("scopes", s));
        }
        f
    };
    let r = admin
        .post_form(
            "/admin/tokens",
            &issue(
                "Directory sync",
                "directory_editor",
                "an.analyst",
                "30",
                vec!["directory:read", "account:read"],
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = everychild_testkit::extract(&r.body, "id=\"secret\">", "<").unwrap();
    assert!(token.starts_with("ec_"));
    // Refusals name the problem and issue nothing.
    for (fields, says) in [
        (
            issue(
                "Too strong",
                "practitioner",
                "boss",
                "30",
                vec!["directory:read"],
            ),
            "cannot have a role that sees personal data",
        ),
        (
            issue(
                "Reporting",
                "analyst",
                "boss",
                "30",
                vec!["localities:read"],
            ),
            "cannot have a role that sees personal data",
        ),
        (
            issue("No scopes", "directory_editor", "boss", "30", vec![]),
            "Select at least one scope",
        ),
        (
            issue(
                "Bad scope",
                "directory_editor",
                "boss",
                "30",
                vec!["children:read"],
            ),
            "is not a scope",
        ),
        (
            issue(
                "Forever",
                "directory_editor",
                "boss",
                "3650",
                vec!["directory:read"],
            ),
            "from 1 to 365",
        ),
        (
            issue(
                "Orphan",
                "directory_editor",
                "nobody.here",
                "30",
                vec!["directory:read"],
            ),
            "no active person with that username",
        ),
    ] {
        let before = app.db.raw_i64("SELECT COUNT(*) FROM api_tokens").await;
        let r = admin.post_form("/admin/tokens", &fields).await;
        assert_eq!(r.status, 400, "{says}: {}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
        assert_eq!(
            app.db.raw_i64("SELECT COUNT(*) FROM api_tokens").await,
            before
        );
    }
    let mut m = app.client();
    m.bearer = Some(token.clone());
    let me = m.get("/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["username"], "svc-directory-sync");
    // A service client cannot sign in with a password.
    let signin = app.client().sign_in("svc-directory-sync", "!").await;
    assert_eq!(signin.status, 400);
    // Outside its scopes: refused, naming the scope; never children or users.
    let r = m.get("/api/v1/localities/1/summary").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "insufficient_scope");
    assert!(r.body.contains("localities:read"), "{}", r.body);
    let r = m.get("/api/v1/children?q=okafor").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("No API token may do this"), "{}", r.body);
    assert_eq!(m.get("/api/v1/users").await.status, 403);
    // The events name the token.
    let detail = app
        .db
        .raw_text("SELECT detail FROM audit_events WHERE action = 'access.denied' ORDER BY seq DESC LIMIT 1")
        .await;
    assert!(
        detail.contains("\"token\"") && detail.contains("Directory sync"),
        "{detail}"
    );
    // Expiry: a day after thirty, it no longer works.
    app.clock.advance(time::Duration::days(31));
    let r = m.get("/api/v1/me").await;
    assert_eq!(r.status, 401);
    app.clock.advance(time::Duration::days(-31));
    assert_eq!(m.get("/api/v1/me").await.status, 200);
    // Revoked: gone at once.
    let list = admin.get("/admin/tokens").await;
    assert!(list.body.contains("directory:read, account:read"));
    let id = everychild_testkit::extract(&list.body, "action=\"/admin/tokens/", "/revoke").unwrap();
    let r = admin
        .post_form(&format!("/admin/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.location(), "/admin/tokens");
    let r = m.get("/api/v1/me").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "not_signed_in");
    m.bearer = Some("ec_made_up".into());
    assert_eq!(m.get("/api/v1/me").await.status, 401);
}

/// A token issued to a person's account before tokens moved to service clients no longer
/// authenticates.
#[tokio::test]
async fn a_token_left_on_a_persons_account_no_longer_works() {
    let app = TestApp::spawn().await;
    let ed = app.user("ed.user", "Ed Editor", DirectoryEditor).await;
    let token = "ec_left_over_from_before";
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    };
    app.db
        .raw(&format!(
            "INSERT INTO api_tokens (name, token_hash, user_id, created_at, scopes, expires_at) \
             VALUES ('old', '{hash}', {}, '2026-01-01T00:00:00.000Z', 'account:read', '2999-01-01T00:00:00.000Z')",
            ed.0
        ))
        .await;
    let mut m = app.client();
    m.bearer = Some(token.into());
    assert_eq!(m.get("/api/v1/me").await.status, 401);
}
