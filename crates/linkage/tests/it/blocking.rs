//! The blocking report: pairs per rule, no pair counted twice, true pairs and recall.

use everychild_linkage::{run, BlockingRule, KeyPart, Options, Role};

#[test]
fn each_rule_counts_only_the_pairs_it_adds_and_the_true_pairs_among_them() {
    let (data, truth) = super::children();
    let rules = vec![
        // Names in either order, by variant group: a1-a2-a3 (Mohammed variants) and b1-b2.
        BlockingRule::new(vec![KeyPart::NamePair], false),
        // Same postcode: a1-a2 (already made), b1-b2 (already made), c1-d1 (new, false).
        BlockingRule::new(vec![KeyPart::Exact(Role::Postcode)], false),
        // Same family name: a* (made), c1-d1 (made): nothing new.
        BlockingRule::new(vec![KeyPart::Exact(Role::FamilyName)], false),
    ];
    let opts = Options {
        rules: Some(rules),
        ..Options::default()
    };
    let out = run(&data, Some(&truth), &opts).unwrap();
    let pairs: Vec<u64> = out.blocking.iter().map(|r| r.pairs).collect();
    let trues: Vec<Option<u64>> = out.blocking.iter().map(|r| r.true_pairs).collect();
    assert_eq!(pairs, vec![4, 1, 0]);
    assert_eq!(trues, vec![Some(4), Some(0), Some(0)]);
    assert_eq!(out.candidate_pairs, 5);
    // True pairs: three among a1, a2, a3 and one b1-b2.
    assert_eq!(out.true_pairs, Some(4));
    assert_eq!(out.blocking_recall, Some(1.0));
    assert_eq!(out.blocking[0].cumulative_recall, Some(1.0));
}

#[test]
fn a_rule_that_reaches_few_true_pairs_reports_its_recall() {
    let (data, truth) = super::children();
    let rules = vec![BlockingRule::new(vec![KeyPart::Exact(Role::Dob)], false)];
    let opts = Options {
        rules: Some(rules),
        ..Options::default()
    };
    let out = run(&data, Some(&truth), &opts).unwrap();
    // Same date of birth: a1-a3 and b1-b2.
    assert_eq!(out.candidate_pairs, 2);
    assert_eq!(out.blocking_recall, Some(0.5));
    // Never-compared true pairs count as missed.
    let m = out.metrics.unwrap();
    assert!(m.recall <= 0.5);
}

#[test]
fn oversized_blocks_are_skipped_and_reported() {
    let roles = [Role::GivenName, Role::FamilyName];
    let mut d = everychild_linkage::Dataset::new(&roles, false).unwrap();
    for i in 0..300 {
        d.push(
            &format!("s{i}"),
            0,
            &[Some(&format!("name{i}")), Some("Smith")],
        );
    }
    d.push("x1", 0, &[Some("Ada"), Some("Quist")]);
    d.push("x2", 0, &[Some("Ada"), Some("Quist")]);
    d.finish();
    let opts = Options {
        rules: Some(vec![BlockingRule::new(
            vec![KeyPart::Exact(Role::FamilyName)],
            true,
        )]),
        pairs_per_record: 1.0,
        min_pair_budget: 100,
        ..Options::default()
    };
    let out = run(&d, None, &opts).unwrap();
    let r = &out.blocking[0];
    assert_eq!(r.skipped_blocks, 1);
    assert_eq!(r.skipped_records, 300);
    assert_eq!(r.pairs, 1);
    assert_eq!(r.max_block, 2);
}

#[test]
fn linking_two_lists_compares_only_across_them() {
    let roles = [Role::GivenName, Role::FamilyName, Role::Dob];
    let mut d = everychild_linkage::Dataset::new(&roles, true).unwrap();
    let mut truth = Vec::new();
    for (s, id, t, g) in [
        (0u8, "a1", 1u32, "Ada"),
        (0, "a2", 2, "Ada"),
        (1, "b1", 1, "Ada"),
        (1, "b2", 3, "Bo"),
    ] {
        d.push(id, s, &[Some(g), Some("Quist"), Some("2015-01-02")]);
        truth.push(t);
    }
    d.finish();
    assert_eq!(d.total_pairs(), 4);
    let opts = Options {
        rules: Some(vec![BlockingRule::new(
            vec![KeyPart::Exact(Role::FamilyName)],
            false,
        )]),
        ..Options::default()
    };
    let out = run(&d, Some(&truth), &opts).unwrap();
    // a1-b1, a1-b2, a2-b1, a2-b2; never a1-a2 or b1-b2.
    assert_eq!(out.candidate_pairs, 4);
    assert_eq!(out.true_pairs, Some(1));
    let links = out.links.unwrap();
    // One-to-one: each record in at most one link.
    let mut used = std::collections::HashSet::new();
    for (p, _) in &links {
        assert!(used.insert(p.a) && used.insert(p.b));
    }
}
