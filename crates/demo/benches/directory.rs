//! In-process benchmark of the directory search behind `/api/openreferral/service_at_locations`
//! (run with `cargo bench -p everychild-demo --bench directory`; see bench/README.md).
//!
//! Builds the demo with a directory of `SERVICES` services (default 10,000) in an in-memory
//! SQLite database, loads the search index as the server does (and times that), then runs the
//! benchmark's query mix — 12 real Leicester postcodes × 6 categories × 3 age ranges, within
//! 3 km — `ROUNDS` times (default 50), timing each query from the raw postcode to a serialised
//! first page of 50 (postcode lookup, filters, distances, ordering, paging, JSON). Reports p50,
//! p99 and max; the HTTP benchmark (bench/directory.sh) adds the server around it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use everychild_domain::clock::FixedClock;
use everychild_domain::directory::search::{list_item, Near, Page, Query};
use everychild_policy::{authorize, Principal, Target};
use everychild_store::{DirectoryRepo, GeoRepo, PoolSettings, SqlStore};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

const POSTCODES: &[&str] = &[
    "LE2 8TJ", "LE3 1QG", "LE2 1DF", "LE5 6RD", "LE3 9TE", "LE4 5FF", "LE2 3WB", "LE2 0GR",
    "LE1 6WP", "LE1 2ND", "LE4 0DE", "LE4 9JR",
];
const TERMS: &[&str] = &[
    "9c45e5c5-d256-4144-975a-a89911cbf4e9",
    "f052a809-5ad9-4d76-a5db-e33d86bfff55",
    "44efddcd-f725-46c6-9587-192eced6ac5c",
    "7c1094e0-c921-440d-96f9-bf342215d0ad",
    "30ff67fc-1090-414e-9c2b-92e17369f3cf",
    "59538963-a155-4bcd-84f3-fafead6bb1aa",
];
const AGES: &[(Option<f64>, Option<f64>)] = &[
    (Some(0.0), Some(5.0)),
    (Some(0.0), Some(19.0)),
    (Some(5.0), None),
];

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/geo");
    let data = std::env::var_os("EVERYCHILD_DATA")
        .map_or(data, |d| std::path::PathBuf::from(d).join("geo"));
    let geo = everychild_formats::geo::read_dir(&data).expect("read the geography");
    let services = env("SERVICES", 10_000);
    let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
    let store = SqlStore::connect("sqlite::memory:", &PoolSettings::default(), clock)
        .await
        .expect("database");
    store.migrate().await.expect("migrate");
    let t = Instant::now();
    everychild_demo::build(
        &store,
        &geo,
        &everychild_demo::Options {
            seed: 2008,
            population: 0.0,
            directory: services,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g".into(),
            progress: Default::default(),
            },
    )
    .await
    .expect("demo");
    println!(
        "demo with {services} services built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let view = authorize(&Principal::Anonymous, Target::None, None).unwrap();
    let t = Instant::now();
    let index = store.directory_index(&view).await.expect("index");
    println!(
        "search index of {} published services loaded in {:.0} ms",
        index.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let lookup = authorize(&Principal::Anonymous, Target::None, None).unwrap();
    let places = store.geo_index(&lookup).await.expect("postcodes");
    let mut times = Vec::new();
    let mut query_times = Vec::new();
    let mut found = 0usize;
    let mut bytes = 0usize;
    for _ in 0..env("ROUNDS", 50) {
        for pc in POSTCODES {
            for term in TERMS {
                for (min, max) in AGES {
                    let t = Instant::now();
                    let a = places.lookup(pc, None).expect("a Leicester postcode");
                    let q = Query {
                        taxonomy_term_id: Some((*term).to_owned()),
                        minimum_age: *min,
                        maximum_age: *max,
                        near: Some(Near {
                            at: a.lat_lon().expect("a position"),
                            locality: a.locality.map(|l| l.0),
                            within: Some(3000.0),
                        }),
                        ..Query::default()
                    };
                    let t1 = Instant::now();
                    let hits = index.service_at_locations(&q);
                    query_times.push(t1.elapsed());
                    found += hits.len();
                    let page =
                        Page::of(hits.into_iter(), 1, 50).map(|h| list_item(&h.entry.service));
                    let body = serde_json::to_vec(&page).expect("json");
                    bytes += std::hint::black_box(body.len());
                    times.push(t.elapsed());
                }
            }
        }
    }
    times.sort();
    query_times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "the index query alone: p50 {:.0} µs, p99 {:.0} µs",
        us(pct(&query_times, 0.5)),
        us(pct(&query_times, 0.99))
    );
    println!(
        "service_at_locations (postcode + 3 km + age + category, first page as JSON): {} queries, {:.1} hits and {:.0} bytes each on average; p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        times.len(),
        found as f64 / times.len() as f64,
        bytes as f64 / times.len() as f64,
        us(pct(&times, 0.5)),
        us(pct(&times, 0.99)),
        us(times[times.len() - 1]),
    );
}
