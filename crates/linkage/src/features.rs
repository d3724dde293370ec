//! Records held column by column, with their normalised values interned and the features that
//! comparisons need (phonetic keys, variant groups, dates, postcode parts) computed once per
//! distinct value rather than once per pair.

use crate::role::{Kind, Role};
use crate::text::{self, Ymd};
use crate::variants::Variants;
use std::collections::HashMap;

/// Maps for interning values: foldhash (fast, seeded at random per map).
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Id 0 of every column means "missing".
pub(crate) const MISSING: u32 = 0;

/// The features of one distinct value of a column.
#[derive(Debug, Clone, Default)]
pub(crate) struct Feat {
    /// Normalised text (what is compared and shown).
    pub text: String,
    /// Phonetic key (names).
    pub phon: [u8; 4],
    /// Variant groups (names).
    pub groups: &'static [u16],
    /// First character (names: for the "initial" level).
    pub initial: u8,
    /// Parsed date (dates).
    pub date: Option<Ymd>,
    /// Sector, district and area of a UK postcode; the part before `@` of an email in `sector`.
    pub sector: String,
    /// District of a UK postcode.
    pub district: String,
    /// Area of a UK postcode.
    pub area: String,
    /// Words (full names).
    pub words: Vec<String>,
    /// Share of non-missing records with this value (for term-frequency adjustment).
    pub tf: f64,
    /// Letter bag for a quick upper bound on Jaro-Winkler (see `compare::bag`).
    pub bag: u128,
    /// log2 of `tf` (computed with it).
    pub tf_log2: f64,
}

/// One field of every record.
#[derive(Debug, Clone)]
pub struct Column {
    pub(crate) role: Role,
    pub(crate) kind: Kind,
    /// Per record: id of its value (0 = missing).
    pub(crate) ids: Vec<u32>,
    /// Per distinct value (index 0 is the missing value).
    pub(crate) feats: Vec<Feat>,
    map: Map<String, u32>,
    /// Raw value → id, for kinds whose values repeat (names, dates, postcodes…), so that a
    /// value seen before is not normalised again.
    raw: Option<Map<String, u32>>,
    /// How many values could not be read (an impossible date).
    pub(crate) invalid: usize,
}

impl Column {
    fn new(role: Role) -> Self {
        let kind = role.kind();
        Self {
            role,
            kind,
            ids: Vec::new(),
            feats: vec![Feat::default()],
            map: Map::default(),
            raw: matches!(
                kind,
                Kind::Name | Kind::Date | Kind::Postcode | Kind::Sex | Kind::Town | Kind::Exact
            )
            .then(Map::default),
            invalid: 0,
        }
    }

    /// The features of record `i`'s value, `None` when missing.
    pub(crate) fn feat(&self, i: usize) -> Option<&Feat> {
        let id = *self.ids.get(i)?;
        if id == MISSING {
            None
        } else {
            self.feats.get(id as usize)
        }
    }

    /// The normalised value of record `i`, for explanations.
    pub fn value(&self, i: usize) -> Option<&str> {
        self.feat(i).map(|f| f.text.as_str())
    }

    fn push(&mut self, raw: Option<&str>) {
        if let (Some(r), Some(cache)) = (raw, &self.raw) {
            if let Some(id) = cache.get(r) {
                self.ids.push(*id);
                if *id == MISSING && !r.trim().is_empty() && self.kind == Kind::Date {
                    self.invalid += 1;
                }
                return;
            }
        }
        let id = self.intern(raw);
        if let (Some(r), Some(cache)) = (raw, &mut self.raw) {
            cache.insert(r.to_owned(), id);
        }
        self.ids.push(id);
    }

    fn intern(&mut self, raw: Option<&str>) -> u32 {
        match raw.and_then(|r| self.normalise(r)) {
            None => MISSING,
            Some(norm) => match self.map.get(&norm) {
                Some(id) => *id,
                None => {
                    let feat = self.features(&norm);
                    let id = u32::try_from(self.feats.len()).unwrap_or(u32::MAX);
                    self.feats.push(feat);
                    self.map.insert(norm, id);
                    id
                }
            },
        }
    }

    /// The normalised text, or `None` when the value counts as missing.
    fn normalise(&mut self, raw: &str) -> Option<String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let s = match self.kind {
            Kind::Name | Kind::FullName => text::normalise_name(raw),
            Kind::Date => match text::parse_date(raw) {
                Some(d) => format!("{:04}-{:02}-{:02}", d.y, d.m, d.d),
                None => {
                    self.invalid += 1;
                    return None;
                }
            },
            Kind::Postcode => text::parse_postcode(raw)?.full,
            Kind::Identifier => {
                if self.role == Role::NhsNumber {
                    text::digits_only(raw)
                } else {
                    text::normalise_identifier(raw)
                }
            }
            Kind::Sex => {
                let t = text::normalise_text(raw);
                t.chars().next().map(String::from).unwrap_or_default()
            }
            Kind::Email => raw.to_lowercase(),
            Kind::Address | Kind::Town | Kind::Exact => text::normalise_text(raw),
        };
        (!s.is_empty()).then_some(s)
    }

    fn features(&self, norm: &str) -> Feat {
        let mut f = Feat {
            text: norm.to_owned(),
            bag: crate::compare::bag(norm.as_bytes()),
            ..Feat::default()
        };
        match self.kind {
            Kind::Name => {
                let p = text::phonetic(norm);
                for (o, b) in f.phon.iter_mut().zip(p.bytes()) {
                    *o = b;
                }
                f.groups = Variants::get().groups(norm, self.role == Role::GivenName);
                if self.role == Role::MiddleName {
                    f.groups = Variants::get().groups(norm, true);
                }
                f.initial = norm.bytes().next().unwrap_or(0);
            }
            Kind::FullName => {
                f.words = norm.split(' ').map(str::to_owned).collect();
            }
            Kind::Date => f.date = text::parse_date(norm),
            Kind::Postcode => {
                if let Some(uk) = text::parse_postcode(norm).and_then(|p| p.uk) {
                    f.sector = uk.sector;
                    f.district = uk.district;
                    f.area = uk.area;
                }
            }
            Kind::Email => {
                f.sector = norm.split('@').next().unwrap_or_default().to_owned();
            }
            _ => {}
        }
        f
    }

    /// Fill each value's term frequency: its share of the non-missing records.
    fn compute_tf(&mut self) {
        let mut counts = vec![0u64; self.feats.len()];
        let mut total = 0u64;
        for id in &self.ids {
            if *id != MISSING {
                if let Some(c) = counts.get_mut(*id as usize) {
                    *c += 1;
                }
                total += 1;
            }
        }
        let total = total.max(1) as f64;
        for (f, c) in self.feats.iter_mut().zip(counts) {
            f.tf = c as f64 / total;
            f.tf_log2 = f.tf.max(1e-300).log2();
        }
    }

    /// Number of distinct values (excluding missing).
    pub fn distinct(&self) -> usize {
        self.feats.len() - 1
    }

    /// Number of records with a value.
    pub fn present(&self) -> usize {
        self.ids.iter().filter(|i| **i != MISSING).count()
    }
}

/// Records to be linked, one [`Column`] per role. For linking two lists, every record carries
/// its source (0 or 1) and only pairs across sources are compared.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub(crate) columns: Vec<Column>,
    pub(crate) ids: Vec<String>,
    pub(crate) source: Vec<u8>,
    /// Whether pairs must cross sources (linking two lists) rather than any two (dedupe).
    pub(crate) link: bool,
}

impl Dataset {
    /// An empty dataset for these roles. `link` = true for linking two lists.
    pub fn new(roles: &[Role], link: bool) -> Result<Self, crate::LinkageError> {
        for (i, r) in roles.iter().enumerate() {
            if roles[..i].contains(r) {
                return Err(crate::LinkageError::DuplicateRole(r.label()));
            }
        }
        if roles.is_empty() {
            return Err(crate::LinkageError::NoFields);
        }
        Ok(Self {
            columns: roles.iter().cloned().map(Column::new).collect(),
            ids: Vec::new(),
            source: Vec::new(),
            link,
        })
    }

    /// Add a record: its id, its source (0 or 1; always 0 for dedupe) and one raw value per
    /// role, in the order the roles were given (`None` or empty = missing).
    pub fn push(&mut self, id: &str, source: u8, values: &[Option<&str>]) {
        self.ids.push(id.to_owned());
        self.source.push(source);
        for (i, c) in self.columns.iter_mut().enumerate() {
            c.push(values.get(i).copied().flatten());
        }
    }

    /// Add many records at once, building the columns in parallel: `value(row, column)` gives
    /// the raw value of a row's field in role order. Same result as [`Dataset::push`] row by
    /// row.
    pub fn extend<'v, F>(&mut self, ids: &[&str], source: u8, value: F)
    where
        F: Fn(usize, usize) -> Option<&'v str> + Sync,
    {
        use rayon::prelude::*;
        self.ids.extend(ids.iter().map(|s| (*s).to_owned()));
        self.source.extend(std::iter::repeat_n(source, ids.len()));
        self.columns
            .par_iter_mut()
            .enumerate()
            .for_each(|(c, col)| {
                col.ids.reserve(ids.len());
                for r in 0..ids.len() {
                    col.push(value(r, c));
                }
            });
    }

    /// Add a [`Record`]; roles it has that the dataset does not are ignored.
    pub fn push_record(&mut self, r: &crate::Record, source: u8) {
        let vals: Vec<Option<&str>> = self.columns.iter().map(|c| r.get(&c.role)).collect();
        self.push(&r.id, source, &vals);
    }

    /// Compute term frequencies; call once all records are in.
    pub fn finish(&mut self) {
        for c in &mut self.columns {
            c.compute_tf();
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of record `i`.
    pub fn id(&self, i: usize) -> &str {
        self.ids.get(i).map(String::as_str).unwrap_or("")
    }

    /// The roles, in column order.
    pub fn roles(&self) -> Vec<Role> {
        self.columns.iter().map(|c| c.role.clone()).collect()
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Number of records of each source.
    pub fn source_sizes(&self) -> [usize; 2] {
        let b = self.source.iter().filter(|s| **s == 1).count();
        [self.len() - b, b]
    }

    /// Whether records `i` and `j` may be compared (different records; across sources when
    /// linking).
    pub(crate) fn comparable(&self, i: usize, j: usize) -> bool {
        i != j && (!self.link || self.source.get(i) != self.source.get(j))
    }

    /// The number of pairs that could be compared at all.
    pub fn total_pairs(&self) -> u64 {
        if self.link {
            let [a, b] = self.source_sizes();
            a as u64 * b as u64
        } else {
            let n = self.len() as u64;
            n * n.saturating_sub(1) / 2
        }
    }

    /// Index of the column for a role.
    pub(crate) fn column_of(&self, role: &Role) -> Option<usize> {
        self.columns.iter().position(|c| &c.role == role)
    }
}
