//! Training: u from random pairs, m by expectation maximisation (EM) within training blocks,
//! and λ (the prior) from what each training block's EM says about how many matches exist.
//!
//! Each EM session runs on the pairs of one training block (e.g. "same date of birth"). Within
//! it the fields of the block's role group always agree and say nothing, so they are left out;
//! for the other fields u is held at the random-pair value and EM finds m and the share of
//! matches in the block. The matches in the block, divided by the share of all matches that
//! the block reaches (estimated from the other sessions' posteriors), give the number of
//! matches overall, hence λ.

use crate::blocking::{BlockingRule, KeyPart};
use crate::features::Dataset;
use crate::model::{FieldModel, LevelParams, Model, Scorer, TermFrequencies, Thresholds};
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Random pairs sampled to estimate u.
    pub u_pairs: usize,
    /// Pairs sampled from each training block for EM.
    pub em_pairs: usize,
    /// Most EM iterations per session.
    pub em_iterations: usize,
    /// Seed of the sampling (same seed, same model).
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            u_pairs: 100_000,
            em_pairs: 100_000,
            em_iterations: 100,
            seed: 42,
        }
    }
}

/// What one EM session did, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The training block.
    pub rule: String,
    /// Pairs in the block and pairs sampled.
    pub block_pairs: u64,
    /// Pairs used.
    pub sampled_pairs: usize,
    /// Share of matches among the block's pairs, as EM found it.
    pub match_share: f64,
    /// Share of all matches the block reaches, from the other sessions.
    pub recall: Option<f64>,
    /// Iterations until the largest change in m was below 1e-6.
    pub iterations: usize,
    /// Fields whose m this session estimated.
    pub estimated: Vec<String>,
}

/// A report of training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Random pairs used for u.
    pub u_pairs: usize,
    /// The EM sessions.
    pub sessions: Vec<Session>,
}

/// One session's blocking keys, sampled pairs with their match posteriors, the pairs in its
/// block and its match share: what the λ estimate needs.
type SessionPosteriors = (Vec<u64>, Vec<(u32, u32, f64)>, u64, f64);

/// A small, fast, seedable generator (SplitMix64): training must be repeatable.
pub(crate) struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x2545_f491_4f6c_dd1d)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The training blocks used when the caller gives none: selective single-purpose keys.
pub fn default_training_rules(roles: &[Role]) -> Vec<BlockingRule> {
    let mut rules = vec![
        BlockingRule::new(vec![KeyPart::Exact(Role::Dob)], false),
        BlockingRule::new(
            vec![
                KeyPart::Exact(Role::GivenName),
                KeyPart::Exact(Role::FamilyName),
            ],
            false,
        ),
        BlockingRule::new(vec![KeyPart::Exact(Role::Postcode)], false),
        BlockingRule::new(vec![KeyPart::Exact(Role::NhsNumber)], false),
        BlockingRule::new(vec![KeyPart::Exact(Role::Identifier)], false),
        BlockingRule::new(vec![KeyPart::Exact(Role::Email)], false),
    ];
    rules.retain(|r| r.applies(roles));
    rules
}

/// A model with default m, u = m (no evidence) and no term frequencies: the starting point.
pub(crate) fn blank_model(data: &Dataset) -> Model {
    let fields = data
        .columns
        .iter()
        .map(|c| {
            let m = c.kind.default_m();
            FieldModel {
                role: c.role.clone(),
                kind: c.kind,
                levels: c
                    .kind
                    .levels()
                    .iter()
                    .zip(&m)
                    .map(|(l, m)| LevelParams {
                        label: (*l).to_owned(),
                        m: *m,
                        u: *m,
                    })
                    .collect(),
                tf: None,
            }
        })
        .collect();
    Model {
        version: 1,
        fields,
        lambda: 1e-4,
        blocking: Vec::new(),
        thresholds: Thresholds::default(),
    }
}

/// Pack the levels of a pair into one integer (4 bits per field).
fn pack(levels: &[u8]) -> u64 {
    levels
        .iter()
        .enumerate()
        .fold(0u64, |acc, (k, l)| acc | (u64::from(*l & 15) << (4 * k)))
}

fn unpack(p: u64, k: usize) -> usize {
    ((p >> (4 * k)) & 15) as usize
}

/// Estimate u for every field from random pairs. The sample is drawn in 16 fixed chunks,
/// each with its own seed, scored in parallel: the result does not depend on the thread count.
pub(crate) fn estimate_u(data: &Dataset, model: &mut Model, pairs: usize, seed: u64) -> usize {
    use rayon::prelude::*;
    let n = data.len();
    let total = data.total_pairs();
    if n < 2 || total == 0 {
        return 0;
    }
    let want = (pairs as u64).min(total) as usize;
    let scorer = Scorer::new(model);
    let nf = model.fields.len();
    let a_idx: Vec<usize> = (0..n).filter(|i| data.source[*i] == 0).collect();
    let b_idx: Vec<usize> = (0..n).filter(|i| data.source[*i] == 1).collect();
    if data.link && (a_idx.is_empty() || b_idx.is_empty()) {
        return 0;
    }
    const CHUNKS: usize = 16;
    let empty: Vec<Vec<f64>> = model
        .fields
        .iter()
        .map(|f| vec![0.0; f.levels.len()])
        .collect();
    let (counts, done) = (0..CHUNKS)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = Rng::new(seed ^ (chunk as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut counts = empty.clone();
            let mut buf = vec![0u8; nf];
            let quota = want / CHUNKS + usize::from(chunk < want % CHUNKS);
            let mut done = 0;
            let mut tries = 0;
            while done < quota && tries < quota * 4 + 16 {
                tries += 1;
                let (i, j) = if data.link {
                    (a_idx[rng.below(a_idx.len())], b_idx[rng.below(b_idx.len())])
                } else {
                    (rng.below(n), rng.below(n))
                };
                if !data.comparable(i, j) {
                    continue;
                }
                scorer.levels(data, i, data, j, &mut buf);
                for (c, l) in counts.iter_mut().zip(&buf) {
                    if let Some(x) = c.get_mut(usize::from(*l)) {
                        *x += 1.0;
                    }
                }
                done += 1;
            }
            (counts, done)
        })
        .reduce(
            || (empty.clone(), 0),
            |(mut a, x), (b, y)| {
                for (p, q) in a.iter_mut().zip(b) {
                    for (s, t) in p.iter_mut().zip(q) {
                        *s += t;
                    }
                }
                (a, x + y)
            },
        );
    for (f, c) in model.fields.iter_mut().zip(counts) {
        let present: f64 = c.iter().skip(1).sum();
        let k = (c.len() - 1) as f64;
        for (lp, x) in f.levels.iter_mut().zip(&c).skip(1) {
            lp.u = (x + 0.1) / (present + 0.1 * k);
        }
        if let Some(l0) = f.levels.get_mut(0) {
            l0.u = 1.0;
        }
    }
    done
}

/// Sample up to `cap` pairs from the blocks of a training rule; returns the pairs and the
/// number of pairs the rule makes in all.
fn sample_block_pairs(
    data: &Dataset,
    keys: &[u64],
    cap: usize,
    rng: &mut Rng,
) -> (Vec<(u32, u32)>, u64) {
    let mut keyed: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| **k != 0)
        .map(|(i, k)| (*k, i as u32))
        .collect();
    keyed.sort_unstable();
    let mut blocks = Vec::new();
    let mut s = 0;
    while s < keyed.len() {
        let mut e = s + 1;
        while e < keyed.len() && keyed[e].0 == keyed[s].0 {
            e += 1;
        }
        if e - s >= 2 {
            let members: Vec<u32> = keyed[s..e].iter().map(|x| x.1).collect();
            let pairs = if data.link {
                let b = members
                    .iter()
                    .filter(|i| data.source[**i as usize] == 1)
                    .count() as u64;
                (members.len() as u64 - b) * b
            } else {
                let m = members.len() as u64;
                m * (m - 1) / 2
            };
            if pairs > 0 {
                blocks.push((members, pairs));
            }
        }
        s = e;
    }
    let total: u64 = blocks.iter().map(|b| b.1).sum();
    let q = if total == 0 {
        0.0
    } else {
        (cap as f64 / total as f64).min(1.0)
    };
    let mut out = Vec::new();
    for (members, pairs) in &blocks {
        if q >= 1.0 {
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    if data.comparable(i as usize, j as usize) {
                        out.push((i, j));
                    }
                }
            }
            continue;
        }
        let want = *pairs as f64 * q;
        let mut k = want.floor() as usize;
        if rng.unit() < want - want.floor() {
            k += 1;
        }
        let mut got = 0;
        let mut tries = 0;
        while got < k && tries < k * 20 + 20 {
            tries += 1;
            let i = members[rng.below(members.len())];
            let j = members[rng.below(members.len())];
            if data.comparable(i as usize, j as usize) {
                out.push((i.min(j), i.max(j)));
                got += 1;
            }
        }
    }
    (out, total)
}

/// Train a model on `data`: u from random pairs, m by EM in each training block, λ from the
/// sessions, term frequencies from the data.
pub fn train(
    data: &Dataset,
    training: &[BlockingRule],
    opts: &TrainOptions,
) -> Result<(Model, TrainReport), crate::LinkageError> {
    if data.columns.len() > 16 {
        return Err(crate::LinkageError::TooManyFields(data.columns.len()));
    }
    let mut model = blank_model(data);
    let mut rng = Rng::new(opts.seed);
    let t0 = std::time::Instant::now();
    let u_pairs = estimate_u(data, &mut model, opts.u_pairs, opts.seed);
    if std::env::var_os("EVERYCHILD_LINK_TIMING").is_some() {
        eprintln!("u {:.3}s", t0.elapsed().as_secs_f64());
    }
    let nf = model.fields.len();
    let mut m_sum: Vec<Vec<f64>> = model
        .fields
        .iter()
        .map(|f| vec![0.0; f.levels.len()])
        .collect();
    let mut m_n = vec![0usize; nf];
    let mut sessions = Vec::new();
    // (keys of the rule, pairs with posteriors) per session, for the recall estimates.
    let mut posts: Vec<SessionPosteriors> = Vec::new();
    for rule in training {
        let keys = rule.keys(data);
        let (pairs, block_pairs) = sample_block_pairs(data, &keys, opts.em_pairs, &mut rng);
        if pairs.len() < 10 {
            continue;
        }
        let groups: Vec<u8> = rule.roles().iter().map(Role::group).collect();
        // People at one address share a family name far more often than random pairs do, so a
        // block on location says nothing reliable about family names either.
        let location = groups.contains(&Role::Postcode.group());
        let active: Vec<bool> = model
            .fields
            .iter()
            .map(|f| !(groups.contains(&f.role.group()) || location && f.role == Role::FamilyName))
            .collect();
        if !active.iter().any(|a| *a) {
            continue;
        }
        let scorer = Scorer::new(&model);
        let pair_pattern: Vec<u64> = {
            use rayon::prelude::*;
            pairs
                .par_iter()
                .map_init(
                    || vec![0u8; nf],
                    |buf, (i, j)| {
                        scorer.levels(data, *i as usize, data, *j as usize, buf);
                        pack(buf)
                    },
                )
                .collect()
        };
        let mut patterns: HashMap<u64, f64> = HashMap::new();
        for p in &pair_pattern {
            *patterns.entry(*p).or_insert(0.0) += 1.0;
        }
        // Sorted, so that sums run in the same order every time (same seed, same model).
        let mut patterns: Vec<(u64, f64)> = patterns.into_iter().collect();
        patterns.sort_unstable_by_key(|p| p.0);
        let (m, lambda, iterations, post) = em(&model, &patterns, &active, opts.em_iterations);
        let mut estimated = Vec::new();
        for k in 0..nf {
            if active[k] {
                for (s, x) in m_sum[k].iter_mut().zip(&m[k]) {
                    *s += x;
                }
                m_n[k] += 1;
                estimated.push(model.fields[k].role.label());
            }
        }
        let post_of: HashMap<u64, f64> = patterns
            .iter()
            .map(|(p, _)| *p)
            .zip(post.iter().copied())
            .collect();
        let with_post = pairs
            .iter()
            .zip(&pair_pattern)
            .map(|((i, j), p)| (*i, *j, post_of.get(p).copied().unwrap_or(0.0)))
            .collect();
        posts.push((keys, with_post, block_pairs, lambda));
        sessions.push(Session {
            rule: rule.name.clone(),
            block_pairs,
            sampled_pairs: pairs.len(),
            match_share: lambda,
            recall: None,
            iterations,
            estimated,
        });
    }
    for (k, f) in model.fields.iter_mut().enumerate() {
        if m_n[k] > 0 {
            for (lp, s) in f.levels.iter_mut().zip(&m_sum[k]).skip(1) {
                lp.m = (s / m_n[k] as f64).max(1e-6);
            }
        }
    }
    model.lambda = estimate_lambda(data, &posts, &mut sessions);
    for (f, c) in model.fields.iter_mut().zip(&data.columns) {
        if f.kind.term_frequency() {
            let present = c.present().max(1) as f64;
            let floor = 1.0 / present;
            let values = c
                .feats
                .iter()
                .skip(1)
                .filter(|x| x.tf > floor * 1.5)
                .map(|x| (x.text.clone(), x.tf))
                .collect();
            f.tf = Some(TermFrequencies { values, floor });
        }
    }
    Ok((model, TrainReport { u_pairs, sessions }))
}

/// EM over patterns with u fixed; returns m per field, the match share, iterations, and the
/// posterior of each pattern.
fn em(
    model: &Model,
    patterns: &[(u64, f64)],
    active: &[bool],
    max_iter: usize,
) -> (Vec<Vec<f64>>, f64, usize, Vec<f64>) {
    let nf = model.fields.len();
    let mut m: Vec<Vec<f64>> = model
        .fields
        .iter()
        .map(|f| f.levels.iter().map(|l| l.m).collect())
        .collect();
    let u: Vec<Vec<f64>> = model
        .fields
        .iter()
        .map(|f| f.levels.iter().map(|l| l.u).collect())
        .collect();
    let mut lambda: f64 = 0.3;
    let mut post = vec![0.0; patterns.len()];
    let mut iterations = 0;
    for it in 0..max_iter {
        iterations = it + 1;
        let mut acc: Vec<Vec<f64>> = m.iter().map(|x| vec![0.0; x.len()]).collect();
        let mut matched = 0.0;
        let mut all = 0.0;
        for (idx, (p, c)) in patterns.iter().enumerate() {
            let mut lm = lambda.ln();
            let mut lu = (1.0 - lambda).ln();
            for k in 0..nf {
                let l = unpack(*p, k);
                if !active[k] || l == 0 {
                    continue;
                }
                lm += m[k].get(l).copied().unwrap_or(1e-6).max(1e-12).ln();
                lu += u[k].get(l).copied().unwrap_or(1.0).max(1e-12).ln();
            }
            let pm = 1.0 / (1.0 + (lu - lm).exp());
            post[idx] = pm;
            matched += pm * c;
            all += c;
            for k in 0..nf {
                let l = unpack(*p, k);
                if active[k] && l != 0 {
                    if let Some(a) = acc[k].get_mut(l) {
                        *a += pm * c;
                    }
                }
            }
        }
        let mut change: f64 = 0.0;
        for k in 0..nf {
            if !active[k] {
                continue;
            }
            let s: f64 = acc[k].iter().skip(1).sum();
            if s <= 0.0 {
                continue;
            }
            for (l, a) in acc[k].iter().enumerate().skip(1) {
                let new = (a / s).max(1e-6);
                change = change.max((new - m[k][l]).abs());
                m[k][l] = new;
            }
        }
        let new_lambda = (matched / all.max(1e-12)).clamp(1e-9, 1.0 - 1e-9);
        change = change.max((new_lambda - lambda).abs());
        lambda = new_lambda;
        if change < 1e-6 {
            break;
        }
    }
    (m, lambda, iterations, post)
}

/// λ from the sessions: each block's expected matches, divided by the share of all matches
/// the block reaches (estimated from the other sessions), over all possible pairs.
fn estimate_lambda(data: &Dataset, posts: &[SessionPosteriors], sessions: &mut [Session]) -> f64 {
    let total = data.total_pairs().max(1) as f64;
    let mut estimates = Vec::new();
    for (s, (keys, _, block_pairs, share)) in posts.iter().enumerate() {
        let mut num = 0.0;
        let mut den = 0.0;
        for (t, (_, pairs, _, _)) in posts.iter().enumerate() {
            if t == s {
                continue;
            }
            for (i, j, p) in pairs {
                let (a, b) = (keys[*i as usize], keys[*j as usize]);
                den += p;
                if a != 0 && a == b {
                    num += p;
                }
            }
        }
        let recall = if den > 1.0 { num / den } else { 0.8 };
        if let Some(sess) = sessions.get_mut(s) {
            sess.recall = Some(recall);
        }
        let matches = share * *block_pairs as f64 / recall.max(0.05);
        estimates.push(matches / total);
    }
    if estimates.is_empty() {
        // No training block: assume each record has one other record of the same person.
        return (data.len() as f64 / 2.0 / total).clamp(1e-12, 0.5);
    }
    estimates.sort_by(f64::total_cmp);
    let mid = estimates[estimates.len() / 2];
    mid.clamp(1e-12, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn draw(rng: &mut Rng, p: &[f64]) -> u8 {
        let x = rng.unit();
        let mut acc = 0.0;
        for (i, q) in p.iter().enumerate() {
            acc += q;
            if x < acc {
                return i as u8;
            }
        }
        (p.len() - 1) as u8
    }

    #[test]
    fn em_recovers_known_m_and_match_share() {
        // Three identifier-kind fields (levels: missing, exact, one edit, two edits, different).
        let roles = [Role::NhsNumber, Role::Identifier, Role::Email];
        let data = Dataset::new(&roles, false).unwrap();
        let mut model = blank_model(&data);
        let true_m = [
            [0.0, 0.80, 0.10, 0.05, 0.05],
            [0.0, 0.70, 0.15, 0.05, 0.10],
            [0.0, 0.90, 0.04, 0.03, 0.03],
        ];
        let true_u = [
            [0.0, 0.01, 0.02, 0.07, 0.90],
            [0.0, 0.02, 0.03, 0.05, 0.90],
            [0.0, 0.005, 0.015, 0.03, 0.95],
        ];
        for (f, u) in model.fields.iter_mut().zip(&true_u) {
            for (l, x) in f.levels.iter_mut().zip(u) {
                l.u = *x;
            }
            f.levels[0].u = 1.0;
        }
        let lambda = 0.15;
        let mut rng = Rng::new(9);
        let mut counts: HashMap<u64, f64> = HashMap::new();
        for _ in 0..200_000 {
            let matched = rng.unit() < lambda;
            let levels: Vec<u8> = (0..3)
                .map(|k| {
                    let p = if matched { &true_m[k] } else { &true_u[k] };
                    draw(&mut rng, &p[1..]) + 1
                })
                .collect();
            *counts.entry(pack(&levels)).or_insert(0.0) += 1.0;
        }
        let patterns: Vec<(u64, f64)> = counts.into_iter().collect();
        let (m, share, iterations, _) = em(&model, &patterns, &[true, true, true], 500);
        assert!(iterations < 500, "did not converge");
        assert!((share - lambda).abs() < 0.01, "share {share}");
        for (k, tm) in true_m.iter().enumerate() {
            for l in 1..5 {
                assert!(
                    (m[k][l] - tm[l]).abs() < 0.02,
                    "m[{k}][{l}] = {} vs {}",
                    m[k][l],
                    tm[l]
                );
            }
        }
        // A field left out of the session keeps its starting m.
        let (m2, _, _, _) = em(&model, &patterns, &[true, false, true], 500);
        assert_eq!(
            m2[1],
            model.fields[1]
                .levels
                .iter()
                .map(|l| l.m)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_same_seed_trains_the_same_model() {
        let roles = [Role::GivenName, Role::FamilyName, Role::Dob];
        let mut d = Dataset::new(&roles, false).unwrap();
        let names = [
            "Amelia", "Oliver", "Aisha", "Jakub", "Priya", "Tendai", "Harry", "Zara",
        ];
        let fams = ["Patel", "Smith", "Khan", "Nowak", "Moyo", "Jones"];
        for i in 0..400usize {
            let g = names[i % names.len()];
            let f = fams[(i / 3) % fams.len()];
            let dob = format!("20{:02}-{:02}-{:02}", 5 + i % 13, 1 + i % 12, 1 + i % 28);
            d.push(&i.to_string(), 0, &[Some(g), Some(f), Some(&dob)]);
        }
        d.finish();
        let rules = default_training_rules(&roles);
        let a = train(&d, &rules, &TrainOptions::default()).unwrap().0;
        let b = train(&d, &rules, &TrainOptions::default()).unwrap().0;
        assert_eq!(a, b);
    }
}
