//! Blocking: which pairs are compared at all. A rule is a list of key parts (exact value,
//! phonetic key, variant group, year…); two records are a candidate pair when every part
//! agrees. Several rules are applied in order and a pair is made only by the first rule that
//! reaches it. A block larger than the rule's cap is skipped (and reported), so a common
//! value cannot make the work quadratic.

use crate::features::{Column, Dataset, Feat};
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One part of a blocking key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPart {
    /// The normalised value.
    Exact(Role),
    /// The phonetic key of a name.
    Phonetic(Role),
    /// The variant group of a name (the name itself when it has none).
    Variant(Role),
    /// The first letter.
    Initial(Role),
    /// The year of a date.
    Year(Role),
    /// A date with day and month in either order.
    DateAnyOrder(Role),
    /// Postcode sector (UK) or the whole postcode.
    Sector(Role),
    /// Given and family name variant groups in either order (catches swapped names).
    NamePair,
    /// Given and family name phonetic keys in either order.
    NamePairPhonetic,
    /// First and last words of a full name, by variant group.
    FullNameEnds,
}

/// A blocking rule: candidate pairs agree on every part of the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockingRule {
    /// A readable description (`dob (any order) + family_name (phonetic)`).
    pub name: String,
    /// The key parts.
    pub parts: Vec<KeyPart>,
    /// Blocks with more records than this are skipped (set when blocking is planned).
    pub max_block: usize,
    /// Whether the rule is broad (one field alone): it gets the smaller pair budget.
    pub broad: bool,
}

impl BlockingRule {
    /// A rule with the given parts; `broad` rules get the smaller pair budget.
    pub fn new(parts: Vec<KeyPart>, broad: bool) -> Self {
        let name = parts.iter().map(part_name).collect::<Vec<_>>().join(" + ");
        Self {
            name,
            parts,
            max_block: usize::MAX,
            broad,
        }
    }

    /// The roles whose values the key reads.
    pub fn roles(&self) -> Vec<Role> {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                KeyPart::Exact(r)
                | KeyPart::Phonetic(r)
                | KeyPart::Variant(r)
                | KeyPart::Initial(r)
                | KeyPart::Year(r)
                | KeyPart::DateAnyOrder(r)
                | KeyPart::Sector(r) => out.push(r.clone()),
                KeyPart::NamePair | KeyPart::NamePairPhonetic => {
                    out.push(Role::GivenName);
                    out.push(Role::FamilyName);
                }
                KeyPart::FullNameEnds => out.push(Role::FullName),
            }
        }
        out
    }

    /// Whether the dataset has every role the rule reads.
    pub fn applies(&self, roles: &[Role]) -> bool {
        self.roles().iter().all(|r| roles.contains(r))
    }

    /// The key of every record (0 = a part is missing, so the record is not blocked).
    pub fn keys(&self, data: &Dataset) -> Vec<u64> {
        use rayon::prelude::*;
        let cols = self.columns(data);
        (0..data.len())
            .into_par_iter()
            .map(|i| self.key_with(&cols, i))
            .collect()
    }

    /// The key of one record.
    pub fn key(&self, data: &Dataset, i: usize) -> u64 {
        self.key_with(&self.columns(data), i)
    }

    fn columns<'d>(&self, data: &'d Dataset) -> KeyColumns<'d> {
        let col = |r: &Role| data.column_of(r).and_then(|c| data.columns.get(c));
        KeyColumns {
            parts: self
                .parts
                .iter()
                .map(|p| match p {
                    KeyPart::NamePair | KeyPart::NamePairPhonetic => None,
                    _ => self_role(p).and_then(col),
                })
                .collect(),
            given: col(&Role::GivenName),
            family: col(&Role::FamilyName),
        }
    }

    fn key_with(&self, cols: &KeyColumns<'_>, i: usize) -> u64 {
        let mut h = Hasher::new();
        for (p, col) in self.parts.iter().zip(&cols.parts) {
            let v = match p {
                KeyPart::NamePair | KeyPart::NamePairPhonetic => {
                    let (Some(g), Some(f)) = (
                        cols.given.and_then(|c| c.feat(i)),
                        cols.family.and_then(|c| c.feat(i)),
                    ) else {
                        return 0;
                    };
                    let phon = matches!(p, KeyPart::NamePairPhonetic);
                    let a = name_token(g, phon);
                    let b = name_token(f, phon);
                    if a <= b {
                        hash_pair(a, b)
                    } else {
                        hash_pair(b, a)
                    }
                }
                _ => match col.and_then(|c| c.feat(i)).and_then(|f| part_value(p, f)) {
                    Some(v) => v,
                    None => return 0,
                },
            };
            h.write(v);
        }
        h.finish().max(1)
    }
}

struct KeyColumns<'d> {
    parts: Vec<Option<&'d Column>>,
    given: Option<&'d Column>,
    family: Option<&'d Column>,
}

fn self_role(p: &KeyPart) -> Option<&Role> {
    match p {
        KeyPart::Exact(r)
        | KeyPart::Phonetic(r)
        | KeyPart::Variant(r)
        | KeyPart::Initial(r)
        | KeyPart::Year(r)
        | KeyPart::DateAnyOrder(r)
        | KeyPart::Sector(r) => Some(r),
        KeyPart::FullNameEnds => Some(&Role::FullName),
        KeyPart::NamePair | KeyPart::NamePairPhonetic => None,
    }
}

fn part_name(p: &KeyPart) -> String {
    match p {
        KeyPart::Exact(r) => r.label(),
        KeyPart::Phonetic(r) => format!("{} (phonetic)", r.label()),
        KeyPart::Variant(r) => format!("{} (variant)", r.label()),
        KeyPart::Initial(r) => format!("{} (initial)", r.label()),
        KeyPart::Year(r) => format!("{} (year)", r.label()),
        KeyPart::DateAnyOrder(r) => format!("{} (day/month any order)", r.label()),
        KeyPart::Sector(r) => format!("{} (sector)", r.label()),
        KeyPart::NamePair => "given_name + family_name (variants, either order)".into(),
        KeyPart::NamePairPhonetic => "given_name + family_name (phonetic, either order)".into(),
        KeyPart::FullNameEnds => "full_name (first and last words)".into(),
    }
}

/// A name's token for keys that ignore which column the name is in: the phonetic key, or the
/// variant group (given-name table first, then family-name table), or the name itself.
fn name_token(f: &Feat, phonetic: bool) -> u64 {
    if phonetic {
        return hash_bytes(&f.phon);
    }
    let v = crate::variants::Variants::get();
    if let Some(g) = v.groups(&f.text, true).iter().min() {
        return 0x9e37_79b9 ^ u64::from(*g);
    }
    if let Some(g) = v.groups(&f.text, false).iter().min() {
        return 0x7f4a_7c15_0000 ^ u64::from(*g);
    }
    hash_bytes(f.text.as_bytes())
}

/// A name's token within its own column (its variant group in that column's table).
fn column_token(f: &Feat) -> u64 {
    match f.groups.iter().min() {
        Some(g) => 0x9e37_79b9 ^ u64::from(*g),
        None => hash_bytes(f.text.as_bytes()),
    }
}

fn part_value(p: &KeyPart, f: &Feat) -> Option<u64> {
    Some(match p {
        KeyPart::Exact(_) => hash_bytes(f.text.as_bytes()),
        KeyPart::Phonetic(_) => hash_bytes(&f.phon),
        KeyPart::Variant(_) => column_token(f),
        KeyPart::Initial(_) => u64::from(*f.text.as_bytes().first()?),
        KeyPart::Year(_) => u64::from(f.date?.y),
        KeyPart::DateAnyOrder(_) => {
            let d = f.date?;
            let (a, b) = (d.m.min(d.d), d.m.max(d.d));
            (u64::from(d.y) << 16) | (u64::from(a) << 8) | u64::from(b)
        }
        KeyPart::Sector(_) => {
            if f.sector.is_empty() {
                hash_bytes(f.text.as_bytes())
            } else {
                hash_bytes(f.sector.as_bytes())
            }
        }
        KeyPart::FullNameEnds => {
            let v = crate::variants::Variants::get();
            let first = f.words.first()?;
            let last = f.words.last()?;
            let t = |w: &str, given: bool| match v.groups(w, given).iter().min() {
                Some(g) => 0x9e37_79b9 ^ u64::from(*g),
                None => hash_bytes(w.as_bytes()),
            };
            hash_pair(t(first, true), t(last, false))
        }
        KeyPart::NamePair | KeyPart::NamePairPhonetic => return None,
    })
}

/// FNV-1a, enough to spread keys (collisions only add a few candidate pairs).
pub(crate) fn hash_bytes(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in b {
        h ^= u64::from(*x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn hash_pair(a: u64, b: u64) -> u64 {
    let mut h = Hasher::new();
    h.write(a);
    h.write(b);
    h.finish()
}

struct Hasher(u64);
impl Hasher {
    fn new() -> Self {
        Self(0x51_7cc1_b727_220a)
    }
    fn write(&mut self, v: u64) {
        self.0 = (self.0 ^ v)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

/// The rules used when the caller gives none, chosen from the roles present: specific rules
/// first (identifiers, names in either order, date of birth with a phonetic name), then broad
/// single-field rules whose block cap is fitted to the pair budget.
pub fn default_rules(roles: &[Role]) -> Vec<BlockingRule> {
    use KeyPart::*;
    let g = Role::GivenName;
    let f = Role::FamilyName;
    let d = Role::Dob;
    let p = Role::Postcode;
    let mut rules = vec![
        BlockingRule::new(vec![Exact(Role::NhsNumber)], false),
        BlockingRule::new(vec![Exact(Role::Identifier)], false),
        BlockingRule::new(vec![Exact(Role::Email)], false),
        BlockingRule::new(vec![NamePair], false),
        BlockingRule::new(vec![FullNameEnds], false),
        BlockingRule::new(vec![DateAnyOrder(d.clone()), Phonetic(f.clone())], false),
        BlockingRule::new(vec![DateAnyOrder(d.clone()), Phonetic(g.clone())], false),
        BlockingRule::new(vec![Exact(p.clone()), Year(d.clone())], false),
        BlockingRule::new(vec![Exact(p.clone()), Initial(g.clone())], false),
        BlockingRule::new(vec![NamePairPhonetic], true),
        BlockingRule::new(vec![Exact(d.clone()), Sector(p.clone())], true),
        BlockingRule::new(vec![Exact(f.clone())], true),
        BlockingRule::new(vec![Exact(g.clone())], true),
        BlockingRule::new(vec![Exact(d.clone())], true),
        BlockingRule::new(vec![Exact(p.clone())], true),
        BlockingRule::new(vec![Exact(Role::Address)], true),
    ];
    rules.retain(|r| r.applies(roles));
    rules
}

/// The records of one rule grouped into blocks: `(key, record)` sorted by key, and the ranges
/// of each block.
pub(crate) struct Blocks {
    pub keyed: Vec<(u64, u32)>,
    pub ranges: Vec<(usize, usize)>,
    pub oversize: HashSet<u64>,
    pub oversize_records: usize,
}

/// Group records by key, skipping blocks over the rule's cap. The cap is first set to the
/// largest block size at which the rule makes at most `budget` pairs (so a common value, such
/// as a frequent name, cannot make the work quadratic).
pub(crate) fn group(rule: &mut BlockingRule, keys: &[u64], data: &Dataset, budget: u64) -> Blocks {
    let mut keyed: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| **k != 0)
        .map(|(i, k)| (*k, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    {
        use rayon::slice::ParallelSliceMut;
        keyed.par_sort_unstable();
    }
    let mut ranges = Vec::new();
    let mut s = 0;
    while s < keyed.len() {
        let k = keyed[s].0;
        let mut e = s + 1;
        while e < keyed.len() && keyed[e].0 == k {
            e += 1;
        }
        ranges.push((s, e));
        s = e;
    }
    rule.max_block = fit_cap(&ranges, &keyed, data, budget);
    let mut oversize = HashSet::new();
    let mut oversize_records = 0;
    ranges.retain(|(s, e)| {
        let n = e - s;
        if n < 2 {
            return false;
        }
        if n > rule.max_block {
            oversize.insert(keyed[*s].0);
            oversize_records += n;
            return false;
        }
        true
    });
    Blocks {
        keyed,
        ranges,
        oversize,
        oversize_records,
    }
}

/// Pairs a block of `n` records makes (cross-source pairs when linking).
fn block_pairs(range: (usize, usize), keyed: &[(u64, u32)], data: &Dataset) -> u64 {
    let n = (range.1 - range.0) as u64;
    if !data.link {
        return n * n.saturating_sub(1) / 2;
    }
    let b = keyed[range.0..range.1]
        .iter()
        .filter(|(_, i)| data.source.get(*i as usize) == Some(&1))
        .count() as u64;
    (n - b) * b
}

fn fit_cap(ranges: &[(usize, usize)], keyed: &[(u64, u32)], data: &Dataset, budget: u64) -> usize {
    let mut sizes: Vec<(usize, u64)> = ranges
        .iter()
        .map(|r| (r.1 - r.0, block_pairs(*r, keyed, data)))
        .collect();
    sizes.sort_unstable();
    let mut total = 0u64;
    let mut cap = 1;
    for (n, p) in sizes {
        if total + p > budget {
            // Blocks of this size no longer fit: the cap is the last size that did.
            return cap;
        }
        total += p;
        cap = n;
    }
    // Every block fits: no cap (an index built later may grow its blocks freely).
    usize::MAX
}

/// What one rule did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleReport {
    /// The rule's description.
    pub rule: String,
    /// Block cap used (records).
    pub max_block: usize,
    /// Candidate pairs this rule added (pairs an earlier rule made are not counted again).
    pub pairs: u64,
    /// True pairs among them, when truth is known.
    pub true_pairs: Option<u64>,
    /// Share of all true pairs reached by this and the earlier rules, when truth is known.
    pub cumulative_recall: Option<f64>,
    /// Blocks skipped for being over the cap, and the records in them.
    pub skipped_blocks: usize,
    /// Records in skipped blocks.
    pub skipped_records: usize,
}

/// Whether an earlier rule (with keys `earlier`) already made the pair `(i, j)`.
pub(crate) fn made_earlier(earlier: &[(Vec<u64>, HashSet<u64>)], i: usize, j: usize) -> bool {
    earlier.iter().any(|(keys, over)| {
        let (Some(a), Some(b)) = (keys.get(i), keys.get(j)) else {
            return false;
        };
        *a != 0 && a == b && !over.contains(a)
    })
}
