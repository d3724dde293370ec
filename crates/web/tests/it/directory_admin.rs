//! The service directory's governance over HTTP: a provider's directory editor drafts an entry,
//! edits it and sends it for approval; a commissioner returns it (with a reason) and approves
//! it; only then is it public through the Open Referral API, and a later change stays private
//! until approved. Archiving withdraws it; restoring makes a draft. A stale save writes
//! nothing, another organisation's editor never sees the entry, the form names every problem,
//! an approver cannot approve their own version, review dates warn, and every change is
//! audited. The form's checks and the review-date warnings are in `directory_admin/checks.rs`.

mod checks;

use everychild_domain::{Clock, DisplayName, Role, Username};
use everychild_policy::{authorize, Principal, Target};
use everychild_store::{NewUser, UserRepo};
use everychild_testkit::{input_value, Client, Resp, TestApp, PASSWORD};

const RIVERSIDE: &str = "Riverside Family Trust Example";
const NORTHFIELD: &str = "Northfield Youth Project Example";

struct World {
    app: TestApp,
    editor: Client,
    other: Client,
    commissioner: Client,
    /// The provider Riverside's editors keep.
    riverside: String,
    /// The provider Northfield's editors keep.
    northfield: String,
}

/// A signed-in user of the organisation with this name.
async fn user_in(app: &TestApp, org: &str, username: &str, role: Role) -> Client {
    let organisation_id = app.org(org).await;
    let p = authorize(&Principal::Console, Target::None, None).unwrap();
    app.store
        .create_user(
            &p,
            NewUser {
                username: Username::parse(username).unwrap(),
                display_name: DisplayName::parse(&format!("Test {username}")).unwrap(),
                email: None,
                job_title: Some("Tester".into()),
                role,
                organisation_id,
                password_hash: everychild_web::hash_password(PASSWORD).unwrap(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    app.signed_in(username).await.0
}

/// A provider added on the providers page, kept by `owner`; its id.
async fn add_provider(app: &TestApp, c: &mut Client, name: &str, owner: &str) -> String {
    let owner = app.org(owner).await.0.to_string();
    let r = c
        .post_form(
            "/directory/organisations",
            &[
                ("org_name", name),
                ("org_description", "A fictitious provider for tests"),
                ("org_email", "hello@example.org"),
                ("org_website", "https://www.example.org"),
                ("owner", &owner),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/directory/organisations?done=added");
    app.db
        .raw_text(&format!(
            "SELECT id FROM directory_organisations WHERE name = '{name}'"
        ))
        .await
}

async fn world() -> World {
    let (app, _) = TestApp::spawn_demo().await;
    let editor = user_in(&app, RIVERSIDE, "rita.editor", Role::DirectoryEditor).await;
    let other = user_in(&app, NORTHFIELD, "nick.editor", Role::DirectoryEditor).await;
    let mut commissioner =
        user_in(&app, "Test Trust", "cara.commissioner", Role::Commissioner).await;
    let riverside = add_provider(
        &app,
        &mut commissioner,
        "Riverside Family Services",
        RIVERSIDE,
    )
    .await;
    let northfield = add_provider(
        &app,
        &mut commissioner,
        "Northfield Youth Services",
        NORTHFIELD,
    )
    .await;
    World {
        app,
        editor,
        other,
        commissioner,
        riverside,
        northfield,
    }
}

fn today(app: &TestApp) -> time::Date {
    app.clock.now().date()
}

/// A whole, good form.
fn form(provider: &str, name: &str, review: time::Date) -> Vec<(String, String)> {
    [
        ("provider", provider),
        ("name", name),
        (
            "description",
            "Drop-in play sessions for babies and toddlers with their parents and carers",
        ),
        ("url", "https://www.example.org/stay-and-play"),
        ("email", "play@example.org"),
        ("phone", "0116 496 0000"),
        ("minimum_age", "0"),
        ("maximum_age", "5"),
        ("location_name", "Riverside Children's Centre"),
        ("address_1", "1 Example Street"),
        ("city", "Leicester"),
        ("postcode", "le1 1aa"),
        ("days", "WE"),
        ("days", "MO"),
        ("opens_at", "09:30"),
        ("closes_at", "11:30"),
        ("cost", "free"),
        ("levels", "1"),
        ("levels", "2"),
        ("catchment", "city_wide"),
        ("tier", "universal"),
        ("reach", "core"),
        ("delivery", "in_person"),
        ("referral", "self"),
        ("eligibility", "Parents and carers of children under 5"),
        ("capacity_unit", "places"),
        ("capacity_available", "4"),
        ("capacity_maximum", "12"),
        ("waiting_weeks", "0"),
        ("review_by-day", &review.day().to_string()),
        ("review_by-month", &u8::from(review.month()).to_string()),
        ("review_by-year", &review.year().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Set a field (every value of it) to one value.
fn set(f: &mut Vec<(String, String)>, key: &str, value: &str) {
    f.retain(|(k, _)| k != key);
    f.push((key.to_owned(), value.to_owned()));
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn entry(id: &str) -> String {
    format!("/directory/entries/{id}")
}

fn api(id: &str) -> String {
    format!("/api/openreferral/services/{id}")
}

/// Create an entry; its id.
async fn create(c: &mut Client, f: &[(String, String)]) -> String {
    let r = c.post_form("/directory/entries", &pairs(f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.location();
    let id = loc
        .strip_prefix("/directory/entries/")
        .and_then(|l| l.strip_suffix("?done=created"))
        .unwrap_or_else(|| panic!("{loc}"))
        .to_owned();
    assert!(everychild_domain::directory::oruk::is_uuid(&id), "{id}");
    id
}

/// The version the entry page's forms carry.
async fn version(c: &mut Client, id: &str) -> String {
    let page = c.get(&entry(id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    input_value(&page.body, "version").unwrap_or_else(|| panic!("no version: {}", page.body))
}

async fn move_entry(c: &mut Client, id: &str, command: &str, version: &str, note: &str) -> Resp {
    c.post_form(
        &format!("/directory/entries/{id}/status"),
        &[
            ("command", command),
            ("version", version),
            ("archive_note", note),
        ],
    )
    .await
}

async fn decide(c: &mut Client, id: &str, decision: &str, version: &str, note: &str) -> Resp {
    c.post_form(
        &format!("/directory/entries/{id}/decision"),
        &[("decision", decision), ("version", version), ("note", note)],
    )
    .await
}

/// Send for approval from the current version, as this client sees it.
async fn submit(c: &mut Client, id: &str) {
    let v = version(c, id).await;
    let r = move_entry(c, id, "submit", &v, "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("{}?done=submitted", entry(id)));
}

async fn approve(c: &mut Client, id: &str) {
    let v = version(c, id).await;
    let r = decide(c, id, "approve", &v, "").await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn versions(app: &TestApp, id: &str) -> i64 {
    app.db
        .raw_i64(&format!(
            "SELECT COUNT(*) FROM directory_entry_versions WHERE entry_id = '{id}'"
        ))
        .await
}

async fn audited(app: &TestApp, id: &str, action: &str) -> i64 {
    app.db
        .raw_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE subject_type = 'directory_entry' AND subject_id = '{id}' AND action = 'directory.entry.{action}'"
        ))
        .await
}

async fn public_name(app: &TestApp, id: &str) -> Option<String> {
    let r = app.client().get(&api(id)).await;
    match r.status {
        200 => Some(r.json()["name"].as_str().unwrap().to_owned()),
        404 => None,
        s => panic!("{s}: {}", r.body),
    }
}

#[tokio::test]
async fn an_entry_is_drafted_returned_approved_changed_archived_and_restored() {
    let mut w = world().await;
    let review = today(&w.app) + time::Duration::days(180);

    // The editor's form offers only the provider their organisation keeps, chosen already.
    let page = w.editor.get("/directory/entries/new").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Riverside Family Services"));
    assert!(!page.body.contains("Northfield Youth Services"));
    assert!(page
        .body
        .contains(&format!("value=\"{}\" selected", w.riverside)));

    // A draft is not public.
    let mut f = form(&w.riverside, "Stay and Play", review);
    let id = create(&mut w.editor, &f).await;
    assert_eq!(public_name(&w.app, &id).await, None);
    let page = w.editor.get(&format!("{}?done=created", entry(&id))).await;
    assert_eq!(page.status, 200);
    for text in [
        "The entry has been saved as a draft",
        "Draft",
        "No version is public",
        "Created as a draft",
        "rita.editor",
        "LE1 1AA",
        "Monday, Wednesday, 09:30 to 11:30",
        "Level 2: additional needs",
        "4 places available of 12",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }

    // An edit is a new version; the form shows the working version.
    let edit = w.editor.get(&format!("{}/edit", entry(&id))).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(edit.body.contains("value=\"Stay and Play\""));
    assert_eq!(input_value(&edit.body, "version").as_deref(), Some("1"));
    set(&mut f, "name", "Stay and Play Mornings");
    set(&mut f, "version", "1");
    let r = w.editor.post_form(&entry(&id), &pairs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("{}?done=saved", entry(&id)));
    assert_eq!(versions(&w.app, &id).await, 2);

    // Sent for approval; its editor cannot approve it.
    submit(&mut w.editor, &id).await;
    let v = version(&mut w.editor, &id).await;
    assert_eq!(
        decide(&mut w.editor, &id, "approve", &v, "").await.status,
        403
    );

    // Returned without a reason: refused, naming the reason. With one: a draft again.
    let r = decide(&mut w.commissioner, &id, "reject", &v, "  ").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("href=\"#note\""));
    assert!(r.body.contains("Say why you are returning the entry"));
    let r = decide(
        &mut w.commissioner,
        &id,
        "reject",
        &v,
        "Add the step-free access at the venue",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = w.editor.get(&entry(&id)).await;
    assert!(page.body.contains("Returned to the provider"));
    assert!(
        page.body.contains("Add the step-free access at the venue"),
        "{}",
        page.body
    );

    // Sent again and approved: now public.
    submit(&mut w.editor, &id).await;
    let page = w.commissioner.get("/directory").await;
    let awaiting = page
        .body
        .split("All entries")
        .next()
        .unwrap_or("")
        .to_owned();
    assert!(awaiting.contains("Stay and Play Mornings"), "{}", page.body);
    approve(&mut w.commissioner, &id).await;
    assert_eq!(
        public_name(&w.app, &id).await.as_deref(),
        Some("Stay and Play Mornings")
    );
    let doc = w.app.client().get(&api(&id)).await.json();
    assert_eq!(doc["organization"]["name"], "Riverside Family Services");
    assert_eq!(doc["email"], "play@example.org");
    assert_eq!(doc["phones"][0]["number"], "0116 496 0000");
    let loc = &doc["service_at_locations"][0]["location"];
    assert_eq!(loc["addresses"][0]["postal_code"], "LE1 1AA");
    assert!(loc["latitude"]
        .as_f64()
        .is_some_and(|l| (52.6..52.7).contains(&l)));
    assert_eq!(doc["schedules"][0]["byday"], "MO,WE");
    assert_eq!(doc["cost_options"][0]["amount"], 0.0);

    // A change to a published entry stays private until it is approved.
    set(&mut f, "name", "Stay and Play Plus");
    set(&mut f, "version", &version(&mut w.editor, &id).await);
    let r = w.editor.post_form(&entry(&id), &pairs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = w.editor.get(r.location().as_str()).await;
    assert!(page.body.contains("The published version stays public"));
    assert!(page
        .body
        .contains("is public until a newer version is approved"));
    assert_eq!(
        public_name(&w.app, &id).await.as_deref(),
        Some("Stay and Play Mornings")
    );
    let list = w.editor.get("/directory").await;
    assert!(list.body.contains("Stay and Play Plus") && list.body.contains("Live version public"));
    submit(&mut w.editor, &id).await;
    assert_eq!(
        public_name(&w.app, &id).await.as_deref(),
        Some("Stay and Play Mornings")
    );
    approve(&mut w.commissioner, &id).await;
    assert_eq!(
        public_name(&w.app, &id).await.as_deref(),
        Some("Stay and Play Plus")
    );

    // Archived: withdrawn from the API. Restored: a draft, still not public.
    let v = version(&mut w.editor, &id).await;
    let r = move_entry(&mut w.editor, &id, "archive", &v, "The sessions have ended").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(public_name(&w.app, &id).await, None);
    let page = w.editor.get(&entry(&id)).await;
    assert!(page.body.contains("Archived") && page.body.contains("The sessions have ended"));
    assert!(
        !page.body.contains("/edit\""),
        "an archived entry offers no edit"
    );
    let v = version(&mut w.editor, &id).await;
    let r = move_entry(&mut w.editor, &id, "restore", &v, "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(public_name(&w.app, &id).await, None);
    let page = w.editor.get(&entry(&id)).await;
    assert!(page.body.contains("Restored as a draft"));

    // Every change is in the audit log.
    for (action, n) in [
        ("create", 1),
        ("edit", 2),
        ("submit", 3),
        ("reject", 1),
        ("approve", 2),
        ("archive", 1),
        ("restore", 1),
    ] {
        assert_eq!(audited(&w.app, &id, action).await, n, "{action}");
    }
    assert_eq!(versions(&w.app, &id).await, 11);
}

#[tokio::test]
async fn a_stale_save_writes_nothing_and_other_organisations_never_see_an_entry() {
    let mut w = world().await;
    let review = today(&w.app) + time::Duration::days(90);
    let mut f = form(&w.riverside, "Homework Club", review);
    let id = create(&mut w.editor, &f).await;

    // Two tabs open at version 1: the first save wins, the second is told and writes nothing.
    set(&mut f, "version", "1");
    set(&mut f, "name", "Homework Club After School");
    assert_eq!(
        w.editor.post_form(&entry(&id), &pairs(&f)).await.status,
        303
    );
    let before = versions(&w.app, &id).await;
    set(&mut f, "name", "Homework Club Tuesdays");
    let r = w.editor.post_form(&entry(&id), &pairs(&f)).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("Someone else changed this entry"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"Homework Club Tuesdays\""),
        "the input is kept"
    );
    assert_eq!(versions(&w.app, &id).await, before);
    assert_eq!(audited(&w.app, &id, "edit").await, 1);
    // A stale status change is refused too.
    let r = move_entry(&mut w.editor, &id, "submit", "1", "").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(versions(&w.app, &id).await, before);

    // Another organisation's editor is refused the entry and never sees it listed.
    let v = before.to_string();
    for r in [
        w.other.get(&entry(&id)).await,
        w.other.get(&format!("{}/edit", entry(&id))).await,
        w.other.post_form(&entry(&id), &pairs(&f)).await,
        move_entry(&mut w.other, &id, "archive", &v, "").await,
    ] {
        assert!(matches!(r.status, 403 | 404), "{}: {}", r.status, r.body);
        assert!(!r.body.contains("Homework Club"));
    }
    assert_eq!(versions(&w.app, &id).await, before);
    let list = w.other.get("/directory").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("Homework Club"));
    // … nor write for a provider it does not keep.
    let entries = "SELECT COUNT(*) FROM directory_entries";
    let count = w.app.db.raw_i64(entries).await;
    let r = w
        .other
        .post_form(
            "/directory/entries",
            &pairs(&form(&w.riverside, "Intruder", review)),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Choose a provider from the list"));
    assert_eq!(w.app.db.raw_i64(entries).await, count);
    // Its own entry is its own; the commissioner sees both.
    create(&mut w.other, &form(&w.northfield, "Youth Drop-in", review)).await;
    assert!(!w
        .editor
        .get("/directory")
        .await
        .body
        .contains("Youth Drop-in"));
    assert!(w
        .other
        .get("/directory")
        .await
        .body
        .contains("Youth Drop-in"));
    let all = w.commissioner.get("/directory").await;
    assert!(all.body.contains("Youth Drop-in") && all.body.contains("Homework Club After School"));
    // Editors do not manage providers or decide.
    assert_eq!(w.editor.get("/directory/organisations").await.status, 403);
    assert_eq!(
        decide(&mut w.other, &id, "approve", &v, "").await.status,
        403
    );
}

#[tokio::test]
async fn an_approver_cannot_approve_a_version_they_wrote() {
    let mut w = world().await;
    let review = today(&w.app) + time::Duration::days(90);
    let id = create(
        &mut w.commissioner,
        &form(&w.riverside, "Toy Library", review),
    )
    .await;
    submit(&mut w.commissioner, &id).await;
    let page = w.commissioner.get(&entry(&id)).await;
    assert!(page
        .body
        .contains("You wrote this version, so another approver must approve it"));
    assert!(!page.body.contains("Approve and publish"));
    let v = version(&mut w.commissioner, &id).await;
    let r = decide(&mut w.commissioner, &id, "approve", &v, "").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("another approver must approve it"),
        "{}",
        r.body
    );
    assert_eq!(public_name(&w.app, &id).await, None);
    assert_eq!(audited(&w.app, &id, "approve").await, 0);
    // Another approver may; the entry's own editors see it too.
    let mut second = user_in(
        &w.app,
        "Test Trust",
        "colm.commissioner",
        Role::Commissioner,
    )
    .await;
    approve(&mut second, &id).await;
    assert_eq!(
        public_name(&w.app, &id).await.as_deref(),
        Some("Toy Library")
    );
    assert!(w
        .editor
        .get("/directory")
        .await
        .body
        .contains("Toy Library"));
}
