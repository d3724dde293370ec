//! The entry form names every problem and saves nothing (the providers form too), changes only
//! what it shows of a document, and review dates warn by the application's clock.

use super::*;
use everychild_domain::directory::oruk::{
    is_uuid, Accessibility, Address, Contact, Funding, Language, Location, Organization, Schedule,
    Service, ServiceAtLocation, Taxonomy, TaxonomyTerm,
};
use everychild_store::{DirectoryImport, DirectoryRepo};
use everychild_testkit::serde_json_value as serde_json;

#[tokio::test]
async fn the_entry_form_names_every_problem_and_saves_nothing() {
    let mut w = world().await;
    let review = today(&w.app) + time::Duration::days(90);
    let entries = "SELECT COUNT(*) FROM directory_entries";
    let count = w.app.db.raw_i64(entries).await;

    let mut f = form("", "", review);
    set(&mut f, "email", "play-at-example");
    set(&mut f, "postcode", "LE1");
    set(&mut f, "minimum_age", "11");
    set(&mut f, "maximum_age", "5");
    let r = w.editor.post_form("/directory/entries", &pairs(&f)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    for (field, message) in [
        (
            "provider",
            "Choose the organisation that provides the service",
        ),
        ("name", "Enter the name of the service"),
        ("email", "Enter an email address in the correct format"),
        ("postcode", "Enter a full postcode"),
        (
            "minimum_age",
            "The minimum age must be the same as or less than the maximum age",
        ),
    ] {
        assert!(r.body.contains(&format!("href=\"#{field}\"")), "{field}");
        assert!(r.body.contains(message), "{message}");
    }
    assert!(r.body.contains("Error: Add a service"), "the title says so");
    assert!(
        r.body.contains("value=\"play-at-example\""),
        "the input is kept"
    );

    // A postcode outside the geography, a past review date, localities with none chosen, a
    // fee with no description, an unknown category, a closing time before the opening time.
    let mut f = form(&w.riverside, "Baby Massage", review);
    set(&mut f, "postcode", "SW1A 1AA");
    set(&mut f, "review_by-year", "2001");
    set(&mut f, "catchment", "localities");
    set(&mut f, "cost", "fee");
    set(&mut f, "categories", "not-a-term");
    set(&mut f, "closes_at", "08:00");
    let r = w.editor.post_form("/directory/entries", &pairs(&f)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    for (field, message) in [
        (
            "postcode",
            "SW1A 1AA is not a postcode in the areas this directory covers",
        ),
        (
            "review_by",
            "The review date must be today or in the future",
        ),
        ("localities", "Choose at least one locality"),
        ("fee_description", "Say what the service costs"),
        ("categories", "Choose categories from the list"),
        (
            "closes_at",
            "The closing time must be after the opening time",
        ),
    ] {
        assert!(r.body.contains(&format!("href=\"#{field}\"")), "{field}");
        assert!(r.body.contains(message), "{message}");
    }
    assert_eq!(w.app.db.raw_i64(entries).await, count);
    assert_eq!(
        w.app.db.raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'directory.entry.create' AND actor_username = 'rita.editor'").await,
        0
    );

    // With the directory's categories and a locality chosen, the entry is saved and shows both.
    let term = TaxonomyTerm {
        id: "3d0a5f0e-7f55-4c39-9b0a-6b1a3c4f5e01".into(),
        name: "Baby and toddler groups".into(),
        description: "Baby and toddler groups".into(),
        taxonomy_id: Some("3d0a5f0e-7f55-4c39-9b0a-6b1a3c4f5e00".into()),
        ..TaxonomyTerm::default()
    };
    let taxonomy = Taxonomy {
        id: "3d0a5f0e-7f55-4c39-9b0a-6b1a3c4f5e00".into(),
        name: "Test categories".into(),
        description: "Categories for tests".into(),
        ..Taxonomy::default()
    };
    let p = authorize(&Principal::Console, Target::None, Some("test set-up")).unwrap();
    w.app
        .store
        .import_directory(
            &p,
            &DirectoryImport {
                source: "test".into(),
                taxonomies: vec![taxonomy],
                terms: vec![term.clone()],
                ..DirectoryImport::default()
            },
        )
        .await
        .unwrap();
    let page = w.editor.get("/directory/entries/new").await;
    assert!(
        page.body.contains("Baby and toddler groups"),
        "{}",
        page.body
    );
    let localities = w.editor.get("/api/v1/localities").await.json();
    let locality = &localities["localities"][0];
    let (lid, lname) = (
        locality["id"].as_i64().unwrap().to_string(),
        locality["name"].as_str().unwrap().to_owned(),
    );
    set(&mut f, "postcode", "LE1 1AA");
    set(
        &mut f,
        "review_by-year",
        &(today(&w.app).year() + 1).to_string(),
    );
    set(&mut f, "localities", &lid);
    set(&mut f, "fee_description", "£2 a session");
    set(&mut f, "categories", &term.id);
    set(&mut f, "closes_at", "11:30");
    let id = create(&mut w.editor, &f).await;
    let page = w.editor.get(&entry(&id)).await;
    for text in ["Baby and toddler groups", lname.as_str(), "£2 a session"] {
        assert!(page.body.contains(text), "{text}");
    }

    // The providers page: who keeps each provider, and its own form's problems named.
    let page = w.commissioner.get("/directory/organisations").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Riverside Family Services") && page.body.contains(RIVERSIDE));
    let r = w
        .commissioner
        .post_form(
            "/directory/organisations",
            &[("org_name", " "), ("org_email", "nope"), ("owner", "")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    for field in ["org_name", "org_email", "owner"] {
        assert!(r.body.contains(&format!("href=\"#{field}\"")), "{field}");
    }
    let audited_orgs = w
        .app
        .db
        .raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'directory.organisation.create' AND actor_username = 'cara.commissioner'")
        .await;
    assert_eq!(audited_orgs, 2);
}

#[tokio::test]
async fn review_dates_warn_when_due_and_when_overdue() {
    let mut w = world().await;
    let review = today(&w.app) + time::Duration::days(60);
    let id = create(&mut w.editor, &form(&w.riverside, "Dads Group", review)).await;
    let list = w.editor.get("/directory").await;
    assert!(!list.body.contains("Review due soon") && !list.body.contains("Review overdue"));

    // Forty days on (the clock, never the system's): due within 28 days.
    w.app.clock.advance(time::Duration::days(40));
    let mut editor = w.app.signed_in("rita.editor").await.0;
    let list = editor.get("/directory").await;
    assert!(list.body.contains("Review due soon"), "{}", list.body);
    let due = editor.get("/directory?status=review").await;
    assert!(due.body.contains("Dads Group"), "{}", due.body);

    // Thirty more: overdue, on the list and on the entry.
    w.app.clock.advance(time::Duration::days(30));
    let mut editor = w.app.signed_in("rita.editor").await.0;
    assert!(editor
        .get("/directory")
        .await
        .body
        .contains("Review overdue"));
    assert!(editor
        .get(&entry(&id))
        .await
        .body
        .contains("Review overdue"));
}

fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A service as a feed gives it: two venues, two schedules, a language, funding and a contact.
fn imported() -> Service {
    let venue = |n: u32, postcode: &str| ServiceAtLocation {
        id: uuid(n),
        service_id: Some(uuid(1)),
        location_id: Some(uuid(n + 1)),
        location: Some(Location {
            id: uuid(n + 1),
            location_type: "physical".into(),
            name: Some(format!("Venue {n}")),
            addresses: vec![Address {
                id: uuid(n + 2),
                location_id: Some(uuid(n + 1)),
                address_1: "2 Example Road".into(),
                city: "Leicester".into(),
                postal_code: postcode.into(),
                country: "GB".into(),
                address_type: "physical".into(),
                ..Address::default()
            }],
            accessibility: vec![Accessibility {
                id: uuid(n + 3),
                description: Some("Step-free access".into()),
                ..Accessibility::default()
            }],
            ..Location::default()
        }),
    };
    let schedule = |n: u32, day: &str| Schedule {
        id: uuid(n),
        service_id: Some(uuid(1)),
        freq: Some("WEEKLY".into()),
        byday: Some(day.into()),
        opens_at: Some("10:00:00".into()),
        closes_at: Some("12:00:00".into()),
        ..Schedule::default()
    };
    Service {
        id: uuid(1),
        organization_id: Some(uuid(900)),
        organization: Some(Organization {
            id: uuid(900),
            name: "Imported Family Trust".into(),
            description: "A fictitious provider from a feed".into(),
            ..Organization::default()
        }),
        name: "Imported Stay and Play".into(),
        description: Some("Play sessions from a feed".into()),
        status: "active".into(),
        schedules: vec![schedule(50, "TU"), schedule(51, "TH")],
        service_at_locations: vec![venue(100, "LE1 1AA"), venue(200, "LE3 0SG")],
        languages: vec![Language {
            id: uuid(60),
            name: Some("Polish".into()),
            code: Some("pl".into()),
            ..Language::default()
        }],
        funding: vec![Funding {
            id: uuid(61),
            source: Some("Council grant".into()),
            ..Funding::default()
        }],
        contacts: vec![Contact {
            id: uuid(62),
            name: Some("A. Contact".into()),
            email: Some("contact@example.org".into()),
            ..Contact::default()
        }],
        ..Service::default()
    }
}

#[tokio::test]
async fn an_edit_changes_what_the_form_shows_and_keeps_the_rest_of_the_document() {
    let mut w = world().await;
    let p = authorize(&Principal::Console, Target::None, Some("test set-up")).unwrap();
    w.app
        .store
        .import_directory(
            &p,
            &DirectoryImport {
                source: "test feed".into(),
                services: vec![imported().into()],
                ..DirectoryImport::default()
            },
        )
        .await
        .unwrap();
    let id = uuid(1);
    // Nobody maintains an imported provider: its editors cannot reach the entry, approvers can.
    assert!(matches!(w.editor.get(&entry(&id)).await.status, 403 | 404));
    let edit = w.commissioner.get(&format!("{}/edit", entry(&id))).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(edit.body.contains("value=\"Venue 100\"") && edit.body.contains("value=\"10:00\""));
    let review = today(&w.app) + time::Duration::days(200);
    let mut f = form(&uuid(900), "Imported Stay and Play Plus", review);
    set(
        &mut f,
        "version",
        &input_value(&edit.body, "version").unwrap(),
    );
    set(&mut f, "location_name", "Venue 100");
    set(&mut f, "postcode", "LE1 1AA");
    set(&mut f, "days", "TU");
    set(&mut f, "opens_at", "10:00");
    set(&mut f, "closes_at", "12:00");
    let r = w.commissioner.post_form(&entry(&id), &pairs(&f)).await;
    assert_eq!(r.status, 303, "{}", r.body);

    let doc = w
        .app
        .db
        .raw_text(&format!(
            "SELECT document FROM directory_entry_versions WHERE entry_id = '{id}' AND version = 2"
        ))
        .await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["id"], id.as_str());
    assert_eq!(doc["name"], "Imported Stay and Play Plus");
    // The first place keeps its ids; the second place is untouched.
    let sals = doc["service_at_locations"].as_array().unwrap();
    assert_eq!(sals.len(), 2);
    assert_eq!(sals[0]["id"], uuid(100).as_str());
    assert_eq!(sals[0]["location"]["id"], uuid(101).as_str());
    assert_eq!(
        sals[0]["location"]["addresses"][0]["id"],
        uuid(102).as_str()
    );
    assert_eq!(
        sals[0]["location"]["addresses"][0]["address_1"],
        "1 Example Street"
    );
    assert_eq!(
        sals[0]["location"]["accessibility"][0]["id"],
        uuid(103).as_str()
    );
    assert_eq!(
        sals[1]["location"]["addresses"][0]["postal_code"],
        "LE3 0SG"
    );
    // The first schedule says the same, so it is kept as it was; the second too.
    assert_eq!(doc["schedules"][0]["id"], uuid(50).as_str());
    assert_eq!(doc["schedules"][0]["opens_at"], "10:00:00");
    assert_eq!(doc["schedules"][1]["byday"], "TH");
    // What the form does not show is kept; what it added has new UUIDs.
    assert_eq!(doc["languages"][0]["code"], "pl");
    assert_eq!(doc["funding"][0]["source"], "Council grant");
    assert_eq!(doc["contacts"][0]["email"], "contact@example.org");
    for part in ["phones", "cost_options"] {
        let new_id = doc[part][0]["id"].as_str().unwrap();
        assert!(is_uuid(new_id) && new_id != uuid(1), "{part}: {new_id}");
    }
    // The public keeps the imported version until the change is approved.
    assert_eq!(
        public_name(&w.app, &id).await.as_deref(),
        Some("Imported Stay and Play")
    );
}

#[tokio::test]
async fn an_imported_change_to_a_locally_approved_entry_waits_for_approval() {
    let w = world().await;
    let p = authorize(&Principal::Console, Target::None, Some("test set-up")).unwrap();
    let feed = |name: &str| {
        let mut s = imported();
        s.name = name.into();
        DirectoryImport {
            source: "test feed".into(),
            services: vec![s.into()],
            ..DirectoryImport::default()
        }
    };
    w.app
        .store
        .import_directory(&p, &feed("Imported Stay and Play"))
        .await
        .unwrap();
    let id = uuid(1);
    // An entry whose public version was approved here by a person (as after an editor's
    // change went through four eyes).
    w.app
        .db
        .raw(&format!(
            "UPDATE directory_entry_versions SET change = 'approve' WHERE entry_id = '{id}'"
        ))
        .await;
    let r = w
        .app
        .store
        .import_directory(&p, &feed("Renamed by the feed"))
        .await
        .unwrap();
    assert_eq!(r.held_for_approval, vec![id.clone()]);
    assert!(r.changed.is_empty());
    // The approved version stays public; the feed's change waits for an approver.
    let public = w
        .app
        .client()
        .get(&format!("/api/openreferral/services/{id}"))
        .await;
    assert_eq!(public.json()["name"], "Imported Stay and Play");
    assert_eq!(
        w.app
            .db
            .raw_text(&format!(
                "SELECT status FROM directory_entries WHERE id = '{id}'"
            ))
            .await,
        "awaiting_approval"
    );
    // A later import leaves the waiting change alone.
    let again = w
        .app
        .store
        .import_directory(&p, &feed("Renamed again"))
        .await
        .unwrap();
    assert_eq!(again.pending_here, vec![id]);
}
