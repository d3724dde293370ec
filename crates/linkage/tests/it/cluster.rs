//! Clustering by connected components and one-to-one assignment.

use everychild_linkage::{connected_components, one_to_one, ScoredPair};

fn pair(a: u32, b: u32, weight: f32) -> ScoredPair {
    ScoredPair { a, b, weight }
}

#[test]
fn connected_components_join_transitively_above_the_threshold() {
    let pairs = [
        pair(0, 1, 10.0),
        pair(1, 2, 3.0),
        pair(3, 4, -5.0), // probability 0.03: below the threshold
        pair(5, 6, 0.0),  // probability 0.5 exactly: joined
    ];
    let c = connected_components(7, &pairs, 0.5);
    assert_eq!(c, vec![0, 0, 0, 1, 2, 3, 3]);
    let strict = connected_components(7, &pairs, 0.99);
    assert_eq!(strict, vec![0, 0, 1, 2, 3, 4, 5]);
}

#[test]
fn one_to_one_keeps_the_best_link_for_each_record() {
    // Records 0, 1 in one list; 2, 3 in the other. 0-2 is best; 1-2 must give way to 1-3.
    let pairs = [
        pair(0, 2, 9.0),
        pair(1, 2, 8.0),
        pair(1, 3, 2.0),
        pair(0, 3, 1.0),
    ];
    let kept = one_to_one(&pairs);
    let got: Vec<(u32, u32)> = kept.iter().map(|p| (p.a, p.b)).collect();
    assert_eq!(got, vec![(0, 2), (1, 3)]);
    // Ties go to the lower indices, so the result does not depend on input order.
    let tie = one_to_one(&[pair(1, 3, 5.0), pair(0, 3, 5.0)]);
    assert_eq!((tie[0].a, tie[0].b), (0, 3));
    assert_eq!(tie.len(), 1);
}
