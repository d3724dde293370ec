//! Reading the real geography folder (`../shared/data/geo` beside the repository), and what a
//! damaged copy of it is told.

use super::*;
use everychild_domain::geo::AreaCode;
use std::collections::BTreeMap;

fn real_dir() -> PathBuf {
    match std::env::var_os("EVERYCHILD_DATA") {
        Some(d) => PathBuf::from(d).join("geo"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/geo"),
    }
}

fn count_by<T>(items: &[T], key: impl Fn(&T) -> String) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for i in items {
        *m.entry(key(i)).or_insert(0) += 1;
    }
    m
}

#[test]
fn the_real_files_give_the_published_counts_for_both_authorities() {
    let d = read_dir(&real_dir()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<_> = d
        .authorities
        .iter()
        .map(|a| (a.code.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![("E06000016", "Leicester"), ("E06000031", "Peterborough")]
    );
    let wards = count_by(&d.wards, |w| w.authority.to_string());
    assert_eq!(wards.get("E06000016"), Some(&21));
    assert_eq!(wards.get("E06000031"), Some(&22));
    assert!(
        d.wards.iter().all(|w| w.geometry.is_some()),
        "every ward has a boundary"
    );
    let lsoa = count_by(&d.lsoas, |l| format!("{} {}", l.authority, l.vintage));
    assert_eq!(lsoa.get("E06000016 2011"), Some(&192));
    assert_eq!(lsoa.get("E06000031 2011"), Some(&112));
    assert_eq!(lsoa.get("E06000016 2021"), Some(&200));
    assert_eq!(lsoa.get("E06000031 2021"), Some(&121));
    assert!(d
        .lsoas
        .iter()
        .all(|l| l.geometry.is_some() && l.centroid.is_some()));
    assert_eq!(d.deprivation.len(), 304);
    assert_eq!(d.population.len(), 304);
    assert_eq!(d.postcodes.len(), 16_714);
    let live = d
        .postcodes
        .iter()
        .filter(|p| p.entry.terminated.is_none())
        .count();
    assert_eq!(live, 10_351);
    assert_eq!(d.schools.len(), 227);
}

#[test]
fn population_totals_match_the_readme() {
    let d = read_dir(&real_dir()).unwrap_or_else(|e| panic!("{e}"));
    let authority_of: BTreeMap<_, _> = d
        .lsoas
        .iter()
        .filter(|l| l.vintage == 2011)
        .map(|l| (l.code.clone(), l.authority.to_string()))
        .collect();
    let mut all: BTreeMap<String, u64> = BTreeMap::new();
    let mut young: BTreeMap<String, u64> = BTreeMap::new();
    for p in &d.population {
        let la = authority_of.get(&p.lsoa11).cloned().unwrap_or_default();
        for a in &p.ages {
            *all.entry(la.clone()).or_default() += u64::from(a.persons);
            if a.age <= 19 {
                *young.entry(la.clone()).or_default() += u64::from(a.persons);
            }
        }
    }
    // data/geo/README.md: LA totals 354,036 and 202,626; aged 0-19, 95,539 and 56,268.
    assert_eq!(all.get("E06000016"), Some(&354_036));
    assert_eq!(all.get("E06000031"), Some(&202_626));
    assert_eq!(young.get("E06000016"), Some(&95_539));
    assert_eq!(young.get("E06000031"), Some(&56_268));
}

#[test]
fn postcodes_keep_the_ons_lsoa_and_terminated_ones_are_marked() {
    let d = read_dir(&real_dir()).unwrap_or_else(|e| panic!("{e}"));
    let by_pc: BTreeMap<_, _> = d
        .postcodes
        .iter()
        .map(|p| (p.entry.postcode.as_str(), p))
        .collect();
    let cb1 = by_pc
        .get("CB1 0AR")
        .unwrap_or_else(|| panic!("CB1 0AR missing"));
    assert_eq!(cb1.entry.terminated.as_deref(), Some("201410"));
    assert_eq!(
        cb1.entry.lsoa11.as_ref().map(AreaCode::as_str),
        Some("E01015686")
    );
    let le1 = by_pc
        .get("LE1 1AA")
        .unwrap_or_else(|| panic!("LE1 1AA missing"));
    assert_eq!(
        le1.entry.ward.as_ref().map(AreaCode::as_str),
        Some("E05010463")
    );
    assert!(le1.entry.point.is_some());
    let with_ward = d
        .postcodes
        .iter()
        .filter(|p| p.entry.ward.is_some())
        .count();
    assert_eq!(
        with_ward,
        d.postcodes.len(),
        "every postcode has a ward (Code-Point or best fit)"
    );
}

#[test]
fn schools_fall_into_wards_and_the_one_outside_the_city_keeps_its_own_ward() {
    let d = read_dir(&real_dir()).unwrap_or_else(|e| panic!("{e}"));
    let s = d
        .schools
        .iter()
        .find(|s| s.urn.0 == 130_371)
        .unwrap_or_else(|| panic!("130371"));
    assert_eq!(s.ward.as_ref().map(AreaCode::as_str), Some("E05010462"));
    assert!(d.schools.iter().all(|s| s.ward.is_some()));
    let special = d
        .schools
        .iter()
        .filter(|s| s.type_group == "Special schools")
        .count();
    assert_eq!(special, 11);
}

/// A copy of the real folder to damage.
fn copy_of_real() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_tree(&real_dir(), tmp.path());
    tmp
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for e in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

fn replace_in(dir: &Path, rel: &str, from: &str, to: &str) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains(from), "{from} not in {rel}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_malformed_value_is_named_by_file_line_and_column() {
    let tmp = copy_of_real();
    // Line 3 of the population file is LSOA E01013601; its age-5 count becomes text.
    replace_in(
        tmp.path(),
        files::POPULATION,
        "Leicester 003B,E01013601,1642,19,24,20,19,23,30,",
        "Leicester 003B,E01013601,1642,19,24,20,19,23,thirty,",
    );
    let e = read_dir(tmp.path())
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.file, files::POPULATION);
    assert_eq!(e.line, Some(3));
    assert_eq!(e.column.as_deref(), Some("5"));
    assert!(e.message.contains("'thirty'"), "{e}");

    let tmp = copy_of_real();
    replace_in(
        tmp.path(),
        files::POSTCODES_ONS,
        ",CB1 2WP,200502,",
        ",CB1 2W,200502,",
    );
    let e = read_dir(tmp.path())
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(
        (e.file.as_str(), e.line, e.column.as_deref()),
        (files::POSTCODES_ONS, Some(3), Some("pcds"))
    );
}

#[test]
fn a_missing_file_or_folder_is_named() {
    let tmp = copy_of_real();
    std::fs::remove_file(tmp.path().join(files::SCHOOLS)).unwrap_or_else(|e| panic!("{e}"));
    let e = read_dir(tmp.path())
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.file, files::SCHOOLS);
    assert!(read_dir(&tmp.path().join("nowhere")).is_err());
}
