//! The link subcommands' output: one JSON object, or a readable report with the blocking-rule
//! table and the trained m and u of every comparison level.

use super::input::Mapping;
use everychild_linkage::{Dataset, Outcome};
use serde_json::json;
use std::fmt::Write;

/// The JSON object.
pub fn json(data: &Dataset, _m: &Mapping, out: &Outcome, wall: f64) -> String {
    let m = out.metrics;
    let v = json!({
        "records": data.len(),
        "candidate_pairs": out.candidate_pairs,
        "true_pairs": out.true_pairs,
        "blocking_recall": out.blocking_recall,
        "precision": m.map(|m| m.precision),
        "recall": m.map(|m| m.recall),
        "f1": m.map(|m| m.f1),
        "best_f1": m.map(|m| m.best_f1),
        "best_threshold": m.map(|m| m.best_threshold),
        "true_positives": m.map(|m| m.true_positives),
        "false_positives": m.map(|m| m.false_positives),
        "pairwise_f1": out.pairwise_metrics.map(|m| m.f1),
        "links": out.links.as_ref().map(Vec::len),
        "pairs_kept": out.pairs.len(),
        "lambda": out.model.lambda,
        "blocking": out.blocking,
        "wall_s": wall,
    });
    v.to_string()
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "-".into())
}

/// The readable report.
pub fn text(data: &Dataset, map: &Mapping, out: &Outcome, wall: f64) -> String {
    let mut s = String::new();
    let [a, b] = data.source_sizes();
    if b > 0 {
        let _ = writeln!(s, "records: {} ({a} + {b})", data.len());
    } else {
        let _ = writeln!(s, "records: {}", data.len());
    }
    let _ = writeln!(s, "fields:");
    for ((role, col), c) in map.fields.iter().zip(data.columns()) {
        let _ = writeln!(
            s,
            "  {:<14} <- {:<22} {} present, {} distinct",
            role.label(),
            col,
            c.present(),
            c.distinct()
        );
    }
    let _ = writeln!(
        s,
        "\nblocking rules (in order; a pair is counted by the first rule that makes it):"
    );
    let _ = writeln!(
        s,
        "  {:<58} {:>8} {:>12} {:>11} {:>9} {:>14}",
        "rule", "cap", "pairs", "true pairs", "recall", "skipped blocks"
    );
    for r in &out.blocking {
        let cap = if r.max_block == usize::MAX {
            "-".to_string()
        } else {
            r.max_block.to_string()
        };
        let _ = writeln!(
            s,
            "  {:<58} {:>8} {:>12} {:>11} {:>9} {:>14}",
            r.rule,
            cap,
            r.pairs,
            r.true_pairs
                .map(|t| t.to_string())
                .unwrap_or_else(|| "-".into()),
            pct(r.cumulative_recall),
            format!("{} ({} rec)", r.skipped_blocks, r.skipped_records)
        );
    }
    let _ = writeln!(s, "  candidate pairs: {}", out.candidate_pairs);
    let _ = writeln!(
        s,
        "\ntraining (u from {} random pairs; m by EM per block):",
        out.training.u_pairs
    );
    for t in &out.training.sessions {
        let _ = writeln!(
            s,
            "  block {:<40} {:>10} pairs ({} sampled), match share {:.4}, reaches {} of matches, {} iterations; m of {}",
            t.rule,
            t.block_pairs,
            t.sampled_pairs,
            t.match_share,
            pct(t.recall),
            t.iterations,
            t.estimated.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "  lambda (prior match probability of a random pair): {:.3e}",
        out.model.lambda
    );
    let _ = writeln!(s, "\ncomparison levels (weight = log2(m/u)):");
    for f in &out.model.fields {
        let _ = writeln!(
            s,
            "  {}{}",
            f.role.label(),
            if f.tf.is_some() {
                " (exact level adjusted by term frequency)"
            } else {
                ""
            }
        );
        for l in f.levels.iter().skip(1) {
            let _ = writeln!(
                s,
                "    {:<34} m {:>9.5}  u {:>11.7}  weight {:>7.2}",
                l.label,
                l.m,
                l.u,
                (l.m.max(1e-12) / l.u.max(1e-12)).log2()
            );
        }
    }
    if let Some(m) = out.metrics {
        let _ = writeln!(
            s,
            "\naccuracy at match probability >= 0.5{}:",
            if out.links.is_some() {
                ", after one-to-one assignment"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "  true pairs {}; reached by blocking {}",
            m.true_pairs,
            pct(out.blocking_recall)
        );
        let _ = writeln!(
            s,
            "  predicted {} (true {}, false {})",
            m.true_positives + m.false_positives,
            m.true_positives,
            m.false_positives
        );
        let _ = writeln!(
            s,
            "  precision {:.4}  recall {:.4}  F1 {:.4}",
            m.precision, m.recall, m.f1
        );
        let _ = writeln!(
            s,
            "  best F1 {:.4} at probability {:.3}",
            m.best_f1, m.best_threshold
        );
        if let Some(p) = out.pairwise_metrics {
            let _ = writeln!(
                s,
                "  before one-to-one: precision {:.4} recall {:.4} F1 {:.4}",
                p.precision, p.recall, p.f1
            );
        }
    } else {
        let likely = out
            .pairs
            .iter()
            .filter(|p| p.0.probability() >= 0.5)
            .count();
        let _ = writeln!(s, "\npairs with match probability >= 0.5: {likely}");
        if let Some(l) = &out.links {
            let _ = writeln!(
                s,
                "one-to-one links: {}",
                l.iter().filter(|p| p.0.probability() >= 0.5).count()
            );
        }
    }
    let _ = write!(s, "\nwall time {wall:.2} s");
    s
}
