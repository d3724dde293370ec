//! The clerical review queue over HTTP: an agency record the linkage engine was unsure about is
//! shown beside its candidate with each field's weight; only locality managers decide; a bad
//! decision is refused and changes nothing; defer, link and "a new child" each do what they say,
//! in one audited transaction.

use everychild_domain::person::ExtractRow;
use everychild_testkit::TestApp;

fn row(id: &str, given: &str, family: &str, dob: &str, postcode: &str) -> ExtractRow {
    ExtractRow {
        source_id: id.into(),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        date_of_birth: Some(dob.into()),
        postcode: Some(postcode.into()),
        nhs_number_verified: true,
        ..ExtractRow::default()
    }
}

const HEALTH: &str = "City Community Health Services (NHS)";
const SCHOOLS: &str = "Leicester City Council Education Services";

/// Health knows three children; the schools' extract then names two of them again and one child
/// health does not know. One of the two is spelt another way, has moved house and has another
/// date of birth: the engine cannot be sure.
async fn app_with_a_review() -> (TestApp, i64, i64) {
    let (app, _) = TestApp::spawn_demo().await;
    let health = app
        .import_extract(
            HEALTH,
            &[
                ExtractRow {
                    nhs_number: Some("9434765919".into()),
                    address: Some("12 Larch Avenue".into()),
                    sex: Some("male".into()),
                    ..row("H1", "Muhammad", "Khan", "2014-03-07", "LE3 0SG")
                },
                row("H2", "Amelia", "Nowak", "2015-11-30", "LE1 1AA"),
                row("H3", "Oliver", "Smith", "2013-02-02", "LE2 7AB"),
            ],
        )
        .await;
    assert_eq!((health.new_people, health.review), (3, 0), "{health:?}");
    let school = app
        .import_extract(
            SCHOOLS,
            &[
                ExtractRow {
                    upn: Some("A123456789012".into()),
                    ..row("A123456789012", "Mohammed", "Khan", "2013-09-07", "LE5 3AA")
                },
                row("B123456789012", "Amelia", "Nowak", "2015-11-30", "LE1 1AA"),
                row("C123456789012", "Zainab", "Ali", "2016-06-06", "LE4 6BB"),
            ],
        )
        .await;
    assert_eq!(
        (school.linked, school.new_people, school.review),
        (1, 1, 1),
        "{school:?}"
    );
    let item = app
        .db
        .raw_i64("SELECT id FROM agency_records WHERE source_id = 'A123456789012'")
        .await;
    let khan = app
        .db
        .raw_i64("SELECT id FROM persons WHERE given_name = 'Muhammad'")
        .await;
    (app, item, khan)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.raw_i64(sql).await
}

#[tokio::test]
async fn a_locality_manager_sees_the_records_side_by_side_defers_then_links_them() {
    let (app, item, khan) = app_with_a_review().await;
    let path = format!("/reviews/{item}");

    // Practitioners cannot see or decide the queue.
    let (mut teacher, _) = app.signed_in("teacher").await;
    assert_eq!(teacher.get("/reviews").await.status, 403);
    assert_eq!(teacher.get(&path).await.status, 403);
    let r = teacher
        .post_form(&path, &[("decision", &format!("link:{khan}"))])
        .await;
    assert_eq!(r.status, 403);

    let (mut m, _) = app.signed_in("manager.west").await;
    let list = m.get("/reviews").await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains(&format!("href=\"{path}\"")),
        "{}",
        list.body
    );
    assert!(list.body.contains("Mohammed Khan, 2013-09-07"));
    assert!(list.body.contains("To review"));

    let page = m.get(&path).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("Is this one of these children?"));
    assert!(body.contains("Candidate 1: Muhammad Khan"), "{body}");
    // The two records' first names side by side as recorded, how they compare, and a weight.
    assert!(
        body.contains("<td class=\"govuk-table__cell\">Mohammed</td>\n      <td class=\"govuk-table__cell\">Muhammad</td>"),
        "{body}"
    );
    assert!(body.contains("nickname or transliteration"));
    assert!(body.contains("Before comparing") && body.contains("Weight (bits)"));
    let weights = body.matches("govuk-table__cell--numeric\">+").count()
        + body.matches("govuk-table__cell--numeric\">-").count();
    assert!(weights >= 4, "a weight per field compared: {body}");
    let before = app.audit_count().await;
    assert!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'link_review.view' AND subject_id = '{item}'"
            )
        )
        .await
            >= 1,
        "viewing the item is audited"
    );

    // A decision that names no candidate is refused and changes nothing.
    for (bad, status, says) in [
        ("link:999999", 409, "Choose one of the children listed"),
        (
            "link:x",
            400,
            "Choose one of the children, a new child, or decide later",
        ),
        (
            "merge",
            400,
            "Choose one of the children, a new child, or decide later",
        ),
        (
            "",
            400,
            "Choose one of the children, a new child, or decide later",
        ),
    ] {
        let r = m.post_form(&path, &[("decision", bad)]).await;
        assert_eq!(r.status, status, "{bad}");
        assert!(r.body.contains(says), "{bad}: {}", r.body);
    }
    // Without the CSRF token nothing happens either.
    let r = m
        .post_raw_form(&path, &[("decision", &format!("link:{khan}"))])
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        app.db
            .raw_text(&format!(
                "SELECT status FROM agency_records WHERE id = {item}"
            ))
            .await,
        "review"
    );
    assert_eq!(app.audit_count().await, before);

    // Decide later: still in the queue, marked deferred.
    let r = m.post_form(&path, &[("decision", "defer")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/reviews");
    let list = m.get("/reviews").await;
    assert!(list.body.contains("Deferred"));
    assert!(!m.get(&path).await.body.contains("Decide later"));

    // Link: the school's record belongs to Muhammad, the school is now involved with him, and
    // the queue is empty.
    let r = m
        .post_form(&path, &[("decision", &format!("link:{khan}"))])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM agency_records WHERE id = {item} AND status = 'linked' AND person_id = {khan}")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM involvements WHERE child_id = {khan} AND basis = 'agency_extract'")
        )
        .await,
        2,
        "health and now the school"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'link_review.decide'"
        )
        .await,
        2
    );
    let list = m.get("/reviews").await;
    assert!(list.body.contains("There is nothing to review."));
    assert_eq!(m.get(&path).await.status, 404);
    // Deciding again is refused: the record is no longer waiting.
    let r = m.post_form(&path, &[("decision", "new")]).await;
    assert_eq!(r.status, 409);
    assert!(
        r.body.contains("no agency record waiting for review"),
        "{}",
        r.body
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 4);
}

#[tokio::test]
async fn none_of_these_makes_a_new_child_from_the_agency_record() {
    let (app, item, _) = app_with_a_review().await;
    let (mut m, _) = app.signed_in("manager.west").await;
    let r = m
        .post_form(&format!("/reviews/{item}"), &[("decision", "new")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let person = count(
        &app,
        &format!("SELECT person_id FROM agency_records WHERE id = {item} AND status = 'new'"),
    )
    .await;
    assert_eq!(
        app.db
            .raw_text(&format!(
                "SELECT given_name FROM persons WHERE id = {person}"
            ))
            .await,
        "Mohammed"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 5);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM link_reviews WHERE status IN ('open', 'deferred')"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_queue_is_the_reviewers_scope_and_hides_a_shielded_candidates_address() {
    let (app, item, khan) = app_with_a_review().await;
    let path = format!("/reviews/{item}");
    // Central's manager has no basis for the West candidate: not in their queue, and they
    // can neither open nor decide it.
    let (mut central, _) = app.signed_in("manager.central").await;
    let list = central.get("/reviews").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains(&path), "{}", list.body);
    assert_ne!(central.get(&path).await.status, 200);
    let r = central
        .post_form(&path, &[("decision", &format!("link:{khan}"))])
        .await;
    assert_ne!(r.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM link_reviews WHERE status = 'linked'"
        )
        .await,
        0,
        "nothing changed"
    );
    // West's manager sees it, with both addresses, until the candidate is shielded.
    let (mut west, _) = app.signed_in("manager.west").await;
    let page = west.get(&path).await;
    assert!(
        page.body.contains("LE5 3AA"),
        "the agency's postcode before shielding"
    );
    west.get(&format!("/children/{khan}")).await;
    let r = west
        .post_form(&format!("/children/{khan}/shield"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = west.get(&path).await;
    assert_eq!(page.status, 200);
    for hidden in ["LE5 3AA", "LE3 0SG", "Larch", "le5 3aa", "le3 0sg"] {
        assert!(!page.body.contains(hidden), "{hidden}: {}", page.body);
    }
}
