//! Sign-in hardening: failed codes are counted apart and never cleared by a correct password;
//! the throttle check and the failure record are one atomic step, so parallel requests cannot
//! pass the limit; throttled attempts are aggregated, not audited one by one; old failures are
//! purged; account-page password checks are throttled; a first authenticator needs the
//! password; request ids and client addresses from headers are believed only from a trusted
//! proxy.

use everychild_domain::Role::*;
use everychild_testkit::{input_value, TestApp, PASSWORD};

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.raw_i64(sql).await
}

#[tokio::test]
async fn failed_codes_are_counted_apart_and_a_correct_password_does_not_clear_them() {
    let app = TestApp::spawn().await;
    app.user("cd.user", "Cal Dee", Practitioner).await;
    let (_, secret) = app.signed_in("cd.user").await;
    let secret = secret.expect("enrolled");
    // Five rounds of the right password and a wrong code.
    for _ in 0..5 {
        let mut c = app.client();
        assert_eq!(
            c.sign_in("cd.user", PASSWORD).await.location(),
            "/sign-in/second-factor"
        );
        c.get("/sign-in/second-factor").await;
        let r = c
            .post_form("/sign-in/second-factor", &[("code", "000000")])
            .await;
        assert_eq!(r.status, 400);
    }
    // Now even the right password and the right code are refused until the window ends.
    let mut c = app.client();
    let r = c.sign_in("cd.user", PASSWORD).await;
    assert_eq!(r.status, 429, "{}", r.location());
    assert!(r.body.contains("too many failed attempts"));
    app.clock.advance(time::Duration::minutes(16));
    let mut c = app.client();
    assert_eq!(
        c.sign_in("cd.user", PASSWORD).await.location(),
        "/sign-in/second-factor"
    );
    c.get("/sign-in/second-factor").await;
    let r = c
        .post_form("/sign-in/second-factor", &[("code", &app.code(&secret, 0))])
        .await;
    assert_eq!(r.location(), "/");
}

#[tokio::test]
async fn parallel_wrong_passwords_never_pass_the_limit_and_refusals_are_aggregated() {
    let app = TestApp::spawn().await;
    app.user("pl.user", "Pat Lee", Practitioner).await;
    let before = app.audit_count().await;
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let mut c = app.client();
            tokio::spawn(async move { c.sign_in("pl.user", "not the password!").await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let wrong = statuses.iter().filter(|s| **s == 400).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(wrong + locked, 24, "{statuses:?}");
    assert_eq!(wrong, 5, "exactly the limit is checked: {statuses:?}");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM sign_in_failures WHERE throttle_key = 'account:pl.user'"
        )
        .await,
        5
    );
    // Five failures audited, and one lock: the 19 refused attempts are counted on it.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in.failure'"
        )
        .await,
        5
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in.locked'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT attempts FROM sign_in_locks WHERE throttle_key = 'account:pl.user'"
        )
        .await,
        19
    );
    assert_eq!(app.audit_count().await, before + 6);
    // After the window the old failures are purged at the next attempt.
    app.clock.advance(time::Duration::minutes(16));
    let r = app.client().sign_in("pl.user", PASSWORD).await;
    assert_eq!(r.location(), "/sign-in/set-up-second-factor");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM sign_in_failures").await,
        0
    );
}

#[tokio::test]
async fn account_page_password_checks_are_throttled_and_a_first_authenticator_needs_the_password() {
    let app = TestApp::spawn().await;
    app.user("ac.user", "Ace Board", AdvisoryBoardMember).await;
    let (mut c, _) = app.signed_in("ac.user").await;
    // Enrolling a first authenticator from the account page needs the current password.
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
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("Enter your current password to set up an authenticator app"));
    assert_eq!(
        count(
            &app,
            "SELECT totp_enabled FROM users WHERE username = 'ac.user'"
        )
        .await,
        0
    );
    // Guessing the current password on the account page is throttled like a sign-in.
    for _ in 0..5 {
        c.get("/account/password").await;
        let r = c
            .post_form(
                "/account/password",
                &[
                    ("current_password", "a wrong guess!!"),
                    ("new_password", "a brand new long passphrase"),
                    ("confirm_password", "a brand new long passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, 400);
        assert!(r.body.contains("Your current password is not correct"));
    }
    let r = c
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new long passphrase"),
                ("confirm_password", "a brand new long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("too many failed attempts"), "{}", r.body);
    // The right password, once the window has passed, works.
    app.clock.advance(time::Duration::minutes(16));
    let (mut c, _) = app.signed_in("ac.user").await;
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
    assert_eq!(r.location(), "/account?done=second-factor", "{}", r.body);
}

#[tokio::test]
async fn request_ids_and_addresses_from_headers_are_believed_only_from_a_trusted_proxy() {
    let app = TestApp::spawn().await;
    app.user("rq.user", "Rae Quin", Practitioner).await;
    let (mut c, _) = app.signed_in("rq.user").await;
    let r = c
        .get_with_headers(
            "/staff",
            &[
                ("x-request-id", "forged-by-client"),
                ("x-forwarded-for", "203.0.113.9"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_ne!(r.header("x-request-id"), "forged-by-client");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_events WHERE request_id = 'forged-by-client' OR ip = '203.0.113.9'").await,
        0
    );
    // Behind a configured proxy (here, loopback), its headers are believed.
    let mut s = everychild_testkit::test_settings();
    s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let app = TestApp::spawn_with(s).await;
    let me = app.user("rq.user", "Rae Quin", Practitioner).await;
    let (mut c, _) = app.signed_in("rq.user").await;
    let r = c
        .get_with_headers(
            &format!("/staff/{}", me.0),
            &[
                ("x-request-id", "from-the-proxy"),
                ("x-forwarded-for", "203.0.113.9"),
            ],
        )
        .await;
    assert_eq!(r.header("x-request-id"), "from-the-proxy");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_events WHERE request_id = 'from-the-proxy' AND ip = '203.0.113.9'").await,
        1
    );
}

#[tokio::test]
async fn authenticator_secrets_are_encrypted_at_rest_and_resealed_after_rotation() {
    let app = TestApp::spawn().await;
    app.user("tk.user", "Tia Key", Practitioner).await;
    let (_, secret) = app.signed_in("tk.user").await;
    let secret = secret.unwrap();
    let stored = app
        .db
        .raw_text("SELECT totp_secret FROM users WHERE username = 'tk.user'")
        .await;
    assert!(stored.starts_with("enc1:"), "{stored}");
    assert!(
        !stored.contains(&secret),
        "the database never holds the secret itself"
    );
    // A secret stored in plain text (from before encryption) still works and is sealed at the
    // next sign-in.
    app.db
        .raw(&format!(
            "UPDATE users SET totp_secret = '{secret}' WHERE username = 'tk.user'"
        ))
        .await;
    let (_, again) = app.signed_in("tk.user").await;
    assert_eq!(again.as_deref(), Some(secret.as_str()));
    let resealed = app
        .db
        .raw_text("SELECT totp_secret FROM users WHERE username = 'tk.user'")
        .await;
    assert!(
        resealed.starts_with("enc1:") && resealed != stored,
        "{resealed}"
    );
    // A secret whose ciphertext was altered opens nothing: the sign-in is refused.
    let mut bad = resealed.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    app.db
        .raw(&format!(
            "UPDATE users SET totp_secret = '{bad}' WHERE username = 'tk.user'"
        ))
        .await;
    let mut c = app.client();
    c.sign_in("tk.user", PASSWORD).await;
    c.get("/sign-in/second-factor").await;
    app.clock.advance(time::Duration::seconds(31));
    let r = c
        .post_form("/sign-in/second-factor", &[("code", &app.code(&secret, 0))])
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn resetting_an_administrator_or_the_dpo_needs_a_second_administrator() {
    let app = TestApp::spawn().await;
    app.user("first.admin", "Fay First", Administrator).await;
    app.user("second.admin", "Sol Second", Administrator).await;
    let dpo = app
        .user("the.dpo", "Dee Officer", DataProtectionOfficer)
        .await;
    let worker = app.user("plain.user", "Pam Plain", Practitioner).await;
    let (_, dpo_secret) = app.signed_in("the.dpo").await;
    assert!(dpo_secret.is_some());
    let (mut first, _) = app.signed_in("first.admin").await;
    // An ordinary account is reset by one administrator, as before.
    first.get(&format!("/admin/users/{}", worker.0)).await;
    let r = first
        .post_form(&format!("/admin/users/{}/reset-password", worker.0), &[])
        .await;
    assert_eq!(r.status, 200);
    // The DPO's password: asked for, not done.
    first.get(&format!("/admin/users/{}", dpo.0)).await;
    let r = first
        .post_form(&format!("/admin/users/{}/reset-password", dpo.0), &[])
        .await;
    assert_eq!(
        r.location(),
        format!("/admin/users/{}?done=reset-requested", dpo.0)
    );
    assert_eq!(
        app.client().sign_in("the.dpo", PASSWORD).await.location(),
        "/sign-in/second-factor",
        "the DPO's password still works"
    );
    let r = first
        .post_form(&format!("/admin/users/{}/reset-second-factor", dpo.0), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT totp_enabled FROM users WHERE username = 'the.dpo'"
        )
        .await,
        1,
        "the authenticator is untouched"
    );
    // The one who asked cannot approve.
    let page = first.get(&format!("/admin/users/{}", dpo.0)).await;
    assert!(page.body.contains("Another administrator must approve it"));
    let ids: Vec<i64> = vec![
        count(
            &app,
            "SELECT id FROM credential_resets WHERE kind = 'password'",
        )
        .await,
        count(
            &app,
            "SELECT id FROM credential_resets WHERE kind = 'second_factor'",
        )
        .await,
    ];
    let r = first
        .post_form(
            &format!("/admin/users/{}/resets/{}/approve", dpo.0, ids[0]),
            &[],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        app.client().sign_in("the.dpo", PASSWORD).await.location(),
        "/sign-in/second-factor"
    );
    // A second administrator approves: the reset happens, and is audited.
    let (mut second, _) = app.signed_in("second.admin").await;
    second.get(&format!("/admin/users/{}", dpo.0)).await;
    let r = second
        .post_form(
            &format!("/admin/users/{}/resets/{}/approve", dpo.0, ids[0]),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let temp = everychild_testkit::extract(&r.body, "id=\"secret\">", "<").unwrap();
    assert_eq!(app.client().sign_in("the.dpo", PASSWORD).await.status, 400);
    assert_ne!(app.client().sign_in("the.dpo", &temp).await.status, 400);
    let r = second
        .post_form(
            &format!("/admin/users/{}/resets/{}/approve", dpo.0, ids[1]),
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT totp_enabled FROM users WHERE username = 'the.dpo'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'user.reset_requested'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM credential_resets WHERE approved_by = 'second.admin'"
        )
        .await,
        2
    );
}
