//! An in-memory index of known people for incremental linkage: insert each person once, then
//! ask which of them a new record (an agency extract row) is, with ranked candidates, their
//! match probabilities, a decision and a per-field explanation.

use crate::features::Dataset;
use crate::model::{Decision, Explanation, Model, Scorer};
use crate::role::Record;
use std::collections::{HashMap, HashSet};

/// One possible match for a new record.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Candidate {
    /// The id of the indexed record.
    pub id: String,
    /// Match probability.
    pub probability: f64,
    /// Match weight in bits.
    pub weight: f64,
    /// What the model's thresholds say.
    pub decision: Decision,
    /// Why: each field's values, level, m, u and weight.
    pub explanation: Explanation,
}

/// Known records, their features and the blocking keys of the model's rules.
pub struct Index {
    model: Model,
    data: Dataset,
    blocks: Vec<HashMap<u64, Vec<u32>>>,
}

impl Index {
    /// An empty index for a trained model.
    pub fn new(model: Model) -> Result<Self, crate::LinkageError> {
        let roles: Vec<_> = model.fields.iter().map(|f| f.role.clone()).collect();
        let data = Dataset::new(&roles, false)?;
        let blocks = vec![HashMap::new(); model.blocking.len()];
        Ok(Self {
            model,
            data,
            blocks,
        })
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Number of indexed records.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Add a known record; returns its position.
    pub fn insert(&mut self, record: &Record) -> usize {
        self.data.push_record(record, 0);
        let i = self.data.len() - 1;
        self.fill_tf(i);
        for (rule, map) in self.model.blocking.iter().zip(self.blocks.iter_mut()) {
            let k = rule.key(&self.data, i);
            if k != 0 {
                map.entry(k).or_default().push(i as u32);
            }
        }
        i
    }

    fn fill_tf(&mut self, i: usize) {
        for (f, col) in self.model.fields.iter().zip(self.data.columns.iter_mut()) {
            let (Some(tf), Some(id)) = (&f.tf, col.ids.get(i).copied()) else {
                continue;
            };
            if let Some(feat) = col.feats.get_mut(id as usize) {
                if id != 0 && feat.tf == 0.0 {
                    feat.tf = tf.get(&feat.text);
                    feat.tf_log2 = feat.tf.max(1e-300).log2();
                }
            }
        }
    }

    /// The indexed records that share a blocking key with `record`, scored, highest
    /// probability first, at most `limit` of them.
    /// [`Index::candidates`] for many records at once, on every core; the same answers, in
    /// the records' order.
    pub fn candidates_many(&self, records: &[Record], limit: usize) -> Vec<Vec<Candidate>> {
        use rayon::prelude::*;
        records
            .par_iter()
            .map(|r| self.candidates(r, limit))
            .collect()
    }

    /// Which indexed records `record` may be, best first, at most `limit`.
    pub fn candidates(&self, record: &Record, limit: usize) -> Vec<Candidate> {
        let roles = self.data.roles();
        let Ok(mut q) = Dataset::new(&roles, false) else {
            return Vec::new();
        };
        q.push_record(record, 0);
        self.model.apply_term_frequencies(&mut q);
        let mut seen = HashSet::new();
        for (rule, map) in self.model.blocking.iter().zip(&self.blocks) {
            let k = rule.key(&q, 0);
            if k == 0 {
                continue;
            }
            if let Some(members) = map.get(&k) {
                if members.len() <= rule.max_block {
                    seen.extend(members.iter().copied());
                }
            }
        }
        let scorer = Scorer::new(&self.model);
        let mut buf = vec![0u8; self.model.fields.len()];
        let mut scored: Vec<(f64, u32)> = seen
            .into_iter()
            .map(|j| (scorer.weight(&q, 0, &self.data, j as usize, &mut buf), j))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(limit);
        scored
            .into_iter()
            .map(|(w, j)| {
                let explanation = scorer.explain(&q, 0, &self.data, j as usize);
                Candidate {
                    id: self.data.id(j as usize).to_owned(),
                    probability: explanation.probability,
                    weight: w,
                    decision: explanation.decision,
                    explanation,
                }
            })
            .collect()
    }
}
