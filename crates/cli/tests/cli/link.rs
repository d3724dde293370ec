//! `everychild link` and `everychild synth people`: exact counts, bad input named.

use super::{everychild, out};
use std::process::Output;

const KIDS: &str = "id,person,first_name,surname,dob,postcode
a1,1,Mohammed,Khan,2014-03-07,LE2 7AB
a2,1,Muhammad,Khan,2014-07-03,LE2 7AB
a3,1,Mohamed,Khan,07/03/2014,LE4 1QT
b1,2,Amelia,Nowak,2015-11-30,LE3 9NA
b2,2,Nowak,Amelia,2015-11-30,LE3 9NA
c1,3,Priya,Patel,2012-01-15,LE5 5ZN
d1,4,Riya,Patel,2016-05-02,LE5 5ZN
e1,5,Tendai,Moyo,2011-09-09,LE1 1AA
f1,6,Oliver,Smith,2013-02-11,LE2 1QT
f2,6,Ollie,Smith,2013-02-11,LE2 1QT
";

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", out(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

#[test]
fn link_dedupe_reports_exact_counts() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "kids.csv", KIDS);
    let fields = [
        "--field",
        "given_name=first_name",
        "--field",
        "family_name=surname",
        "--field",
        "dob=dob",
        "--field",
        "postcode=postcode",
    ];
    let mut args = vec![
        "link", "dedupe", &f, "--id", "id", "--truth", "person", "--json",
    ];
    args.extend(fields);
    let v = json(&everychild(&args, None));
    assert_eq!(v["records"], 10);
    // Person 1 has three records (three pairs), persons 2 and 6 two each.
    assert_eq!(v["true_pairs"], 5);
    // The names rule (variants, either order) reaches all five; the family-name rule adds
    // Priya and Riya Patel.
    assert_eq!(v["candidate_pairs"], 6);
    assert_eq!(v["blocking_recall"], 1.0);
    assert_eq!(v["blocking"][0]["pairs"], 5);
    assert_eq!(v["blocking"][0]["true_pairs"], 5);
    let (p, r, f1) = (
        v["precision"].as_f64().unwrap(),
        v["recall"].as_f64().unwrap(),
        v["f1"].as_f64().unwrap(),
    );
    assert!((f1 - 2.0 * p * r / (p + r)).abs() < 1e-9);
    assert!(v["best_f1"].as_f64().unwrap() >= f1);
    assert!(v["wall_s"].as_f64().unwrap() >= 0.0);

    // The readable report names the rules and the trained m and u of each level.
    let mut args = vec!["link", "dedupe", &f, "--id", "id", "--truth", "person"];
    args.extend(fields);
    let o = everychild(&args, None);
    let text = out(&o);
    assert!(o.status.success(), "{text}");
    for want in [
        "given_name + family_name (variants, either order)",
        "nickname or transliteration",
        "day and month swapped",
        "precision",
        "best F1",
    ] {
        assert!(text.contains(want), "report lacks {want:?}: {text}");
    }
    // Without --field, columns named after roles are used (first_name, surname, dob, postcode).
    let v = json(&everychild(
        &[
            "link", "dedupe", &f, "--id", "id", "--truth", "person", "--json",
        ],
        None,
    ));
    assert_eq!(v["candidate_pairs"], 6);
}

#[test]
fn link_pair_links_across_two_files_one_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.csv", "id,person,first_name,surname,dob\nx1,1,Jakub,Nowak,2010-04-02\nx2,2,Aisha,Begum,2011-06-19\nx3,3,Harry,Wright,2012-12-01\n");
    let b = write(&dir, "b.csv", "id,person,first_name,surname,dob\ny1,2,Ayesha,Begum,2011-06-19\ny2,1,Jakub,Nowak,2010-02-04\ny3,4,Harriet,Wright,2012-12-01\n");
    let pairs = dir.path().join("pairs.csv");
    let p = pairs.to_string_lossy().into_owned();
    let v = json(&everychild(
        &[
            "link", "pair", &a, &b, "--id", "id", "--truth", "person", "--json", "--pairs", &p,
        ],
        None,
    ));
    assert_eq!(v["records"], 6);
    assert_eq!(v["true_pairs"], 2);
    // Jakub Nowak, Aisha/Ayesha Begum (by name), Harry/Harriet Wright (same date of birth).
    assert_eq!(v["candidate_pairs"], 3);
    assert_eq!(v["blocking_recall"], 1.0);
    // Every written link crosses the two files, and no record is linked twice.
    let text = std::fs::read_to_string(&pairs).unwrap();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        assert_ne!(cols[0].chars().next(), cols[1].chars().next(), "{line}");
        assert!(
            seen.insert(cols[0].to_owned()) && seen.insert(cols[1].to_owned()),
            "{line}"
        );
    }
}

#[test]
fn link_refuses_bad_input_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "kids.csv", KIDS);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "id",
                "--field",
                "given_name=forename",
            ],
            "no column named \"forename\"",
        ),
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "ident",
                "--field",
                "given_name=first_name",
            ],
            "no column named \"ident\"",
        ),
        (
            vec![
                "link", "dedupe", &f, "--id", "id", "--truth", "cluster", "--field", "dob=dob",
            ],
            "no column named \"cluster\"",
        ),
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "id",
                "--field",
                "shoe_size=dob",
            ],
            "unknown role \"shoe_size\"",
        ),
        (
            vec!["link", "dedupe", &f, "--id", "id", "--field", "dob"],
            "is not ROLE=COL",
        ),
        (
            vec![
                "link",
                "dedupe",
                &f,
                "--id",
                "id",
                "--field",
                "dob=dob",
                "--field",
                "dob=postcode",
            ],
            "the role dob is given more than once",
        ),
        (
            vec!["link", "dedupe", "/nonexistent/x.csv", "--id", "id"],
            "could not read /nonexistent/x.csv",
        ),
    ];
    for (args, want) in cases {
        let o = everychild(&args, None);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(
            out(&o).contains(want),
            "{args:?}: wanted {want:?} in {}",
            out(&o)
        );
    }
    let empty = write(&dir, "noid.csv", "id,first_name\n,Ann\n");
    let o = everychild(
        &[
            "link",
            "dedupe",
            &empty,
            "--id",
            "id",
            "--field",
            "given_name=first_name",
        ],
        None,
    );
    assert!(
        out(&o).contains("row 2 has no value in the id column"),
        "{}",
        out(&o)
    );
}

#[test]
fn synth_people_writes_a_benchmark_file_with_truth() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("people.csv");
    let path = p.to_string_lossy().into_owned();
    let o = everychild(
        &[
            "synth",
            "people",
            "--count",
            "500",
            "--seed",
            "4",
            "--out",
            &path,
            "--duplicates",
            "0.3",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("record_id,person_id,given_name,middle_name,family_name,dob,sex,postcode,address,nhs_number,upn"));
    assert_eq!(lines.count(), 500);
    // The same seed writes the same file.
    let q = dir.path().join("again.csv");
    let again = q.to_string_lossy().into_owned();
    everychild(
        &[
            "synth",
            "people",
            "--count",
            "500",
            "--seed",
            "4",
            "--out",
            &again,
            "--duplicates",
            "0.3",
        ],
        None,
    );
    assert_eq!(std::fs::read_to_string(&q).unwrap(), text);
    // And the linkage engine finds its duplicates.
    let v = json(&everychild(
        &[
            "link",
            "dedupe",
            &path,
            "--id",
            "record_id",
            "--truth",
            "person_id",
            "--json",
            "--field",
            "given_name=given_name",
            "--field",
            "family_name=family_name",
            "--field",
            "dob=dob",
            "--field",
            "postcode=postcode",
            "--field",
            "nhs_number=nhs_number",
        ],
        None,
    ));
    assert!(v["true_pairs"].as_u64().unwrap() > 50);
    assert!(v["f1"].as_f64().unwrap() > 0.8, "{v}");
    let o = everychild(
        &[
            "synth",
            "people",
            "--count",
            "5",
            "--out",
            &path,
            "--duplicates",
            "2",
        ],
        None,
    );
    assert!(out(&o).contains("--duplicates must be between 0 and 1"));
}
