//! Teams around a school or a cluster over HTTP: West Leicester's manager creates a team around
//! one of its schools with a lead and members from several agencies, adds two children by their
//! open requests and records a meeting; a member sees the team and the children's names but
//! cannot open a child's record on that ground alone; a practitioner who is not a member and
//! another locality's manager are refused; bad input is refused naming the field (400 at the
//! edge, 409 from the store) and changes nothing; every change is audited.

use super::consent::{ask, register_child, user_id};
use everychild_testkit::TestApp;

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.raw_i64(sql).await
}

/// A school (not city-wide) in the locality under the current boundary set: the lowest URN, or
/// the highest.
fn school_in(locality: &str, agg: &str) -> String {
    format!(
        "SELECT {agg}(s.urn) FROM schools s JOIN boundary_set_wards bw ON bw.ward_code = s.ward_code \
         JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
         JOIN localities l ON l.id = bw.locality_id WHERE l.name = '{locality}' AND s.city_wide = 0"
    )
}

#[tokio::test]
async fn a_team_around_a_school_is_run_by_its_localitys_manager_and_seen_by_its_members() {
    let (app, _) = TestApp::spawn_demo().await;
    let west = count(
        &app,
        "SELECT id FROM localities WHERE name = 'West Leicester'",
    )
    .await;
    let urn = count(&app, &school_in("West Leicester", "MIN")).await;
    let urn2 = count(&app, &school_in("West Leicester", "MAX")).await;
    let central_urn = count(&app, &school_in("Central Leicester", "MIN")).await;
    assert!(urn > 0 && urn2 > urn && central_urn > 0);
    let central_postcode = app
        .db
        .raw_text(
            "SELECT MIN(pc.postcode) FROM postcodes pc JOIN boundary_set_wards bw ON bw.ward_code = pc.ward_code \
             JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
             JOIN localities l ON l.id = bw.locality_id WHERE l.name = 'Central Leicester' AND pc.terminated IS NULL",
        )
        .await;

    // Two children in West and one in Central, each with an open request.
    let (mut teacher, _) = app.signed_in("teacher").await;
    let amara = register_child(&mut teacher, "Amara", "LE3 0SG").await;
    let bilal = register_child(&mut teacher, "Bilal", "LE3 0SG").await;
    let chidi = register_child(&mut teacher, "Chidi", &central_postcode).await;
    let req_a = ask(&mut teacher, amara).await;
    let req_b = ask(&mut teacher, bilal).await;
    let req_c = ask(&mut teacher, chidi).await;
    assert_ne!(
        count(
            &app,
            &format!("SELECT locality_id FROM support_requests WHERE id = {req_c}")
        )
        .await,
        west,
        "Chidi's request is at another front door"
    );

    // The locality profile and the front door lead to the teams.
    let (mut manager, _) = app.signed_in("manager.west").await;
    let list = format!("/localities/{west}/group-teams");
    assert!(manager
        .get(&format!("/localities/{west}"))
        .await
        .body
        .contains(&list));
    assert!(manager.get("/front-door").await.body.contains(&list));
    let page = manager.get(&list).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Create a team"));

    // Bad input is refused naming each field; nothing is created.
    let lead = user_id(&app, "teacher").await;
    let r = manager
        .post_form(
            &list,
            &[
                ("name", " "),
                ("kind", "school"),
                ("urns", "12"),
                ("lead", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    for (field, says) in [
        ("name", "Enter the team&#39;s name"),
        ("urns", "Enter a school URN of six digits"),
        ("lead", "Choose the team&#39;s lead from the list"),
    ] {
        assert!(r.body.contains(says), "{field}: {}", r.body);
        assert!(r.body.contains(&format!("href=\"#{field}\"")), "{field}");
    }
    let central = central_urn.to_string();
    let r = manager
        .post_form(
            &list,
            &[
                ("name", "Team around the school"),
                ("kind", "school"),
                ("urns", &central),
                ("lead", &lead),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("is not in West Leicester"), "{}", r.body);
    assert!(r.body.contains("href=\"#urns\""));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM group_teams").await, 0);

    // Another locality's manager may not create a team here.
    let (mut central_mgr, _) = app.signed_in("manager.central").await;
    let r = central_mgr
        .post_form(
            &list,
            &[
                ("name", "Team around the school"),
                ("kind", "school"),
                ("urns", &urn.to_string()),
                ("lead", &lead),
            ],
        )
        .await;
    assert_eq!(r.status, 403);

    // A team around one West school, led by the teacher (a school), created.
    let r = manager
        .post_form(
            &list,
            &[
                ("name", "Team around the school"),
                ("kind", "school"),
                ("urns", &urn.to_string()),
                ("lead", &lead),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let team = r.location();
    assert!(team.starts_with("/group-teams/"), "{team}");
    let gid: i64 = team.trim_start_matches("/group-teams/").parse().unwrap();
    // The same name again in the same locality is a conflict; a cluster needs two schools.
    let r = manager
        .post_form(
            &list,
            &[
                ("name", "team around the school"),
                ("kind", "cluster"),
                ("urns", &format!("{urn}, {urn2}")),
                ("lead", &lead),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("There is already a team called"));
    let r = manager
        .post_form(
            &list,
            &[
                ("name", "West cluster"),
                ("kind", "cluster"),
                ("urns", &urn.to_string()),
                ("lead", &lead),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("A cluster has two or more schools"));
    let page = manager.get(&list).await;
    assert!(page.body.contains("Team around the school"));

    // Members from two more agencies: health and housing.
    let hv = user_id(&app, "health.visitor").await;
    let housing = user_id(&app, "housing.officer").await;
    let members = format!("{team}/members");
    let r = manager
        .post_form(&members, &[("member", ""), ("team_role", "")])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Choose someone from the list"));
    assert!(r.body.contains("Enter the member&#39;s part in the team"));
    for (who, part) in [
        (&hv, "Health visitor for the school's families"),
        (&housing, "Housing support"),
    ] {
        let r = manager
            .post_form(&members, &[("member", who), ("team_role", part)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = manager
        .post_form(&members, &[("member", &lead), ("team_role", "Again")])
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("already in the team"));
    let agencies = count(
        &app,
        &format!(
            "SELECT COUNT(DISTINCT u.organisation_id) FROM group_team_members m JOIN users u ON u.id = m.user_id \
             WHERE m.team_id = {gid} AND m.until IS NULL"
        ),
    )
    .await;
    assert_eq!(agencies, 3, "school, health and housing");

    // Children by their open requests in the locality; one elsewhere is refused.
    let children = format!("{team}/children");
    let page = manager.get(&team).await;
    assert!(
        page.body.contains(&format!("(request {req_a})")),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Chidi Okafor"),
        "only the locality's requests are offered"
    );
    // A child joins only with the family's consent to share with every agency working with
    // the child: refused without it, nothing written.
    let r = manager
        .post_form(&children, &[("request", &req_a.to_string())])
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("has not agreed to share"), "{}", r.body);
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM group_team_children WHERE team_id = {gid}")
        )
        .await,
        0
    );
    for r in [req_a, req_b] {
        let c = manager
            .post_form(
                &format!("/requests/{r}/consents"),
                &[
                    ("purpose", "share"),
                    ("organisation", "team"),
                    ("consent_given_by", "Mum"),
                ],
            )
            .await;
        assert_eq!(c.status, 303, "{}", c.body);
        let r = manager
            .post_form(&children, &[("request", &r.to_string())])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = manager
        .post_form(&children, &[("request", &req_c.to_string())])
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("is not in West Leicester"), "{}", r.body);
    assert!(r.body.contains("href=\"#request\""));
    let r = manager.post_form(&children, &[("request", "x")]).await;
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("Choose a request for support from the list"));
    let r = manager
        .post_form(&children, &[("request", &req_a.to_string())])
        .await;
    assert_eq!(r.status, 409, "already covered");
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM group_team_children WHERE team_id = {gid}")
        )
        .await,
        2
    );

    // A meeting.
    let meetings = format!("{team}/meetings");
    let r = manager
        .post_form(
            &meetings,
            &[
                ("held_on", "yesterday"),
                ("attendees", ""),
                ("decisions", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Enter who attended") && r.body.contains("Enter what was decided"));
    let today = app.clock_today();
    let r = manager
        .post_form(
            &meetings,
            &[
                ("held_on", &today),
                ("attendees", "SENCo, health visitor, housing officer"),
                (
                    "decisions",
                    "Breakfast club places for the children who need them",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // A member (housing) sees the team: members, the children's names and links, the meeting;
    // no forms.
    let (mut member, _) = app.signed_in("housing.officer").await;
    let page = member.get(&team).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for says in [
        "Team around the school",
        "Amara Okafor",
        "Bilal Okafor",
        &format!("href=\"/requests/{req_a}\""),
        "Breakfast club places",
        "Housing support",
    ] {
        assert!(page.body.contains(says), "{says}: {}", page.body);
    }
    assert!(!page.body.contains("Add to the team") && !page.body.contains("Record the meeting"));
    assert!(
        !page.body.contains("9 Rowan Close"),
        "nothing from the record"
    );
    assert!(member.get(&list).await.body.contains(&team));

    // Being a member is not a basis for the child's record or request.
    assert_eq!(member.get(&format!("/children/{amara}")).await.status, 403);
    assert_eq!(member.get(&format!("/requests/{req_a}")).await.status, 403);
    // Nor does it let them change the team.
    let r = member
        .post_form(&children, &[("request", &req_c.to_string())])
        .await;
    assert_eq!(r.status, 403);

    // A practitioner who is not a member, and another locality's manager, are refused.
    let (mut outsider, _) = app.signed_in("youth.worker").await;
    assert_eq!(outsider.get(&team).await.status, 403);
    let page = outsider.get(&list).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&team), "not a member: not listed");
    assert_eq!(central_mgr.get(&team).await.status, 403);
    let r = central_mgr
        .post_form(&children, &[("request", &req_c.to_string())])
        .await;
    assert_eq!(r.status, 403);
    // Back office roles are refused before anything is looked up.
    let (mut analyst, _) = app.signed_in("analyst").await;
    assert_eq!(analyst.get(&team).await.status, 403);

    // Removing a child and a member; the lead stays.
    let link = count(
        &app,
        &format!(
            "SELECT id FROM group_team_children WHERE team_id = {gid} AND request_id = {req_b}"
        ),
    )
    .await;
    let r = manager
        .post_form(&format!("{children}/{link}/remove"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!member.get(&team).await.body.contains("Bilal Okafor"));
    let lead_row = count(
        &app,
        &format!("SELECT id FROM group_team_members WHERE team_id = {gid} AND user_id = {lead}"),
    )
    .await;
    let r = manager
        .post_form(&format!("{members}/{lead_row}/remove"), &[])
        .await;
    assert_eq!(r.status, 409);
    let housing_row = count(
        &app,
        &format!("SELECT id FROM group_team_members WHERE team_id = {gid} AND user_id = {housing}"),
    )
    .await;
    let r = manager
        .post_form(&format!("{members}/{housing_row}/remove"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(member.get(&team).await.status, 403, "no longer a member");

    // Every change and view is audited; refusals too.
    for (action, n) in [
        ("group_team.create", 1),
        ("group_team.add_member", 2),
        ("group_team.add_child", 2),
        ("group_team.remove_child", 1),
        ("group_team.remove_member", 1),
        ("group_team.meeting", 1),
    ] {
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")
            )
            .await,
            n,
            "{action}"
        );
    }
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'group_team.view' AND actor_username = 'housing.officer'"
        )
        .await
            >= 1
    );
    assert!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND subject_type = 'group_team' AND subject_id = '{gid}'"
            )
        )
        .await
            >= 2,
        "the outsider and the other manager"
    );
    // Adding a child is in the child's own access log.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'group_team.add_child' AND subject_type = 'person' AND subject_id = '{amara}'"
            )
        )
        .await,
        1
    );
    // So is every view of the team that names the child.
    assert!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'group_team.view_child' AND subject_type = 'person' AND subject_id = '{amara}'"
            )
        )
        .await
            > 0
    );
}
