//! Determinism, valid identifiers, and error rates as stated.

use everychild_domain::{NhsNumber, Upn};
use everychild_synth::people::corrupt::{Error, Rates, ALL};
use everychild_synth::people::extracts::{benchmark, extract, Agency, ExtractSpec};
use everychild_synth::people::{default_population, generate, Person};
use time::{Date, Month};

fn reference() -> Date {
    Date::from_calendar_date(2020, Month::June, 30).unwrap()
}

fn people(seed: u64, n: u32) -> Vec<Person> {
    let (rows, pcs) = default_population(seed, n);
    generate(seed, &rows, &pcs, reference()).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_people_and_extracts() {
    let a = people(11, 3000);
    let b = people(11, 3000);
    let c = people(12, 3000);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let spec = ExtractSpec::default_for(Agency::Health);
    assert_eq!(
        extract(5, &a, &spec, reference()),
        extract(5, &b, &spec, reference())
    );
    assert_eq!(benchmark(3, 2000, 0.3), benchmark(3, 2000, 0.3));
    assert_ne!(benchmark(3, 2000, 0.3), benchmark(4, 2000, 0.3));
}

#[test]
fn identifiers_pass_their_checks_and_ages_match_the_table() {
    let ps = people(1, 4000);
    assert_eq!(ps.len(), 4000);
    for p in &ps {
        assert!(NhsNumber::parse(&p.nhs_number).is_ok(), "{}", p.nhs_number);
        if let Some(u) = &p.upn {
            assert!(Upn::parse(u).is_ok(), "{u}");
        }
        let age = 2020 - p.dob.year() - i32::from((p.dob.month(), p.dob.day()) > (Month::June, 30));
        assert!((0..20).contains(&age), "{:?}", p.dob);
    }
    // Siblings share a household, a family name root and an address.
    let hh = ps
        .iter()
        .filter(|p| ps.iter().filter(|q| q.household == p.household).count() > 1)
        .count();
    assert!(hh > 1000, "siblings: {hh}");
    // Several cultures are present.
    let cultures: std::collections::HashSet<_> = ps.iter().map(|p| p.culture).collect();
    assert!(cultures.len() >= 10);
}

/// For every kind of error: among the rows that could have it, the share that got it is the
/// stated rate, within four standard errors.
fn assert_rates(rows: &[everychild_synth::people::corrupt::Row], rates: &Rates) {
    for e in ALL {
        let eligible = rows.iter().filter(|r| r.eligible.contains(e)).count();
        let applied = rows.iter().filter(|r| r.applied.contains(e)).count();
        let p = rates.of(*e);
        if eligible == 0 {
            assert_eq!(p, 0.0, "{e:?} never eligible");
            continue;
        }
        let got = applied as f64 / eligible as f64;
        let se = (p * (1.0 - p) / eligible as f64).sqrt().max(1e-9);
        assert!(
            (got - p).abs() <= 4.0 * se + 1e-9,
            "{e:?}: stated {p}, got {got} of {eligible}"
        );
    }
}

#[test]
fn agency_extracts_carry_their_stated_error_rates() {
    let ps = people(2, 30_000);
    for agency in [
        Agency::Health,
        Agency::School,
        Agency::SocialCare,
        Agency::Police,
    ] {
        let spec = ExtractSpec::default_for(agency);
        let rows = extract(9, &ps, &spec, reference());
        assert!(!rows.is_empty());
        assert_rates(&rows, &spec.rates);
        // Schools hold no NHS numbers; only schools hold UPNs.
        assert_eq!(rows.iter().any(|r| r.nhs_number.is_some()), spec.nhs_number);
        assert_eq!(rows.iter().any(|r| r.upn.is_some()), spec.upn);
    }
    // Coverage: health holds nearly everyone, social care a few.
    let health = extract(
        9,
        &ps,
        &ExtractSpec::default_for(Agency::Health),
        reference(),
    )
    .len();
    let care = extract(
        9,
        &ps,
        &ExtractSpec::default_for(Agency::SocialCare),
        reference(),
    )
    .len();
    assert!((29_000..=29_800).contains(&health), "{health}");
    assert!((900..=1500).contains(&care), "{care}");
}

#[test]
fn the_benchmark_file_has_duplicates_with_the_stated_rates() {
    let rows = benchmark(21, 40_000, 0.4);
    assert_eq!(rows.len(), 40_000);
    let dups: Vec<_> = rows
        .iter()
        .filter(|r| !r.eligible.is_empty())
        .cloned()
        .collect();
    assert_rates(&dups, &Rates::BENCHMARK);
    // Every duplicate shares its person with a clean original.
    let originals: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| r.eligible.is_empty())
        .map(|r| r.person_id.as_str())
        .collect();
    assert!(dups
        .iter()
        .all(|r| originals.contains(r.person_id.as_str())));
    let share = dups.len() as f64 / rows.len() as f64;
    assert!((0.25..0.45).contains(&share), "{share}");
    // A nickname row's given name differs from the person's; errors are visible in the data.
    assert!(dups.iter().any(|r| r.applied.contains(&Error::Nickname)));
}
