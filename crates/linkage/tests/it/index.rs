//! The incremental index: a stored model scores a new record against known people, with
//! ranked candidates, decisions and per-field explanations.

use everychild_linkage::{
    model_from_json, model_to_json, run, Decision, Index, Options, Record, Role,
};

fn trained_model() -> everychild_linkage::Model {
    let (data, _) = super::children();
    run(&data, None, &Options::default()).unwrap().model
}

fn person(id: &str, g: &str, f: &str, dob: &str, pc: &str) -> Record {
    Record::new(id)
        .with(Role::GivenName, g)
        .with(Role::FamilyName, f)
        .with(Role::Dob, dob)
        .with(Role::Postcode, pc)
}

#[test]
fn a_stored_model_scores_a_new_record_against_the_index() {
    let model = trained_model();
    let json = model_to_json(&model);
    let model = model_from_json(&json).unwrap();
    let mut index = Index::new(model).unwrap();
    index.insert(&person("p1", "Mohammed", "Khan", "2014-03-07", "LE2 7AB"));
    index.insert(&person("p2", "Amelia", "Nowak", "2015-11-30", "LE3 9NA"));
    index.insert(&person("p3", "Priya", "Patel", "2012-01-15", "LE5 5ZN"));
    assert_eq!(index.len(), 3);

    // Transliterated given name, swapped day and month: still p1, ranked first.
    let incoming = person("h1", "Muhammad", "Khan", "2014-07-03", "LE2 7AB");
    let ranked = index.candidates(&incoming, 5);
    assert_eq!(ranked[0].id, "p1");
    let e = &ranked[0].explanation;
    let given = e.fields.iter().find(|f| f.role == Role::GivenName).unwrap();
    assert_eq!(given.label, "nickname or transliteration");
    assert_eq!(given.left.as_deref(), Some("muhammad"));
    assert_eq!(given.right.as_deref(), Some("mohammed"));
    let dob = e.fields.iter().find(|f| f.role == Role::Dob).unwrap();
    assert_eq!(dob.label, "day and month swapped");
    // The weights add up to the total, and the probability follows from it.
    let sum: f64 = e.prior_weight + e.fields.iter().map(|f| f.weight).sum::<f64>();
    assert!((sum - e.total_weight).abs() < 1e-9);
    assert!((ranked[0].probability - e.probability).abs() < 1e-12);
    assert_eq!(
        ranked[0].decision,
        index.model().thresholds.decide(e.probability)
    );

    // Names recorded the other way round are recognised and explained.
    let swapped = person("s1", "Nowak", "Amelia", "2015-11-30", "LE3 9NA");
    let ranked = index.candidates(&swapped, 5);
    assert_eq!(ranked[0].id, "p2");
    assert!(ranked[0].explanation.names_swapped);

    // Someone new shares no blocking key with anyone: no candidates, so a new person.
    let stranger = person("n1", "Tendai", "Moyo", "2011-09-09", "LE1 1AA");
    assert!(index.candidates(&stranger, 5).is_empty());
}

#[test]
fn many_records_at_once_get_the_answers_one_at_a_time_gets_in_order() {
    let mut index = Index::new(trained_model()).unwrap();
    let known = [
        ("p1", "Mohammed", "Khan", "2014-03-07", "LE2 7AB"),
        ("p2", "Amelia", "Nowak", "2015-11-30", "LE3 9NA"),
        ("p3", "Priya", "Patel", "2012-01-15", "LE5 5ZN"),
        ("p4", "Amelia", "Nowak", "2017-02-01", "LE3 9NA"),
    ];
    for (id, g, f, d, pc) in known {
        index.insert(&person(id, g, f, d, pc));
    }
    let incoming: Vec<Record> = vec![
        person("h1", "Muhammad", "Khan", "2014-07-03", "LE2 7AB"),
        person("h2", "Tendai", "Moyo", "2011-09-09", "LE1 1AA"),
        person("h3", "Amelia", "Nowak", "2015-11-30", "LE3 9NA"),
        person("h4", "Pria", "Patel", "2012-01-15", "LE5 5ZN"),
    ];
    let many = index.candidates_many(&incoming, 5);
    assert_eq!(many.len(), incoming.len());
    for (r, got) in incoming.iter().zip(&many) {
        assert_eq!(*got, index.candidates(r, 5));
    }
    assert_eq!(many[0][0].id, "p1");
    assert!(many[1].is_empty());
    assert_eq!(many[2][0].id, "p2");
}

#[test]
fn decisions_follow_the_thresholds() {
    let mut model = trained_model();
    model.thresholds.auto_link = 0.9;
    model.thresholds.review = 0.2;
    assert_eq!(model.thresholds.decide(0.95), Decision::AutoLink);
    assert_eq!(model.thresholds.decide(0.5), Decision::Review);
    assert_eq!(model.thresholds.decide(0.1), Decision::NoLink);
}

#[test]
fn bad_configuration_is_refused_by_name() {
    use everychild_linkage::{Dataset, LinkageError};
    assert_eq!(
        Dataset::new(&[Role::Dob, Role::Dob], false).unwrap_err(),
        LinkageError::DuplicateRole("dob".into())
    );
    assert_eq!(
        Dataset::new(&[], false).unwrap_err(),
        LinkageError::NoFields
    );
    let e = Role::parse("shoe_size", "x").unwrap_err();
    assert!(e.to_string().contains("unknown role \"shoe_size\""), "{e}");
    let mut d = Dataset::new(&[Role::Sex], false).unwrap();
    d.push("a", 0, &[Some("F")]);
    d.push("b", 0, &[Some("F")]);
    d.finish();
    assert_eq!(
        run(&d, None, &Options::default()).unwrap_err(),
        LinkageError::NoBlockingRule
    );
}

#[test]
fn the_index_and_model_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Index>();
    shared::<everychild_linkage::Model>();
}
