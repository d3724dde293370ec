#![allow(clippy::unwrap_used)]

use super::*;
use everychild_domain::directory::oruk::is_uuid;
use everychild_domain::directory::search::distance_m;
use everychild_domain::directory::ReviewState;
use everychild_domain::directory::{Catchment, Tier};
use everychild_domain::geo::LatLon;
use std::collections::{HashMap, HashSet};

const TODAY: Date = time::macros::date!(2026 - 12 - 02);

/// Eight made-up localities around 52.63,-1.13, three made-up postcodes each.
fn test_places() -> Vec<DirectoryPlace> {
    (0..8)
        .map(|p| {
            let a = f64::from(p) * std::f64::consts::TAU / 8.0;
            let (lat, lon) = (52.63 + 0.02 * a.cos(), -1.13 + 0.03 * a.sin());
            DirectoryPlace {
                locality_id: 100 + i64::from(p),
                locality_name: format!(
                    "Testplace {}",
                    [
                        "North",
                        "North East",
                        "East",
                        "South East",
                        "South",
                        "South West",
                        "West",
                        "North West"
                    ][p as usize]
                ),
                postcodes: (0..3)
                    .map(|i| {
                        let d = f64::from(i) * 0.002;
                        (format!("LE{} {}AA", p + 1, i + 1), lat + d, lon - d)
                    })
                    .collect(),
            }
        })
        .collect()
}

fn make(places: &[DirectoryPlace], services: usize, seed: u64) -> GeneratedDirectory {
    directory(&DirectorySpec {
        authority_name: "Leicester",
        places,
        services,
        seed,
        today: TODAY,
    })
}

fn json(d: &GeneratedDirectory) -> String {
    let entries: Vec<serde_json::Value> = d
        .entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "service": e.service,
                "extras": e.extras,
                "review_by": e.review_by.to_string(),
            })
        })
        .collect();
    serde_json::json!({
        "taxonomies": d.taxonomies,
        "terms": d.terms,
        "organizations": d.organizations,
        "entries": entries,
    })
    .to_string()
}

#[test]
fn every_service_passes_the_checks() {
    let places = test_places();
    for n in [300, 2_000] {
        let d = make(&places, n, 11);
        assert_eq!(d.entries.len(), n);
        for e in &d.entries {
            assert_eq!(e.service.problems(), [], "{}", e.service.name);
            assert_eq!(e.extras.problems(), [], "{}", e.service.name);
            assert_eq!(e.service.status, "active");
            assert!(!e.service.attributes.is_empty() && e.service.attributes.len() <= 2);
            assert!(e.service.service_at_locations.len() <= 3);
            let modified = time::OffsetDateTime::parse(
                e.service.last_modified.as_deref().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            let age = (TODAY - modified.date()).whole_days();
            assert!((0..366).contains(&age), "{age}");
            if e.extras.eligibility.send_to_25 {
                assert!(matches!(e.service.maximum_age, Some(18.0 | 19.0)));
            }
            // Every schedule hangs off this service, and off one of its locations when it has any.
            let sals: HashSet<&str> = e
                .service
                .service_at_locations
                .iter()
                .map(|s| s.id.as_str())
                .collect();
            for s in &e.service.schedules {
                assert_eq!(s.service_id.as_deref(), Some(e.service.id.as_str()));
                assert_eq!(s.freq.as_deref(), Some("WEEKLY"));
                if !sals.is_empty() {
                    assert!(sals.contains(s.service_at_location_id.as_deref().unwrap()));
                }
            }
            let org = e.service.organization.as_ref().unwrap();
            assert_eq!(e.service.organization_id.as_deref(), Some(org.id.as_str()));
            assert!(d.organizations.contains(org));
        }
    }
}

#[test]
fn a_seed_gives_the_same_directory_and_another_seed_a_different_one() {
    let places = test_places();
    let a = json(&make(&places, 300, 5));
    let b = json(&make(&places, 300, 5));
    let c = json(&make(&places, 300, 6));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn every_locality_and_category_has_services() {
    let places = test_places();
    let d = make(&places, 300, 1);
    for p in &places {
        let local: Vec<&DirectoryEntry> = d
            .entries
            .iter()
            .filter(|e| {
                e.extras.catchment.covers(Some(p.locality_id))
                    && e.extras.catchment != Catchment::CityWide
            })
            .collect();
        assert!(local.len() >= 25, "{}: {}", p.locality_name, local.len());
        let cats: HashSet<&str> = local
            .iter()
            .filter_map(|e| e.service.attributes.first()?.taxonomy_term_id.as_deref())
            .collect();
        assert!(
            cats.len() >= 15,
            "{}: {} categories",
            p.locality_name,
            cats.len()
        );
    }
    let used: HashSet<&str> = d
        .entries
        .iter()
        .flat_map(|e| e.service.attributes.iter())
        .filter_map(|a| a.taxonomy_term_id.as_deref())
        .collect();
    for (id, code, _) in categories() {
        assert!(used.contains(id), "{code} unused");
    }
    let city = d
        .entries
        .iter()
        .filter(|e| e.extras.catchment == Catchment::CityWide)
        .count();
    assert!((30..=60).contains(&city), "{city} city-wide");
    let remote = d
        .entries
        .iter()
        .filter(|e| e.service.service_at_locations.is_empty())
        .count();
    assert!(remote <= 20, "{remote} without a location");
    // Each provider runs at least one service, and some run several.
    let mut runs: HashMap<&str, usize> = HashMap::new();
    for e in &d.entries {
        *runs
            .entry(e.service.organization_id.as_deref().unwrap())
            .or_default() += 1;
    }
    assert_eq!(runs.len(), d.organizations.len());
    assert!(runs.values().filter(|&&n| n >= 3).count() >= 10);
}

#[test]
fn ids_are_unique_uuids() {
    let places = test_places();
    let d = make(&places, 2_000, 3);
    let mut seen = HashSet::new();
    let mut add = |id: &str| {
        assert!(is_uuid(id), "{id}");
        assert!(seen.insert(id.to_owned()), "{id} repeats");
    };
    for o in &d.organizations {
        add(&o.id);
    }
    for e in &d.entries {
        let s = &e.service;
        add(&s.id);
        for sal in &s.service_at_locations {
            add(&sal.id);
            let l = sal.location.as_ref().unwrap();
            add(&l.id);
            assert_eq!(sal.location_id.as_deref(), Some(l.id.as_str()));
            for a in &l.addresses {
                add(&a.id);
            }
        }
        for x in &s.schedules {
            add(&x.id);
        }
        for a in &s.attributes {
            add(&a.id);
            assert_eq!(a.link_id.as_deref(), Some(s.id.as_str()));
            assert_eq!(a.link_type.as_deref(), Some("service"));
            let t = a.taxonomy_term.as_ref().unwrap();
            assert_eq!(t.taxonomy_id.as_deref(), Some(TAXONOMY_ID));
        }
        for x in &s.cost_options {
            add(&x.id);
        }
        for x in &s.languages {
            add(&x.id);
        }
        for x in &s.phones {
            add(&x.id);
        }
        if let Some(c) = &e.extras.capacity {
            add(&c.id);
        }
    }
}

#[test]
fn capacity_positions_and_review_dates_are_sensible() {
    let places = test_places();
    let d = make(&places, 2_000, 9);
    let postcodes: HashMap<&str, (i64, f64, f64)> = places
        .iter()
        .flat_map(|p| {
            p.postcodes
                .iter()
                .map(move |(pc, lat, lon)| (pc.as_str(), (p.locality_id, *lat, *lon)))
        })
        .collect();
    let (mut overdue, mut soon) = (0, 0);
    for e in &d.entries {
        if let Some(c) = &e.extras.capacity {
            assert!(c.available >= 0.0 && c.available <= c.maximum.unwrap());
            assert_ne!(e.extras.tier, Some(Tier::Universal));
        }
        for sal in &e.service.service_at_locations {
            let l = sal.location.as_ref().unwrap();
            let pc = l.postcode().unwrap();
            let (locality, lat, lon) = postcodes[pc];
            let at = LatLon {
                latitude: l.latitude.unwrap(),
                longitude: l.longitude.unwrap(),
            };
            let centre = LatLon {
                latitude: lat,
                longitude: lon,
            };
            assert!(distance_m(at, centre) < 500.0, "{}", distance_m(at, centre));
            // A locality service is delivered in its own locality.
            if let Catchment::Localities(ls) = &e.extras.catchment {
                assert_eq!(ls[0], locality);
            }
            assert_eq!(l.addresses[0].city, "Leicester");
            assert_eq!(l.addresses[0].country, "GB");
        }
        match ReviewState::of(e.review_by, TODAY) {
            ReviewState::Overdue => overdue += 1,
            ReviewState::DueSoon => soon += 1,
            ReviewState::Current => {
                let days = (e.review_by - TODAY).whole_days();
                assert!((61..=365).contains(&days));
            }
        }
    }
    assert!((50..=150).contains(&overdue), "{overdue} overdue");
    assert!((50..=150).contains(&soon), "{soon} due soon");
}

#[test]
fn the_categories_are_fixed() {
    let c = categories();
    assert!((20..=25).contains(&c.len()));
    assert_eq!(c.len(), TEMPLATES.len());
    let mut ids = HashSet::new();
    let mut codes = HashSet::new();
    for ((id, code, name), t) in c.iter().zip(TEMPLATES) {
        assert!(is_uuid(id) && ids.insert(*id), "{id}");
        assert!(codes.insert(*code), "{code}");
        assert_eq!(*code, t.code);
        assert!(!name.is_empty());
        for r in t.related {
            assert!(c.iter().any(|x| x.1 == *r), "{r}");
        }
        assert!(t.names.iter().any(|n| !n.contains("{venue}")), "{code}");
    }
    assert!(is_uuid(TAXONOMY_ID) && !ids.contains(TAXONOMY_ID));
    assert_eq!(categories()[0].0, "9c45e5c5-d256-4144-975a-a89911cbf4e9");
    let d = make(&test_places(), 50, 1);
    assert_eq!(d.terms.len(), c.len());
    assert!(d
        .terms
        .iter()
        .all(|t| t.taxonomy_id.as_deref() == Some(TAXONOMY_ID)));
}

#[test]
fn it_scales_and_copes_with_no_places() {
    let places = test_places();
    let d = make(&places, 10_000, 2);
    assert_eq!(d.entries.len(), 10_000);
    let names: HashSet<&str> = d.organizations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names.len(), d.organizations.len());
    let none = make(&[], 20, 2);
    assert_eq!(none.entries.len(), 20);
    for e in &none.entries {
        assert_eq!(e.service.problems(), []);
        assert_eq!(e.extras.catchment, Catchment::CityWide);
    }
}

#[test]
fn telephone_and_online_services_have_fitting_names() {
    for t in TEMPLATES {
        assert_eq!(t.remote_pct > 0, !t.remote_names.is_empty(), "{}", t.code);
    }
    let d = make(&test_places(), 2_000, 4);
    for e in &d.entries {
        if e.service.service_at_locations.is_empty() {
            let t = TEMPLATES
                .iter()
                .zip(categories())
                .find(|(_, c)| Some(c.0) == e.service.attributes[0].taxonomy_term_id.as_deref())
                .unwrap()
                .0;
            assert!(
                t.remote_names.contains(&e.service.name.as_str()),
                "{}",
                e.service.name
            );
            assert_eq!(e.extras.catchment, Catchment::CityWide);
        }
    }
}
