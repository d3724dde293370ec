//! The Open Referral UK 3.0 API: every filter returns exactly what it promises (each parameter
//! tested on a small directory whose answers are known), the paging wrapper, 400 naming a
//! malformed parameter, 404 in the error shape, CORS, and every answer over the demo directory
//! valid against the profile's compiled schemas.

use everychild_domain::directory::oruk::*;
use everychild_domain::directory::{Catchment, Extras};
use everychild_policy::{authorize, Principal, Target};
use everychild_store::{DirectoryImport, DirectoryRepo, ImportedService};
use everychild_testkit::{data_dir, serde_json_value::Value, Client, TestApp};
use std::collections::BTreeSet;

fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

const TAX_A: u32 = 1;
const TAX_B: u32 = 2;
const STAY: u32 = 11; // term of taxonomy A
const YOUTH: u32 = 12; // term of taxonomy A
const FOOD: u32 = 13; // term of taxonomy B

fn term(n: u32, tax: u32, name: &str) -> TaxonomyTerm {
    TaxonomyTerm {
        id: uuid(n),
        name: name.into(),
        description: name.into(),
        taxonomy_id: Some(uuid(tax)),
        ..TaxonomyTerm::default()
    }
}

struct Svc {
    n: u32,
    name: &'static str,
    ages: (Option<f64>, Option<f64>),
    terms: &'static [u32],
    days: &'static str,
    hours: (&'static str, &'static str),
    postcodes: &'static [&'static str],
    catchment: Catchment,
}

fn service(s: &Svc) -> Service {
    let org = Organization {
        id: uuid(900),
        name: "Example Family Trust".into(),
        description: "A fictitious provider".into(),
        ..Organization::default()
    };
    let terms = [
        term(STAY, TAX_A, "Stay and play"),
        term(YOUTH, TAX_A, "Youth club"),
        term(FOOD, TAX_B, "Food bank"),
    ];
    let sals: Vec<ServiceAtLocation> = s
        .postcodes
        .iter()
        .enumerate()
        .map(|(i, pc)| {
            let k = s.n * 100 + i as u32;
            ServiceAtLocation {
                id: uuid(k + 10_000),
                service_id: Some(uuid(s.n)),
                location: Some(Location {
                    id: uuid(k + 20_000),
                    location_type: "physical".into(),
                    name: Some(format!("{} venue {i}", s.name)),
                    addresses: vec![Address {
                        id: uuid(k + 30_000),
                        address_1: "1 Example Street".into(),
                        city: "Leicester".into(),
                        postal_code: (*pc).into(),
                        country: "GB".into(),
                        address_type: "physical".into(),
                        ..Address::default()
                    }],
                    ..Location::default()
                }),
                ..ServiceAtLocation::default()
            }
        })
        .collect();
    Service {
        id: uuid(s.n),
        organization_id: Some(org.id.clone()),
        name: s.name.into(),
        description: Some(format!("{} for families.", s.name)),
        status: "active".into(),
        minimum_age: s.ages.0,
        maximum_age: s.ages.1,
        schedules: vec![Schedule {
            id: uuid(s.n + 40_000),
            service_id: Some(uuid(s.n)),
            freq: Some("WEEKLY".into()),
            byday: Some(s.days.into()),
            opens_at: Some(s.hours.0.into()),
            closes_at: Some(s.hours.1.into()),
            ..Schedule::default()
        }],
        service_at_locations: sals,
        organization: Some(org),
        attributes: s
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| Attribute {
                id: uuid(s.n * 10 + i as u32 + 50_000),
                link_id: Some(uuid(s.n)),
                link_type: Some("service".into()),
                taxonomy_term_id: Some(uuid(*t)),
                taxonomy_term: terms.iter().find(|x| x.id == uuid(*t)).cloned(),
            })
            .collect(),
        ..Service::default()
    }
}

/// The demo authorities without their directory, and five services whose answers are known.
/// Positions come from the postcodes: LE1 1AA is the centre (Central Leicester), LE2 3AG is
/// 2.0 km from it (also Central), LE2 9FN 5.0 km (South Leicester).
async fn small_directory() -> (TestApp, Client) {
    let (app, built) = TestApp::spawn_demo_with(0).await;
    let locality = |name: &str| {
        built.authorities[0]
            .localities
            .iter()
            .find(|l| l.1 == name)
            .map(|l| l.0)
            .unwrap()
    };
    let south = Catchment::Localities(vec![locality("South Leicester")]);
    let svcs = [
        Svc {
            n: 1,
            name: "Alpha Stay and Play",
            ages: (Some(0.0), Some(5.0)),
            terms: &[STAY],
            days: "MO,WE",
            hours: ("09:30", "11:30"),
            postcodes: &["LE1 1AA"],
            catchment: Catchment::CityWide,
        },
        Svc {
            n: 2,
            name: "Bravo Youth Club",
            ages: (Some(11.0), Some(19.0)),
            terms: &[YOUTH],
            days: "TU",
            hours: ("18:00", "20:00"),
            postcodes: &["LE2 3AG"],
            catchment: Catchment::CityWide,
        },
        Svc {
            n: 3,
            name: "Charlie Food Bank",
            ages: (None, None),
            terms: &[FOOD],
            days: "FR,SA",
            hours: ("10:00", "14:00"),
            postcodes: &["LE2 9FN"],
            catchment: south,
        },
        Svc {
            n: 4,
            name: "Delta Family Play",
            ages: (Some(2.0), Some(11.0)),
            terms: &[STAY, FOOD],
            days: "SA",
            hours: ("13:00", "17:00"),
            postcodes: &["LE2 3AG", "LE2 9FN"],
            catchment: Catchment::CityWide,
        },
        Svc {
            n: 5,
            name: "Echo Teen Talk",
            ages: (Some(13.0), None),
            terms: &[YOUTH],
            days: "TH",
            hours: ("16:00", "18:00"),
            postcodes: &[],
            catchment: Catchment::CityWide,
        },
    ];
    let feed = DirectoryImport {
        source: "test".into(),
        taxonomies: vec![
            Taxonomy {
                id: uuid(TAX_A),
                name: "Activities".into(),
                description: "Activities".into(),
                ..Taxonomy::default()
            },
            Taxonomy {
                id: uuid(TAX_B),
                name: "Basic needs".into(),
                description: "Basic needs".into(),
                ..Taxonomy::default()
            },
        ],
        terms: vec![
            term(STAY, TAX_A, "Stay and play"),
            term(YOUTH, TAX_A, "Youth club"),
            term(FOOD, TAX_B, "Food bank"),
        ],
        organizations: vec![],
        services: svcs
            .iter()
            .map(|s| ImportedService {
                service: service(s),
                extras: Some(Extras {
                    catchment: s.catchment.clone(),
                    ..Extras::default()
                }),
                review_by: None,
            })
            .collect(),
    };
    let p = authorize(&Principal::Console, Target::None, Some("test set-up")).unwrap();
    let r = app.store.import_directory(&p, &feed).await.unwrap();
    assert_eq!(r.added.len(), 5);
    let c = app.client();
    (app, c)
}

/// The names of the services on a page of /services, in order.
async fn names(c: &mut Client, query: &str) -> Vec<String> {
    let r = c.get(&format!("/api/openreferral/services{query}")).await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.json()["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

/// (service name, location name) of each service at a location, in order.
async fn places(c: &mut Client, query: &str) -> Vec<(String, String)> {
    let r = c
        .get(&format!("/api/openreferral/service_at_locations{query}"))
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.json()["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"]["name"].as_str().unwrap().to_owned(),
                s["location"]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn v(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| (*x).to_owned()).collect()
}

#[tokio::test]
async fn every_services_filter_returns_exactly_what_it_promises() {
    let (_app, mut c) = small_directory().await;
    let all = v(&[
        "Alpha Stay and Play",
        "Bravo Youth Club",
        "Charlie Food Bank",
        "Delta Family Play",
        "Echo Teen Talk",
    ]);
    assert_eq!(names(&mut c, "").await, all);
    // search: every word starts a word of the name, description, provider or terms.
    assert_eq!(
        names(&mut c, "?search=play").await,
        v(&["Alpha Stay and Play", "Delta Family Play"])
    );
    assert_eq!(
        names(&mut c, "?search=FOOD%20ban").await,
        v(&["Charlie Food Bank", "Delta Family Play"])
    );
    assert_eq!(
        names(&mut c, "?search=youth%20club").await,
        v(&["Bravo Youth Club", "Echo Teen Talk"])
    );
    assert_eq!(names(&mut c, "?search=zzz").await, Vec::<String>::new());
    // taxonomy_term_id and taxonomy_id.
    assert_eq!(
        names(&mut c, &format!("?taxonomy_term_id={}", uuid(STAY))).await,
        v(&["Alpha Stay and Play", "Delta Family Play"])
    );
    assert_eq!(
        names(&mut c, &format!("?taxonomy_term_id={}", uuid(FOOD))).await,
        v(&["Charlie Food Bank", "Delta Family Play"])
    );
    assert_eq!(
        names(&mut c, &format!("?taxonomy_id={}", uuid(TAX_A))).await,
        v(&[
            "Alpha Stay and Play",
            "Bravo Youth Club",
            "Delta Family Play",
            "Echo Teen Talk"
        ])
    );
    assert_eq!(
        names(&mut c, &format!("?taxonomy_id={}", uuid(TAX_B))).await,
        v(&["Charlie Food Bank", "Delta Family Play"])
    );
    // minimum_age=N: the service's minimum age is at least N (none stated counts as 0).
    assert_eq!(
        names(&mut c, "?minimum_age=2").await,
        v(&["Bravo Youth Club", "Delta Family Play", "Echo Teen Talk"])
    );
    assert_eq!(
        names(&mut c, "?minimum_age=12").await,
        v(&["Echo Teen Talk"])
    );
    // maximum_age=N: the service's maximum age is N or below (none stated never matches).
    assert_eq!(
        names(&mut c, "?maximum_age=11").await,
        v(&["Alpha Stay and Play", "Delta Family Play"])
    );
    assert_eq!(names(&mut c, "?maximum_age=4").await, Vec::<String>::new());
    assert_eq!(
        names(&mut c, "?minimum_age=1&maximum_age=19").await,
        v(&["Bravo Youth Club", "Delta Family Play"])
    );
    // day, start_time and end_time hold in one schedule.
    assert_eq!(
        names(&mut c, "?day=SA").await,
        v(&["Charlie Food Bank", "Delta Family Play"])
    );
    assert_eq!(
        names(&mut c, "?day=monday").await,
        v(&["Alpha Stay and Play"])
    );
    assert_eq!(
        names(&mut c, "?start_time=13:00").await,
        v(&["Bravo Youth Club", "Delta Family Play", "Echo Teen Talk"])
    );
    assert_eq!(
        names(&mut c, "?end_time=14:00").await,
        v(&["Alpha Stay and Play", "Charlie Food Bank"])
    );
    assert_eq!(
        names(&mut c, "?day=SA&start_time=10:00&end_time=14:00").await,
        v(&["Charlie Food Bank"])
    );
    assert_eq!(
        names(&mut c, "?day=SA&start_time=12:00:00").await,
        v(&["Delta Family Play"])
    );
    // Filters combine.
    assert_eq!(
        names(
            &mut c,
            &format!("?search=play&taxonomy_id={}&day=WE", uuid(TAX_A))
        )
        .await,
        v(&["Alpha Stay and Play"])
    );
}

#[tokio::test]
async fn paging_follows_the_profiles_wrapper() {
    let (_app, mut c) = small_directory().await;
    let r = c.get("/api/openreferral/services?page=2&per_page=2").await;
    let j = r.json();
    assert_eq!(j["total_items"], 5);
    assert_eq!(j["total_pages"], 3);
    assert_eq!(j["page_number"], 2);
    assert_eq!(j["size"], 2);
    assert_eq!(j["first_page"], false);
    assert_eq!(j["last_page"], false);
    assert_eq!(j["empty"], false);
    assert_eq!(
        names(&mut c, "?page=2&per_page=2").await,
        v(&["Charlie Food Bank", "Delta Family Play"])
    );
    assert_eq!(
        names(&mut c, "?page=3&per_page=2").await,
        v(&["Echo Teen Talk"])
    );
    let j = c
        .get("/api/openreferral/services?page=3&per_page=2")
        .await
        .json();
    assert_eq!(
        (j["last_page"].as_bool(), j["size"].as_u64()),
        (Some(true), Some(1))
    );
    // Past the end: an empty page of a non-empty result.
    let j = c
        .get("/api/openreferral/services?page=9&per_page=2")
        .await
        .json();
    assert_eq!(
        (
            j["size"].as_u64(),
            j["empty"].as_bool(),
            j["total_items"].as_u64()
        ),
        (Some(0), Some(false), Some(5))
    );
    let j = c.get("/api/openreferral/services?search=zzz").await.json();
    assert_eq!(
        (
            j["empty"].as_bool(),
            j["total_pages"].as_u64(),
            j["first_page"].as_bool()
        ),
        (Some(true), Some(1), Some(true))
    );
    // Lists are the one-to-one fields and the provider only.
    let j = c.get("/api/openreferral/services?per_page=1").await.json();
    let item = &j["contents"][0];
    assert_eq!(item["organization"]["name"], "Example Family Trust");
    assert!(item.get("schedules").is_none() && item.get("service_at_locations").is_none());
}

#[tokio::test]
async fn postcode_and_proximity_give_the_nearest_services_in_their_area() {
    let (_app, mut c) = small_directory().await;
    let all = places(&mut c, "").await;
    assert_eq!(
        all.len(),
        5,
        "one row per service at a location; Echo has none: {all:?}"
    );
    // From the centre: the South-only food bank is outside its catchment; nearest first.
    let got = places(&mut c, "?postcode=LE1%201AA").await;
    assert_eq!(
        got,
        vec![
            (
                "Alpha Stay and Play".into(),
                "Alpha Stay and Play venue 0".into()
            ),
            ("Bravo Youth Club".into(), "Bravo Youth Club venue 0".into()),
            (
                "Delta Family Play".into(),
                "Delta Family Play venue 0".into()
            ),
            (
                "Delta Family Play".into(),
                "Delta Family Play venue 1".into()
            ),
        ]
    );
    // Within 3 km: the 5 km venue drops out.
    let got = places(&mut c, "?postcode=le11aa&proximity=3000").await;
    assert_eq!(
        got.iter().map(|g| g.1.as_str()).collect::<Vec<_>>(),
        vec![
            "Alpha Stay and Play venue 0",
            "Bravo Youth Club venue 0",
            "Delta Family Play venue 0"
        ]
    );
    let got = places(&mut c, "?postcode=LE1%201AA&proximity=1000").await;
    assert_eq!(got.len(), 1);
    // From the south, the food bank is in its area and nearest.
    let got = places(&mut c, "?postcode=LE2%209FN&proximity=100").await;
    assert_eq!(
        got,
        vec![
            (
                "Charlie Food Bank".into(),
                "Charlie Food Bank venue 0".into()
            ),
            (
                "Delta Family Play".into(),
                "Delta Family Play venue 1".into()
            )
        ]
    );
    // The other filters apply too, per location's schedule and the service.
    let got = places(
        &mut c,
        &format!(
            "?postcode=LE1%201AA&proximity=6000&minimum_age=1&taxonomy_term_id={}",
            uuid(STAY)
        ),
    )
    .await;
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|g| g.0 == "Delta Family Play"));
    // Items carry the location's own fields and the service; no addresses in a list.
    let j = c
        .get("/api/openreferral/service_at_locations?postcode=LE1%201AA&per_page=1")
        .await
        .json();
    let item = &j["contents"][0];
    assert_eq!(item["service"]["id"], uuid(1));
    assert_eq!(item["service_id"], uuid(1));
    assert!(item["location"].get("addresses").is_none());
    let lat = item["location"].get("latitude");
    assert!(lat.is_none(), "no coordinates were given: {item}");
}

#[tokio::test]
async fn one_of_each_by_id_and_404_in_the_error_shape() {
    let (_app, mut c) = small_directory().await;
    let s = c
        .get(&format!("/api/openreferral/services/{}", uuid(4)))
        .await;
    assert_eq!(s.status, 200);
    let j = s.json();
    assert_eq!(j["name"], "Delta Family Play");
    assert_eq!(j["service_at_locations"].as_array().unwrap().len(), 2);
    assert_eq!(j["attributes"][1]["taxonomy_term"]["name"], "Food bank");
    let sal = c
        .get(&format!(
            "/api/openreferral/service_at_locations/{}",
            uuid(401 + 10_000)
        ))
        .await
        .json();
    assert_eq!(sal["location"]["addresses"][0]["postal_code"], "LE2 9FN");
    assert_eq!(sal["service"]["name"], "Delta Family Play");
    assert!(sal["service"].get("service_at_locations").is_none());
    assert_eq!(
        c.get(&format!("/api/openreferral/taxonomies/{}", uuid(TAX_B)))
            .await
            .json()["name"],
        "Basic needs"
    );
    assert_eq!(
        c.get(&format!("/api/openreferral/taxonomy_terms/{}", uuid(YOUTH)))
            .await
            .json()["name"],
        "Youth club"
    );
    let t = c.get("/api/openreferral/taxonomies").await.json();
    assert_eq!(t["total_items"], 2);
    let t = c
        .get("/api/openreferral/taxonomy_terms?per_page=2")
        .await
        .json();
    assert_eq!(
        (t["total_items"].as_u64(), t["size"].as_u64()),
        (Some(3), Some(2))
    );
    for path in [
        "services",
        "service_at_locations",
        "taxonomies",
        "taxonomy_terms",
    ] {
        let r = c
            .get(&format!("/api/openreferral/{path}/{}", uuid(777)))
            .await;
        assert_eq!(r.status, 404, "{path}");
        let e = r.json();
        assert_eq!(e["error"]["status"], 404);
        assert_eq!(e["error"]["code"], "not_found");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(&uuid(777)),
            "{e}"
        );
        assert_eq!(r.header("access-control-allow-origin"), "*");
    }
    let about = c.get("/api/openreferral/").await;
    assert_eq!(about.json()["version"], "HSDS-UK-3.0");
    assert!(about.json()["openapi_url"]
        .as_str()
        .unwrap()
        .ends_with("/api/v1/openapi.json"));
    assert_eq!(about.header("access-control-allow-origin"), "*");
    assert!(
        about.header("set-cookie").is_empty(),
        "the open API sets no cookies"
    );
}

#[tokio::test]
async fn a_malformed_parameter_gets_400_naming_it() {
    let (_app, mut c) = small_directory().await;
    let cases = [
        ("services?page=0", "page"),
        ("services?page=two", "page"),
        ("services?per_page=5000", "per_page"),
        ("services?per_page=-1", "per_page"),
        ("services?minimum_age=old", "minimum_age"),
        ("services?maximum_age=-3", "maximum_age"),
        ("services?day=Funday", "day"),
        ("services?start_time=25:00", "start_time"),
        ("services?end_time=noon", "end_time"),
        ("services?start_time=14:00&end_time=09:00", "end_time"),
        ("services?page=1&page=2", "page"),
        ("services?taxonomy_term_id=", "taxonomy_term_id"),
        (
            "service_at_locations?postcode=NOT%20A%20POSTCODE",
            "postcode",
        ),
        ("service_at_locations?postcode=SW1A%201AA", "postcode"),
        (
            "service_at_locations?postcode=LE1%201AA&proximity=far",
            "proximity",
        ),
        (
            "service_at_locations?postcode=LE1%201AA&proximity=0",
            "proximity",
        ),
        ("service_at_locations?proximity=500", "proximity"),
        ("taxonomy_terms?per_page=0", "per_page"),
    ];
    for (q, field) in cases {
        let r = c.get(&format!("/api/openreferral/{q}")).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        let e = r.json();
        assert_eq!(e["error"]["code"], "invalid_input", "{q}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{q}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(field),
            "{q}: {e}"
        );
    }
}

#[tokio::test]
async fn archived_entries_leave_the_open_api_at_once() {
    let (app, mut c) = small_directory().await;
    let id = app
        .user(
            "comm",
            "Com Missioner",
            everychild_domain::Role::Commissioner,
        )
        .await;
    let actor = everychild_policy::Actor {
        user_id: id,
        username: "comm".into(),
        display_name: "Com Missioner".into(),
        role: everychild_domain::Role::Commissioner,
        organisation_id: app.org("Test Council").await,
        organisation_name: "Test Council".into(),
        agency_type: everychild_domain::AgencyType::SocialCare,
        localities: vec![],
        totp_enabled: false,
        must_change_password: false,
        token: None,
    };
    let p = authorize(&Principal::User(actor), Target::None, None).unwrap();
    app.store
        .move_directory_entry(
            &p,
            &uuid(2),
            1,
            everychild_domain::directory::EntryCommand::Archive,
            Some("Closed"),
        )
        .await
        .unwrap();
    assert_eq!(
        c.get(&format!("/api/openreferral/services/{}", uuid(2)))
            .await
            .status,
        404
    );
    assert!(!names(&mut c, "")
        .await
        .contains(&"Bravo Youth Club".to_owned()));
    // The other four are still there.
    assert_eq!(names(&mut c, "").await.len(), 4);
}

/// The compiled schema of the profile, read from the shared data.
fn schema(name: &str) -> jsonschema::Validator {
    let path = data_dir()
        .join("openreferral/oruk-3.0-uk-profile/schema/compiled")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn check(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

fn check_page(j: &Value, what: &str) {
    for k in ["total_items", "total_pages", "page_number", "size"] {
        assert!(j[k].is_u64(), "{what}: {k} in {j}");
    }
    for k in ["first_page", "last_page", "empty"] {
        assert!(j[k].is_boolean(), "{what}: {k}");
    }
    assert_eq!(
        j["size"].as_u64().unwrap() as usize,
        j["contents"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn every_answer_over_the_demo_directory_validates_against_the_profiles_schemas() {
    let (_app, _) = TestApp::spawn_demo().await;
    let mut c = _app.client();
    let full = schema("service.json");
    let list = schema("service_list.json");
    let sal_list = schema("service_at_location_list.json");
    let j = c
        .get("/api/openreferral/services?per_page=1000")
        .await
        .json();
    check_page(&j, "services");
    let items = j["contents"].as_array().unwrap();
    assert!(items.len() >= 300, "the demo has {} services", items.len());
    let mut ids = BTreeSet::new();
    for item in items {
        check(&list, item, "a /services item");
        ids.insert(item["id"].as_str().unwrap().to_owned());
    }
    for id in ids.iter().step_by(7) {
        let s = c
            .get(&format!("/api/openreferral/services/{id}"))
            .await
            .json();
        check(&full, &s, &format!("/services/{id}"));
    }
    let j = c.get("/api/openreferral/service_at_locations?postcode=LE1%201AA&proximity=3000&minimum_age=0&per_page=200").await.json();
    check_page(&j, "service_at_locations");
    assert!(!j["contents"].as_array().unwrap().is_empty());
    for item in j["contents"].as_array().unwrap() {
        check(&sal_list, item, "a /service_at_locations item");
    }
    let terms = c
        .get("/api/openreferral/taxonomy_terms?per_page=100")
        .await
        .json();
    check_page(&terms, "taxonomy_terms");
    assert!(terms["total_items"].as_u64().unwrap() >= 20);
}
