//! The generator driven by the real mid-2020 population of Leicester (ONS small-area estimates,
//! single year of age, by LSOA 2011) and the live postcodes of each LSOA, read at test time from
//! `../shared/data/geo` beside the repository: the children it makes match the real counts by
//! ward and single year of age.

use everychild_synth::people::{generate, PopulationRow};
use std::collections::HashMap;
use std::path::PathBuf;
use time::{Date, Month};

fn geo() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/geo");
    assert!(
        p.is_dir(),
        "the shared data folder is missing: {}",
        p.display()
    );
    p
}

fn read(path: PathBuf) -> csv::Reader<std::fs::File> {
    csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn leicester_children_match_the_mid_2020_population_by_ward_and_age() {
    let geo = geo();
    // LSOA 2011 → ward (ONS best fit), Leicester only.
    let mut ward_of: HashMap<String, String> = HashMap::new();
    let mut r = read(geo.join("lookups/lsoa11_to_ward19_lad19_ons_bestfit.csv"));
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (lsoa, ward, lad) = (col("LSOA11CD"), col("WD19CD"), col("LAD19CD"));
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[lad] == "E06000016" {
            ward_of.insert(rec[lsoa].to_owned(), rec[ward].to_owned());
        }
    }
    assert_eq!(ward_of.len(), 192);
    // Population table: Leicester LSOAs, ages 0 to 19.
    let mut rows = Vec::new();
    let mut r = read(geo.join("population/mid2020_lsoa11_single_year_of_age_persons.csv"));
    let h = r.headers().unwrap().clone();
    let code = h.iter().position(|x| x == "lsoa11_code").unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        if !ward_of.contains_key(&rec[code]) {
            continue;
        }
        for age in 0..20u8 {
            let i = h.iter().position(|x| x == age.to_string()).unwrap();
            rows.push(PopulationRow {
                area: rec[code].to_owned(),
                age,
                count: rec[i].parse().unwrap(),
            });
        }
    }
    // Live postcodes by LSOA.
    let mut postcodes: HashMap<String, Vec<String>> = HashMap::new();
    let mut r = read(geo.join("postcodes/postcode_lsoa11_ward_combined_derived.csv"));
    let h = r.headers().unwrap().clone();
    let (pcd, pl) = (
        h.iter().position(|x| x == "pcds").unwrap(),
        h.iter().position(|x| x == "lsoa11cd").unwrap(),
    );
    for rec in r.records() {
        let rec = rec.unwrap();
        if ward_of.contains_key(&rec[pl]) {
            postcodes
                .entry(rec[pl].to_owned())
                .or_default()
                .push(rec[pcd].to_owned());
        }
    }
    let reference = Date::from_calendar_date(2020, Month::June, 30).unwrap();
    let people = generate(2020, &rows, &postcodes, reference).unwrap();
    // The total of children and young people aged 0-19 (the shared data's README: 95,539).
    assert_eq!(people.len(), 95_539);
    let mut want: HashMap<(String, u8), u32> = HashMap::new();
    for r in &rows {
        *want.entry((ward_of[&r.area].clone(), r.age)).or_default() += r.count;
    }
    let mut got: HashMap<(String, u8), u32> = HashMap::new();
    for p in &people {
        let age = 2020 - p.dob.year() - i32::from((p.dob.month(), p.dob.day()) > (Month::June, 30));
        *got.entry((ward_of[&p.area].clone(), u8::try_from(age).unwrap()))
            .or_default() += 1;
        assert!(
            postcodes[&p.area].contains(&p.postcode),
            "{} not in {}",
            p.postcode,
            p.area
        );
    }
    assert_eq!(got, want);
    // About half the children are from minority ethnic groups.
    let white_british = people
        .iter()
        .filter(|p| p.ethnicity.starts_with("White: English"))
        .count() as f64
        / people.len() as f64;
    assert!((0.40..0.52).contains(&white_british), "{white_british}");
}
