//! The audit log: one event per audited action, in the same transaction; tamper-evident.

use everychild_domain::Role::*;
use everychild_policy::{authorize, Principal, Target, VerifyAudit};
use everychild_store::AuditRepo;
use everychild_testkit::TestApp;

async fn verify(app: &TestApp) -> Result<i64, String> {
    let p = authorize::<VerifyAudit>(&Principal::Console, Target::None, None).unwrap();
    app.store
        .verify_audit(&p)
        .await
        .unwrap()
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn each_audited_action_writes_exactly_one_event() {
    let app = TestApp::spawn().await;
    let target = app.user("colleague", "Col League", Practitioner).await;
    app.user("hv.user", "Hana Visitor", Practitioner).await;
    let (mut c, _) = app.signed_in("hv.user").await;
    let steps: Vec<(String, &str)> = vec![
        (format!("/staff/{}", target.0), "staff.view"),
        ("/staff?q=col".into(), "staff.search"),
        ("/audit".into(), "access.denied"),
    ];
    for (path, action) in steps {
        let before = app.audit_count().await;
        c.get(&path).await;
        assert_eq!(app.audit_count().await, before + 1, "{path}");
        let last = app
            .db
            .raw_text("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1")
            .await;
        assert_eq!(last, action);
    }
    let who = app.db.raw_text("SELECT actor_username || '|' || actor_role || '|' || actor_org || '|' || COALESCE(purpose, '') || '|' || subject_id FROM audit_events WHERE action = 'staff.view'").await;
    assert_eq!(
        who,
        format!(
            "hv.user|practitioner|Test Trust|contact a colleague|{}",
            target.0
        )
    );
    // Pages without personal data write nothing.
    let before = app.audit_count().await;
    c.get("/").await;
    c.get("/account").await;
    assert_eq!(app.audit_count().await, before);
    // Sign-in events are recorded: success for hv, failure for a wrong password.
    app.client().sign_in("hv.user", "wrong password!").await;
    assert_eq!(app.db.raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in.failure' AND actor_username = 'hv.user'").await, 1);
    assert_eq!(app.db.raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in.success_enrolled_second_factor' AND actor_username = 'hv.user'").await, 1);
    assert!(verify(&app).await.is_ok());
}

#[tokio::test]
async fn events_cannot_be_changed_through_the_database_guard() {
    let app = TestApp::spawn().await;
    app.user("a1.user", "A One", Practitioner).await;
    let err = {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db.url)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_events SET action = 'x'")
            .execute(&mut conn)
            .await
            .err()
    };
    assert!(err.is_some_and(|e| e.to_string().contains("append-only")));
}

#[tokio::test]
async fn altering_any_stored_byte_of_an_event_breaks_verification_and_names_it() {
    let app = TestApp::spawn().await;
    for i in 0..4 {
        app.user(&format!("user{i}"), &format!("User {i}"), Practitioner)
            .await;
    }
    let n = verify(&app).await.expect("intact");
    assert!(n >= 5, "{n}");
    app.db.raw(app.db.unguard_audit_sql()).await;
    let cols = [
        ("at", "at = at || 'x'"),
        ("actor_id", "actor_id = COALESCE(actor_id, 0) + 1"),
        (
            "actor_username",
            "actor_username = COALESCE(actor_username, '') || 'x'",
        ),
        ("actor_role", "actor_role = 'administrator'"),
        ("actor_org", "actor_org = 'Someone Else'"),
        ("action", "action = 'user.view'"),
        ("outcome", "outcome = 'denied'"),
        ("subject_type", "subject_type = 'other'"),
        ("subject_id", "subject_id = '999'"),
        ("purpose", "purpose = 'made up'"),
        ("detail", "detail = '{}'"),
        ("ip", "ip = '10.0.0.1'"),
        ("request_id", "request_id = 'forged'"),
        ("prev_hash", "prev_hash = 'ab' || prev_hash"),
        ("hash", "hash = 'ab' || hash"),
    ];
    let seq = 3;
    for (col, set) in cols {
        let original = app.db.raw_text(&format!("SELECT COALESCE(CAST({col} AS TEXT), '<null>') FROM audit_events WHERE seq = {seq}")).await;
        app.db
            .raw(&format!("UPDATE audit_events SET {set} WHERE seq = {seq}"))
            .await;
        let e = verify(&app).await.expect_err(col);
        assert!(e.starts_with(&format!("event {seq}:")), "{col}: {e}");
        let restore = if original == "<null>" {
            "NULL".to_owned()
        } else {
            format!("'{}'", original.replace('\'', "''"))
        };
        let restore = if col == "actor_id" && original != "<null>" {
            original.clone()
        } else {
            restore
        };
        app.db
            .raw(&format!(
                "UPDATE audit_events SET {col} = {restore} WHERE seq = {seq}"
            ))
            .await;
        assert_eq!(verify(&app).await, Ok(n), "restored {col}");
    }
    // Removing an event is found too.
    app.db.raw("DELETE FROM audit_events WHERE seq = 2").await;
    assert!(verify(&app).await.unwrap_err().starts_with("event 3:"));
}

#[tokio::test]
async fn the_audit_page_filters_and_the_dpo_can_read_it() {
    let app = TestApp::spawn().await;
    let t = app.user("seen", "Seen Person", Practitioner).await;
    app.user("looker", "Lou Looker", Practitioner).await;
    app.user("dpo", "Dee Officer", DataProtectionOfficer).await;
    let (mut c, _) = app.signed_in("looker").await;
    c.get(&format!("/staff/{}", t.0)).await;
    let (mut dpo, _) = app.signed_in("dpo").await;
    let page = dpo
        .get(&format!(
            "/audit?subject_type=user&subject_id={}&action=staff.",
            t.0
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("1 event<"), "{}", page.body);
    assert!(page.body.contains("looker"));
    let bad = dpo.get("/audit?from=22/11/2026").await;
    assert!(bad.body.contains("Enter a date in the format YYYY-MM-DD"));
    let api = dpo
        .get("/api/v1/audit/events?actor=looker&action=staff.view")
        .await;
    assert_eq!(api.status, 200);
    let j = api.json();
    assert_eq!(j["total"], 1);
    assert_eq!(j["events"][0]["subject_id"], t.0.to_string());
    // The DPO's own searches are in the log as well.
    assert!(app.db.raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.search' AND actor_username = 'dpo'").await >= 2);
}

#[tokio::test]
async fn concurrent_views_each_write_one_event_and_the_chain_stays_intact() {
    let app = TestApp::spawn().await;
    let target = app.user("popular", "Pop Ular", Practitioner).await;
    app.user("reader", "Rea Der", Practitioner).await;
    app.user("boss", "Bea Admin", Administrator).await;
    let (reader, _) = app.signed_in("reader").await;
    let (mut admin, _) = app.signed_in("boss").await;
    let cookie = format!("everychild_session={}", reader.session().unwrap());
    let before = app.audit_count().await;
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..120 {
        let (http, cookie, base) = (http.clone(), cookie.clone(), app.base.clone());
        let path = if i % 3 == 0 {
            "/staff?q=pop".to_owned()
        } else {
            format!("/staff/{}", target.0)
        };
        tasks.push(tokio::spawn(async move {
            http.get(format!("{base}{path}"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    // Audited changes interleave with the queued views.
    admin.get(&format!("/admin/users/{}", target.0)).await;
    for _ in 0..3 {
        admin
            .post_form(
                &format!("/admin/users/{}/reset-second-factor", target.0),
                &[],
            )
            .await;
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    // 120 views and searches, 1 administrator's view, 3 changes.
    assert_eq!(app.audit_count().await, before + 124);
    assert_eq!(
        app.db
            .raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'user.second_factor_reset'")
            .await,
        3
    );
    assert_eq!(verify(&app).await, Ok(app.audit_count().await));
}

/// Someone who can write the database but does not hold the audit key alters an event and
/// rewrites every hash after it, and the chain head, consistently (as the unkeyed chain of
/// old allowed): verification finds the first rewritten event. Re-sealing with a key of
/// their own is found too.
#[tokio::test]
async fn rewriting_the_audit_table_consistently_without_the_key_is_detected() {
    use everychild_domain::audit::{AuditKey, AuditRecord};
    let app = TestApp::spawn().await;
    for i in 0..4 {
        app.user(&format!("user{i}"), &format!("User {i}"), Practitioner)
            .await;
    }
    let n = verify(&app).await.expect("intact");
    let keyed = app
        .db
        .raw_i64("SELECT COUNT(*) FROM audit_events WHERE key_id IS NOT NULL")
        .await;
    assert_eq!(keyed, n, "every event is sealed with the key");
    let real_key_id = app
        .db
        .raw_text("SELECT key_id FROM audit_events WHERE seq = 1")
        .await;
    app.db.raw(app.db.unguard_audit_sql()).await;

    for forger in [
        None,
        Some(AuditKey::derive("the forger's own key, not ours")),
    ] {
        let from = 3;
        app.db
            .raw(&format!(
                "UPDATE audit_events SET action = 'user.view' WHERE seq = {from}"
            ))
            .await;
        let mut prev = app
            .db
            .raw_text(&format!(
                "SELECT hash FROM audit_events WHERE seq = {}",
                from - 1
            ))
            .await;
        for seq in from..=n {
            let field = |c: &str| {
                format!("SELECT COALESCE(CAST({c} AS TEXT), '<null>') FROM audit_events WHERE seq = {seq}")
            };
            let mut vals = Vec::new();
            for c in [
                "at",
                "actor_id",
                "actor_username",
                "actor_role",
                "actor_org",
                "action",
                "outcome",
                "subject_type",
                "subject_id",
                "purpose",
                "detail",
                "ip",
                "request_id",
            ] {
                let v = app.db.raw_text(&field(c)).await;
                vals.push((v != "<null>").then_some(v));
            }
            let rec = AuditRecord {
                seq,
                at: vals[0].clone().unwrap_or_default(),
                actor_id: vals[1].as_deref().and_then(|v| v.parse().ok()),
                actor_username: vals[2].clone(),
                actor_role: vals[3].clone(),
                actor_org: vals[4].clone(),
                action: vals[5].clone().unwrap_or_default(),
                outcome: vals[6].clone().unwrap_or_default(),
                subject_type: vals[7].clone(),
                subject_id: vals[8].clone(),
                purpose: vals[9].clone(),
                detail: vals[10].clone().unwrap_or_default(),
                ip: vals[11].clone(),
                request_id: vals[12].clone(),
                prev_hash: prev.clone(),
            };
            let (hash, key_id) = match &forger {
                None => (rec.compute_hash(), "NULL".to_owned()),
                // Naming the real key's id, which the forger can read.
                Some(k) => (rec.compute_mac(k), format!("'{real_key_id}'")),
            };
            app.db
                .raw(&format!(
                    "UPDATE audit_events SET prev_hash = '{prev}', hash = '{hash}', key_id = {key_id} WHERE seq = {seq}"
                ))
                .await;
            prev = hash;
        }
        app.db
            .raw(&format!(
                "UPDATE audit_head SET hash = '{prev}' WHERE id = 1"
            ))
            .await;
        let e = verify(&app).await.expect_err("rewritten");
        assert!(e.starts_with(&format!("event {from}:")), "{e}");
    }
}
