//! The browser harness: a chromedriver of the test's own on a free loopback port, headless
//! Chromium sessions on it (each with a fresh profile), and the page helpers the tests share.
//!
//! `EVERYCHILD_CHROMEDRIVER` and `EVERYCHILD_CHROMIUM` name the programs (defaults
//! `/usr/bin/chromedriver` and `/usr/bin/chromium`, from Debian's `chromium-driver` and
//! `chromium`). Nothing here reaches beyond 127.0.0.1.

use crate::axe::assert_accessible;
use everychild_testkit::{TestApp, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long to wait for chromedriver to answer, or for a page to change.
const PATIENCE: Duration = Duration::from_secs(20);

fn program(var: &str, default: &str, what: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| default.into());
    assert!(
        path.is_file(),
        "{what} not found at {} (set {var} to its path). The browser tests need headless \
         Chromium and its WebDriver: install Debian's packages with \
         `apt-get install chromium chromium-driver`.",
        path.display()
    );
    path
}

/// A chromedriver process of one test's own. Dropping it ends its browser sessions and kills
/// it, along with anything it started.
pub struct Chromedriver {
    child: Child,
    port: u16,
    sessions: Mutex<Vec<String>>,
    dir: tempfile::TempDir,
}

impl Chromedriver {
    /// Start chromedriver on a free port and wait until it says it is ready.
    pub fn start() -> Self {
        let exe = program(
            "EVERYCHILD_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            "chromedriver",
        );
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("find a free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("chromedriver.log");
        let child = Command::new(&exe)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that the browsers it starts can be killed with it.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
        let mut driver = Self {
            child,
            port,
            sessions: Mutex::new(Vec::new()),
            dir,
        };
        let deadline = Instant::now() + PATIENCE;
        loop {
            if raw_http(port, "GET", "/status").is_some_and(|r| r.contains("\"ready\":true")) {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited ({status}):\n{}", driver.log());
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {port}:\n{}",
                driver.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default()
    }

    /// A new headless Chromium, with a fresh profile, pointed at `app`.
    pub async fn browser(&self, app: &TestApp) -> Browser {
        let chromium = program("EVERYCHILD_CHROMIUM", "/usr/bin/chromium", "Chromium");
        // Inside the driver's directory, which goes (after the browsers) when the driver does.
        let profile = tempfile::tempdir_in(self.dir.path()).expect("profile dir");
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"script": 30_000, "pageLoad": 30_000, "implicit": 0},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--user-data-dir={}", profile.keep().display()),
                    "--window-size=1280,1000",
                ],
            },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("start Chromium through chromedriver: {e}\n{}", self.log()));
        if let Ok(Some(id)) = client.session_id().await {
            self.sessions.lock().unwrap().push(id);
        }
        Browser {
            client,
            base: app.base.clone(),
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // End each session (Chromium quits), even when a test panicked and its async client
        // can no longer run; then kill chromedriver's process group, in case anything is left.
        for id in self.sessions.lock().map(|s| s.clone()).unwrap_or_default() {
            let _ = raw_http(self.port, "DELETE", &format!("/session/{id}"));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request to chromedriver, without the async runtime (usable in `Drop`).
fn raw_http(port: u16, method: &str, path: &str) -> Option<String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(PATIENCE)).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    // chromedriver keeps the connection open, so read by Content-Length rather than to EOF.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).ok()?;
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Some(text);
            }
        }
        if n == 0 {
            return Some(text);
        }
    }
}

/// A browser session and the application it is testing.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    base: String,
}

impl Browser {
    /// Go to `path` and check the page with axe.
    pub async fn visit(&self, path: &str, label: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("go to {path}: {e}"));
        assert_accessible(&self.client, label).await;
    }

    /// The current path and query, e.g. `/sign-in?signed_out=1`.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Assert that the browser is at `want` (path and query).
    pub async fn assert_at(&self, want: &str) {
        assert_eq!(self.path().await, want, "page: {}", self.h1().await);
    }

    /// Run JavaScript in the page and return its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script {script}: {e}"))
    }

    /// Type into the field with this id (after clearing it).
    pub async fn fill(&self, id: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("field #{id}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Choose the option with this visible text in the select with this id.
    pub async fn choose(&self, id: &str, label: &str) {
        let select = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("select #{id}: {e}"));
        select
            .select_by_label(label)
            .await
            .unwrap_or_else(|e| panic!("option {label:?} in #{id}: {e}"));
    }

    /// The trimmed text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let el = match self.client.find(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => panic!("{css} on {}: {e}", self.path_or_blank().await),
        };
        el.text().await.expect("text").trim().to_owned()
    }

    /// The main heading.
    pub async fn h1(&self) -> String {
        match self.client.find(Locator::Css("h1")).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// All the visible text of the page.
    pub async fn page_text(&self) -> String {
        self.text("body").await
    }

    async fn path_or_blank(&self) -> String {
        match self.client.current_url().await {
            Ok(u) => u.path().to_owned(),
            Err(_) => String::new(),
        }
    }

    /// Click the button or link whose text is `text` (within `scope`, a CSS selector), wait
    /// for the next page to load, and check it with axe.
    pub async fn press_in(&self, scope: &str, text: &str, label: &str) {
        let xpath = format!("//*[self::button or self::a][normalize-space()='{text}']",);
        let root = self
            .client
            .find(Locator::Css(scope))
            .await
            .unwrap_or_else(|e| panic!("{scope}: {e}"));
        let el = match root.find(Locator::XPath(&format!(".{xpath}"))).await {
            Ok(el) => el,
            Err(e) => panic!("{text:?} in {scope} on {}: {e}", self.path_or_blank().await),
        };
        self.mark_page().await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {text:?}: {e}"));
        self.wait_for_new_page().await;
        assert_accessible(&self.client, label).await;
    }

    /// Click the button or link whose text is `text` in the main content, wait for the next
    /// page and check it with axe.
    pub async fn press(&self, text: &str, label: &str) {
        self.press_in("main", text, label).await;
    }

    /// Mark the current document, so that [`Self::wait_for_new_page`] can tell when it has gone.
    pub async fn mark_page(&self) {
        self.js("window.__everychild_old_page = true;").await;
    }

    /// Wait until the marked document has been replaced by a fully loaded one.
    pub async fn wait_for_new_page(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let ready = self
                .client
                .execute(
                    "return window.__everychild_old_page === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(ready, Ok(Value::Bool(true))) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after {:?}",
                PATIENCE
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sign in through the pages as `username` with the test password, setting up an
    /// authenticator app if the role needs one. Ends on the home page; returns the set-up key
    /// if one was issued. Every page on the way is checked with axe.
    pub async fn sign_in(&self, app: &TestApp, username: &str) -> Option<String> {
        self.visit("/sign-in", "sign-in page").await;
        self.fill("username", username).await;
        self.fill("password", PASSWORD).await;
        self.press("Sign in", "after the password").await;
        let mut secret = None;
        let at = self.path().await;
        if at == "/sign-in/set-up-second-factor" {
            let key = self.text("#totp-secret").await;
            self.fill("code", &app.code(&key, 0)).await;
            self.press("Continue", "home page after set-up").await;
            app.remember_secret(username, &key);
            secret = Some(key);
        } else if at == "/sign-in/second-factor" {
            let key = app.secret_of(username).unwrap_or_else(|| {
                panic!("{username} enrolled a second factor this test did not see")
            });
            // A code is accepted once per 30-second step.
            app.clock.advance(time::Duration::seconds(31));
            self.fill("code", &app.code(&key, 0)).await;
            self.press("Continue", "home page after the code").await;
            secret = Some(key);
        }
        self.assert_at("/").await;
        assert!(self.h1().await.starts_with("Welcome, "));
        secret
    }
}
