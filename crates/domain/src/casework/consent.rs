//! Whom a consent covers: every agency in the team around the child, or one named
//! organisation. A family may agree to share with the school and the health visitor but not
//! with the police; each agreement is recorded (and withdrawn) on its own.

use crate::FieldError;

/// The agencies a consent covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentScope {
    /// Every agency in the team around the child, now and as it changes.
    Team,
    /// One organisation of the partnership (its id).
    Organisation(i64),
}

impl ConsentScope {
    /// Words for the form and the record when the consent names no organisation.
    pub const TEAM_LABEL: &'static str = "Every agency in the team around the child";

    /// Parse the form's `organisation` field: empty or `team` for the whole team, else an
    /// organisation's id.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "" | "team" => Ok(ConsentScope::Team),
            s => match s.parse::<i64>() {
                Ok(id) if id > 0 => Ok(ConsentScope::Organisation(id)),
                _ => Err(FieldError::new(
                    "organisation",
                    "Choose every agency in the team around the child, or one organisation from the list",
                )),
            },
        }
    }

    /// The organisation named, if any (`None`: the whole team), as stored.
    pub fn organisation(self) -> Option<i64> {
        match self {
            ConsentScope::Team => None,
            ConsentScope::Organisation(id) => Some(id),
        }
    }

    /// Whether a consent with this scope covers a member of `organisation`.
    pub fn covers(self, organisation: i64) -> bool {
        match self {
            ConsentScope::Team => true,
            ConsentScope::Organisation(id) => id == organisation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_team_or_one_organisation() {
        assert_eq!(ConsentScope::parse(""), Ok(ConsentScope::Team));
        assert_eq!(ConsentScope::parse(" team "), Ok(ConsentScope::Team));
        assert_eq!(
            ConsentScope::parse("12"),
            Ok(ConsentScope::Organisation(12))
        );
        for bad in ["x", "-3", "0", "1.5"] {
            let e = ConsentScope::parse(bad).unwrap_err();
            assert_eq!(e.field, "organisation", "{bad}");
        }
        assert!(ConsentScope::Team.covers(4));
        assert!(ConsentScope::Organisation(4).covers(4));
        assert!(!ConsentScope::Organisation(4).covers(5));
        assert_eq!(ConsentScope::Team.organisation(), None);
        assert_eq!(ConsentScope::Organisation(7).organisation(), Some(7));
    }
}
