//! Settings: `serve --help` documents each one; bad values are refused naming the setting.

use super::{everychild, out};
use std::process::{Command, Stdio};

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
