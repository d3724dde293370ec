//! `everychild import geography`: the published counts, an unchanged re-import, and a bad row
//! named by file, line and column with nothing imported.

use super::{everychild, out};
use everychild_testkit::TestDb;

/// The real geography folder beside the repository.
fn geo_dir() -> std::path::PathBuf {
    everychild_testkit::data_dir().join("geo")
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

#[tokio::test]
async fn importing_the_geography_gives_the_published_counts_and_again_changes_nothing() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    let dir = geo_dir();
    let o = everychild(
        &[
            "import",
            "geography",
            dir.to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("postcodes") && text.contains("16714"),
        "{text}"
    );
    let count = |sql: &'static str| db.raw_i64(sql);
    assert_eq!(
        count("SELECT COUNT(*) FROM wards WHERE authority_code = 'E06000016'").await,
        21
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM wards WHERE authority_code = 'E06000031'").await,
        22
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM lsoas WHERE vintage = 2011 AND authority_code = 'E06000016'")
            .await,
        192
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM lsoas WHERE vintage = 2011 AND authority_code = 'E06000031'")
            .await,
        112
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM postcodes WHERE terminated IS NOT NULL").await,
        16_714 - 10_351
    );
    assert_eq!(count("SELECT COUNT(*) FROM schools").await, 227);
    assert_eq!(
        count("SELECT CAST(SUM(persons) AS BIGINT) FROM population WHERE age <= 19").await,
        95_539 + 56_268
    );
    let events = count("SELECT COUNT(*) FROM audit_events WHERE action = 'geography.import'").await;
    assert_eq!(events, 1);

    // The same files again: every row unchanged.
    let o = everychild(
        &[
            "import",
            "geography",
            dir.to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    for line in out(&o).lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(
            (cols[n - 3], cols[n - 2]),
            ("0", "0"),
            "re-import changed {line}"
        );
    }
}

#[tokio::test]
async fn a_malformed_row_names_file_line_and_column_and_nothing_is_imported() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    let good = geo_dir();
    // Import the real files first, then a copy with one changed school and one bad value.
    let o = everychild(
        &[
            "import",
            "geography",
            good.to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&good, tmp.path());
    let schools = tmp
        .path()
        .join("schools/gias_open_establishments_20250524.csv");
    let text = std::fs::read_to_string(&schools).unwrap();
    std::fs::write(
        &schools,
        text.replacen("Catherine Infant School", "Catherine Infants' School", 1),
    )
    .unwrap();
    let scores = tmp
        .path()
        .join("imd2019/iod2019_lsoa11_scores_and_denominators.csv");
    let text = std::fs::read_to_string(&scores).unwrap();
    std::fs::write(
        &scores,
        text.replacen(
            "E01013601,Leicester 003B,46.809,",
            "E01013601,Leicester 003B,forty-six,",
            1,
        ),
    )
    .unwrap();
    let before = db.raw_i64("SELECT COUNT(*) FROM audit_events").await;
    let o = everychild(
        &[
            "import",
            "geography",
            tmp.path().to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(!o.status.success());
    let msg = out(&o);
    assert!(
        msg.contains("imd2019/iod2019_lsoa11_scores_and_denominators.csv, line 3, column IMD_score: 'forty-six' is not a decimal number"),
        "{msg}"
    );
    assert!(msg.contains("nothing was changed"));
    let name = db
        .raw_text("SELECT name FROM schools WHERE urn = 120002")
        .await;
    assert_eq!(
        name, "Catherine Infant School",
        "nothing from the bad folder was written"
    );
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM audit_events").await,
        before
    );

    // With the bad value mended, the changed school is the only change.
    std::fs::write(
        &scores,
        std::fs::read_to_string(good.join("imd2019/iod2019_lsoa11_scores_and_denominators.csv"))
            .unwrap(),
    )
    .unwrap();
    let o = everychild(
        &[
            "import",
            "geography",
            tmp.path().to_str().unwrap(),
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let schools_line = out(&o)
        .lines()
        .find(|l| l.starts_with("schools"))
        .unwrap()
        .to_owned();
    let cols: Vec<&str> = schools_line.split_whitespace().collect();
    assert_eq!(&cols[1..], &["0", "1", "226"], "{schools_line}");
    assert_eq!(
        db.raw_text("SELECT name FROM schools WHERE urn = 120002")
            .await,
        "Catherine Infants' School"
    );
}
