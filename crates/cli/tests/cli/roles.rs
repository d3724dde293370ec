//! On PostgreSQL the owner migrates and `serve` runs as a role that cannot change the schema:
//! it cannot drop the audit log's guards, rewrite or delete events, or create tables, yet
//! the product works. On SQLite (one file, one owner) a runtime role is refused by name.

use crate::{everychild, out};
use everychild_testkit::TestDb;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn serve_runs_as_a_role_that_cannot_change_the_schema_or_the_audit_log() {
    let db = TestDb::new().await;
    if !db.postgres {
        let o = everychild(
            &[
                "migrate",
                "--database",
                &db.url,
                "--grant-runtime-role",
                "ec_app",
            ],
            None,
        );
        assert!(!o.status.success());
        assert!(out(&o).contains("PostgreSQL only"), "{}", out(&o));
        return;
    }
    let role = format!("ec_app_{:08x}", rand_suffix());
    db.raw(&format!("CREATE ROLE {role} LOGIN")).await;
    let o = everychild(
        &[
            "migrate",
            "--database",
            &db.url,
            "--grant-runtime-role",
            &role,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let mut app = url::Url::parse(&db.url).unwrap();
    app.set_username(&role).unwrap();
    app.set_password(None).unwrap();
    let app_url = app.to_string();

    // The product works as the runtime role: a user is added (and audited).
    let o = everychild(
        &[
            "user",
            "add",
            "--database",
            &app_url,
            "--username",
            "runtime.check",
            "--name",
            "Runtime Check",
            "--role",
            "practitioner",
            "--organisation",
            "Runtime Trust",
            "--agency-type",
            "health",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = everychild(&["audit", "verify", "--database", &app_url], None);
    assert!(o.status.success(), "{}", out(&o));

    // What it cannot do, even by hand.
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app_url)
        .await
        .unwrap();
    for sql in [
        "DROP TRIGGER audit_events_no_change ON audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "UPDATE audit_events SET action = 'forged' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "TRUNCATE audit_events",
        "DELETE FROM audit_head",
        "CREATE TABLE sneaky (x integer)",
        "DELETE FROM _sqlx_migrations",
    ] {
        let r = sqlx::Executor::execute(&mut conn, sql).await;
        let e = r.err().unwrap_or_else(|| panic!("{sql} was allowed"));
        let e = e.to_string();
        assert!(
            e.contains("permission denied") || e.contains("must be owner"),
            "{sql}: {e}"
        );
    }
    drop(conn);

    // serve refuses the owner, and serves as the runtime role.
    let o = everychild(
        &["serve", "--database", &db.url, "--listen", "127.0.0.1:0"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        out(&o).contains("role can change the schema"),
        "{}",
        out(&o)
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_everychild"))
        .args(["serve", "--database", &app_url, "--listen", "127.0.0.1:0"])
        .env("EVERYCHILD_LOG", "info")
        .env("EVERYCHILD_AUDIT_KEYS", everychild_testkit::TEST_AUDIT_KEY)
        .env_remove("EVERYCHILD_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let mut serving = false;
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                serving |= line.contains("everychild is serving");
                seen.push(line);
                if serving {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(serving, "serve as {role}: {}", seen.join("\n"));
    db.raw(&format!("DROP OWNED BY {role}")).await;
    db.raw(&format!("DROP ROLE {role}")).await;
}

fn rand_suffix() -> u32 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    t ^ std::process::id()
}
