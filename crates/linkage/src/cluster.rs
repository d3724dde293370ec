//! Turning scored pairs into decisions: clusters by connected components (deduplication) and
//! one-to-one assignment (linking two lists that each hold a person at most once).

/// A scored candidate pair: record indices and the match weight (bits, prior included).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// Index of the first record.
    pub a: u32,
    /// Index of the second record.
    pub b: u32,
    /// Match weight in bits; the probability is `1 / (1 + 2^-weight)`.
    pub weight: f32,
}

impl ScoredPair {
    /// The match probability.
    pub fn probability(&self) -> f64 {
        crate::model::probability(f64::from(self.weight))
    }
}

/// Union-find with path halving and union by size.
struct Dsu {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Dsu {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// Cluster `n` records: records joined by a pair with probability ≥ `threshold` are one
/// person, transitively. Returns a cluster number per record (numbered from 0 in order of
/// each cluster's first record).
pub fn connected_components(n: usize, pairs: &[ScoredPair], threshold: f64) -> Vec<u32> {
    let mut d = Dsu::new(n);
    for p in pairs {
        if p.probability() >= threshold && (p.a as usize) < n && (p.b as usize) < n {
            d.union(p.a, p.b);
        }
    }
    let mut label = vec![u32::MAX; n];
    let mut next = 0;
    let mut out = vec![0; n];
    for (i, o) in out.iter_mut().enumerate() {
        let r = d.find(i as u32) as usize;
        if label[r] == u32::MAX {
            label[r] = next;
            next += 1;
        }
        *o = label[r];
    }
    out
}

/// One-to-one assignment for linking two lists: take pairs from the highest weight down and
/// keep a pair only if neither record is already linked. Ties go to the lower record indices,
/// so the result is deterministic. Returns the kept pairs, highest weight first; because the
/// order is greedy, the pairs kept at any threshold are a prefix of this list.
pub fn one_to_one(pairs: &[ScoredPair]) -> Vec<ScoredPair> {
    let mut sorted: Vec<ScoredPair> = pairs.to_vec();
    sorted.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let n = sorted
        .iter()
        .map(|p| p.a.max(p.b) as usize + 1)
        .max()
        .unwrap_or(0);
    let mut used = vec![false; n];
    let mut out = Vec::new();
    for p in sorted {
        if !used[p.a as usize] && !used[p.b as usize] {
            used[p.a as usize] = true;
            used[p.b as usize] = true;
            out.push(p);
        }
    }
    out
}
