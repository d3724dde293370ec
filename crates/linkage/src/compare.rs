//! Comparison functions: for two values of one kind, which comparison level they reach. Level 0
//! is "missing"; the levels of each kind are listed in [`crate::Kind::levels`], strongest
//! first, and the first level whose test passes is the answer.

use crate::features::Feat;
use crate::role::Kind;
use crate::variants::are_variants;

/// The level two present values reach.
pub(crate) fn level(kind: Kind, a: &Feat, b: &Feat) -> u8 {
    // Within one dataset equal values share one interned feature.
    if std::ptr::eq(a, b) {
        return 1;
    }
    match kind {
        Kind::Name => name_level(a, b),
        Kind::FullName => full_name_level(a, b),
        Kind::Date => date_level(a, b),
        Kind::Postcode => postcode_level(a, b),
        Kind::Identifier => identifier_level(a, b),
        Kind::Sex => {
            if a.text == b.text {
                1
            } else {
                2
            }
        }
        Kind::Email => email_level(a, b),
        Kind::Address => {
            if a.text == b.text {
                1
            } else {
                let s = jw_bounded(a, b, 0.80);
                if s >= 0.90 {
                    2
                } else if s >= 0.80 {
                    3
                } else {
                    4
                }
            }
        }
        Kind::Town => {
            if a.text == b.text {
                1
            } else if jw_bounded(a, b, 0.88) >= 0.88 {
                2
            } else {
                3
            }
        }
        Kind::Exact => {
            if a.text == b.text {
                1
            } else {
                2
            }
        }
    }
}

/// Names: exact; nickname or transliteration; Jaro-Winkler ≥ 0.92; ≥ 0.88; same phonetic
/// key; one is the other's initial; Jaro-Winkler ≥ 0.70; different.
pub(crate) fn name_level(a: &Feat, b: &Feat) -> u8 {
    if a.text == b.text {
        return 1;
    }
    if are_variants(a.groups, b.groups) {
        return 2;
    }
    let s = jw_bounded(a, b, 0.70);
    if s >= 0.92 {
        3
    } else if s >= 0.88 {
        4
    } else if a.phon == b.phon && a.phon[0] != 0 {
        5
    } else if (a.text.len() == 1 || b.text.len() == 1) && a.initial == b.initial {
        6
    } else if s >= 0.70 {
        7
    } else {
        8
    }
}

/// Whole names: exact; the same words in another order; two thirds or half of the words of
/// the shorter name found (by Jaro-Winkler ≥ 0.9) in the other; different.
pub(crate) fn full_name_level(a: &Feat, b: &Feat) -> u8 {
    if a.text == b.text {
        return 1;
    }
    let (short, long) = if a.words.len() <= b.words.len() {
        (&a.words, &b.words)
    } else {
        (&b.words, &a.words)
    };
    if short.len() == long.len() {
        let mut x: Vec<&String> = short.iter().collect();
        let mut y: Vec<&String> = long.iter().collect();
        x.sort();
        y.sort();
        if x == y {
            return 2;
        }
    }
    let found = short
        .iter()
        .filter(|w| long.iter().any(|v| v == *w || jaro_winkler(w, v) >= 0.9))
        .count();
    let n = short.len().max(1);
    if found * 3 >= n * 2 && found >= 1 {
        3
    } else if found * 2 >= n && found >= 1 {
        4
    } else {
        5
    }
}

/// Dates: exact; day and month swapped; one digit different (or two adjacent digits
/// transposed); same month and year; within a year; within ten years; different.
pub(crate) fn date_level(a: &Feat, b: &Feat) -> u8 {
    let (Some(x), Some(y)) = (a.date, b.date) else {
        return 7;
    };
    if x == y {
        return 1;
    }
    if x.y == y.y && x.m == y.d && x.d == y.m {
        return 2;
    }
    if osa_within(&x.digits(), &y.digits(), 1) {
        return 3;
    }
    if x.y == y.y && x.m == y.m {
        return 4;
    }
    let days = (x.day_number() - y.day_number()).abs();
    if days <= 366 {
        5
    } else if days <= 3653 {
        6
    } else {
        7
    }
}

/// Postcodes: exact; same sector; one character different; same district; same area;
/// different. Non-UK postcodes reach only exact, one character, or different.
pub(crate) fn postcode_level(a: &Feat, b: &Feat) -> u8 {
    if a.text == b.text {
        return 1;
    }
    let uk = !a.sector.is_empty() && !b.sector.is_empty();
    if uk && a.sector == b.sector {
        return 2;
    }
    if osa_within(a.text.as_bytes(), b.text.as_bytes(), 1) {
        return 3;
    }
    if uk && a.district == b.district {
        4
    } else if uk && a.area == b.area {
        5
    } else {
        6
    }
}

/// Identifiers: exact; one edit; two edits; different (edits counted as in optimal string
/// alignment, where swapping two adjacent characters is one edit).
pub(crate) fn identifier_level(a: &Feat, b: &Feat) -> u8 {
    let (x, y) = (a.text.as_bytes(), b.text.as_bytes());
    if x == y {
        return 1;
    }
    // Every character of the longer value that the shorter cannot supply costs an edit.
    if a.bag != u128::MAX && b.bag != u128::MAX {
        let common = (a.bag & b.bag).count_ones() as usize;
        if x.len().max(y.len()).saturating_sub(common) > 2 {
            return 4;
        }
    }
    if osa_within(x, y, 1) {
        2
    } else if osa_within(x, y, 2) {
        3
    } else {
        4
    }
}

fn email_level(a: &Feat, b: &Feat) -> u8 {
    if a.text == b.text {
        1
    } else if !a.sector.is_empty() && a.sector == b.sector {
        2
    } else if jw_bounded(a, b, 0.88) >= 0.88 {
        3
    } else {
        4
    }
}

/// Whether the optimal-string-alignment distance between `a` and `b` is at most `k`
/// (insertions, deletions, substitutions and transpositions of adjacent characters).
pub(crate) fn osa_within(a: &[u8], b: &[u8], k: usize) -> bool {
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    if k == 1 && a.len() == b.len() {
        // Equal lengths: one substitution, or one transposition of neighbours.
        let mut diff = a.iter().zip(b).enumerate().filter(|(_, (p, q))| p != q);
        return match (diff.next(), diff.next(), diff.next()) {
            (None, _, _) | (Some(_), None, _) => true,
            (Some((i, _)), Some((j, _)), None) => j == i + 1 && a[i] == b[j] && a[j] == b[i],
            _ => false,
        };
    }
    if a.len() > 64 || b.len() > 64 {
        return strsim::osa_distance(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b)) <= k;
    }
    // Three rows of the dynamic programme, on the stack, used in rotation.
    let m = b.len();
    let mut rows = [[0u8; 65]; 3];
    for (j, p) in rows[0].iter_mut().enumerate().take(m + 1) {
        *p = j as u8;
    }
    for i in 1..=a.len() {
        let (c, p, q) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[c][0] = i as u8;
        let mut row_min = rows[c][0];
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[p][j] + 1)
                .min(rows[c][j - 1] + 1)
                .min(rows[p][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[q][j - 2] + 1);
            }
            rows[c][j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > k {
            return false;
        }
    }
    usize::from(rows[a.len() % 3][m]) <= k
}

/// Given the straight levels of given (`lg`) and family (`lf`) names, whether the names were
/// recorded the other way round: the straight comparisons do not both reach Jaro-Winkler ≥
/// 0.88, and both crossed comparisons do. Returns the crossed levels if so.
pub(crate) fn swapped_levels(
    lg: u8,
    lf: u8,
    g1: Option<&Feat>,
    f1: Option<&Feat>,
    g2: Option<&Feat>,
    f2: Option<&Feat>,
) -> Option<(u8, u8)> {
    if lg <= 4 && lf <= 4 {
        return None;
    }
    let (Some(g1), Some(f1), Some(g2), Some(f2)) = (g1, f1, g2, f2) else {
        return None;
    };
    if g1.text == f1.text || g2.text == f2.text {
        return None;
    }
    let a = name_level_crossed(g1, f2);
    if a > 4 {
        return None;
    }
    let b = name_level_crossed(f1, g2);
    (b <= 4).then_some((a, b))
}

/// The name level of a given name against a family name, used when names were swapped.
pub(crate) fn name_level_crossed(a: &Feat, b: &Feat) -> u8 {
    if a.text == b.text {
        return 1;
    }
    let s = jw_bounded(a, b, 0.88);
    if s >= 0.92 {
        3
    } else if s >= 0.88 {
        4
    } else if a.phon == b.phon && a.phon[0] != 0 {
        5
    } else {
        8
    }
}

/// Jaro-Winkler similarity (prefix scale 0.1, up to 4 characters, applied above Jaro 0.7), as `strsim::jaro_winkler`
/// but without allocating for ASCII strings of up to 64 bytes, which is nearly every
/// normalised value; longer or non-ASCII strings go to `strsim`.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > 64 || y.len() > 64 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let mut ym: u64 = 0;
    let mut xm: u64 = 0;
    let mut matches = 0usize;
    for (i, c) in x.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(y.len());
        for (j, yc) in y.iter().enumerate().take(hi).skip(lo) {
            if ym & (1 << j) == 0 && yc == c {
                ym |= 1 << j;
                xm |= 1 << i;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let mut j = 0usize;
    for (i, c) in x.iter().enumerate() {
        if xm & (1 << i) == 0 {
            continue;
        }
        while ym & (1 << j) == 0 {
            j += 1;
        }
        if *c != y[j] {
            t += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let jaro = (m / x.len() as f64 + m / y.len() as f64 + (m - (t / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        // As strsim: the common-prefix bonus applies only above 0.7.
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

#[cfg(test)]
mod jw_tests {
    #[test]
    fn the_bound_never_hides_a_similarity_above_its_floor() {
        let words = [
            "mitchell",
            "harley",
            "madeline",
            "mason",
            "mohammed",
            "muhammad",
            "aaaa",
            "aaab",
            "anna",
            "hannah",
            "wallaby place",
            "wallaby pl",
            "st kilda",
            "stkilda",
            "x",
        ];
        for a in words {
            for b in words {
                let fa = crate::features::Feat {
                    text: a.into(),
                    bag: super::bag(a.as_bytes()),
                    ..Default::default()
                };
                let fb = crate::features::Feat {
                    text: b.into(),
                    bag: super::bag(b.as_bytes()),
                    ..Default::default()
                };
                let exact = super::jaro_winkler(a, b);
                for floor in [0.7, 0.8, 0.88, 0.92] {
                    let got = super::jw_bounded(&fa, &fb, floor);
                    if exact >= floor {
                        assert_eq!(got, exact, "{a} {b} {floor}");
                    } else {
                        assert!(got < floor, "{a} {b} {floor}");
                    }
                }
            }
        }
    }

    #[test]
    fn bounded_osa_agrees_with_strsim() {
        let words = [
            "1804974", "1809474", "1804947", "180497", "18049745", "2119", "2191", "", "abc", "cba",
        ];
        for a in words {
            for b in words {
                let d = strsim::osa_distance(a, b);
                for k in 0..3 {
                    assert_eq!(
                        super::osa_within(a.as_bytes(), b.as_bytes(), k),
                        d <= k,
                        "{a} {b} {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn fast_jaro_winkler_agrees_with_strsim() {
        let words = [
            "martha",
            "marhta",
            "dixon",
            "dicksonx",
            "jellyfish",
            "smellyfish",
            "mohammed",
            "muhammad",
            "a",
            "ab",
            "",
            "kowalska",
            "kowalski",
            "chaudhry",
            "choudhury",
        ];
        for a in words {
            for b in words {
                let x = super::jaro_winkler(a, b);
                let y = strsim::jaro_winkler(a, b);
                assert!((x - y).abs() < 1e-12, "{a} {b}: {x} vs {y}");
            }
        }
    }
}

/// A bag of the letters and digits of a short ASCII value: for each of 36 symbols, up to three
/// occurrences as three bits, so that `popcount(a & b)` bounds the characters two values can
/// have in common. Values with a symbol four or more times, longer than 64 bytes or not ASCII
/// get the all-ones bag, which bounds nothing.
pub(crate) fn bag(s: &[u8]) -> u128 {
    if s.len() > 64 {
        return u128::MAX;
    }
    let mut counts = [0u8; 36];
    for c in s {
        let k = match c {
            b'a'..=b'z' => c - b'a',
            b'A'..=b'Z' => c - b'A',
            b'0'..=b'9' => 26 + c - b'0',
            b' ' | b'@' | b'.' | b'-' | b'_' => continue,
            _ => return u128::MAX,
        };
        let n = &mut counts[usize::from(k)];
        *n += 1;
        if *n > 3 {
            return u128::MAX;
        }
    }
    let mut out = 0u128;
    for (k, n) in counts.iter().enumerate() {
        for r in 0..*n {
            out |= 1u128 << (k * 3 + usize::from(r));
        }
    }
    out
}

/// Jaro-Winkler of two values, or 0 when a cheap upper bound (from the letter bags, the
/// lengths and the common prefix) shows it is below `floor`: most random pairs stop here.
pub(crate) fn jw_bounded(a: &Feat, b: &Feat, floor: f64) -> f64 {
    let (x, y) = (a.text.as_bytes(), b.text.as_bytes());
    if a.bag != u128::MAX && b.bag != u128::MAX && !x.is_empty() && !y.is_empty() {
        // Spaces and punctuation are not in the bag but may match: add them back.
        let others = x
            .iter()
            .filter(|c| !c.is_ascii_alphanumeric())
            .count()
            .min(y.iter().filter(|c| !c.is_ascii_alphanumeric()).count());
        let m = ((a.bag & b.bag).count_ones() as usize + others)
            .min(x.len())
            .min(y.len()) as f64;
        let jaro = (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0;
        let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count() as f64;
        let bound = if jaro > 0.7 {
            jaro + prefix * 0.1 * (1.0 - jaro)
        } else {
            jaro
        };
        if bound < floor - 1e-12 {
            return 0.0;
        }
    }
    jaro_winkler(&a.text, &b.text)
}

#[cfg(test)]
mod level_tests {
    use super::*;
    use crate::features::Dataset;
    use crate::role::Role;

    /// The features of `values` for `role`, through the same path records take.
    fn feats(role: Role, values: &[&str]) -> Vec<Feat> {
        let mut d = Dataset::new(&[role], false).unwrap();
        for (i, v) in values.iter().enumerate() {
            d.push(&i.to_string(), 0, &[Some(v)]);
        }
        (0..values.len())
            .map(|i| d.columns[0].feat(i).cloned().unwrap())
            .collect()
    }

    fn lv(role: Role, a: &str, b: &str) -> u8 {
        let f = feats(role.clone(), &[a, b]);
        level(role.kind(), &f[0], &f[1])
    }

    #[test]
    fn name_levels() {
        let g = Role::GivenName;
        assert_eq!(
            lv(g.clone(), "Amelia", "AMELIA"),
            1,
            "exact after normalising"
        );
        assert_eq!(lv(g.clone(), "Mohammed", "Muhammad"), 2, "transliteration");
        assert_eq!(lv(g.clone(), "William", "Bill"), 2, "nickname");
        assert_eq!(
            lv(g.clone(), "Jonathon", "Jonathan"),
            3,
            "Jaro-Winkler >= 0.92"
        );
        assert_eq!(
            lv(g.clone(), "Kathrine", "Katrina"),
            4,
            "Jaro-Winkler >= 0.88"
        );
        assert_eq!(lv(g.clone(), "Siobhan", "Sabina"), 5, "same phonetic key");
        assert_eq!(lv(Role::MiddleName, "J", "James"), 6, "initial");
        assert_eq!(lv(g.clone(), "Martin", "Marlon"), 7, "Jaro-Winkler >= 0.70");
        assert_eq!(lv(g, "Olivia", "Tendai"), 8, "different");
        assert_eq!(
            lv(Role::FamilyName, "Kowalski", "Kowalska"),
            2,
            "Polish feminine form"
        );
    }

    #[test]
    fn date_levels() {
        let d = Role::Dob;
        assert_eq!(lv(d.clone(), "2014-03-07", "07/03/2014"), 1);
        assert_eq!(
            lv(d.clone(), "2014-03-07", "2014-07-03"),
            2,
            "day and month swapped"
        );
        assert_eq!(lv(d.clone(), "2014-03-07", "2014-03-17"), 3, "one digit");
        assert_eq!(
            lv(d.clone(), "2014-03-07", "2014-03-28"),
            4,
            "same month and year"
        );
        assert_eq!(
            lv(d.clone(), "2014-03-07", "2014-11-30"),
            5,
            "within a year"
        );
        assert_eq!(
            lv(d.clone(), "2014-03-07", "2009-01-30"),
            6,
            "within ten years"
        );
        assert_eq!(lv(d, "2014-03-07", "1990-01-30"), 7, "different");
    }

    #[test]
    fn postcode_levels() {
        let p = Role::Postcode;
        assert_eq!(lv(p.clone(), "LE2 7AB", "le27ab"), 1);
        assert_eq!(lv(p.clone(), "LE2 7AB", "LE2 7QT"), 2, "same sector");
        assert_eq!(
            lv(p.clone(), "LE2 7AB", "LE2 1AB"),
            3,
            "one character (district and inward match)"
        );
        assert_eq!(lv(p.clone(), "LE2 7AB", "LE2 1QT"), 4, "same district");
        assert_eq!(lv(p.clone(), "LE2 7AB", "LE19 1QT"), 5, "same area");
        assert_eq!(lv(p.clone(), "LE2 7AB", "PE1 1QT"), 6, "different");
        assert_eq!(
            lv(p.clone(), "2119", "2191"),
            3,
            "non-UK: one transposition"
        );
        assert_eq!(lv(p, "2119", "3165"), 6);
    }

    #[test]
    fn identifier_email_and_other_levels() {
        let n = Role::NhsNumber;
        assert_eq!(lv(n.clone(), "943 476 5919", "9434765919"), 1);
        assert_eq!(
            lv(n.clone(), "9434765919", "9434756919"),
            2,
            "transposition"
        );
        assert_eq!(lv(n.clone(), "9434765919", "9434756910"), 3, "two edits");
        assert_eq!(lv(n, "9434765919", "4010232110"), 4);
        let e = Role::Email;
        assert_eq!(lv(e.clone(), "a.b@x.org", "A.B@x.org"), 1);
        assert_eq!(
            lv(e.clone(), "robert255@smith.net", "robert255@jones.com"),
            2
        );
        assert_eq!(
            lv(e.clone(), "roberta25@smith.net", "robert25@smith.net"),
            3
        );
        assert_eq!(lv(e, "zz@q.com", "robert255@smith.net"), 4);
        assert_eq!(lv(Role::Sex, "Female", "f"), 1);
        assert_eq!(lv(Role::Sex, "M", "F"), 2);
        assert_eq!(lv(Role::Address, "7 Wallaby Place", "7 wallaby pl"), 2);
        assert_eq!(lv(Role::Address, "7 Wallaby Place", "99 Oak Road"), 4);
        assert_eq!(lv(Role::Town, "Leicester", "Liecester"), 2);
        assert_eq!(lv(Role::HouseNumber, "12", "12"), 1);
        assert_eq!(lv(Role::HouseNumber, "12", "21"), 2);
        let f = Role::FullName;
        assert_eq!(lv(f.clone(), "Amelia Rose Nowak", "amelia rose nowak"), 1);
        assert_eq!(
            lv(f.clone(), "Nowak Amelia", "Amelia Nowak"),
            2,
            "reordered"
        );
        assert_eq!(lv(f.clone(), "Amelia Nowak", "Amelia Rose Nowak"), 3);
        assert_eq!(lv(f, "Amelia Nowak", "Tendai Moyo"), 5);
    }

    #[test]
    fn swapped_names_are_compared_crossed() {
        let g = feats(Role::GivenName, &["Khan", "Imran"]);
        let f = feats(Role::FamilyName, &["Imran", "Khan"]);
        let lg = name_level(&g[0], &g[1]);
        let lf = name_level(&f[0], &f[1]);
        assert_eq!(
            swapped_levels(lg, lf, Some(&g[0]), Some(&f[0]), Some(&g[1]), Some(&f[1])),
            Some((1, 1))
        );
        // Straight agreement is never reinterpreted.
        assert_eq!(
            swapped_levels(1, 1, Some(&g[0]), Some(&f[0]), Some(&g[0]), Some(&f[0])),
            None
        );
    }
}
