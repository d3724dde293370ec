//! Localities: age phases, boundary sets (which ward belongs to which locality) and the rule
//! for which locality leads when a child lives in one and goes to school in another.

use crate::geo::{AreaCode, SchoolAnswer};
use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Oldest age any phase may reach (young people with learning difficulties or disabilities are
/// served to 25).
pub const MAX_AGE: u8 = 25;

/// One age phase of an authority: an inclusive range of ages, optionally extended for young
/// people with special educational needs or disabilities (Leicester 2008: 13-19, to 25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgePhase {
    /// Name shown to people ("0-12", "13-19").
    pub name: String,
    /// Youngest age served.
    pub min_age: u8,
    /// Oldest age served.
    pub max_age: u8,
    /// Oldest age served for young people with SEND, if the phase extends.
    pub send_max_age: Option<u8>,
}

impl AgePhase {
    /// Whether the phase serves a child of `age` (with SEND or not).
    pub fn serves(&self, age: u8, send: bool) -> bool {
        let top = if send {
            self.send_max_age.unwrap_or(self.max_age)
        } else {
            self.max_age
        };
        age >= self.min_age && age <= top
    }
}

/// An authority's age phases, in order, covering ages from 0 without gaps or overlaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgePhases(Vec<AgePhase>);

impl AgePhases {
    /// Check a list of phases: every phase has a name and `min ≤ max ≤ 25`; together they start
    /// at 0 and run without gaps or overlaps; only the last may extend for SEND.
    pub fn parse(mut phases: Vec<AgePhase>) -> Result<Self, FieldError> {
        let err = |m: String| FieldError::new("age_phases", m);
        if phases.is_empty() {
            return Err(err("Add at least one age phase".into()));
        }
        phases.sort_by_key(|p| p.min_age);
        let mut next = 0u8;
        let last = phases.len() - 1;
        for (i, p) in phases.iter().enumerate() {
            if p.name.trim().is_empty() {
                return Err(err("Give every age phase a name".into()));
            }
            if p.min_age > p.max_age || p.max_age > MAX_AGE {
                return Err(err(format!(
                    "Age phase {} must run from a younger to an older age, no older than {MAX_AGE}",
                    p.name
                )));
            }
            if p.min_age != next {
                return Err(err(if p.min_age > next {
                    format!("Ages {next} to {} are in no age phase", p.min_age - 1)
                } else {
                    format!("Age phase {} overlaps the phase before it", p.name)
                }));
            }
            if let Some(s) = p.send_max_age {
                if i != last || s <= p.max_age || s > MAX_AGE {
                    return Err(err(format!(
                        "Only the oldest age phase can extend for special educational needs, to an age above its own and no older than {MAX_AGE}"
                    )));
                }
            }
            next = p.max_age.saturating_add(1);
        }
        Ok(Self(phases))
    }

    /// The phases, youngest first.
    pub fn phases(&self) -> &[AgePhase] {
        &self.0
    }

    /// The index of the phase serving `age`, if any.
    pub fn phase_of(&self, age: u8, send: bool) -> Option<usize> {
        self.0.iter().position(|p| p.serves(age, send))
    }
}

/// A proposed boundary set: the localities it names and the locality of each ward.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BoundaryProposal {
    /// Locality ids the set is made of.
    pub localities: BTreeSet<i64>,
    /// Ward → locality id.
    pub wards: BTreeMap<AreaCode, i64>,
}

/// Something wrong with a proposed boundary set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundaryProblem {
    /// A ward of the authority is in no locality.
    WardUnassigned(AreaCode),
    /// A ward that is not one of the authority's.
    UnknownWard(AreaCode),
    /// A ward assigned to a locality the set does not name.
    UnknownLocality(AreaCode, i64),
    /// A locality with no ward.
    EmptyLocality(i64),
}

/// A boundary set that has passed [`check_boundary_set`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBoundarySet(BoundaryProposal);

impl ValidBoundarySet {
    /// Ward → locality id.
    pub fn wards(&self) -> &BTreeMap<AreaCode, i64> {
        &self.0.wards
    }
    /// The localities.
    pub fn localities(&self) -> &BTreeSet<i64> {
        &self.0.localities
    }
}

/// Check that a proposal assigns every ward of the authority (`authority_wards`) to exactly
/// one of its localities, and leaves no locality empty. Every problem is listed, not just the
/// first.
pub fn check_boundary_set(
    authority_wards: &BTreeSet<AreaCode>,
    p: BoundaryProposal,
) -> Result<ValidBoundarySet, Vec<BoundaryProblem>> {
    let mut problems = Vec::new();
    for w in authority_wards {
        if !p.wards.contains_key(w) {
            problems.push(BoundaryProblem::WardUnassigned(w.clone()));
        }
    }
    for (w, l) in &p.wards {
        if !authority_wards.contains(w) {
            problems.push(BoundaryProblem::UnknownWard(w.clone()));
        } else if !p.localities.contains(l) {
            problems.push(BoundaryProblem::UnknownLocality(w.clone(), *l));
        }
    }
    let used: BTreeSet<i64> = p.wards.values().copied().collect();
    for l in &p.localities {
        if !used.contains(l) {
            problems.push(BoundaryProblem::EmptyLocality(*l));
        }
    }
    if problems.is_empty() {
        Ok(ValidBoundarySet(p))
    } else {
        Err(problems)
    }
}

/// Which locality leads for a child who may live in one locality and go to school in another
/// (003 Appendix 1 Q1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadRule {
    /// The locality the child lives in leads (the default).
    #[default]
    Home,
    /// The locality of the child's school leads, unless it is a school serving the whole
    /// authority.
    School,
}

impl LeadRule {
    /// Stored and configured name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadRule::Home => "home",
            LeadRule::School => "school",
        }
    }
    /// Parse a stored or configured name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "home" => Some(LeadRule::Home),
            "school" => Some(LeadRule::School),
            _ => None,
        }
    }
}

/// The lead locality and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadDecision {
    /// The locality that leads: id and name. `None` when neither place is in a locality.
    pub locality: Option<(i64, String)>,
    /// Why, in a sentence.
    pub reason: String,
}

/// Decide the lead locality under `rule`, from the home locality (if the home postcode is in the
/// authority) and the school (if known).
pub fn lead_locality(
    rule: LeadRule,
    home: Option<(i64, &str)>,
    school: Option<&SchoolAnswer<'_>>,
) -> LeadDecision {
    let school_locality = school.and_then(|s| if s.city_wide { None } else { s.locality });
    let pick = |l: (i64, &str), reason: String| LeadDecision {
        locality: Some((l.0, l.1.to_owned())),
        reason,
    };
    let school_name = school.map(|s| s.name).unwrap_or("the school");
    match (rule, home, school_locality) {
        (LeadRule::Home, Some(h), s) => pick(
            h,
            match s {
                Some(sl) if sl.0 != h.0 => format!(
                    "The child lives in {} and goes to school in {}; this authority's rule is that the home locality leads",
                    h.1, sl.1
                ),
                _ => format!("The child lives in {}, and the home locality leads", h.1),
            },
        ),
        (LeadRule::School, h, Some(sl)) => pick(
            sl,
            match h {
                Some(h) if h.0 != sl.0 => format!(
                    "{school_name} is in {}; this authority's rule is that the school's locality leads, although the child lives in {}",
                    sl.1, h.1
                ),
                _ => format!("{school_name} is in {}, and the school's locality leads", sl.1),
            },
        ),
        (LeadRule::School, Some(h), None) => pick(
            h,
            if school.is_some_and(|s| s.city_wide) {
                format!("{school_name} serves the whole authority, so the home locality, {}, leads", h.1)
            } else {
                format!("No school in a locality was given, so the home locality, {}, leads", h.1)
            },
        ),
        (LeadRule::Home, None, Some(sl)) => pick(
            sl,
            format!("The home postcode is not in this authority, so the school's locality, {}, leads", sl.1),
        ),
        (_, None, None) => LeadDecision {
            locality: None,
            reason: "Neither the home postcode nor the school is in a locality of this authority".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(name: &str, min: u8, max: u8, send: Option<u8>) -> AgePhase {
        AgePhase {
            name: name.into(),
            min_age: min,
            max_age: max,
            send_max_age: send,
        }
    }

    #[test]
    fn leicester_and_peterborough_phases_are_valid_and_place_every_age() {
        let lei = AgePhases::parse(vec![
            phase("13-19", 13, 19, Some(25)),
            phase("0-12", 0, 12, None),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lei.phase_of(12, false), Some(0));
        assert_eq!(lei.phase_of(13, false), Some(1));
        assert_eq!(lei.phase_of(22, false), None);
        assert_eq!(lei.phase_of(22, true), Some(1));
        let pbo = AgePhases::parse(vec![
            phase("0-7", 0, 7, None),
            phase("8-13", 8, 13, None),
            phase("14-19", 14, 19, None),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((0..=19).filter_map(|a| pbo.phase_of(a, false)).count(), 20);
    }

    #[test]
    fn gaps_overlaps_and_misplaced_send_extensions_are_refused_with_the_reason() {
        let gap = AgePhases::parse(vec![phase("0-7", 0, 7, None), phase("10-19", 10, 19, None)]);
        assert_eq!(
            gap.err().map(|e| e.message),
            Some("Ages 8 to 9 are in no age phase".into())
        );
        let overlap = AgePhases::parse(vec![phase("0-8", 0, 8, None), phase("8-19", 8, 19, None)]);
        assert!(overlap
            .err()
            .is_some_and(|e| e.message.contains("overlaps")));
        let send_early = AgePhases::parse(vec![
            phase("0-12", 0, 12, Some(25)),
            phase("13-19", 13, 19, None),
        ]);
        assert!(send_early.is_err());
        assert!(AgePhases::parse(vec![phase("0-30", 0, 30, None)]).is_err());
        assert!(AgePhases::parse(vec![]).is_err());
    }

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_boundary_set_must_place_every_ward_once_and_leave_no_locality_empty() {
        let wards: BTreeSet<_> = ["E05000001", "E05000002", "E05000003"].map(code).into();
        let mut p = BoundaryProposal {
            localities: [1, 2].into(),
            wards: [
                (code("E05000001"), 1),
                (code("E05000002"), 2),
                (code("E05000003"), 2),
            ]
            .into(),
        };
        assert!(check_boundary_set(&wards, p.clone()).is_ok());
        p.localities.insert(3);
        p.wards.remove(&code("E05000003"));
        p.wards.insert(code("E05999999"), 1);
        p.wards.insert(code("E05000002"), 4);
        let problems = check_boundary_set(&wards, p).err().unwrap_or_default();
        assert!(problems.contains(&BoundaryProblem::WardUnassigned(code("E05000003"))));
        assert!(problems.contains(&BoundaryProblem::UnknownWard(code("E05999999"))));
        assert!(problems.contains(&BoundaryProblem::UnknownLocality(code("E05000002"), 4)));
        assert!(problems.contains(&BoundaryProblem::EmptyLocality(2)));
        assert!(problems.contains(&BoundaryProblem::EmptyLocality(3)));
        assert_eq!(problems.len(), 5);
    }

    #[test]
    fn the_lead_locality_follows_the_rule_and_always_gives_a_reason() {
        let school = |city_wide| SchoolAnswer {
            name: "Hillside Academy",
            locality: Some((2, "East")),
            city_wide,
            authority: Box::leak(Box::new(code("E06000016"))),
        };
        let s = school(false);
        let d = lead_locality(LeadRule::Home, Some((1, "West")), Some(&s));
        assert_eq!(d.locality, Some((1, "West".into())));
        assert!(d.reason.contains("goes to school in East"));
        let d = lead_locality(LeadRule::School, Some((1, "West")), Some(&s));
        assert_eq!(d.locality, Some((2, "East".into())));
        assert!(d.reason.contains("although the child lives in West"));
        let special = school(true);
        let d = lead_locality(LeadRule::School, Some((1, "West")), Some(&special));
        assert_eq!(d.locality, Some((1, "West".into())));
        assert!(d.reason.contains("serves the whole authority"));
        let d = lead_locality(LeadRule::Home, None, Some(&s));
        assert_eq!(d.locality, Some((2, "East".into())));
        let d = lead_locality(LeadRule::Home, None, None);
        assert_eq!(d.locality, None);
        assert!(!d.reason.is_empty());
    }
}
