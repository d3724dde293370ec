//! `everychild import openreferral`: a folder or an API feed is upserted by id, each invalid
//! item refused with its reasons, a second import changes nothing, and a broken feed changes
//! nothing at all.

use super::{everychild, out};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use everychild_testkit::{data_dir, TestApp, TestDb};

fn fixtures(which: &str) -> String {
    data_dir()
        .join("openreferral/oruk-validator-fixtures")
        .join(which)
        .display()
        .to_string()
}

fn import(url: &str, source: &str) -> (bool, String) {
    let mut args = vec!["import", "openreferral", source, "--database", url];
    if source.starts_with("http://") {
        args.push("--allow-http-loopback");
    }
    let o = everychild(&args, None);
    (o.status.success(), out(&o))
}

/// As [`import`], without allowing plain http.
fn import_strict(url: &str, source: &str) -> (bool, String) {
    let o = everychild(&["import", "openreferral", source, "--database", url], None);
    (o.status.success(), out(&o))
}

const COUNSELLING: &str = "ac148810-d857-441c-9679-408f346de14b";

#[tokio::test]
async fn a_folder_imports_whole_again_changes_nothing_and_bad_items_are_refused_alone() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    assert!(everychild(&["migrate", "--database", url], None)
        .status
        .success());

    let (ok, text) = import(url, &fixtures("V3.0-UK-Default"));
    assert!(ok, "{text}");
    assert!(
        text.contains("1 services read, 0 refused; 1 added, 0 changed, 0 unchanged"),
        "{text}"
    );
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM directory_entries WHERE status = 'published' AND live_version = 1").await, 1);
    let terms = db.raw_i64("SELECT COUNT(*) FROM directory_terms").await;
    assert!(terms >= 1, "the feed's taxonomy terms are kept");

    let (ok, text) = import(url, &fixtures("V3.0-UK-Default"));
    assert!(ok, "{text}");
    assert!(text.contains("0 added, 0 changed, 1 unchanged"), "{text}");
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM directory_entry_versions")
            .await,
        1
    );

    // The failing feed: every service refused with its reasons; the stored entry untouched.
    let before = db
        .raw_text(&format!(
            "SELECT document FROM directory_entry_versions WHERE entry_id = '{COUNSELLING}'"
        ))
        .await;
    let (ok, text) = import(url, &fixtures("V3.0-UK-Fail"));
    assert!(ok, "{text}");
    for reason in [
        &format!("refused: service {COUNSELLING} in service_full.json: url: \"example/counselling\" is not an absolute URI; email: \"email-example_com\" is not an email address"),
        "refused: service b644a0d2-9e8a-4c33-9390-ae9ee93fc056 in service_list.json: name: is required",
        "refused: service e85f5bb0-62f0-42cc-a08a-0c5c16273090 in service_list.json: email: invalid type: boolean `false`, expected a string",
    ] {
        assert!(text.contains(reason), "missing {reason:?} in\n{text}");
    }
    assert!(
        text.contains("3 services read, 3 refused; 0 added, 0 changed, 0 unchanged"),
        "{text}"
    );
    let after = db
        .raw_text(&format!(
            "SELECT document FROM directory_entry_versions WHERE entry_id = '{COUNSELLING}'"
        ))
        .await;
    assert_eq!(before, after);

    // A broken document stops the whole feed: nothing is written.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        data_dir().join("openreferral/oruk-validator-fixtures/V3.0-UK-Default/service_full.json"),
        dir.path().join("service_full.json"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("service_list.json"),
        "{\"contents\": [{\"id\": ",
    )
    .unwrap();
    let audit = db.raw_i64("SELECT COUNT(*) FROM audit_events").await;
    let (ok, text) = import(url, &dir.path().display().to_string());
    assert!(!ok, "{text}");
    assert!(
        text.contains("nothing was changed") && text.contains("service_list.json"),
        "{text}"
    );
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM audit_events").await, audit);
    let (ok, text) = import(url, "/no/such/folder");
    assert!(
        !ok && text.contains("neither an http(s) URL nor a folder"),
        "{text}"
    );
}

/// A feed served over HTTP from the validator's files, with one listed service whose own
/// document is missing; `broken` makes /services fail.
async fn serve_feed(broken: bool) -> String {
    let dir = data_dir().join("openreferral/oruk-validator-fixtures/V3.0-UK-Default");
    let read = move |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let mut list: serde_json::Value = serde_json::from_str(&read("service_list.json")).unwrap();
    let mut ghost = list["contents"][0].clone();
    ghost["id"] = "00000000-0000-4000-8000-000000000999".into();
    list["contents"].as_array_mut().unwrap().push(ghost);
    list["total_items"] = 2.into();
    list["size"] = 2.into();
    let full = read("service_full.json");
    let taxonomies = read("taxonomy_list.json");
    let terms = read("taxonomy_term_list.json");
    let json = |s: String| ([("content-type", "application/json")], s);
    let app = Router::new()
        .route(
            "/feed/services",
            get(move || async move {
                if broken {
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                } else {
                    json(list.to_string()).into_response()
                }
            }),
        )
        .route(
            "/feed/services/{id}",
            get(move |Path(id): Path<String>| async move {
                if id == COUNSELLING {
                    json(full).into_response()
                } else {
                    StatusCode::NOT_FOUND.into_response()
                }
            }),
        )
        .route(
            "/feed/taxonomies",
            get(move || async move { json(taxonomies) }),
        )
        // A list that sends the import to another origin.
        .route(
            "/elsewhere/services",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [("location", "http://127.0.0.2:9/feed/services")],
                )
                    .into_response()
            }),
        )
        .route(
            "/feed/taxonomy_terms",
            get(move || async move { json(terms) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/feed")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_feed_is_paged_fetched_item_by_item_and_a_broken_one_changes_nothing() {
    let db = TestDb::new().await;
    let url = db.url.clone();
    assert!(everychild(&["migrate", "--database", &url], None)
        .status
        .success());

    // Plain http is refused without the flag, and the flag is for this machine only.
    let feed = serve_feed(false).await;
    let (u, f) = (url.clone(), feed.clone());
    let (ok, text) = tokio::task::spawn_blocking(move || import_strict(&u, &f))
        .await
        .unwrap();
    assert!(!ok && text.contains("plain http"), "{text}");
    let (u, f) = (url.clone(), "http://192.0.2.1/feed".to_owned());
    let (ok, text) = tokio::task::spawn_blocking(move || import(&u, &f))
        .await
        .unwrap();
    assert!(!ok && text.contains("over https only"), "{text}");
    // A redirect to another origin is not followed.
    let elsewhere = feed.replace("/feed", "/elsewhere");
    let u = url.clone();
    let (ok, text) = tokio::task::spawn_blocking(move || import(&u, &elsewhere))
        .await
        .unwrap();
    assert!(!ok && text.contains("another origin"), "{text}");
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM directory_entries").await,
        0
    );

    let broken = serve_feed(true).await;
    let u = url.clone();
    let (ok, text) = tokio::task::spawn_blocking(move || import(&u, &broken))
        .await
        .unwrap();
    assert!(!ok, "{text}");
    assert!(
        text.contains("nothing was changed") && text.contains("HTTP 500"),
        "{text}"
    );
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM directory_entries").await,
        0
    );

    let feed = serve_feed(false).await;
    let u = url.clone();
    let (ok, text) = tokio::task::spawn_blocking(move || import(&u, &feed))
        .await
        .unwrap();
    assert!(ok, "{text}");
    assert!(text.contains("refused: service 00000000-0000-4000-8000-000000000999: (document): could not be fetched"), "{text}");
    assert!(text.contains("HTTP 404"), "{text}");
    assert!(
        text.contains("2 services read, 1 refused; 1 added"),
        "{text}"
    );
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM directory_entries").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_everychild_imports_another_ones_open_referral_api_and_again_changes_nothing() {
    let (source, _) = TestApp::spawn_demo().await;
    let published = source
        .client()
        .get("/api/openreferral/services?per_page=1")
        .await
        .json();
    let n = published["total_items"].as_u64().unwrap();
    assert!(n >= 300, "{published}");
    let db = TestDb::new().await;
    let url = db.url.clone();
    assert!(everychild(&["migrate", "--database", &url], None)
        .status
        .success());
    let feed = format!("{}/api/openreferral", source.base);
    let (u, f) = (url.clone(), feed.clone());
    let (ok, text) = tokio::task::spawn_blocking(move || import(&u, &f))
        .await
        .unwrap();
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("{n} services read, 0 refused; {n} added")),
        "{text}"
    );
    let (u, f) = (url.clone(), feed.clone());
    let (ok, text) = tokio::task::spawn_blocking(move || import(&u, &f))
        .await
        .unwrap();
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("0 added, 0 changed, {n} unchanged")),
        "{text}"
    );
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM directory_entry_versions")
            .await,
        n as i64
    );
}
