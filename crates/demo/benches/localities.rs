//! In-process benchmark of the locality lookups and the demo build (run with
//! `cargo bench -p everychild-demo --bench localities`; see bench/README.md).
//!
//! 1. Builds the demo authorities from the real data into a fresh in-memory SQLite database,
//!    `RUNS` times (default 5), and reports the median build time (geography import included).
//! 2. Loads the postcode index the way the server does and times one lookup at a time —
//!    parsing the raw text, finding the postcode, its ward, its locality under the current
//!    boundary set and that locality's hubs — over every postcode in the files, in shuffled
//!    order, `ROUNDS` times (default 20). Reports p50, p99, p99.9 and max per lookup; the floor
//!    is p99 ≤ 10 µs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use everychild_domain::clock::FixedClock;
use everychild_domain::geo::AreaCode;
use everychild_policy::{authorize, Principal, Target};
use everychild_store::{GeoRepo, PoolSettings, SqlStore};
use rand::seq::SliceRandom;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn build(geo: &everychild_domain::geo::data::GeographyData) -> SqlStore {
    let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
    let store = SqlStore::connect("sqlite::memory:", &PoolSettings::default(), clock)
        .await
        .expect("database");
    store.migrate().await.expect("migrate");
    everychild_demo::build(
        &store,
        geo,
        &everychild_demo::Options { seed: 2008, population: 0.0, directory: 0, progress: Default::default(), password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g".into() },
    )
    .await
    .expect("demo");
    store
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/geo");
    let data = std::env::var_os("EVERYCHILD_DATA")
        .map_or(data, |d| std::path::PathBuf::from(d).join("geo"));
    let read = Instant::now();
    let geo = everychild_formats::geo::read_dir(&data).expect("read the geography");
    let read = read.elapsed();

    let mut builds = Vec::new();
    let mut store = None;
    for _ in 0..env("RUNS", 5) {
        let t = Instant::now();
        store = Some(build(&geo).await);
        builds.push(t.elapsed());
    }
    builds.sort();
    let store = store.expect("at least one run");
    println!(
        "reading the geography files: {:.0} ms",
        read.as_secs_f64() * 1e3
    );
    println!(
        "demo build (import + localities + hubs + teams + people), {} runs: median {:.2} s, min {:.2} s, max {:.2} s",
        builds.len(),
        pct(&builds, 0.5).as_secs_f64(),
        builds[0].as_secs_f64(),
        builds[builds.len() - 1].as_secs_f64()
    );

    let p = authorize(&Principal::Console, Target::None, None).unwrap();
    let index = store.geo_index(&p).await.expect("index");
    let leicester = AreaCode::parse("E06000016").unwrap();
    let peterborough = AreaCode::parse("E06000031").unwrap();
    // Raw text as people type it: lower case, no space.
    let mut queries: Vec<(String, &AreaCode)> = geo
        .postcodes
        .iter()
        .map(|p| {
            let la = if p.entry.authority == leicester {
                &leicester
            } else {
                &peterborough
            };
            (
                p.entry.postcode.as_str().replace(' ', "").to_lowercase(),
                la,
            )
        })
        .collect();
    let mut rng = everychild_synth::stream(1, "bench");
    let mut times = Vec::with_capacity(queries.len() * 20);
    let mut hubs = 0usize;
    for _ in 0..env("ROUNDS", 20) {
        queries.shuffle(&mut rng);
        for (q, la) in &queries {
            let t = Instant::now();
            let a = index
                .lookup(q, Some(la))
                .expect("every postcode in the files is found");
            hubs += std::hint::black_box(a.hubs.len() + usize::from(a.locality.is_some()));
            times.push(t.elapsed());
        }
    }
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let p99 = pct(&times, 0.99);
    println!(
        "postcode → ward, LSOA, locality and hubs: {} lookups; p50 {:.2} µs, p99 {:.2} µs, p99.9 {:.2} µs, max {:.1} µs ({hubs} answers); floor p99 ≤ 10 µs: {}",
        times.len(),
        us(pct(&times, 0.5)),
        us(p99),
        us(pct(&times, 0.999)),
        us(times[times.len() - 1]),
        if p99 <= Duration::from_micros(10) { "PASS" } else { "BELOW" }
    );
}
