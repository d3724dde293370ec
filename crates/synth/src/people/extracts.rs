//! Agency extracts of a population (health, schools, social care, police), each with its own
//! coverage, fields and stated error rates, and the deduplication benchmark file. Every row
//! keeps its true person id for evaluation.

use super::corrupt::{corrupt, Rates, Row};
use super::{default_population, generate, Person};
use crate::stream;
use rand::Rng;
use time::Date;

/// An agency that sends extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Agency {
    /// Community health (child health records): nearly every child, with NHS numbers.
    Health,
    /// Schools: pupils aged 4 to 18, with UPNs and no NHS number.
    School,
    /// Children's social care: a few children, NHS number often missing.
    SocialCare,
    /// Police: few children, no identifiers, the most errors.
    Police,
}

impl Agency {
    /// A short name used in record ids.
    pub fn code(self) -> &'static str {
        match self {
            Agency::Health => "HLT",
            Agency::School => "SCH",
            Agency::SocialCare => "CSC",
            Agency::Police => "POL",
        }
    }
}

/// What one agency's extract holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractSpec {
    /// The agency.
    pub agency: Agency,
    /// Share of the eligible people in the extract.
    pub coverage: f64,
    /// Youngest age included (at the reference date).
    pub min_age: u8,
    /// Oldest age included.
    pub max_age: u8,
    /// Whether the extract carries NHS numbers (else always missing).
    pub nhs_number: bool,
    /// Whether it carries UPNs.
    pub upn: bool,
    /// Error rates.
    pub rates: Rates,
}

impl ExtractSpec {
    /// Our stated defaults for an agency. The rates are our own estimates of plausible data
    /// quality (health records the cleanest, police the least), not measured figures.
    pub fn default_for(agency: Agency) -> Self {
        let base = Rates::NONE;
        match agency {
            Agency::Health => Self {
                agency,
                coverage: 0.98,
                min_age: 0,
                max_age: 19,
                nhs_number: true,
                upn: false,
                rates: Rates {
                    given_typo: 0.02,
                    family_typo: 0.02,
                    nickname: 0.03,
                    variant: 0.10,
                    dob_swap: 0.005,
                    dob_typo: 0.005,
                    missing_dob: 0.002,
                    missing_postcode: 0.01,
                    missing_nhs: 0.02,
                    moved: 0.08,
                    name_swap: 0.005,
                    surname_change: 0.02,
                },
            },
            Agency::School => Self {
                agency,
                coverage: 0.95,
                min_age: 4,
                max_age: 18,
                nhs_number: false,
                upn: true,
                rates: Rates {
                    given_typo: 0.02,
                    family_typo: 0.02,
                    nickname: 0.08,
                    variant: 0.10,
                    dob_swap: 0.01,
                    dob_typo: 0.005,
                    missing_postcode: 0.01,
                    moved: 0.10,
                    name_swap: 0.005,
                    surname_change: 0.03,
                    ..base
                },
            },
            Agency::SocialCare => Self {
                agency,
                coverage: 0.04,
                min_age: 0,
                max_age: 19,
                nhs_number: true,
                upn: false,
                rates: Rates {
                    given_typo: 0.04,
                    family_typo: 0.04,
                    nickname: 0.05,
                    variant: 0.15,
                    dob_swap: 0.02,
                    dob_typo: 0.01,
                    missing_dob: 0.03,
                    missing_postcode: 0.05,
                    missing_nhs: 0.40,
                    moved: 0.15,
                    name_swap: 0.01,
                    surname_change: 0.04,
                },
            },
            Agency::Police => Self {
                agency,
                coverage: 0.03,
                min_age: 8,
                max_age: 19,
                nhs_number: false,
                upn: false,
                rates: Rates {
                    given_typo: 0.06,
                    family_typo: 0.06,
                    nickname: 0.10,
                    variant: 0.20,
                    dob_swap: 0.03,
                    dob_typo: 0.02,
                    missing_dob: 0.05,
                    missing_postcode: 0.10,
                    moved: 0.20,
                    name_swap: 0.02,
                    surname_change: 0.05,
                    ..base
                },
            },
        }
    }
}

fn age_on(dob: Date, reference: Date) -> i32 {
    let mut a = reference.year() - dob.year();
    if (reference.month(), reference.day()) < (dob.month(), dob.day()) {
        a -= 1;
    }
    a
}

/// The extract of one agency from a population, in population order. Record ids are
/// `<agency code>-<number>`.
pub fn extract(seed: u64, people: &[Person], spec: &ExtractSpec, reference: Date) -> Vec<Row> {
    let mut rng = stream(seed, &format!("extract-{}", spec.agency.code()));
    let postcodes: Vec<String> = people.iter().map(|p| p.postcode.clone()).collect();
    let families: Vec<&str> = people.iter().map(|p| p.family.as_str()).collect();
    let mut out = Vec::new();
    for p in people {
        let age = age_on(p.dob, reference);
        if age < i32::from(spec.min_age) || age > i32::from(spec.max_age) {
            continue;
        }
        if !rng.gen_bool(spec.coverage.clamp(0.0, 1.0)) {
            continue;
        }
        let id = format!("{}-{:07}", spec.agency.code(), out.len() + 1);
        let mut row = corrupt(&mut rng, p, id, &spec.rates, &postcodes, &families);
        if !spec.nhs_number {
            row.nhs_number = None;
        }
        if !spec.upn {
            row.upn = None;
        }
        out.push(row);
    }
    out
}

/// The deduplication benchmark: `count` records of fictitious children, where each person has
/// one clean record and, with probability `duplicates`, one to four more records carrying
/// errors at [`Rates::BENCHMARK`]. Returns the rows in a shuffled order.
pub fn benchmark(seed: u64, count: usize, duplicates: f64) -> Vec<Row> {
    let (rows, postcodes) = default_population(seed, u32::try_from(count).unwrap_or(u32::MAX));
    let reference = Date::from_calendar_date(2025, time::Month::August, 31).unwrap_or(Date::MIN);
    let people = generate(seed, &rows, &postcodes, reference).unwrap_or_default();
    let all_pcs: Vec<String> = people.iter().map(|p| p.postcode.clone()).collect();
    let families: Vec<&str> = people.iter().map(|p| p.family.as_str()).collect();
    let mut rng = stream(seed, "benchmark");
    let mut out = Vec::with_capacity(count);
    for p in &people {
        if out.len() >= count {
            break;
        }
        out.push(Row::of(p, format!("R{:08}", out.len() + 1)));
        if rng.gen_bool(duplicates.clamp(0.0, 1.0)) {
            let mut extra = 1;
            while extra < 4 && rng.gen_bool(0.3) {
                extra += 1;
            }
            for _ in 0..extra {
                if out.len() >= count {
                    break;
                }
                let id = format!("R{:08}", out.len() + 1);
                out.push(corrupt(
                    &mut rng,
                    p,
                    id,
                    &Rates::BENCHMARK,
                    &all_pcs,
                    &families,
                ));
            }
        }
    }
    // Shuffle so that duplicates are not next to their originals (Fisher-Yates).
    for i in (1..out.len()).rev() {
        let j = rng.gen_range(0..=i);
        out.swap(i, j);
    }
    out
}

/// The columns of an extract or benchmark file, in order.
pub const COLUMNS: &[&str] = &[
    "record_id",
    "person_id",
    "given_name",
    "middle_name",
    "family_name",
    "dob",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
];

/// A row's values in [`COLUMNS`] order (empty for missing; dates as `YYYY-MM-DD`).
pub fn fields(r: &Row) -> Vec<String> {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    vec![
        r.record_id.clone(),
        r.person_id.clone(),
        s(&r.given),
        s(&r.middle),
        s(&r.family),
        r.dob
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
            .unwrap_or_default(),
        r.sex.map(|x| x.code().to_owned()).unwrap_or_default(),
        s(&r.postcode),
        s(&r.address),
        s(&r.nhs_number),
        s(&r.upn),
    ]
}
