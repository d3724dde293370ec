//! Localities over HTTP on the demo authorities: the postcode lookup against the ONS file,
//! figures under any boundary set, the boundary-set editor's refusals, teams, the lead rule.

use everychild_testkit::{data_dir, serde_json_value::Value, Client, TestApp};

const LEICESTER: &str = "E06000016";
const PETERBOROUGH: &str = "E06000031";

async fn locality_ids(c: &mut Client, authority: &str) -> Vec<(i64, String)> {
    let r = c
        .get(&format!("/api/v1/localities?authority={authority}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["localities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_i64().unwrap(),
                l["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn id_of(list: &[(i64, String)], name: &str) -> i64 {
    list.iter()
        .find(|l| l.1 == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .0
}

fn enc(pc: &str) -> String {
    pc.replace(' ', "%20")
}

#[tokio::test]
async fn postcode_lookups_agree_with_the_ons_file_and_mark_terminated_postcodes() {
    let (app, _) = TestApp::spawn_demo().await;
    let mut c = app.client();
    let file = std::fs::read_to_string(
        data_dir().join("geo/postcodes/ons_pcd_oa11_lsoa11_msoa11_lad_may2022.csv"),
    )
    .unwrap();
    let mut checked = 0;
    let mut terminated = 0;
    for line in file.lines().skip(1).step_by(97) {
        let f: Vec<&str> = line.split(',').collect();
        let (pcds, doterm, lsoa, lad) = (f[2], f[4], f[7], f[9]);
        let r = c
            .get(&format!("/api/v1/postcodes/{}?authority={lad}", enc(pcds)))
            .await;
        assert_eq!(r.status, 200, "{pcds}: {}", r.body);
        let j = r.json();
        assert_eq!(j["postcode"], pcds);
        assert_eq!(j["lsoa11"], lsoa, "{pcds}");
        assert_eq!(j["authority"]["code"], lad);
        if doterm.is_empty() {
            assert!(j["terminated"].is_null(), "{pcds}");
            assert!(j["locality"]["name"].is_string(), "{pcds} has no locality");
            assert!(
                !j["hubs"].as_array().unwrap().is_empty(),
                "{pcds} has no hub"
            );
        } else {
            assert_eq!(j["terminated"], doterm, "{pcds}");
            terminated += 1;
        }
        checked += 1;
    }
    assert!(
        checked > 150 && terminated > 40,
        "{checked} checked, {terminated} terminated"
    );
    // Any spacing and case, and the hub of each age phase.
    let j = c.get("/api/v1/postcodes/le11aa").await.json();
    assert_eq!(j["postcode"], "LE1 1AA");
    assert_eq!(j["ward"]["name"], "Castle");
    assert_eq!(j["locality"]["name"], "Central Leicester");
    let phases: Vec<&str> = j["hubs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["age_phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, vec!["0-12", "13-19"]);
    let lat = j["latitude"].as_f64().unwrap();
    assert!((52.6..52.7).contains(&lat), "{lat}");
}

#[tokio::test]
async fn malformed_and_outside_postcodes_are_told_so_on_the_api_and_the_page() {
    let (app, _) = TestApp::spawn_demo().await;
    let mut c = app.client();
    let r = c.get("/api/v1/postcodes/LE1").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "postcode");
    let r = c
        .get(&format!(
            "/api/v1/postcodes/SW1A%201AA?authority={LEICESTER}"
        ))
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let m = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        m.contains("not in Leicester") && !m.contains("it is in"),
        "{m}"
    );
    // A real Peterborough postcode, looked up as Leicester: says where it is.
    let r = c
        .get(&format!(
            "/api/v1/postcodes/PE1%201AA?authority={LEICESTER}"
        ))
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let m = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        m.contains("not in Leicester") && m.contains("it is in Peterborough"),
        "{m}"
    );
    let page = c.get("/postcode?postcode=LE1%205").await;
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("There is a problem") && page.body.contains("Enter a full postcode")
    );
    let page = c
        .get(&format!(
            "/postcode?postcode=PE1%201AA&authority={LEICESTER}"
        ))
        .await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("it is in Peterborough"));
    let page = c
        .get(&format!(
            "/postcode?postcode=PE1%201XX&authority={PETERBOROUGH}"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Hub for ages 0-7") && page.body.contains("Peterborough"));
}

/// The fields of the boundary-set editor for a proposal.
fn editor_fields(
    authority: &str,
    localities: &[i64],
    wards: &[(String, i64)],
    name: &str,
    action: &str,
) -> Vec<(String, String)> {
    let mut f = vec![
        ("authority".to_owned(), authority.to_owned()),
        ("name".to_owned(), name.to_owned()),
        ("action".to_owned(), action.to_owned()),
    ];
    f.extend(
        localities
            .iter()
            .map(|l| ("localities".to_owned(), l.to_string())),
    );
    f.extend(
        wards
            .iter()
            .map(|(w, l)| (format!("ward_{w}"), l.to_string())),
    );
    f
}

async fn post(c: &mut Client, path: &str, fields: &[(String, String)]) -> everychild_testkit::Resp {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post_form(path, &refs).await
}

async fn current_wards(c: &mut Client) -> Vec<(String, i64)> {
    let r = c
        .get(&format!("/api/v1/localities?authority={LEICESTER}"))
        .await
        .json();
    let mut out = Vec::new();
    for l in r["localities"].as_array().unwrap() {
        for w in l["wards"].as_array().unwrap() {
            out.push((
                w["code"].as_str().unwrap().to_owned(),
                l["id"].as_i64().unwrap(),
            ));
        }
    }
    out
}

#[tokio::test]
async fn merging_two_localities_gives_the_sum_of_their_figures_and_keeps_the_old_set() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut admin, _) = app.signed_in("admin").await;
    let ids = locality_ids(&mut admin, LEICESTER).await;
    let (central, east) = (
        id_of(&ids, "Central Leicester"),
        id_of(&ids, "East Leicester"),
    );
    let get = |j: &Value, k: &str| j[k].as_i64().unwrap();
    let c0 = admin
        .get(&format!("/api/v1/localities/{central}"))
        .await
        .json();
    let e0 = admin
        .get(&format!("/api/v1/localities/{east}"))
        .await
        .json();
    let old_set = get(&c0, "boundary_set_id");

    let wards: Vec<(String, i64)> = current_wards(&mut admin)
        .await
        .into_iter()
        .map(|(w, l)| (w, if l == east { central } else { l }))
        .collect();
    let keep: Vec<i64> = ids.iter().map(|l| l.0).filter(|l| *l != east).collect();
    let fields = editor_fields(LEICESTER, &keep, &wards, "Seven localities", "preview");
    let preview = post(&mut admin, "/admin/boundary-sets", &fields).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let merged_children = get(&c0, "children") + get(&e0, "children");
    assert!(
        preview.body.contains(&merged_children.to_string()),
        "the preview shows the merged population"
    );

    let mut fields = editor_fields(LEICESTER, &keep, &wards, "Seven localities", "save");
    fields.push(("make_current".into(), "yes".into()));
    let saved = post(&mut admin, "/admin/boundary-sets", &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let new_set: i64 = saved
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    let c1 = admin
        .get(&format!("/api/v1/localities/{central}"))
        .await
        .json();
    assert_eq!(get(&c1, "boundary_set_id"), new_set);
    for k in ["children", "population"] {
        assert_eq!(get(&c1, k), get(&c0, k) + get(&e0, k), "{k}");
    }
    let lsoas = |j: &Value| j["deprivation"]["lsoas"].as_i64().unwrap();
    assert_eq!(lsoas(&c1), lsoas(&c0) + lsoas(&e0));
    for (i, d) in c1["deprivation"]["imd_deciles"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(
            d.as_i64().unwrap(),
            c0["deprivation"]["imd_deciles"][i].as_i64().unwrap()
                + e0["deprivation"]["imd_deciles"][i].as_i64().unwrap()
        );
    }
    for (p, phase) in c1["population_by_age_phase"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let parts = c0["population_by_age_phase"][p]["persons"]
            .as_i64()
            .unwrap()
            + e0["population_by_age_phase"][p]["persons"]
                .as_i64()
                .unwrap();
        assert_eq!(phase["persons"].as_i64().unwrap(), parts);
    }
    // The old set is kept, and its figures are unchanged.
    let again = admin
        .get(&format!("/api/v1/localities/{east}?set={old_set}"))
        .await
        .json();
    assert_eq!(get(&again, "children"), get(&e0, "children"));
    let sets = admin
        .get(&format!("/api/v1/boundary-sets?authority={LEICESTER}"))
        .await
        .json();
    let current: Vec<i64> = sets
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["is_current"] == true)
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(current, vec![new_set]);
    assert_eq!(
        sets.as_array().unwrap().len(),
        3,
        "the demo's two sets and the new one"
    );
    // The postcode index follows the new current set at once.
    let pc = admin.get("/api/v1/postcodes/LE5%200AA").await.json();
    assert_eq!(pc["locality"]["name"], "Central Leicester", "{pc}");
    // Making the old set current again restores everything.
    let r = admin
        .post_form(&format!("/admin/boundary-sets/{old_set}/make-current"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        admin
            .get(&format!("/api/v1/localities/{east}"))
            .await
            .json()["children"],
        e0["children"]
    );
}

#[tokio::test]
async fn a_boundary_set_with_a_gap_or_an_empty_locality_is_refused_with_every_problem_named() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut admin, _) = app.signed_in("admin").await;
    let ids = locality_ids(&mut admin, LEICESTER).await;
    let before = app.db.raw_i64("SELECT COUNT(*) FROM boundary_sets").await;
    let mut wards = current_wards(&mut admin).await;
    let castle = wards.iter().position(|w| w.0 == "E05010463").unwrap();
    wards.remove(castle);
    let all: Vec<i64> = ids.iter().map(|l| l.0).collect();
    // West's wards go to North West, leaving West (still ticked) empty.
    let (west, north_west) = (
        id_of(&ids, "West Leicester"),
        id_of(&ids, "North West Leicester"),
    );
    let wards: Vec<(String, i64)> = wards
        .into_iter()
        .map(|(w, l)| (w, if l == west { north_west } else { l }))
        .collect();
    let r = post(
        &mut admin,
        "/admin/boundary-sets",
        &editor_fields(LEICESTER, &all, &wards, "Broken", "save"),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("Choose a locality for Castle ward"),
        "{}",
        r.body
    );
    assert!(r.body.contains("West Leicester has no wards"));
    assert_eq!(
        app.db.raw_i64("SELECT COUNT(*) FROM boundary_sets").await,
        before,
        "nothing stored"
    );
    // Without a name, a valid set is not saved either.
    let full = current_wards(&mut admin).await;
    let r = post(
        &mut admin,
        "/admin/boundary-sets",
        &editor_fields(LEICESTER, &all, &full, "", "save"),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Enter a name for the boundary set"));
    assert_eq!(
        app.db.raw_i64("SELECT COUNT(*) FROM boundary_sets").await,
        before
    );
}

#[tokio::test]
async fn teams_are_shown_to_staff_with_contacts_audited_and_refused_to_others() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut hv, _) = app.signed_in("health.visitor").await;
    let west = id_of(&locality_ids(&mut hv, LEICESTER).await, "West Leicester");
    let before = app
        .db
        .raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'teams.view'")
        .await;
    let page = hv.get(&format!("/localities/{west}/teams")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "West Leicester 0-12 core team",
        "West Leicester 13-19 extended team",
        "Matrix-managed",
        "Co-ordinated",
        "Line manager",
        "Educational Psychology Service",
        "0116 496 0",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert_eq!(
        app.db
            .raw_i64("SELECT COUNT(*) FROM audit_events WHERE action = 'teams.view'")
            .await,
        before + 1
    );
    let j = hv
        .get(&format!("/api/v1/teams?locality={west}"))
        .await
        .json();
    let teams = j["teams"].as_array().unwrap();
    assert_eq!(teams.len(), 4, "core and extended for two age phases");
    let me = teams
        .iter()
        .flat_map(|t| t["members"].as_array().unwrap())
        .find(|m| m["role_in_team"] == "Health visitor" && m["relationship"] == "matrix");
    assert!(me.is_some());
    assert_eq!(j["citywide_contacts"].as_array().unwrap().len(), 4);
    let (mut board, _) = app.signed_in("board.member").await;
    assert_eq!(
        board.get(&format!("/localities/{west}/teams")).await.status,
        403
    );
    assert_eq!(
        board
            .get(&format!("/api/v1/teams?locality={west}"))
            .await
            .status,
        403
    );
    let mut public = app.client();
    assert_eq!(
        public
            .get(&format!("/api/v1/teams?locality={west}"))
            .await
            .status,
        401
    );
    // The public profile never shows staff.
    let profile = public.get(&format!("/localities/{west}")).await;
    assert_eq!(profile.status, 200);
    assert!(!profile.body.contains("0116 496 0") && !profile.body.contains("/teams"));
}

#[tokio::test]
async fn the_lead_locality_follows_the_authority_rule_and_gives_its_reason() {
    let (app, _) = TestApp::spawn_demo().await;
    let mut c = app.client();
    // LE3 0SG is in West Leicester (Western ward); a school in East Leicester.
    let home = c.get("/api/v1/postcodes/LE3%200SG").await.json();
    assert_eq!(home["locality"]["name"], "West Leicester", "{home}");
    let school = everychild_testkit::geography()
        .schools
        .iter()
        .find(|s| {
            s.ward.as_ref().map(|w| w.as_str()) == Some("E05010472")
                && s.type_group != "Special schools"
        })
        .unwrap();
    let q = format!(
        "/api/v1/lead-locality?postcode=LE3%200SG&school={}",
        school.urn
    );
    let j = c.get(&q).await.json();
    assert_eq!(j["locality"]["name"], "West Leicester");
    assert_eq!(j["rule"], "home");
    assert!(
        j["reason"]
            .as_str()
            .unwrap()
            .contains("goes to school in East Leicester"),
        "{j}"
    );
    let p = everychild_policy::authorize::<everychild_policy::ConfigureAuthority>(
        &everychild_policy::Principal::Console,
        everychild_policy::Target::None,
        None,
    )
    .unwrap();
    let leicester = everychild_store::LocalityRepo::authorities(
        &*app.store,
        &everychild_policy::authorize(
            &everychild_policy::Principal::Console,
            everychild_policy::Target::None,
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap()
    .into_iter()
    .find(|a| a.code == LEICESTER)
    .unwrap();
    everychild_store::LocalityRepo::set_lead_rule(
        &*app.store,
        &p,
        leicester.id,
        everychild_domain::locality::LeadRule::School,
    )
    .await
    .unwrap();
    let j = c.get(&q).await.json();
    assert_eq!(j["locality"]["name"], "East Leicester");
    assert!(j["reason"]
        .as_str()
        .unwrap()
        .contains("although the child lives in West Leicester"));
    let page = c
        .get(&format!(
            "/postcode?postcode=LE3%200SG&school={}",
            school.urn
        ))
        .await;
    assert!(
        page.body.contains("East Leicester</a> leads"),
        "{}",
        page.body
    );
    assert_eq!(c.get("/api/v1/lead-locality?school=12").await.status, 400);
    assert_eq!(
        c.get("/api/v1/lead-locality?school=999999").await.status,
        404
    );
    assert_eq!(c.get("/api/v1/lead-locality").await.status, 400);
}

#[tokio::test]
async fn the_public_sees_the_map_profiles_and_hubs_with_the_data_attributions() {
    let (app, built) = TestApp::spawn_demo().await;
    let mut c = app.client();
    let page = c.get("/localities").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg") && page.body.contains("role=\"img\""));
    assert_eq!(
        page.body.matches("<path ").count(),
        21,
        "one path per Leicester ward"
    );
    for (_, name) in &built.authorities[0].localities {
        assert!(page.body.contains(name.as_str()), "{name}");
    }
    assert!(page.body.contains("Contains OS data") && page.body.contains("Royal Mail"));
    let pbo = c
        .get(&format!("/localities?authority={PETERBOROUGH}"))
        .await;
    assert_eq!(pbo.body.matches("<path ").count(), 22);
    let (id, _) = built.authorities[0].localities[0].clone();
    let api = c.get(&format!("/api/v1/localities/{id}")).await.json();
    let profile = c.get(&format!("/localities/{id}")).await;
    assert_eq!(profile.status, 200);
    assert!(profile
        .body
        .contains(&api["children"].as_i64().unwrap().to_string()));
    assert!(profile
        .body
        .contains("Children in income-deprived families (IDACI)"));
    let hubs = c
        .get(&format!("/api/v1/hubs?authority={LEICESTER}"))
        .await
        .json();
    assert_eq!(
        hubs.as_array().unwrap().len(),
        16,
        "a 0-12 and a 13-19 hub in each of eight localities"
    );
    assert_eq!(c.get("/localities/999999").await.status, 404);
    assert_eq!(c.get("/localities?authority=E06999999").await.status, 404);
    // Boundary sets need a sign-in.
    assert_eq!(c.get("/api/v1/boundary-sets").await.status, 401);
}

#[tokio::test]
async fn a_locality_manager_manages_their_own_locality_only_and_bad_input_is_named() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut m, _) = app.signed_in("manager.west").await;
    let ids = locality_ids(&mut m, LEICESTER).await;
    let (west, central) = (
        id_of(&ids, "West Leicester"),
        id_of(&ids, "Central Leicester"),
    );
    assert_eq!(
        m.get(&format!("/localities/{central}/manage")).await.status,
        403
    );
    let r = m
        .post_form(
            &format!("/localities/{central}/sites"),
            &[
                ("name", "X"),
                ("address", "1 Road"),
                ("postcode", "LE3 0SG"),
                ("building_type", "library"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let page = m.get(&format!("/localities/{west}/manage")).await;
    assert_eq!(page.status, 200);
    let phase = input_option(&page.body, "age_phase", "0-12");
    // A hub at a postcode outside the authority is refused, naming the field.
    let bad = m
        .post_form(
            &format!("/localities/{west}/sites"),
            &[
                ("name", "Hollies Hub"),
                ("address", "2 Lane"),
                ("postcode", "PE1 1XX"),
                ("building_type", "childrens_centre"),
                ("age_phase", &phase),
                ("is_hub", "yes"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad
        .body
        .contains("PE1 1XX is not a postcode in this authority"));
    let bad = m
        .post_form(
            &format!("/localities/{west}/sites"),
            &[
                ("name", "Hollies Hub"),
                ("address", "2 Lane"),
                ("postcode", "nope"),
                ("building_type", "castle"),
            ],
        )
        .await;
    assert!(
        bad.body.contains("Enter a full postcode") && bad.body.contains("Choose a building type")
    );
    let ok = m
        .post_form(
            &format!("/localities/{west}/sites"),
            &[
                ("name", "Hollies Hub"),
                ("address", "2 Lane"),
                ("postcode", "LE3 0SG"),
                ("building_type", "childrens_centre"),
                ("age_phase", &phase),
                ("is_hub", "yes"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let pc = m.get("/api/v1/postcodes/LE3%200SG").await.json();
    let hubs: Vec<&str> = pc["hubs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert!(
        hubs.contains(&"Hollies Hub"),
        "the postcode index shows the new hub at once: {hubs:?}"
    );
    // Adding a member: an unknown username is named; a real one joins the team.
    let page = m.get(&format!("/localities/{west}/manage")).await;
    let team = input_option(&page.body, "team", "West Leicester 0-12 core team");
    let fields = [
        ("team", team.as_str()),
        ("username", "nobody.here"),
        ("role_in_team", "Family worker"),
        ("relationship", "matrix"),
        ("sla_reference", ""),
        ("since", "2026-04-01"),
    ];
    let r = m
        .post_form(&format!("/localities/{west}/members"), &fields)
        .await;
    assert!(r
        .body
        .contains("Enter the username of someone with an account"));
    let mut fields = fields;
    fields[1] = ("username", "nursery.manager");
    let r = m
        .post_form(&format!("/localities/{west}/members"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let teams = m
        .get(&format!("/api/v1/teams?locality={west}"))
        .await
        .json();
    let names: Vec<String> = teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["job_title"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    assert!(names.iter().any(|n| n == "Nursery manager"));
    // Twice is refused, naming the field.
    let r = m
        .post_form(&format!("/localities/{west}/members"), &fields)
        .await;
    assert!(r.body.contains("already in this team"), "{}", r.body);
}

#[tokio::test]
async fn an_administrator_changes_the_age_phases_and_a_gap_is_refused() {
    let (app, _) = TestApp::spawn_demo().await;
    let (mut admin, _) = app.signed_in("admin").await;
    let page = admin
        .get(&format!("/admin/authority?authority={PETERBOROUGH}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"8-13\""));
    let base = [
        ("authority", PETERBOROUGH),
        ("phase_0_name", "0-7"),
        ("phase_0_min", "0"),
        ("phase_0_max", "7"),
        ("phase_1_name", "8-13"),
        ("phase_1_min", "8"),
        ("phase_1_max", "13"),
        ("phase_2_name", "14-19"),
        ("phase_2_min", "15"),
        ("phase_2_max", "19"),
        ("phase_2_send", "25"),
    ];
    let r = admin.post_form("/admin/authority/age-phases", &base).await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("Ages 14 to 14 are in no age phase"),
        "{}",
        r.body
    );
    let mut good = base;
    good[8] = ("phase_2_min", "14");
    let r = admin.post_form("/admin/authority/age-phases", &good).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ids = locality_ids(&mut admin, PETERBOROUGH).await;
    let j = admin
        .get(&format!("/api/v1/localities/{}", ids[0].0))
        .await
        .json();
    let last = j["population_by_age_phase"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["age_phase"], "14-19");
    assert!(last["send_extension"].as_i64().unwrap() > 0, "{last}");
    // A phase with hubs cannot be removed.
    let r = admin
        .post_form(
            "/admin/authority/age-phases",
            &[
                ("authority", PETERBOROUGH),
                ("phase_0_name", "0-19"),
                ("phase_0_min", "0"),
                ("phase_0_max", "19"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("has hubs or teams, so it cannot be removed"),
        "{}",
        r.body
    );
    assert_eq!(
        admin
            .get(&format!("/admin/authority?authority={PETERBOROUGH}"))
            .await
            .status,
        200
    );
    let (mut hv, _) = app.signed_in("health.visitor").await;
    assert_eq!(hv.get("/admin/authority").await.status, 403);
}

/// The value of the `<option>` with this text in the select named `name`.
fn input_option(body: &str, name: &str, text: &str) -> String {
    let start = body
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no select {name}"));
    let rest = &body[start..];
    let end = rest
        .find(&format!(">{text}</option>"))
        .unwrap_or_else(|| panic!("no option {text}"));
    let opt = &rest[..end];
    let v = opt.rfind("value=\"").unwrap() + 7;
    opt[v..].split('"').next().unwrap().to_owned()
}
