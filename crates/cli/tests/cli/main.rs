//! The `everychild` binary, run as an operator would, against a fresh database (SQLite, or
//! PostgreSQL when EVERYCHILD_TEST_DATABASE is a postgres URL).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod openreferral;

use everychild_testkit::TestDb;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn everychild(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_everychild"));
    cmd.args(args)
        .env_remove("EVERYCHILD_DATABASE_URL")
        .env_remove("EVERYCHILD_CONFIG")
        .env("EVERYCHILD_LOG", "warn")
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

#[test]
fn serve_help_documents_every_setting() {
    let o = everychild(&["serve", "--help"], None);
    let text = out(&o);
    for flag in [
        "--database",
        "--config",
        "--listen",
        "--secret-key",
        "--public-url",
        "--secure-cookies",
        "--authority-name",
        "--log-format",
        "--session-idle-minutes",
        "--session-absolute-hours",
        "--second-factor-roles",
        "--sign-in-account-failures",
        "--sign-in-address-failures",
        "--sign-in-window-minutes",
        "--database-max-connections",
        "--database-acquire-timeout-seconds",
        "--stuck-weeks",
        "--no-lead-days",
        "--alert-agencies",
        "--alert-days",
        "EVERYCHILD_LISTEN",
        "EVERYCHILD_DATABASE_URL",
        "EVERYCHILD_STUCK_WEEKS",
        "EVERYCHILD_NO_LEAD_DAYS",
        "EVERYCHILD_ALERT_AGENCIES",
        "EVERYCHILD_ALERT_DAYS",
    ] {
        assert!(text.contains(flag), "serve --help lacks {flag}");
    }
}

#[test]
fn bad_configuration_is_refused_with_a_message_naming_it_and_secrets_are_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "listen = \"127.0.0.1:0\"\nsesion_idle_minutes = 5\n").unwrap();
    let o = everychild(&["serve", "--config", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("sesion_idle_minutes"), "{}", out(&o));
    let o = everychild(
        &[
            "serve",
            "--secret-key",
            "short",
            "--database",
            "sqlite::memory:",
        ],
        None,
    );
    assert!(out(&o).contains("secret_key must be at least 32 characters"));
    let o = everychild(
        &[
            "migrate",
            "--database",
            "postgres://user:hunter2-secret@127.0.0.1:1/none",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(!out(&o).contains("hunter2-secret"), "{}", out(&o));
    assert!(out(&o).contains("postgres://user:***@127.0.0.1:1/none"));
}

#[test]
fn casework_rules_out_of_range_are_refused_naming_the_setting() {
    // As a flag.
    for (flag, value, message) in [
        (
            "--stuck-weeks",
            "0",
            "stuck_weeks: must be a whole number of weeks from 1 to 52, not 0",
        ),
        (
            "--stuck-weeks",
            "53",
            "stuck_weeks: must be a whole number of weeks from 1 to 52, not 53",
        ),
        (
            "--no-lead-days",
            "366",
            "no_lead_days: must be a whole number of days from 1 to 365, not 366",
        ),
        (
            "--alert-agencies",
            "1",
            "alert_agencies: must be a whole number of agencies from 2 to 10, not 1",
        ),
        (
            "--alert-days",
            "-1",
            "alert_days: must be a whole number of days from 1 to 90, not -1",
        ),
    ] {
        let o = everychild(
            &["serve", "--database", "sqlite::memory:", flag, value],
            None,
        );
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {}", out(&o));
        assert!(out(&o).contains(message), "{flag} {value}: {}", out(&o));
    }
    // In the configuration file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.toml");
    std::fs::write(&file, "alert_days = 91\n").unwrap();
    let o = everychild(
        &[
            "serve",
            "--database",
            "sqlite::memory:",
            "--config",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("alert_days: must be"), "{}", out(&o));
    // In the environment.
    let o = Command::new(env!("CARGO_BIN_EXE_everychild"))
        .args(["serve", "--database", "sqlite::memory:"])
        .env_remove("EVERYCHILD_CONFIG")
        .env("EVERYCHILD_LOG", "warn")
        .env("EVERYCHILD_ALERT_AGENCIES", "11")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("alert_agencies: must be"), "{}", out(&o));
}

/// The real geography folder beside the repository.
fn geo_dir() -> std::path::PathBuf {
    everychild_testkit::data_dir().join("geo")
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

#[tokio::test]
async fn importing_the_geography_gives_the_published_counts_and_again_changes_nothing() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    let dir = geo_dir();
    let o = everychild(
        &[
            "import",
            "geography",
            dir.to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("postcodes") && text.contains("16714"),
        "{text}"
    );
    let count = |sql: &'static str| db.raw_i64(sql);
    assert_eq!(
        count("SELECT COUNT(*) FROM wards WHERE authority_code = 'E06000016'").await,
        21
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM wards WHERE authority_code = 'E06000031'").await,
        22
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM lsoas WHERE vintage = 2011 AND authority_code = 'E06000016'")
            .await,
        192
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM lsoas WHERE vintage = 2011 AND authority_code = 'E06000031'")
            .await,
        112
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM postcodes WHERE terminated IS NOT NULL").await,
        16_714 - 10_351
    );
    assert_eq!(count("SELECT COUNT(*) FROM schools").await, 227);
    assert_eq!(
        count("SELECT CAST(SUM(persons) AS BIGINT) FROM population WHERE age <= 19").await,
        95_539 + 56_268
    );
    let events = count("SELECT COUNT(*) FROM audit_events WHERE action = 'geography.import'").await;
    assert_eq!(events, 1);

    // The same files again: every row unchanged.
    let o = everychild(
        &[
            "import",
            "geography",
            dir.to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    for line in out(&o).lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(
            (cols[n - 3], cols[n - 2]),
            ("0", "0"),
            "re-import changed {line}"
        );
    }
}

#[tokio::test]
async fn a_malformed_row_names_file_line_and_column_and_nothing_is_imported() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    let good = geo_dir();
    // Import the real files first, then a copy with one changed school and one bad value.
    let o = everychild(
        &[
            "import",
            "geography",
            good.to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&good, tmp.path());
    let schools = tmp
        .path()
        .join("schools/gias_open_establishments_20250524.csv");
    let text = std::fs::read_to_string(&schools).unwrap();
    std::fs::write(
        &schools,
        text.replacen("Catherine Infant School", "Catherine Infants' School", 1),
    )
    .unwrap();
    let scores = tmp
        .path()
        .join("imd2019/iod2019_lsoa11_scores_and_denominators.csv");
    let text = std::fs::read_to_string(&scores).unwrap();
    std::fs::write(
        &scores,
        text.replacen(
            "E01013601,Leicester 003B,46.809,",
            "E01013601,Leicester 003B,forty-six,",
            1,
        ),
    )
    .unwrap();
    let before = db.raw_i64("SELECT COUNT(*) FROM audit_events").await;
    let o = everychild(
        &[
            "import",
            "geography",
            tmp.path().to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(!o.status.success());
    let msg = out(&o);
    assert!(
        msg.contains("imd2019/iod2019_lsoa11_scores_and_denominators.csv, line 3, column IMD_score: 'forty-six' is not a decimal number"),
        "{msg}"
    );
    assert!(msg.contains("nothing was changed"));
    let name = db
        .raw_text("SELECT name FROM schools WHERE urn = 120002")
        .await;
    assert_eq!(
        name, "Catherine Infant School",
        "nothing from the bad folder was written"
    );
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM audit_events").await,
        before
    );

    // With the bad value mended, the changed school is the only change.
    std::fs::write(
        &scores,
        std::fs::read_to_string(good.join("imd2019/iod2019_lsoa11_scores_and_denominators.csv"))
            .unwrap(),
    )
    .unwrap();
    let o = everychild(
        &[
            "import",
            "geography",
            tmp.path().to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let schools_line = out(&o)
        .lines()
        .find(|l| l.starts_with("schools"))
        .unwrap()
        .to_owned();
    let cols: Vec<&str> = schools_line.split_whitespace().collect();
    assert_eq!(&cols[1..], &["0", "1", "226"], "{schools_line}");
    assert_eq!(
        db.raw_text("SELECT name FROM schools WHERE urn = 120002")
            .await,
        "Catherine Infants' School"
    );
}

const KIDS: &str = "id,person,first_name,surname,dob,postcode
a1,1,Mohammed,Khan,2014-03-07,LE2 7AB
a2,1,Muhammad,Khan,2014-07-03,LE2 7AB
a3,1,Mohamed,Khan,07/03/2014,LE4 1QT
b1,2,Amelia,Nowak,2015-11-30,LE3 9NA
b2,2,Nowak,Amelia,2015-11-30,LE3 9NA
c1,3,Priya,Patel,2012-01-15,LE5 5ZN
d1,4,Riya,Patel,2016-05-02,LE5 5ZN
e1,5,Tendai,Moyo,2011-09-09,LE1 1AA
f1,6,Oliver,Smith,2013-02-11,LE2 1QT
f2,6,Ollie,Smith,2013-02-11,LE2 1QT
";

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", out(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

#[test]
fn link_dedupe_reports_exact_counts() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "kids.csv", KIDS);
    let fields = [
        "--field",
        "given_name=first_name",
        "--field",
        "family_name=surname",
        "--field",
        "dob=dob",
        "--field",
        "postcode=postcode",
    ];
    let mut args = vec![
        "link", "dedupe", &f, "--id", "id", "--truth", "person", "--json",
    ];
    args.extend(fields);
    let v = json(&everychild(&args, None));
    assert_eq!(v["records"], 10);
    // Person 1 has three records (three pairs), persons 2 and 6 two each.
    assert_eq!(v["true_pairs"], 5);
    // The names rule (variants, either order) reaches all five; the family-name rule adds
    // Priya and Riya Patel.
    assert_eq!(v["candidate_pairs"], 6);
    assert_eq!(v["blocking_recall"], 1.0);
    assert_eq!(v["blocking"][0]["pairs"], 5);
    assert_eq!(v["blocking"][0]["true_pairs"], 5);
    let (p, r, f1) = (
        v["precision"].as_f64().unwrap(),
        v["recall"].as_f64().unwrap(),
        v["f1"].as_f64().unwrap(),
    );
    assert!((f1 - 2.0 * p * r / (p + r)).abs() < 1e-9);
    assert!(v["best_f1"].as_f64().unwrap() >= f1);
    assert!(v["wall_s"].as_f64().unwrap() >= 0.0);

    // The readable report names the rules and the trained m and u of each level.
    let mut args = vec!["link", "dedupe", &f, "--id", "id", "--truth", "person"];
    args.extend(fields);
    let o = everychild(&args, None);
    let text = out(&o);
    assert!(o.status.success(), "{text}");
    for want in [
        "given_name + family_name (variants, either order)",
        "nickname or transliteration",
        "day and month swapped",
        "precision",
        "best F1",
    ] {
        assert!(text.contains(want), "report lacks {want:?}: {text}");
    }
    // Without --field, columns named after roles are used (first_name, surname, dob, postcode).
    let v = json(&everychild(
        &[
            "link", "dedupe", &f, "--id", "id", "--truth", "person", "--json",
        ],
        None,
    ));
    assert_eq!(v["candidate_pairs"], 6);
}

#[test]
fn link_pair_links_across_two_files_one_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.csv", "id,person,first_name,surname,dob\nx1,1,Jakub,Nowak,2010-04-02\nx2,2,Aisha,Begum,2011-06-19\nx3,3,Harry,Wright,2012-12-01\n");
    let b = write(&dir, "b.csv", "id,person,first_name,surname,dob\ny1,2,Ayesha,Begum,2011-06-19\ny2,1,Jakub,Nowak,2010-02-04\ny3,4,Harriet,Wright,2012-12-01\n");
    let pairs = dir.path().join("pairs.csv");
    let p = pairs.to_string_lossy().into_owned();
    let v = json(&everychild(
        &[
            "link", "pair", &a, &b, "--id", "id", "--truth", "person", "--json", "--pairs", &p,
        ],
        None,
    ));
    assert_eq!(v["records"], 6);
    assert_eq!(v["true_pairs"], 2);
    // Jakub Nowak, Aisha/Ayesha Begum (by name), Harry/Harriet Wright (same date of birth).
    assert_eq!(v["candidate_pairs"], 3);
    assert_eq!(v["blocking_recall"], 1.0);
    // Every written link crosses the two files, and no record is linked twice.
    let text = std::fs::read_to_string(&pairs).unwrap();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        assert_ne!(cols[0].chars().next(), cols[1].chars().next(), "{line}");
        assert!(
            seen.insert(cols[0].to_owned()) && seen.insert(cols[1].to_owned()),
            "{line}"
        );
    }
}

#[test]
fn link_refuses_bad_input_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "kids.csv", KIDS);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "id",
                "--field",
                "given_name=forename",
            ],
            "no column named \"forename\"",
        ),
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "ident",
                "--field",
                "given_name=first_name",
            ],
            "no column named \"ident\"",
        ),
        (
            vec![
                "link", "dedupe", &f, "--id", "id", "--truth", "cluster", "--field", "dob=dob",
            ],
            "no column named \"cluster\"",
        ),
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "id",
                "--field",
                "shoe_size=dob",
            ],
            "unknown role \"shoe_size\"",
        ),
        (
            vec!["link", "dedupe", &f, "--id", "id", "--field", "dob"],
            "is not ROLE=COL",
        ),
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "id",
                "--field",
                "dob=dob",
                "--field",
                "dob=postcode",
            ],
            "the role dob is given more than once",
        ),
        (
            vec!["link", "dedupe", "/nonexistent/x.csv", "--id", "id"],
            "could not read /nonexistent/x.csv",
        ),
    ];
    for (args, want) in cases {
        let o = everychild(&args, None);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(
            out(&o).contains(want),
            "{args:?}: wanted {want:?} in {}",
            out(&o)
        );
    }
    let empty = write(&dir, "noid.csv", "id,first_name\n,Ann\n");
    let o = everychild(
        &[
            "link",
            "dedupe",
            &empty,
            "--id",
            "id",
            "--field",
            "given_name=first_name",
        ],
        None,
    );
    assert!(
        out(&o).contains("row 2 has no value in the id column"),
        "{}",
        out(&o)
    );
}

#[test]
fn synth_people_writes_a_benchmark_file_with_truth() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("people.csv");
    let path = p.to_string_lossy().into_owned();
    let o = everychild(
        &[
            "synth",
            "people",
            "--count",
            "500",
            "--seed",
            "4",
            "--out",
            &path,
            "--duplicates",
            "0.3",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("record_id,person_id,given_name,middle_name,family_name,dob,sex,postcode,address,nhs_number,upn"));
    assert_eq!(lines.count(), 500);
    // The same seed writes the same file.
    let q = dir.path().join("again.csv");
    let again = q.to_string_lossy().into_owned();
    everychild(
        &[
            "synth",
            "people",
            "--count",
            "500",
            "--seed",
            "4",
            "--out",
            &again,
            "--duplicates",
            "0.3",
        ],
        None,
    );
    assert_eq!(std::fs::read_to_string(&q).unwrap(), text);
    // And the linkage engine finds its duplicates.
    let v = json(&everychild(
        &[
            "link",
            "dedupe",
            &path,
            "--id",
            "record_id",
            "--truth",
            "person_id",
            "--json",
            "--field",
            "given_name=given_name",
            "--field",
            "family_name=family_name",
            "--field",
            "dob=dob",
            "--field",
            "postcode=postcode",
            "--field",
            "nhs_number=nhs_number",
        ],
        None,
    ));
    assert!(v["true_pairs"].as_u64().unwrap() > 50);
    assert!(v["f1"].as_f64().unwrap() > 0.8, "{v}");
    let o = everychild(
        &[
            "synth",
            "people",
            "--count",
            "5",
            "--out",
            &path,
            "--duplicates",
            "2",
        ],
        None,
    );
    assert!(out(&o).contains("--duplicates must be between 0 and 1"));
}

#[tokio::test]
async fn agency_extracts_are_linked_refused_row_by_row_and_reimported_without_change() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    let o = everychild(
        &["demo", "--no-serve", "--database", url, "--population", "0"],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let dir = tempfile::tempdir().unwrap();
    let health = dir.path().join("health.csv");
    std::fs::write(
        &health,
        "NHS_ID,FORENAME,SURNAME,DOB,GENDER,NHS_NO,POSTCODE,ADDRESS\n\
         H1,Muhammad,Khan,2014-03-07,M,943 476 5919,LE3 0SG,12 Larch Avenue\n\
         H2,Amelia,Nowak,2015-11-30,F,,LE1 1AA,3 Elm Close\n\
         H3,Oliver,Smith,2013-02-02,M,,LE2 7AB,9 Mill Lane\n\
         H4,Bad,Number,2012-05-05,M,943 476 5918,LE4 1AA,1 Other Road\n",
    )
    .unwrap();
    let map = "source_id=NHS_ID,given_name=FORENAME,family_name=SURNAME,date_of_birth=DOB,sex=GENDER,nhs_number=NHS_NO,postcode=POSTCODE,address=ADDRESS";
    let agency = "City Community Health Services (NHS)";
    let run = |file: &std::path::Path, map: &str, extra: &[&str]| {
        let mut args = vec![
            "import",
            "people",
            agency,
            file.to_str().unwrap(),
            "--map",
            map,
            "--database",
            url,
        ];
        args.extend_from_slice(extra);
        everychild(&args, None)
    };
    let o = run(&health, map, &[]);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("line 5 (H4): NHS number"), "{text}");
    assert!(text.contains("4 rows read, 1 refused; 0 unchanged, 0 changed, 0 linked to a known child, 3 new children"), "{text}");
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM persons").await, 3);
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM involvements WHERE basis = 'agency_extract'")
            .await,
        3
    );
    // Kept unverified when asked.
    let o = run(&health, map, &["--bad-nhs-number", "keep-unverified"]);
    assert!(out(&o).contains("3 unchanged, 0 changed"), "{}", out(&o));
    assert_eq!(
        db.raw_text("SELECT nhs_number_status FROM persons WHERE given_name = 'Bad'")
            .await,
        "unverified"
    );
    // The same file again changes nothing at all.
    let before = db.raw_i64("SELECT COUNT(*) FROM audit_events").await;
    let o = run(&health, map, &["--bad-nhs-number", "keep-unverified"]);
    assert!(
        out(&o).contains("4 unchanged, 0 changed, 0 linked"),
        "{}",
        out(&o)
    );
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM persons").await, 4);
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM audit_events").await,
        before + 1,
        "only the import's own event"
    );

    // A school's extract: the same children are linked to them, or queued for review when the
    // engine is unsure (another spelling, another birth date, another postcode).
    let school = dir.path().join("school.csv");
    std::fs::write(
        &school,
        "UPN,NAME,BORN,PC\n\
         A123456789012,Mohammed Khan,07/09/2013,LE5 3AA\n\
         B123456789012,Amelia Nowak,30/11/2015,LE1 1AA\n\
         C123456789012,Zainab Ali,2016-06-06,LE4 6BB\n\
         D123456789012,Noah Smith,2013-02-02,LE2 7AB\n",
    )
    .unwrap();
    let o = everychild(
        &[
            "import",
            "people",
            "Leicester City Council Education Services",
            school.to_str().unwrap(),
            "--map",
            "source_id=UPN,upn=UPN,full_name=NAME,date_of_birth=BORN,postcode=PC",
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("1 linked to a known child, 1 new children, 2 queued for review"),
        "{text}"
    );
    let linked = db.raw_i64("SELECT COUNT(*) FROM agency_records a JOIN organisations o ON o.id = a.organisation_id WHERE o.name LIKE '%Education%' AND a.status <> 'new'").await;
    assert_eq!(
        linked, 3,
        "Khan, Nowak and Noah are linked or queued for review: {text}"
    );
    let zainab = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'C123456789012'")
        .await;
    assert_eq!(zainab, "new");
    let nowak = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'B123456789012'")
        .await;
    assert_eq!(nowak, "linked", "the same name, birth date and postcode");
    let khan = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'A123456789012'")
        .await;
    assert_eq!(khan, "review");
    // Oliver's twin brother shares his birth date and address but not his name: never linked
    // to him without a person deciding.
    let twin = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'D123456789012'")
        .await;
    assert_eq!(twin, "review");

    // Bad mappings and files are refused, naming the problem, and change nothing.
    let o = run(&health, "source_id=NHS_ID,nickname=NICK", &[]);
    assert!(!o.status.success());
    assert!(
        out(&o).contains("unknown field \"nickname\"") && out(&o).contains("date_of_birth"),
        "{}",
        out(&o)
    );
    let o = run(
        &health,
        "source_id=ID,family_name=SURNAME,date_of_birth=DOB",
        &[],
    );
    assert!(!o.status.success());
    assert!(out(&o).contains("lacks the column(s) ID"), "{}", out(&o));
    let o = everychild(
        &[
            "import",
            "people",
            "No Such Agency",
            health.to_str().unwrap(),
            "--map",
            map,
            "--database",
            url,
        ],
        None,
    );
    assert!(
        out(&o).contains("there is no organisation called"),
        "{}",
        out(&o)
    );
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM persons").await, 5);
}
