//! The early help assessment: the elements of its three domains, what makes it complete,
//! and the difference between two versions.

use super::Need;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// Where an early help assessment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// Being written; only the lead professional and the locality manager see it.
    Draft,
    /// Every domain covered and a summary written; no longer edited.
    Completed,
    /// Shared with the team around the child, as the family agreed.
    Shared,
}

impl AssessmentStatus {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::Completed => "completed",
            AssessmentStatus::Shared => "shared",
        }
    }
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "Draft",
            AssessmentStatus::Completed => "Completed",
            AssessmentStatus::Shared => "Shared with the team",
        }
    }
    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Completed, Self::Shared]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The elements of the three assessment domains: the needs whose code starts `dev_`,
/// `parent_` or `family_`.
pub fn assessment_elements() -> impl Iterator<Item = Need> {
    Need::ALL.iter().copied().filter(|n| {
        let c = n.as_str();
        c.starts_with("dev_") || c.starts_with("parent_") || c.starts_with("family_")
    })
}

/// What a practitioner records about one element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// Strengths seen.
    pub strengths: String,
    /// Needs seen.
    pub needs: String,
    /// Whether the element is coded as a need (feeds the locality's needs figures).
    pub is_need: bool,
}

/// An early help assessment's content: each element of the three domains, the child's and the
/// family's own words, and a summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentContent {
    /// By element (a [`Need`]'s stored form).
    pub elements: std::collections::BTreeMap<String, Element>,
    /// The child's or young person's own words.
    pub child_words: String,
    /// The parents' or carers' own words.
    pub family_words: String,
    /// The summary and what the team should do.
    pub summary: String,
}

const MAX_TEXT: usize = 4000;

impl AssessmentContent {
    /// Problems that stop it being saved at all (too long).
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut long = |field: &'static str, text: &str| {
            if text.chars().count() > MAX_TEXT {
                out.push(FieldError::new(field, "Write 4,000 characters or fewer"));
            }
        };
        long("child_words", &self.child_words);
        long("family_words", &self.family_words);
        long("summary", &self.summary);
        for e in self.elements.values() {
            long("elements", &e.strengths);
            long("elements", &e.needs);
        }
        out
    }

    /// Problems that stop it being completed: each domain needs at least one element written,
    /// and the summary must be written.
    pub fn check_complete(&self) -> Vec<FieldError> {
        let mut out = self.check();
        for (prefix, field, domain) in [
            ("dev_", "dev_health-strengths", "the child's development"),
            ("parent_", "parent_care-strengths", "parents and carers"),
            (
                "family_",
                "family_functioning-strengths",
                "family and environment",
            ),
        ] {
            let written = self.elements.iter().any(|(k, e)| {
                k.starts_with(prefix)
                    && !(e.strengths.trim().is_empty() && e.needs.trim().is_empty())
            });
            if !written {
                out.push(FieldError::new(
                    field,
                    format!("Write about at least one element of {domain}"),
                ));
            }
        }
        if self.summary.trim().is_empty() {
            out.push(FieldError::new("summary", "Write the summary"));
        }
        out
    }

    /// The needs coded in the assessment.
    pub fn coded_needs(&self) -> Vec<Need> {
        self.elements
            .iter()
            .filter(|(_, e)| e.is_need)
            .filter_map(|(k, _)| Need::parse(k).ok())
            .collect()
    }

    /// Every field that differs between `self` (what someone submitted) and `other` (what is
    /// stored now): `(what, submitted, stored)`.
    pub fn diff(&self, other: &AssessmentContent) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        fn cmp(out: &mut Vec<(String, String, String)>, what: String, a: &str, b: &str) {
            if a.trim() != b.trim() {
                out.push((what, a.trim().to_owned(), b.trim().to_owned()));
            }
        }
        for n in assessment_elements() {
            let a = self.elements.get(n.as_str()).cloned().unwrap_or_default();
            let b = other.elements.get(n.as_str()).cloned().unwrap_or_default();
            cmp(
                &mut out,
                format!("{}: strengths", n.label()),
                &a.strengths,
                &b.strengths,
            );
            cmp(
                &mut out,
                format!("{}: needs", n.label()),
                &a.needs,
                &b.needs,
            );
            if a.is_need != b.is_need {
                let yn = |x: bool| if x { "coded as a need" } else { "not coded" }.to_owned();
                out.push((
                    format!("{}: coded", n.label()),
                    yn(a.is_need),
                    yn(b.is_need),
                ));
            }
        }
        cmp(
            &mut out,
            "The child's words".into(),
            &self.child_words,
            &other.child_words,
        );
        cmp(
            &mut out,
            "The family's words".into(),
            &self.family_words,
            &other.family_words,
        );
        cmp(&mut out, "Summary".into(), &self.summary, &other.summary);
        out
    }
}

#[cfg(test)]
mod assessment_tests {
    use super::*;

    fn written() -> AssessmentContent {
        let mut c = AssessmentContent::default();
        for (k, s) in [
            ("dev_health", "Healthy weight"),
            ("parent_warmth", "Warm with the children"),
            ("family_housing", "Secure tenancy"),
        ] {
            c.elements.insert(
                k.into(),
                Element {
                    strengths: s.into(),
                    needs: String::new(),
                    is_need: false,
                },
            );
        }
        c.summary = "Support mornings".into();
        c
    }

    #[test]
    fn an_assessment_is_complete_only_with_every_domain_and_a_summary() {
        assert!(written().check_complete().is_empty());
        let mut c = written();
        c.elements.remove("parent_warmth");
        c.summary = " ".into();
        let fields: Vec<_> = c.check_complete().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["parent_care-strengths", "summary"]);
        assert_eq!(assessment_elements().count(), 12);
    }

    #[test]
    fn the_difference_names_each_changed_field_with_both_texts() {
        let a = written();
        let mut b = written();
        b.summary = "Support mornings and evenings".into();
        b.elements.get_mut("dev_health").unwrap().is_need = true;
        let d = a.diff(&b);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].0, "Health: coded");
        assert_eq!(
            d[1],
            (
                "Summary".into(),
                "Support mornings".into(),
                "Support mornings and evenings".into()
            )
        );
        assert!(a.diff(&a).is_empty());
        assert_eq!(b.coded_needs(), vec![Need::Health]);
    }
}
