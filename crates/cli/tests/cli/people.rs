//! `everychild import people`: an agency's extract linked, refused row by row, and re-imported
//! without change.

use super::{everychild, out};
use everychild_testkit::TestDb;

#[tokio::test]
async fn agency_extracts_are_linked_refused_row_by_row_and_reimported_without_change() {
    let db = TestDb::new().await;
    let url = db.url.as_str();
    let o = everychild(
        &["demo", "--no-serve", "--database", url, "--population", "0"],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let dir = tempfile::tempdir().unwrap();
    let health = dir.path().join("health.csv");
    std::fs::write(
        &health,
        "NHS_ID,FORENAME,SURNAME,DOB,GENDER,NHS_NO,POSTCODE,ADDRESS\n\
         H1,Muhammad,Khan,2014-03-07,M,943 476 5919,LE3 0SG,12 Larch Avenue\n\
         H2,Amelia,Nowak,2015-11-30,F,,LE1 1AA,3 Elm Close\n\
         H3,Oliver,Smith,2013-02-02,M,,LE2 7AB,9 Mill Lane\n\
         H4,Bad,Number,2012-05-05,M,943 476 5918,LE4 1AA,1 Other Road\n",
    )
    .unwrap();
    let map = "source_id=NHS_ID,given_name=FORENAME,family_name=SURNAME,date_of_birth=DOB,sex=GENDER,nhs_number=NHS_NO,postcode=POSTCODE,address=ADDRESS";
    let agency = "City Community Health Services (NHS)";
    let run = |file: &std::path::Path, map: &str, extra: &[&str]| {
        let mut args = vec![
            "import",
            "people",
            agency,
            file.to_str().unwrap(),
            "--map",
            map,
            "--database",
            url,
        ];
        args.extend_from_slice(extra);
        everychild(&args, None)
    };
    let o = run(&health, map, &[]);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("line 5 (H4): NHS number"), "{text}");
    assert!(text.contains("4 rows read, 1 refused; 0 unchanged, 0 changed, 0 linked to a known child, 3 new children"), "{text}");
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM persons").await, 3);
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM involvements WHERE basis = 'agency_extract'")
            .await,
        3
    );
    // Kept unverified when asked.
    let o = run(&health, map, &["--bad-nhs-number", "keep-unverified"]);
    assert!(out(&o).contains("3 unchanged, 0 changed"), "{}", out(&o));
    assert_eq!(
        db.raw_text("SELECT nhs_number_status FROM persons WHERE given_name = 'Bad'")
            .await,
        "unverified"
    );
    // The same file again changes nothing at all.
    let before = db.raw_i64("SELECT COUNT(*) FROM audit_events").await;
    let o = run(&health, map, &["--bad-nhs-number", "keep-unverified"]);
    assert!(
        out(&o).contains("4 unchanged, 0 changed, 0 linked"),
        "{}",
        out(&o)
    );
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM persons").await, 4);
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM audit_events").await,
        before + 1,
        "only the import's own event"
    );

    // A school's extract: the same children are linked to them, or queued for review when the
    // engine is unsure (another spelling, another birth date, another postcode).
    let school = dir.path().join("school.csv");
    std::fs::write(
        &school,
        "UPN,NAME,BORN,PC\n\
         A123456789012,Mohammed Khan,07/09/2013,LE5 3AA\n\
         B123456789012,Amelia Nowak,30/11/2015,LE1 1AA\n\
         C123456789012,Zainab Ali,2016-06-06,LE4 6BB\n\
         D123456789012,Noah Smith,2013-02-02,LE2 7AB\n",
    )
    .unwrap();
    let o = everychild(
        &[
            "import",
            "people",
            "Leicester City Council Education Services",
            school.to_str().unwrap(),
            "--map",
            "source_id=UPN,upn=UPN,full_name=NAME,date_of_birth=BORN,postcode=PC",
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("1 linked to a known child, 1 new children, 2 queued for review"),
        "{text}"
    );
    let linked = db.raw_i64("SELECT COUNT(*) FROM agency_records a JOIN organisations o ON o.id = a.organisation_id WHERE o.name LIKE '%Education%' AND a.status <> 'new'").await;
    assert_eq!(
        linked, 3,
        "Khan, Nowak and Noah are linked or queued for review: {text}"
    );
    let zainab = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'C123456789012'")
        .await;
    assert_eq!(zainab, "new");
    let nowak = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'B123456789012'")
        .await;
    assert_eq!(nowak, "linked", "the same name, birth date and postcode");
    let khan = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'A123456789012'")
        .await;
    assert_eq!(khan, "review");
    // Oliver's twin brother shares his birth date and address but not his name: never linked
    // to him without a person deciding.
    let twin = db
        .raw_text("SELECT status FROM agency_records WHERE source_id = 'D123456789012'")
        .await;
    assert_eq!(twin, "review");

    // Bad mappings and files are refused, naming the problem, and change nothing.
    let o = run(&health, "source_id=NHS_ID,nickname=NICK", &[]);
    assert!(!o.status.success());
    assert!(
        out(&o).contains("unknown field \"nickname\"") && out(&o).contains("date_of_birth"),
        "{}",
        out(&o)
    );
    let o = run(
        &health,
        "source_id=ID,family_name=SURNAME,date_of_birth=DOB",
        &[],
    );
    assert!(!o.status.success());
    assert!(out(&o).contains("lacks the column(s) ID"), "{}", out(&o));
    let o = everychild(
        &[
            "import",
            "people",
            "No Such Agency",
            health.to_str().unwrap(),
            "--map",
            map,
            "--database",
            url,
        ],
        None,
    );
    assert!(
        out(&o).contains("there is no organisation called"),
        "{}",
        out(&o)
    );
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM persons").await, 5);
}
