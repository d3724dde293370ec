//! A trained Fellegi-Sunter model (serialisable as JSON), and scoring: the comparison levels
//! of a pair, its match weight and probability, and a per-field explanation.

use crate::blocking::BlockingRule;
use crate::compare;
use crate::features::{Dataset, Feat};
use crate::role::{Kind, Role};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The probabilities of one comparison level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelParams {
    /// What the level means ("Jaro-Winkler >= 0.92").
    pub label: String,
    /// P(level | the records are the same person).
    pub m: f64,
    /// P(level | the records are different people), from random pairs.
    pub u: f64,
}

/// How common each value of a field is, for term-frequency adjustment of the exact level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TermFrequencies {
    /// Share of records with each value, for values seen more than once.
    pub values: HashMap<String, f64>,
    /// The share used for a value not in `values` (one record's share).
    pub floor: f64,
}

impl TermFrequencies {
    /// The share for a value.
    pub fn get(&self, v: &str) -> f64 {
        self.values.get(v).copied().unwrap_or(self.floor)
    }
}

/// The trained parameters of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldModel {
    /// The field's role.
    pub role: Role,
    /// How it is compared.
    pub kind: Kind,
    /// One entry per level, level 0 ("missing") first.
    pub levels: Vec<LevelParams>,
    /// Term frequencies, for kinds that use them.
    pub tf: Option<TermFrequencies>,
}

/// Where a score leads: linked without review, queued for a person to decide, or not linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Probability at or above the auto-link threshold.
    AutoLink,
    /// Between the review and auto-link thresholds.
    Review,
    /// Below the review threshold.
    NoLink,
}

/// Thresholds on match probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// At or above: link without review.
    pub auto_link: f64,
    /// At or above (and below `auto_link`): clerical review.
    pub review: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            auto_link: 0.99,
            review: 0.5,
        }
    }
}

impl Thresholds {
    /// The decision for a probability.
    pub fn decide(&self, p: f64) -> Decision {
        if p >= self.auto_link {
            Decision::AutoLink
        } else if p >= self.review {
            Decision::Review
        } else {
            Decision::NoLink
        }
    }
}

/// A trained model: what is needed to score any two records with these roles, and the
/// blocking rules used to find candidates. Serialise it with `serde_json` to store it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Format version of this structure.
    pub version: u32,
    /// One entry per field, in the dataset's role order.
    pub fields: Vec<FieldModel>,
    /// Prior probability that two records picked at random are the same person.
    pub lambda: f64,
    /// Blocking rules, with their block caps.
    pub blocking: Vec<BlockingRule>,
    /// Decision thresholds.
    pub thresholds: Thresholds,
}

/// One field's part of an explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldWeight {
    /// The field's role.
    pub role: Role,
    /// The left record's normalised value.
    pub left: Option<String>,
    /// The right record's normalised value.
    pub right: Option<String>,
    /// The comparison level reached (index into the field's levels).
    pub level: u8,
    /// What the level means.
    pub label: String,
    /// m of the level.
    pub m: f64,
    /// u of the level, or the value's term frequency when that was used instead.
    pub u: f64,
    /// Whether `u` is the value's term frequency.
    pub tf_adjusted: bool,
    /// log2(m / u): evidence for (positive) or against (negative) a match, in bits.
    pub weight: f64,
}

/// Why a pair got its score: the prior and each field's weight, which add up to the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// log2(λ / (1 − λ)), the weight before any field is compared.
    pub prior_weight: f64,
    /// One entry per field.
    pub fields: Vec<FieldWeight>,
    /// Whether given and family names were compared crossed (recorded in the other order).
    pub names_swapped: bool,
    /// prior_weight plus every field's weight.
    pub total_weight: f64,
    /// 1 / (1 + 2^−total_weight).
    pub probability: f64,
    /// What the thresholds say.
    pub decision: Decision,
}

/// Turns a match weight (bits) into a probability.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Pre-computed weights of a model for fast scoring over datasets with its roles.
pub(crate) struct Scorer<'m> {
    pub model: &'m Model,
    weights: Vec<Vec<f64>>,
    given: Option<usize>,
    family: Option<usize>,
    pub prior: f64,
}

impl<'m> Scorer<'m> {
    pub fn new(model: &'m Model) -> Self {
        let weights = model
            .fields
            .iter()
            .map(|f| {
                f.levels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        if i == 0 {
                            0.0
                        } else {
                            (l.m.max(1e-12) / l.u.max(1e-12)).log2()
                        }
                    })
                    .collect()
            })
            .collect();
        let pos = |r: Role| model.fields.iter().position(|f| f.role == r);
        let lambda = model.lambda.clamp(1e-15, 1.0 - 1e-12);
        Self {
            model,
            weights,
            given: pos(Role::GivenName),
            family: pos(Role::FamilyName),
            prior: (lambda / (1.0 - lambda)).log2(),
        }
    }

    /// The comparison level of every field (into `out`) and whether names were swapped.
    pub fn levels(&self, a: &Dataset, i: usize, b: &Dataset, j: usize, out: &mut [u8]) -> bool {
        fn feat(d: &Dataset, c: Option<usize>, r: usize) -> Option<&Feat> {
            c.and_then(|c| d.columns.get(c)).and_then(|col| col.feat(r))
        }
        for (k, (o, f)) in out.iter_mut().zip(&self.model.fields).enumerate() {
            *o = match (feat(a, Some(k), i), feat(b, Some(k), j)) {
                (Some(x), Some(y)) => compare::level(f.kind, x, y),
                _ => 0,
            };
        }
        if let (Some(g), Some(f)) = (self.given, self.family) {
            let (lg, lf) = (out[g], out[f]);
            if let Some((x, y)) = compare::swapped_levels(
                lg,
                lf,
                feat(a, Some(g), i),
                feat(a, Some(f), i),
                feat(b, Some(g), j),
                feat(b, Some(f), j),
            ) {
                out[g] = x;
                out[f] = y;
                return true;
            }
        }
        false
    }

    /// The weight of one field at a level, with the term-frequency adjustment for the exact
    /// level; returns (weight, u used, whether tf was used).
    fn field_weight(&self, k: usize, level: u8, a: Option<&Feat>) -> (f64, f64, bool) {
        let Some(f) = self.model.fields.get(k) else {
            return (0.0, 1.0, false);
        };
        let l = usize::from(level);
        let w = self
            .weights
            .get(k)
            .and_then(|w| w.get(l))
            .copied()
            .unwrap_or(0.0);
        let u = f.levels.get(l).map(|p| p.u).unwrap_or(1.0);
        if level == 1 && f.tf.is_some() {
            if let Some(x) = a.filter(|x| x.tf > 0.0) {
                let m = f.levels.get(1).map(|p| p.m).unwrap_or(1.0);
                return (m.max(1e-12).log2() - x.tf_log2, x.tf, true);
            }
        }
        (w, u, false)
    }

    /// The total match weight of a pair (prior included).
    pub fn weight(&self, a: &Dataset, i: usize, b: &Dataset, j: usize, buf: &mut [u8]) -> f64 {
        self.levels(a, i, b, j, buf);
        let mut w = self.prior;
        for (k, l) in buf.iter().enumerate() {
            if *l == 0 {
                continue;
            }
            let fa = if *l == 1 {
                a.columns.get(k).and_then(|c| c.feat(i))
            } else {
                None
            };
            w += self.field_weight(k, *l, fa).0;
        }
        w
    }

    /// The full explanation of a pair.
    pub fn explain(&self, a: &Dataset, i: usize, b: &Dataset, j: usize) -> Explanation {
        let mut buf = vec![0u8; self.model.fields.len()];
        let swapped = self.levels(a, i, b, j, &mut buf);
        let mut total = self.prior;
        let mut fields = Vec::with_capacity(buf.len());
        for (k, l) in buf.iter().enumerate() {
            let f = &self.model.fields[k];
            let fa = a.columns.get(k).and_then(|c| c.feat(i));
            let (w, u, tf) = if *l == 0 {
                (0.0, 1.0, false)
            } else {
                self.field_weight(k, *l, fa)
            };
            total += w;
            let p = f.levels.get(usize::from(*l));
            fields.push(FieldWeight {
                role: f.role.clone(),
                left: a.columns.get(k).and_then(|c| c.value(i)).map(str::to_owned),
                right: b.columns.get(k).and_then(|c| c.value(j)).map(str::to_owned),
                level: *l,
                label: p.map(|p| p.label.clone()).unwrap_or_default(),
                m: p.map(|p| p.m).unwrap_or(1.0),
                u,
                tf_adjusted: tf,
                weight: w,
            });
        }
        let probability = probability(total);
        Explanation {
            prior_weight: self.prior,
            fields,
            names_swapped: swapped,
            total_weight: total,
            probability,
            decision: self.model.thresholds.decide(probability),
        }
    }
}

impl Model {
    /// Fill the term frequency of every value of `data` from this model's tables (used when
    /// records are scored against a stored model rather than the data it was trained on).
    pub fn apply_term_frequencies(&self, data: &mut Dataset) {
        for (f, col) in self.fields.iter().zip(data.columns.iter_mut()) {
            if let Some(tf) = &f.tf {
                for feat in col.feats.iter_mut().skip(1) {
                    feat.tf = tf.get(&feat.text);
                    feat.tf_log2 = feat.tf.max(1e-300).log2();
                }
            }
        }
    }

    /// Check that a dataset has exactly this model's roles, in order.
    pub fn check_roles(&self, data: &Dataset) -> Result<(), crate::LinkageError> {
        let mine: Vec<Role> = self.fields.iter().map(|f| f.role.clone()).collect();
        if mine != data.roles() {
            return Err(crate::LinkageError::RolesDiffer {
                model: mine.iter().map(Role::label).collect(),
                data: data.roles().iter().map(Role::label).collect(),
            });
        }
        Ok(())
    }
}
