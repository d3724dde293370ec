//! The JSON API: its OpenAPI document, its one error shape, and bad input.

use everychild_domain::Role::*;
use everychild_testkit::TestApp;
use everychild_web::route_list;

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let r = app.client().get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    for route in route_list()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
    {
        let op = &doc["paths"][route.path][route.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is missing from the OpenAPI document",
            route.method,
            route.path
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn bad_json_is_refused_with_a_message_naming_the_problem_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    let org = app.org("Test Trust").await;
    let (mut c, _) = app.signed_in("boss").await;
    let before = app.db.raw_i64("SELECT COUNT(*) FROM users").await;
    let cases = [
        ("{not json", "The JSON body is not valid"),
        (
            r#"{"display_name":"X","role":"analyst","organisation_id":1}"#,
            "missing field `username`",
        ),
        (
            r#"{"username":"ok.name","display_name":"X","role":"analyst","organisation_id":1,"extra":1}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"username":"a b","display_name":"X","role":"analyst","organisation_id":1}"#,
            "Username must only include",
        ),
        (
            r#"{"username":"ok.name","display_name":"X","role":"wizard","organisation_id":1}"#,
            "Role must be one of",
        ),
        (
            r#"{"username":"ok.name","display_name":"","role":"analyst","organisation_id":1}"#,
            "Enter a full name",
        ),
    ];
    for (body, message) in cases {
        let r = c.post_json("/api/v1/users", body).await;
        assert_eq!(r.status, 400, "{body}");
        let j = r.json();
        assert_eq!(j["error"]["code"], "invalid_input");
        assert!(
            j["error"]["message"].as_str().unwrap().contains(message),
            "{body}: {}",
            j["error"]["message"]
        );
    }
    let r = c.post_json("/api/v1/users", r#"{"username":"ok.name","display_name":"X","role":"analyst","organisation_id":999999}"#).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "organisation_id");
    assert_eq!(
        app.db.raw_i64("SELECT COUNT(*) FROM users").await,
        before,
        "nothing written"
    );
    let r = c.post_json("/api/v1/users", &format!(r#"{{"username":"ok.name","display_name":"Okay Name","role":"analyst","organisation_id":{}}}"#, org.0)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.json()["temporary_password"].as_str().unwrap().len() >= 12);
    let dup = c.post_json("/api/v1/users", &format!(r#"{{"username":"OK.Name","display_name":"Dup","role":"analyst","organisation_id":{}}}"#, org.0)).await;
    assert_eq!(dup.status, 409);
    assert!(dup.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already taken"));
    let unknown = c.get("/api/v1/nothing-here").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn a_bad_form_names_each_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    app.user("boss", "Bea Admin", Administrator).await;
    let (mut c, _) = app.signed_in("boss").await;
    let before = app.db.raw_i64("SELECT COUNT(*) FROM users").await;
    c.get("/admin/users/new").await;
    let r = c
        .post_form(
            "/admin/users",
            &[
                ("username", "x"),
                ("display_name", ""),
                ("email", "not-an-email"),
                ("role", ""),
                ("organisation_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    for msg in [
        "Username must be between 3 and 64 characters",
        "Enter a full name",
        "Enter an email address in the correct format",
        "Select a role",
        "Select an organisation",
    ] {
        assert!(r.body.contains(msg), "missing {msg:?}");
    }
    assert!(r.body.contains("<title>Error: Add a user"));
    assert!(r.body.contains("govuk-error-summary"));
    assert_eq!(app.db.raw_i64("SELECT COUNT(*) FROM users").await, before);
}
