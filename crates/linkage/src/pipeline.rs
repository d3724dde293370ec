//! The whole batch run over one dataset: plan blocking, train, score every candidate pair in
//! parallel, keep the likely ones, and (when truth is known) measure accuracy.

use crate::blocking::{self, default_rules, BlockingRule, RuleReport};
use crate::cluster::{one_to_one, ScoredPair};
use crate::eval::{count_true_pairs, metrics, Metrics};
use crate::features::Dataset;
use crate::model::{Model, Scorer, Thresholds};
use crate::train::{default_training_rules, train, TrainOptions, TrainReport};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Settings of a batch run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Training settings.
    pub train: TrainOptions,
    /// Blocking rules; `None` = [`default_rules`] for the dataset's roles.
    pub rules: Option<Vec<BlockingRule>>,
    /// Training blocks; `None` = [`default_training_rules`].
    pub training_rules: Option<Vec<BlockingRule>>,
    /// Pairs each broad blocking rule may make, per record.
    pub pairs_per_record: f64,
    /// The smallest number of pairs a broad rule may always make.
    pub min_pair_budget: u64,
    /// The most pairs a broad rule may make, however many records there are.
    pub max_pair_budget: u64,
    /// A specific (not broad) rule may make this many times a broad rule's budget.
    pub specific_budget_factor: f64,
    /// Pairs with probability below this are counted but not kept.
    pub keep_probability: f64,
    /// Decision thresholds stored in the model.
    pub thresholds: Thresholds,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            train: TrainOptions::default(),
            rules: None,
            training_rules: None,
            pairs_per_record: 8.0,
            min_pair_budget: 20_000,
            max_pair_budget: 1_000_000,
            specific_budget_factor: 4.0,
            keep_probability: 0.001,
            thresholds: Thresholds::default(),
        }
    }
}

/// The result of a batch run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The trained model, with the blocking rules and the caps they ran with.
    pub model: Model,
    /// What training did.
    pub training: TrainReport,
    /// What each blocking rule did.
    pub blocking: Vec<RuleReport>,
    /// Candidate pairs compared.
    pub candidate_pairs: u64,
    /// Pairs kept (probability ≥ `keep_probability`), each with whether it is a true pair
    /// (always false when truth is unknown). For linking, before one-to-one assignment.
    pub pairs: Vec<(ScoredPair, bool)>,
    /// For linking: the one-to-one links among `pairs`, highest weight first.
    pub links: Option<Vec<(ScoredPair, bool)>>,
    /// True pairs in the data, when truth is known.
    pub true_pairs: Option<u64>,
    /// Share of true pairs that blocking made candidates, when truth is known.
    pub blocking_recall: Option<f64>,
    /// Accuracy at probability 0.5 (after one-to-one when linking), when truth is known.
    pub metrics: Option<Metrics>,
    /// Pairwise accuracy before one-to-one assignment (linking only).
    pub pairwise_metrics: Option<Metrics>,
}

#[derive(Default)]
struct Acc {
    pairs: u64,
    true_pairs: u64,
    kept: Vec<(ScoredPair, bool)>,
}

impl Acc {
    fn merge(mut self, mut o: Acc) -> Acc {
        self.pairs += o.pairs;
        self.true_pairs += o.true_pairs;
        if self.kept.len() < o.kept.len() {
            std::mem::swap(&mut self.kept, &mut o.kept);
        }
        self.kept.append(&mut o.kept);
        self
    }
}

/// Train on `data` and score every candidate pair. `truth` (one label per record, `u32::MAX`
/// for unknown) enables the recall report and the metrics.
pub fn run(
    data: &Dataset,
    truth: Option<&[u32]>,
    opts: &Options,
) -> Result<Outcome, crate::LinkageError> {
    let roles = data.roles();
    let mut rules = opts.rules.clone().unwrap_or_else(|| default_rules(&roles));
    rules.retain(|r| r.applies(&roles));
    if rules.is_empty() {
        return Err(crate::LinkageError::NoBlockingRule);
    }
    let training = opts
        .training_rules
        .clone()
        .unwrap_or_else(|| default_training_rules(&roles));
    let t0 = std::time::Instant::now();
    let (mut model, report) = train(data, &training, &opts.train)?;
    if std::env::var_os("EVERYCHILD_LINK_TIMING").is_some() {
        eprintln!("train {:.3}s", t0.elapsed().as_secs_f64());
    }
    model.thresholds = opts.thresholds;
    let budget = ((data.len() as f64 * opts.pairs_per_record) as u64)
        .min(opts.max_pair_budget)
        .max(opts.min_pair_budget);
    let keep_w = {
        let p = opts.keep_probability.clamp(1e-12, 1.0 - 1e-12);
        (p / (1.0 - p)).log2() as f32
    };
    let true_total = truth.map(|t| count_true_pairs(t, &data.source, data.link));
    let mut earlier: Vec<(Vec<u64>, HashSet<u64>)> = Vec::new();
    let mut reports = Vec::new();
    let mut total = Acc::default();
    let mut cumulative_true = 0u64;
    for rule in &mut rules {
        let keys = rule.keys(data);
        let rule_budget = if rule.broad {
            budget
        } else {
            (budget as f64 * opts.specific_budget_factor) as u64
        };
        let blocks = blocking::group(rule, &keys, data, rule_budget);
        let scorer = Scorer::new(&model);
        let nf = model.fields.len();
        let acc = blocks
            .ranges
            .par_iter()
            .fold(Acc::default, |mut acc, (s, e)| {
                let mut buf = vec![0u8; nf];
                let members = &blocks.keyed[*s..*e];
                for (x, (_, i)) in members.iter().enumerate() {
                    for (_, j) in &members[x + 1..] {
                        let (i, j) = ((*i).min(*j) as usize, (*i).max(*j) as usize);
                        if !data.comparable(i, j) || blocking::made_earlier(&earlier, i, j) {
                            continue;
                        }
                        acc.pairs += 1;
                        let is_true = truth.is_some_and(|t| {
                            t.get(i)
                                .is_some_and(|a| *a != u32::MAX && Some(a) == t.get(j))
                        });
                        if is_true {
                            acc.true_pairs += 1;
                        }
                        let w = scorer.weight(data, i, data, j, &mut buf) as f32;
                        if w >= keep_w {
                            acc.kept.push((
                                ScoredPair {
                                    a: i as u32,
                                    b: j as u32,
                                    weight: w,
                                },
                                is_true,
                            ));
                        }
                    }
                }
                acc
            })
            .reduce(Acc::default, Acc::merge);
        cumulative_true += acc.true_pairs;
        reports.push(RuleReport {
            rule: rule.name.clone(),
            max_block: rule.max_block,
            pairs: acc.pairs,
            true_pairs: truth.map(|_| acc.true_pairs),
            cumulative_recall: true_total.map(|t| {
                if t == 0 {
                    0.0
                } else {
                    cumulative_true as f64 / t as f64
                }
            }),
            skipped_blocks: blocks.oversize.len(),
            skipped_records: blocks.oversize_records,
        });
        total = total.merge(acc);
        if std::env::var_os("EVERYCHILD_LINK_TIMING").is_some() {
            eprintln!("rule {} done {:.3}s", rule.name, t0.elapsed().as_secs_f64());
        }
        earlier.push((keys, blocks.oversize));
    }
    model.blocking = rules;
    let mut pairs = total.kept;
    pairs.sort_by_key(|x| (x.0.a, x.0.b));
    let links = data.link.then(|| {
        let plain: Vec<ScoredPair> = pairs.iter().map(|p| p.0).collect();
        let truth_of = |p: &ScoredPair| {
            truth.is_some_and(|t| {
                let (a, b) = (t.get(p.a as usize), t.get(p.b as usize));
                a.is_some_and(|a| *a != u32::MAX && Some(a) == b)
            })
        };
        one_to_one(&plain)
            .into_iter()
            .map(|p| (p, truth_of(&p)))
            .collect::<Vec<_>>()
    });
    let (metrics_main, pairwise) = match true_total {
        Some(t) => {
            let pairwise = metrics(&pairs, t, 0.5);
            match &links {
                Some(l) => (Some(metrics(l, t, 0.5)), Some(pairwise)),
                None => (Some(pairwise), None),
            }
        }
        None => (None, None),
    };
    Ok(Outcome {
        model,
        training: report,
        blocking: reports,
        candidate_pairs: total.pairs,
        pairs,
        links,
        true_pairs: true_total,
        blocking_recall: true_total.map(|t| {
            if t == 0 {
                0.0
            } else {
                total.true_pairs as f64 / t as f64
            }
        }),
        metrics: metrics_main,
        pairwise_metrics: pairwise,
    })
}
