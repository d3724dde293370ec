//! Accuracy against known truth: precision, recall and F1 at a threshold, and the best F1 over
//! all thresholds. True pairs that blocking never compared count as missed.

use crate::cluster::ScoredPair;
use serde::{Deserialize, Serialize};

/// Accuracy figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// True pairs in the data.
    pub true_pairs: u64,
    /// Pairs predicted at the threshold that are true.
    pub true_positives: u64,
    /// Pairs predicted at the threshold that are not true.
    pub false_positives: u64,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / true pairs.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// The best F1 over all thresholds.
    pub best_f1: f64,
    /// The probability threshold that gives it.
    pub best_threshold: f64,
}

fn f1(tp: u64, fp: u64, true_pairs: u64) -> (f64, f64, f64) {
    let p = if tp + fp == 0 {
        0.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    let r = if true_pairs == 0 {
        0.0
    } else {
        tp as f64 / true_pairs as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// Metrics from predicted pairs (each with its truth), at probability `threshold`; the best F1
/// is searched over the weights of the pairs given.
pub fn metrics(pairs: &[(ScoredPair, bool)], true_pairs: u64, threshold: f64) -> Metrics {
    let mut sorted: Vec<(f32, bool)> = pairs.iter().map(|(p, t)| (p.weight, *t)).collect();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut tp = 0u64;
    let mut fp = 0u64;
    let mut best = (0.0, 1.0);
    let mut i = 0;
    while i < sorted.len() {
        let w = sorted[i].0;
        while i < sorted.len() && sorted[i].0 == w {
            if sorted[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let (_, _, f) = f1(tp, fp, true_pairs);
        if f > best.0 {
            best = (f, crate::model::probability(f64::from(w)));
        }
    }
    let at = pairs
        .iter()
        .filter(|(p, _)| p.probability() >= threshold)
        .fold(
            (0u64, 0u64),
            |(t, f), (_, truth)| {
                if *truth {
                    (t + 1, f)
                } else {
                    (t, f + 1)
                }
            },
        );
    let (p, r, f) = f1(at.0, at.1, true_pairs);
    Metrics {
        true_pairs,
        true_positives: at.0,
        false_positives: at.1,
        precision: p,
        recall: r,
        f1: f,
        best_f1: best.0,
        best_threshold: best.1,
    }
}

/// The number of true pairs given each record's truth label (`u32::MAX` = unknown): pairs of
/// records with one label (deduplication), or across the two sources (linking).
pub fn count_true_pairs(truth: &[u32], source: &[u8], link: bool) -> u64 {
    let mut counts: std::collections::HashMap<u32, [u64; 2]> = std::collections::HashMap::new();
    for (t, s) in truth.iter().zip(source) {
        if *t != u32::MAX {
            let e = counts.entry(*t).or_insert([0, 0]);
            e[usize::from(*s).min(1)] += 1;
        }
    }
    counts
        .values()
        .map(|[a, b]| {
            if link {
                a * b
            } else {
                let n = a + b;
                n * n.saturating_sub(1) / 2
            }
        })
        .sum()
}
