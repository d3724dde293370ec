//! The `everychild` binary, run as an operator would, against a fresh database (SQLite, or
//! PostgreSQL when EVERYCHILD_TEST_DATABASE is a postgres URL).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod config;
mod geography;
mod link;
mod openreferral;
mod people;
mod roles;

use everychild_testkit::TestDb;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn everychild(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_everychild"));
    cmd.args(args)
        .env_remove("EVERYCHILD_DATABASE_URL")
        .env_remove("EVERYCHILD_CONFIG")
        .env("EVERYCHILD_LOG", "warn")
        .env("EVERYCHILD_AUDIT_KEYS", everychild_testkit::TEST_AUDIT_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run everychild");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn demo_users_and_audit_verify_work_from_the_console() {
    let db = TestDb::new().await;
    let url = db.url.as_str();

    let o = everychild(&["migrate", "--database", url], None);
    assert!(o.status.success(), "{}", out(&o));

    let o = everychild(
        &[
            "demo",
            "--no-serve",
            "--database",
            url,
            "--seed",
            "7",
            "--population",
            "0.02",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    for who in [
        "admin",
        "dpo",
        "health.visitor",
        "board.member",
        "Data protection officer",
        "demo-password-2026",
    ] {
        assert!(text.contains(who), "demo output lacks {who}: {text}");
    }
    // Casework at the demo managers' front doors, made through the same permits as the pages
    // and audited as the practitioners and managers who made it.
    assert!(text.contains("Casework: 12 children"), "{text}");
    let requests = db.raw_i64("SELECT COUNT(*) FROM support_requests").await;
    assert!(requests > 0, "{text}");
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'request.create' AND actor_username IS NOT NULL")
            .await,
        requests
    );
    // Two years of case histories in every Leicester locality, in the seeds' proportions,
    // written at the times they happened: the audit log stays in time order and intact.
    assert!(
        text.contains("Two years of case histories in every Leicester locality"),
        "{text}"
    );
    let localities = db
        .raw_i64("SELECT COUNT(DISTINCT locality_id) FROM support_requests")
        .await;
    assert!(localities >= 8, "requests in {localities} localities");
    let oldest = db
        .raw_text("SELECT MIN(created_at) FROM support_requests")
        .await;
    let today = time::OffsetDateTime::now_utc().date();
    let two_years_ago = (today - time::Duration::days(731)).to_string();
    assert!(
        oldest.as_str() >= two_years_ago.as_str()
            && oldest.as_str() < (today - time::Duration::days(600)).to_string().as_str(),
        "{oldest}"
    );
    let decided = |l: &str| {
        format!("SELECT COUNT(*) FROM level_changes WHERE kind = 'initial' AND to_level = '{l}'")
    };
    let (l2, l3, l4) = (
        db.raw_i64(&decided("2")).await,
        db.raw_i64(&decided("3")).await,
        db.raw_i64(&decided("4")).await,
    );
    assert!(
        l2 > 5 * (l3 + l4) && l3 + l4 > 0,
        "levels 2, 3, 4 decided: {l2}, {l3}, {l4}"
    );
    assert!(db.raw_i64("SELECT COUNT(*) FROM panels").await > 0);
    assert!(
        db.raw_i64("SELECT COUNT(*) FROM support_requests WHERE re_referral = 1")
            .await
            > 0
    );
    let out_of_order = db
        .raw_i64("SELECT COUNT(*) FROM audit_events a JOIN audit_events b ON b.seq = a.seq + 1 WHERE b.at < a.at")
        .await;
    assert_eq!(out_of_order, 0, "audit events are in time order");
    let o = everychild(&["audit", "verify", "--database", url], None);
    assert!(o.status.success(), "{}", out(&o));
    // The demo refuses a database that is not empty.
    let o = everychild(&["demo", "--no-serve", "--database", url], None);
    assert!(!o.status.success());
    assert!(out(&o).contains("needs a new, empty database"));

    let o = everychild(
        &[
            "user",
            "add",
            "--database",
            url,
            "--username",
            "New.Person",
            "--name",
            "Nia Person",
            "--role",
            "analyst",
            "--organisation",
            "Leicester City Council Children's Services",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("temporary password"));
    let o = everychild(
        &[
            "user",
            "add",
            "--database",
            url,
            "--username",
            "piped",
            "--name",
            "Pip Ed",
            "--role",
            "practitioner",
            "--organisation",
            "A New Charity",
            "--agency-type",
            "voluntary",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = everychild(
        &[
            "user",
            "add",
            "--database",
            url,
            "--username",
            "x y",
            "--name",
            "N",
            "--role",
            "analyst",
            "--organisation",
            "A New Charity",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        out(&o).contains("Username must only include"),
        "{}",
        out(&o)
    );
    let o = everychild(
        &[
            "user",
            "add",
            "--database",
            url,
            "--username",
            "nobody",
            "--name",
            "N",
            "--role",
            "analyst",
            "--organisation",
            "Missing Org",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(out(&o).contains("give --agency-type to create it"));

    let o = everychild(&["user", "disable", "--database", url, "new.person"], None);
    assert!(o.status.success(), "{}", out(&o));
    let o = everychild(&["user", "list", "--database", url], None);
    assert!(
        !out(&o).contains("new.person"),
        "disabled users are hidden by default"
    );
    let o = everychild(&["user", "list", "--database", url, "--all"], None);
    let line = out(&o)
        .lines()
        .find(|l| l.starts_with("new.person"))
        .map(str::to_owned)
        .unwrap();
    assert!(line.contains("disabled"), "{line}");
    assert!(out(&o).contains("piped"));

    let o = everychild(&["audit", "verify", "--database", url], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("audit chain intact"));
    // The chain is keyed: verified with another key (or none from settings), it fails and
    // names the first event sealed with a key it does not hold.
    let o = everychild(
        &[
            "audit",
            "verify",
            "--database",
            url,
            "--audit-keys",
            "some other key that never sealed this chain 0123456789",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("event 1: sealed with key")
            && out(&o).contains("not among the configured audit keys"),
        "{}",
        out(&o)
    );
    // Rotation: a new key first, the old one kept.
    let o = everychild(
        &[
            "audit",
            "verify",
            "--database",
            url,
            "--audit-keys",
            &format!(
                "a newer key put first when rotating 0123456789,{}",
                everychild_testkit::TEST_AUDIT_KEY
            ),
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let n: i64 = db.raw_i64("SELECT COUNT(*) FROM audit_events").await;
    assert!(n > 20, "{n} events");
    // The console's changes are attributed to it.
    assert!(db.raw_i64("SELECT COUNT(*) FROM audit_events WHERE actor_username = '(console)' AND action = 'user.disable'").await == 1);

    // Tamper with one stored byte: verification fails and names the event.
    db.raw(db.unguard_audit_sql()).await;
    db.raw("UPDATE audit_events SET detail = detail || ' ' WHERE seq = 5")
        .await;
    let o = everychild(&["audit", "verify", "--database", url], None);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("audit chain BROKEN: event 5:"),
        "{}",
        out(&o)
    );
}
