//! Test support: [`TestDb`] gives each test its own database, [`TestApp`] serves the real
//! application on a loopback port, and [`Client`] talks to it like a browser (cookies kept,
//! redirects not followed, so tests see every status).
//!
//! `EVERYCHILD_TEST_DATABASE` picks the database: unset or `sqlite` for a new SQLite file per
//! test, or a `postgres://` URL, under which each test gets its own schema.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use everychild_domain::{
    clock::FixedClock, AgencyType, DisplayName, OrganisationId, OrganisationKind, Role, UserId,
    Username,
};
use everychild_policy::{authorize, Principal, Target};
use everychild_store::{
    CaseRules, NewOrganisation, NewUser, OrgRepo, PoolSettings, SqlStore, UserRepo,
};
use everychild_web::{AppState, WebSettings};
use rand::Rng;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// The open-data folder: `EVERYCHILD_DATA`, else `shared/data` beside the repository.
pub fn data_dir() -> PathBuf {
    match std::env::var_os("EVERYCHILD_DATA") {
        Some(d) => PathBuf::from(d),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// The real geography (`data/geo`), read once per test binary.
pub fn geography() -> &'static everychild_domain::geo::data::GeographyData {
    static GEO: OnceLock<everychild_domain::geo::data::GeographyData> = OnceLock::new();
    GEO.get_or_init(|| {
        everychild_formats::geo::read_dir(&data_dir().join("geo")).unwrap_or_else(|e| {
            panic!(
                "the geography in {} cannot be read: {e}",
                data_dir().display()
            )
        })
    })
}

/// A database of a test's own, removed when dropped.
pub struct TestDb {
    /// URL to connect to it.
    pub url: String,
    /// Whether it is PostgreSQL.
    pub postgres: bool,
    schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new, empty database.
    pub async fn new() -> Self {
        let which = std::env::var("EVERYCHILD_TEST_DATABASE").unwrap_or_default();
        if which.starts_with("postgres") {
            let schema = format!("t_{:016x}", rand::thread_rng().gen::<u64>());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&which)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::Executor::execute(&mut conn, format!("CREATE SCHEMA {schema}").as_str())
                .await
                .expect("create schema");
            let sep = if which.contains('?') { '&' } else { '?' };
            let url = format!("{which}{sep}options=-c%20search_path%3D{schema}");
            Self {
                url,
                postgres: true,
                schema: Some((which, schema)),
                _dir: None,
            }
        } else {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite:{}", dir.path().join("test.db").display());
            Self {
                url,
                postgres: false,
                schema: None,
                _dir: Some(dir),
            }
        }
    }

    /// Run raw SQL against the database, bypassing the product (to tamper, as an attacker
    /// with database access would).
    pub async fn raw(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.url)
            .await
            .expect("connect");
        sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// One text value from raw SQL.
    pub async fn raw_text(&self, sql: &str) -> String {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.url)
            .await
            .expect("connect");
        let (v,): (String,) = sqlx::query_as(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        v
    }

    /// One number from raw SQL.
    pub async fn raw_i64(&self, sql: &str) -> i64 {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.url)
            .await
            .expect("connect");
        let (v,): (i64,) = sqlx::query_as(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        v
    }

    /// SQL that lets a test change audit events (drops the append-only guard).
    pub fn unguard_audit_sql(&self) -> &'static str {
        if self.postgres {
            "ALTER TABLE audit_events DISABLE TRIGGER USER"
        } else {
            "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete"
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.schema.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut c) =
                            <sqlx::PgConnection as sqlx::Connection>::connect(&base).await
                        {
                            // A schema still locked by a connection that was never released
                            // is left behind rather than waited for without end.
                            let _ = sqlx::Executor::execute(
                                &mut c,
                                format!(
                                    "SET lock_timeout = '30s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
                                )
                                .as_str(),
                            )
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// The application, served on a loopback port for one test.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The store behind it.
    pub store: Arc<SqlStore>,
    /// The clock it reads; tests move it on.
    pub clock: Arc<FixedClock>,
    /// The database.
    pub db: TestDb,
    orgs: Mutex<BTreeMap<String, OrganisationId>>,
    /// Authenticator secrets enrolled by [`TestApp::signed_in`], by username, so a second
    /// sign-in answers the second-factor step.
    secrets: Mutex<BTreeMap<String, String>>,
}

/// The OpenID provider started on loopback by `scripts/test.sh` (`oidc-provider-mock`), e.g.
/// `http://127.0.0.1:9400`. Tests of sign-in through an identity provider need it: without
/// it they fail, saying how to start it.
pub fn oidc_provider() -> String {
    std::env::var("EVERYCHILD_TEST_OIDC").unwrap_or_else(|_| {
        panic!(
            "EVERYCHILD_TEST_OIDC is not set: run scripts/test.sh, which starts an OpenID \
             provider (oidc-provider-mock) on loopback, or start one and set it to its URL"
        )
    })
}

/// A suffix unique within this run (process id, time and a counter), for names shared with
/// services that outlive one test, such as the OpenID provider's users.
pub fn unique_suffix() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{t}-{n}", std::process::id())
}

/// Set the loopback OpenID provider's claims for `sub`, through its own API (standard claims
/// are released by scope; others, and overrides of `iss`, `aud`, `exp` or `nonce`, go into the
/// ID token as given).
pub async fn oidc_set_claims(sub: &str, claims: serde_json::Value) {
    let r = reqwest::Client::new()
        .put(format!("{}/users/{sub}", oidc_provider()))
        .json(&claims)
        .send()
        .await
        .expect("reach the OpenID provider");
    assert!(r.status().is_success(), "setting claims: {}", r.status());
}

/// Test settings with sign-in through the loopback OpenID provider.
pub fn oidc_settings(allowed_tenants: &[&str], mfa_claim: Option<(&str, &str)>) -> WebSettings {
    let mut s = test_settings();
    let provider = everychild_web::oidc::Provider::new(everychild_web::oidc::OidcSettings {
        issuer: oidc_provider(),
        client_id: "everychild-test".into(),
        client_secret: Some(secrecy::SecretString::from("client-secret".to_owned())),
        display_name: "Test council account".into(),
        allowed_tenants: allowed_tenants.iter().map(|t| (*t).to_owned()).collect(),
        mfa_claim: mfa_claim.map(|(a, b)| (a.to_owned(), b.to_owned())),
        allow_http_loopback: true,
    })
    .expect("provider settings");
    s.oidc = Some(Arc::new(provider));
    s
}

/// The audit key of test stores and of the binary in tests (`EVERYCHILD_AUDIT_KEYS`).
pub const TEST_AUDIT_KEY: &str = "test audit key held outside the database 0123456789";

/// Test stores seal the audit chain with [`TEST_AUDIT_KEY`].
pub fn test_audit_keys() -> everychild_store::AuditKeys {
    everychild_store::AuditKeys {
        keys: vec![everychild_domain::audit::AuditKey::derive(TEST_AUDIT_KEY)],
        unkeyed_until: 0,
    }
}

/// Settings tests use: secure cookies off because tests speak plain HTTP.
pub fn test_settings() -> WebSettings {
    let mut s = WebSettings::with_key("test-key-that-is-long-enough-0123456789");
    s.secure_cookies = false;
    s
}

impl TestApp {
    /// Serve the app with default test settings on a new database.
    pub async fn spawn() -> Self {
        Self::spawn_with(test_settings()).await
    }

    /// Serve the app with these settings on a new database.
    pub async fn spawn_with(settings: WebSettings) -> Self {
        Self::spawn_with_rules(settings, CaseRules::default()).await
    }

    /// Serve the app with these settings and casework rules (as `everychild serve` gives the
    /// store from its configuration) on a new database.
    pub async fn spawn_with_rules(settings: WebSettings, rules: CaseRules) -> Self {
        let db = TestDb::new().await;
        let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
        let store = SqlStore::connect(&db.url, &PoolSettings::default(), clock.clone())
            .await
            .expect("connect")
            .with_case_rules(rules)
            .with_audit_keys(test_audit_keys());
        store.migrate().await.expect("migrate");
        let want = if db.postgres {
            everychild_store::Backend::Postgres
        } else {
            everychild_store::Backend::Sqlite
        };
        assert_eq!(
            store.backend(),
            want,
            "the test database is not the one EVERYCHILD_TEST_DATABASE names"
        );
        let store = Arc::new(store);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut settings = settings;
        // The identity provider returns to the public URL: here, the loopback address.
        settings
            .public_url
            .get_or_insert_with(|| format!("http://{addr}"));
        let state = AppState {
            store: store.clone(),
            settings: Arc::new(settings),
            clock: clock.clone(),
        };
        let app = everychild_web::app(state);
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await;
        });
        Self {
            base: format!("http://{addr}"),
            store,
            clock,
            db,
            orgs: Mutex::new(BTreeMap::new()),
            secrets: Mutex::new(BTreeMap::new()),
        }
    }

    /// Serve the app with the demo authorities (real Leicester and Peterborough geography,
    /// fictitious teams and people) on a new database; every demo account's password is
    /// [`PASSWORD`].
    pub async fn spawn_demo() -> (Self, everychild_demo::Built) {
        Self::spawn_demo_with(320).await
    }

    /// As [`TestApp::spawn_demo`], with a service directory of `directory` services (0: none).
    pub async fn spawn_demo_with(directory: usize) -> (Self, everychild_demo::Built) {
        Self::spawn_demo_with_rules(directory, CaseRules::default()).await
    }

    /// As [`TestApp::spawn_demo_with`], with these casework rules.
    pub async fn spawn_demo_with_rules(
        directory: usize,
        rules: CaseRules,
    ) -> (Self, everychild_demo::Built) {
        let app = Self::spawn_with_rules(test_settings(), rules).await;
        let geo = geography();
        let built = everychild_demo::build(
            &app.store,
            geo,
            &everychild_demo::Options {
                seed: 2008,
                password_hash: everychild_web::hash_password(PASSWORD).unwrap(),
                population: 0.0,
                directory,
                progress: Default::default(),
            },
        )
        .await
        .expect("build the demo");
        (app, built)
    }

    /// Import an agency's extract as `everychild import people` does, into the organisation
    /// with this name (the demo's, for example).
    pub async fn import_extract(
        &self,
        organisation: &str,
        rows: &[everychild_domain::person::ExtractRow],
    ) -> everychild_store::ImportReport {
        let org = self
            .db
            .raw_i64(&format!(
                "SELECT id FROM organisations WHERE name = '{}'",
                organisation.replace('\'', "''")
            ))
            .await;
        let p = authorize(&Principal::Console, Target::None, Some("test set-up")).unwrap();
        everychild_store::PeopleRepo::import_agency_extract(&*self.store, &p, org, rows)
            .await
            .expect("import the extract")
    }

    /// Today by the app's clock, `YYYY-MM-DD`.
    pub fn clock_today(&self) -> String {
        use everychild_domain::Clock;
        self.clock.now().date().to_string()
    }

    /// An organisation (made on first use).
    pub async fn org(&self, name: &str) -> OrganisationId {
        if let Some(id) = self.orgs.lock().unwrap().get(name) {
            return *id;
        }
        let p = authorize(&Principal::Console, Target::None, None).unwrap();
        let id = self
            .store
            .create_organisation(
                &p,
                NewOrganisation {
                    name: name.into(),
                    kind: OrganisationKind::Statutory,
                    agency_type: AgencyType::Health,
                },
            )
            .await
            .expect("create organisation");
        self.orgs.lock().unwrap().insert(name.into(), id);
        id
    }

    /// A user with [`PASSWORD`] in the "Test Trust" organisation.
    pub async fn user(&self, username: &str, display_name: &str, role: Role) -> UserId {
        let org = self.org("Test Trust").await;
        let p = authorize(&Principal::Console, Target::None, None).unwrap();
        let hash = everychild_web::hash_password(PASSWORD).unwrap();
        self.store
            .create_user(
                &p,
                NewUser {
                    username: Username::parse(username).unwrap(),
                    display_name: DisplayName::parse(display_name).unwrap(),
                    email: None,
                    job_title: Some("Tester".into()),
                    role,
                    organisation_id: org,
                    password_hash: hash,
                    must_change_password: false,
                },
            )
            .await
            .expect("create user")
    }

    /// A client with no cookies.
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client signed in as `username` (with [`PASSWORD`]), enrolling or giving the second
    /// factor when the role needs it. Returns the client and the TOTP secret if one was set up.
    pub async fn signed_in(&self, username: &str) -> (Client, Option<String>) {
        let mut c = self.client();
        let r = c.sign_in(username, PASSWORD).await;
        assert_eq!(r.status, 303, "sign-in for {username}: {}", r.body);
        let loc = r.location();
        let mut secret = None;
        let known = self.secret_of(username);
        if loc == "/sign-in/second-factor" {
            let s = known.unwrap_or_else(|| {
                panic!("{username} has a second factor this test did not enrol")
            });
            // A fresh step each time: a code is accepted once per 30-second step.
            self.clock.advance(time::Duration::seconds(31));
            assert_eq!(c.get(&loc).await.status, 200, "second-factor page");
            let code = self.code(&s, 0);
            let r = c.post_form(&loc, &[("code", &code)]).await;
            assert_eq!(r.status, 303, "second factor: {}", r.body);
            secret = Some(s);
        } else if loc == "/sign-in/set-up-second-factor" {
            let page = c.get(&loc).await;
            let s = extract(&page.body, "id=\"totp-secret\">", "<").expect("secret on the page");
            let tag = input_value(&page.body, "secret_tag").expect("tag");
            let code = self.code(&s, 0);
            let r = c
                .post_form(
                    &loc,
                    &[("secret", &s), ("secret_tag", &tag), ("code", &code)],
                )
                .await;
            assert_eq!(r.status, 303, "enrol: {}", r.body);
            if let Ok(mut m) = self.secrets.lock() {
                m.insert(username.to_owned(), s.clone());
            }
            secret = Some(s);
        } else if loc != "/" {
            panic!("unexpected redirect after sign-in: {loc}");
        }
        // Follow the redirect as a browser would, which also picks up the session's CSRF token.
        assert_eq!(c.get("/").await.status, 200);
        (c, secret)
    }

    /// Remember the authenticator secret enrolled for `username` another way (a browser test).
    pub fn remember_secret(&self, username: &str, secret: &str) {
        if let Ok(mut m) = self.secrets.lock() {
            m.insert(username.to_owned(), secret.to_owned());
        }
    }

    /// The authenticator secret [`TestApp::signed_in`] enrolled for `username`, if any.
    pub fn secret_of(&self, username: &str) -> Option<String> {
        self.secrets.lock().ok()?.get(username).cloned()
    }

    /// The TOTP code for `secret`, `steps` 30-second steps from the app's clock.
    pub fn code(&self, secret: &str, steps: i64) -> String {
        use everychild_domain::Clock;
        let t = self.clock.now().unix_timestamp() + steps * 30;
        everychild_web::totp_code_at(secret, t as u64).unwrap()
    }

    /// How many audit events are stored.
    pub async fn audit_count(&self) -> i64 {
        self.db.raw_i64("SELECT COUNT(*) FROM audit_events").await
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub body: String,
}

impl Resp {
    /// The Location header.
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
    /// A header's value.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
    /// The body as JSON.
    pub fn json(&self) -> serde_json_value::Value {
        serde_json_value::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// JSON for tests, re-exported so test crates need no extra dependency.
pub use serde_json as serde_json_value;

/// An HTTP client that keeps cookies like a browser and never follows redirects.
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// Cookies by name.
    pub cookies: BTreeMap<String, String>,
    /// Set-Cookie headers seen, in order.
    pub set_cookies: Vec<String>,
    /// The CSRF token from the last page that had a form.
    pub csrf: Option<String>,
    /// A bearer token to send instead of cookies.
    pub bearer: Option<String>,
}

impl Client {
    /// A client for `base`.
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base: base.into(),
            http,
            cookies: BTreeMap::new(),
            set_cookies: vec![],
            csrf: None,
            bearer: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Send a request and read the response.
    pub async fn send(&mut self, rb: reqwest::RequestBuilder) -> Resp {
        let mut rb = rb;
        if !self.cookies.is_empty() {
            rb = rb.header("cookie", self.cookie_header());
        }
        if let Some(t) = &self.bearer {
            rb = rb.header("authorization", format!("Bearer {t}"));
        }
        let r = rb.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        for sc in headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            self.set_cookies.push(sc.to_owned());
            if let Some((kv, attrs)) = sc.split_once(';').or(Some((sc, ""))) {
                if let Some((k, v)) = kv.split_once('=') {
                    if attrs.contains("Max-Age=0") {
                        self.cookies.remove(k.trim());
                    } else {
                        self.cookies.insert(k.trim().into(), v.trim().into());
                    }
                }
            }
        }
        let body = r.text().await.unwrap_or_default();
        if let Some(t) = input_value(&body, "csrf_token") {
            self.csrf = Some(t);
        }
        Resp {
            status,
            headers,
            body,
        }
    }

    /// GET a path with extra request headers.
    pub async fn get_with_headers(&mut self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut rb = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        self.send(rb).await
    }

    /// GET a path.
    pub async fn get(&mut self, path: &str) -> Resp {
        let rb = self.http.get(format!("{}{path}", self.base));
        self.send(rb).await
    }

    /// POST a form with this client's CSRF token (fetching a page first if it has none).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if self.csrf.is_none() {
            self.get("/sign-in").await;
        }
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw_form(path, &all).await
    }

    /// POST exactly these form fields (no CSRF token added).
    pub async fn post_raw_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let rb = self.http.post(format!("{}{path}", self.base)).form(fields);
        self.send(rb).await
    }

    /// POST JSON, with the CSRF header when using cookies.
    pub async fn post_json(&mut self, path: &str, body: &str) -> Resp {
        let mut rb = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if self.bearer.is_none() {
            if self.csrf.is_none() {
                self.get("/account").await;
            }
            rb = rb.header("x-csrf-token", self.csrf.clone().unwrap_or_default());
        }
        self.send(rb).await
    }

    /// Sign in with a password (first step only).
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Resp {
        self.get("/sign-in").await;
        self.post_form(
            "/sign-in",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// The session cookie's value.
    pub fn session(&self) -> Option<String> {
        self.cookies.get("everychild_session").cloned()
    }
}

/// The text between `start` and the next `end` after it.
pub fn extract(body: &str, start: &str, end: &str) -> Option<String> {
    let i = body.find(start)? + start.len();
    let j = body[i..].find(end)? + i;
    Some(body[i..j].trim().to_owned())
}

/// The value of the first `<input name="NAME" value="…">` on the page.
pub fn input_value(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    extract(body, &marker, "\"")
}
