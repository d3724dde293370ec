//! Sign-in through the council's identity provider, against a real OpenID provider
//! (oidc-provider-mock) that `scripts/test.sh` starts on loopback. The provider's users and
//! their claims are set through its own API; everything else is the real flow: discovery,
//! the authorization endpoint's form, the code exchange with PKCE, and a signed ID token.

use everychild_domain::Role;
use everychild_testkit::{oidc_provider, oidc_settings, Client, Resp, TestApp};
use serde_json::json;

/// A plain HTTP client for the provider (no cookies, no redirects followed).
fn provider_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

use everychild_testkit::oidc_set_claims as set_claims;

/// A unique subject for one test (the provider is shared by the whole run).
fn subject(name: &str) -> String {
    format!("{name}-{}", everychild_testkit::unique_suffix())
}

/// The query parameters of a URL.
fn query(url: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(q: &[(String, String)], k: &str) -> Option<String> {
    q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

/// Start at `/sign-in/oidc`, sign in at the provider as `sub`, and return the callback
/// path (with code and state) the provider sends the browser back to.
async fn through_provider(c: &mut Client, app: &TestApp, sub: &str) -> String {
    let start = c.get("/sign-in/oidc").await;
    assert_eq!(start.status, 303, "{}", start.body);
    let authorize = start.location();
    let back = provider_http()
        .post(&authorize)
        .form(&[("sub", sub)])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status().as_u16(), 302, "the provider's answer");
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{}/sign-in/oidc/callback?", app.base)),
        "{location}"
    );
    location[app.base.len()..].to_owned()
}

async fn admin(app: &TestApp) -> Client {
    app.user("admin", "Ada Admin", Role::Administrator).await;
    app.signed_in("admin").await.0
}

/// Link `sub` at the test provider to `username` through the administrator's page.
async fn link(app: &TestApp, a: &mut Client, username: &str, sub: &str) -> Resp {
    let id = app
        .db
        .raw_i64(&format!(
            "SELECT id FROM users WHERE username = '{username}'"
        ))
        .await;
    a.get(&format!("/admin/users/{id}")).await;
    a.post_form(
        &format!("/admin/users/{id}/identities"),
        &[("issuer", &oidc_provider()), ("subject", sub)],
    )
    .await
}

async fn last_failure_reason(app: &TestApp) -> String {
    app.db
        .raw_text(
            "SELECT detail FROM audit_events WHERE action = 'sign_in.failure' ORDER BY seq DESC LIMIT 1",
        )
        .await
}

async fn signed_in_as(c: &mut Client, display: &str) -> bool {
    let home = c.get("/account").await;
    home.status == 200 && home.body.contains(display)
}

/// The must-show: `/sign-in/oidc` sends the browser to a real provider's authorization
/// endpoint with the code flow, state, nonce and an S256 challenge.
#[tokio::test]
async fn sign_in_oidc_redirects_to_the_providers_authorization_endpoint_with_pkce() {
    let app = TestApp::spawn_with(oidc_settings(&[], None)).await;
    let mut c = app.client();
    let page = c.get("/sign-in").await;
    assert!(page.body.contains("Sign in with Test council account"));
    let r = c.get("/sign-in/oidc").await;
    assert_eq!(r.status, 303);
    let url = r.location();
    assert!(
        url.starts_with(&format!("{}/oauth2/authorize?", oidc_provider())),
        "{url}"
    );
    let q = query(&url);
    assert_eq!(param(&q, "response_type").as_deref(), Some("code"));
    assert_eq!(param(&q, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param(&q, "code_challenge").map(|c| c.len()), Some(43));
    assert!(param(&q, "state").is_some_and(|s| s.len() >= 16));
    assert!(param(&q, "nonce").is_some_and(|s| s.len() >= 16));
    assert_eq!(param(&q, "client_id").as_deref(), Some("everychild-test"));
    assert_eq!(
        param(&q, "redirect_uri"),
        Some(format!("{}/sign-in/oidc/callback", app.base))
    );
    assert!(param(&q, "scope").is_some_and(|s| s.split(' ').any(|x| x == "openid")));
    // The state, nonce and verifier travel sealed, never readable in the cookie.
    let flow = c
        .cookies
        .get("everychild_oidc")
        .cloned()
        .unwrap_or_default();
    assert!(flow.starts_with("enc1:"), "{flow}");
    assert!(!flow.contains(&param(&q, "state").unwrap()));
    // The provider itself accepts the request: its sign-in form is shown.
    let form = provider_http().get(&url).send().await.unwrap();
    assert_eq!(form.status().as_u16(), 200);
}

/// A linked identity whose provider asserts multi-factor sign-in gets a full session; the
/// sign-out ends the provider's session too.
#[tokio::test]
async fn a_linked_identity_with_mfa_signs_in_and_out_through_the_provider() {
    let app = TestApp::spawn_with(oidc_settings(&[], None)).await;
    app.user("priya", "Priya Patel", Role::Practitioner).await;
    let mut a = admin(&app).await;
    let sub = subject("priya");
    let r = link(&app, &mut a, "priya", &sub).await;
    assert_eq!(r.status, 303, "{}", r.body);
    set_claims(&sub, json!({"amr": ["pwd", "mfa"], "name": "Priya Patel"})).await;

    let mut c = app.client();
    let back = through_provider(&mut c, &app, &sub).await;
    let flow_cookies = c.cookies.clone();
    let done = c.get(&back).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/");
    assert!(
        !c.cookies.contains_key("everychild_oidc"),
        "flow cookie cleared"
    );
    assert!(signed_in_as(&mut c, "Priya Patel").await);
    let ev = app
        .db
        .raw_text(
            "SELECT detail FROM audit_events WHERE action = 'sign_in.success' ORDER BY seq DESC LIMIT 1",
        )
        .await;
    assert!(ev.contains(&oidc_provider()), "{ev}");

    // The code is spent: replaying the callback is refused and starts nothing.
    let mut other = app.client();
    other.cookies = flow_cookies;
    let replay = other.get(&back).await;
    assert_eq!(replay.status, 400);
    assert!(other.session().is_none());
    assert!(last_failure_reason(&app)
        .await
        .contains("code exchange failed"));

    let out = c.post_form("/sign-out", &[]).await;
    assert_eq!(out.status, 303);
    let to = out.location();
    assert!(
        to.starts_with(&format!("{}/oauth2/end_session?", oidc_provider())),
        "{to}"
    );
    assert_eq!(
        param(&query(&to), "post_logout_redirect_uri"),
        Some(format!("{}/sign-in?signed_out=1", app.base))
    );
    assert!(!signed_in_as(&mut c, "Priya Patel").await);
}

/// Without the provider's assertion of a second factor, the account's own authenticator is
/// asked for; with a configured claim, that claim satisfies it.
#[tokio::test]
async fn without_mfa_from_the_provider_the_accounts_own_second_factor_is_asked() {
    let app = TestApp::spawn_with(oidc_settings(&[], Some(("acr", "urn:council:mfa")))).await;
    app.user("sam", "Sam Shah", Role::Practitioner).await;
    app.user("kim", "Kim Kaur", Role::Practitioner).await;
    let mut a = admin(&app).await;
    let sam = subject("sam");
    let kim = subject("kim");
    link(&app, &mut a, "sam", &sam).await;
    link(&app, &mut a, "kim", &kim).await;
    set_claims(&sam, json!({"amr": ["pwd"]})).await;
    set_claims(&kim, json!({"acr": "urn:council:mfa"})).await;

    let mut c = app.client();
    let back = through_provider(&mut c, &app, &sam).await;
    let r = c.get(&back).await;
    assert_eq!(r.location(), "/sign-in/set-up-second-factor");
    // Nothing else opens before the second factor.
    let acct = c.get("/children").await;
    assert_ne!(acct.status, 200);

    let mut k = app.client();
    let back = through_provider(&mut k, &app, &kim).await;
    let r = k.get(&back).await;
    assert_eq!(r.location(), "/");
    assert!(signed_in_as(&mut k, "Kim Kaur").await);
}

/// An identity linked to no account, or to a disabled one, gets no session: a clear page and
/// an audit event.
#[tokio::test]
async fn an_unlinked_or_disabled_identity_gets_no_session() {
    let app = TestApp::spawn_with(oidc_settings(&[], None)).await;
    let sub = subject("stranger");
    set_claims(&sub, json!({"amr": ["mfa"]})).await;
    let mut c = app.client();
    let back = through_provider(&mut c, &app, &sub).await;
    let r = c.get(&back).await;
    assert_eq!(r.status, 403);
    assert!(
        r.body.contains("not linked to an account here"),
        "{}",
        r.body
    );
    assert!(c.session().is_none());
    assert!(last_failure_reason(&app)
        .await
        .contains("identity not linked"));
    let who = app
        .db
        .raw_text(
            "SELECT actor_username FROM audit_events WHERE action = 'sign_in.failure' ORDER BY seq DESC LIMIT 1",
        )
        .await;
    assert_eq!(who, format!("oidc:{sub}"));

    // Linked, then disabled.
    app.user("lee", "Lee Lowe", Role::Practitioner).await;
    let mut a = admin(&app).await;
    let lee = subject("lee");
    link(&app, &mut a, "lee", &lee).await;
    set_claims(&lee, json!({"amr": ["mfa"]})).await;
    let id = app
        .db
        .raw_i64("SELECT id FROM users WHERE username = 'lee'")
        .await;
    a.post_form(&format!("/admin/users/{id}/disable"), &[])
        .await;
    let mut d = app.client();
    let back = through_provider(&mut d, &app, &lee).await;
    let r = d.get(&back).await;
    assert_eq!(r.status, 403);
    assert!(d.session().is_none());
    assert!(last_failure_reason(&app).await.contains("account disabled"));
}

/// Each bad callback is refused with a page naming the problem and an audit event, and
/// creates no session: wrong state, no flow, the provider's error, and ID tokens with a wrong
/// nonce, issuer or audience, or expired.
#[tokio::test]
async fn bad_callbacks_are_refused_with_a_clear_page_an_audit_event_and_no_session() {
    let app = TestApp::spawn_with(oidc_settings(&[], None)).await;
    app.user("ola", "Ola Obi", Role::Practitioner).await;
    let mut a = admin(&app).await;

    // Wrong state.
    let sub = subject("ola");
    link(&app, &mut a, "ola", &sub).await;
    set_claims(&sub, json!({"amr": ["mfa"]})).await;
    let mut c = app.client();
    let back = through_provider(&mut c, &app, &sub).await;
    let q = query(&format!("{}{back}", app.base));
    let code = param(&q, "code").unwrap();
    let r = c
        .get(&format!(
            "/sign-in/oidc/callback?code={code}&state=not-the-state"
        ))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("could not be matched"), "{}", r.body);
    assert!(c.session().is_none());
    assert!(last_failure_reason(&app).await.contains("wrong state"));

    // No sign-in in progress in this browser (the flow cookie is missing).
    let mut fresh = app.client();
    let r = fresh.get(&back).await;
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("took too long or was started in another browser"));
    assert!(fresh.session().is_none());
    assert!(last_failure_reason(&app)
        .await
        .contains("no sign-in in progress"));

    // The provider's own refusal (the person cancelled).
    let mut cancel = app.client();
    cancel.get("/sign-in/oidc").await;
    let r = cancel
        .get("/sign-in/oidc/callback?error=access_denied&error_description=cancelled")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("was not completed"));
    assert!(last_failure_reason(&app).await.contains("access_denied"));

    // ID tokens the provider signs with a claim overridden.
    let cases: [(&str, serde_json::Value, &str); 4] = [
        (
            "nonce",
            json!({"amr": ["mfa"], "nonce": "another-nonce"}),
            "wrong nonce",
        ),
        (
            "iss",
            json!({"amr": ["mfa"], "iss": "https://idp.elsewhere.example"}),
            "wrong issuer",
        ),
        (
            "aud",
            json!({"amr": ["mfa"], "aud": "another-client"}),
            "wrong audience",
        ),
        (
            "exp",
            json!({"amr": ["mfa"], "exp": 1_000_000_000}),
            "expired token",
        ),
    ];
    for (name, claims, reason) in cases {
        let before = app.audit_count().await;
        let bad = subject(name);
        set_claims(&bad, claims).await;
        // Linked, so that only the token's fault can refuse it.
        let issuer = if name == "iss" {
            "https://idp.elsewhere.example".to_owned()
        } else {
            oidc_provider()
        };
        let id = app
            .db
            .raw_i64("SELECT id FROM users WHERE username = 'ola'")
            .await;
        a.post_form(
            &format!("/admin/users/{id}/identities"),
            &[("issuer", issuer.as_str()), ("subject", bad.as_str())],
        )
        .await;
        let mut b = app.client();
        let back = through_provider(&mut b, &app, &bad).await;
        let r = b.get(&back).await;
        assert_eq!(r.status, 400, "{name}: {}", r.body);
        assert!(
            r.body.contains("could not be accepted") && r.body.contains(reason),
            "{name}: {}",
            r.body
        );
        assert!(b.session().is_none(), "{name}: no session");
        assert!(
            last_failure_reason(&app).await.contains(reason),
            "{name}: audited"
        );
        assert!(app.audit_count().await > before);
    }
}

/// With allowed tenants (Microsoft Entra ID), the tenant must be allowed and the account is
/// matched by the tenant's issuer and the object id `oid`, not by `sub`.
#[tokio::test]
async fn entra_tenants_are_checked_and_accounts_matched_by_object_id() {
    let app = TestApp::spawn_with(oidc_settings(&["tenant-a"], None)).await;
    app.user("noor", "Noor Nasser", Role::Practitioner).await;
    let mut a = admin(&app).await;
    let oid = subject("oid-noor");
    link(&app, &mut a, "noor", &oid).await;

    let good = subject("pairwise-sub");
    set_claims(
        &good,
        json!({"amr": ["mfa"], "tid": "tenant-a", "oid": oid}),
    )
    .await;
    let mut c = app.client();
    let back = through_provider(&mut c, &app, &good).await;
    let r = c.get(&back).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(signed_in_as(&mut c, "Noor Nasser").await);

    let other = subject("other-tenant");
    set_claims(
        &other,
        json!({"amr": ["mfa"], "tid": "tenant-b", "oid": oid}),
    )
    .await;
    let mut o = app.client();
    let back = through_provider(&mut o, &app, &other).await;
    let r = o.get(&back).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("cannot sign in here"), "{}", r.body);
    assert!(o.session().is_none());
    assert!(last_failure_reason(&app)
        .await
        .contains("tenant not allowed"));
}

/// Administrators link and unlink identities (audited); an identity links to one account
/// only; an administrator's or the DPO's account is never linked (they keep their own
/// password and authenticator).
#[tokio::test]
async fn administrators_link_and_unlink_identities() {
    let app = TestApp::spawn_with(oidc_settings(&[], None)).await;
    app.user("jojo", "Jo James", Role::Practitioner).await;
    app.user("max", "Max Moss", Role::Practitioner).await;
    app.user("root2", "Second Admin", Role::Administrator).await;
    let mut a = admin(&app).await;
    let sub = subject("jo");
    assert_eq!(link(&app, &mut a, "jojo", &sub).await.status, 303);
    let again = link(&app, &mut a, "max", &sub).await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("already linked"));
    let to_admin = link(&app, &mut a, "root2", &subject("root2")).await;
    assert_eq!(to_admin.status, 400);
    assert!(to_admin
        .body
        .contains("are not linked to the identity provider"));
    let empty = link(&app, &mut a, "max", "").await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("Enter the person"));
    let linked = app
        .db
        .raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'user.identity_linked'")
        .await;
    assert_eq!(linked, 1);

    // Signed in through the provider, then unlinked: the session ends with the link.
    set_claims(&sub, json!({"amr": ["mfa"]})).await;
    let mut c = app.client();
    let back = through_provider(&mut c, &app, &sub).await;
    c.get(&back).await;
    assert!(signed_in_as(&mut c, "Jo James").await);
    let jo = app
        .db
        .raw_i64("SELECT id FROM users WHERE username = 'jojo'")
        .await;
    let link_id = app
        .db
        .raw_i64("SELECT id FROM user_identities WHERE user_id = (SELECT id FROM users WHERE username = 'jojo')")
        .await;
    let r = a
        .post_form(
            &format!("/admin/users/{jo}/identities/{link_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(!signed_in_as(&mut c, "Jo James").await);
    // A practitioner cannot link identities.
    let (mut p, _) = app.signed_in("max").await;
    let r = p
        .post_form(
            &format!("/admin/users/{jo}/identities"),
            &[("issuer", &oidc_provider()), ("subject", "x")],
        )
        .await;
    assert_eq!(r.status, 403);
}
