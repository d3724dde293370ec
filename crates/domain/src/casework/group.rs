//! Teams around a school or a cluster of schools (Peterborough's "team around the school" and
//! "team around the cluster"): staff of several agencies who meet about a group of children
//! rather than one. A team has a name, a kind, its school or schools (by DfE URN), a locality
//! and a lead; the children it covers are linked by their open requests for support.
//!
//! Being a member of such a team is not a basis to read a child's record: members see the
//! children's names and a link to each request, and opening one goes through the same bases
//! as for anyone else (`policy::Basis`).

use crate::geo::Urn;
use crate::FieldError;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What a group team is around.
    GroupTeamKind, "kind", "what the team is around" {
        /// One school.
        School = ("school", "Team around a school"),
        /// A cluster of schools.
        Cluster = ("cluster", "Team around a cluster of schools"),
    }
}

/// The longest team name or member role, in characters.
pub const GROUP_TEXT_MAX: usize = 200;

/// A new team around a school or cluster, as checked at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroupTeam {
    /// Its name (required, 200 characters or fewer).
    pub name: String,
    /// School or cluster.
    pub kind: GroupTeamKind,
    /// The schools, by URN: one for a school, two or more for a cluster; no repeats.
    pub schools: Vec<Urn>,
    /// The lead (a user id).
    pub lead: i64,
}

impl NewGroupTeam {
    /// Parse a form's fields: `name`, `kind`, `urns` (URNs separated by commas or spaces) and
    /// `lead`. Every problem is named.
    pub fn parse(
        name: &str,
        kind: &str,
        urns: &str,
        lead: &str,
    ) -> Result<NewGroupTeam, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Enter the team's name"));
        } else if name.chars().count() > GROUP_TEXT_MAX {
            errors.push(FieldError::new(
                "name",
                "Enter a name of 200 characters or fewer",
            ));
        }
        let kind = match GroupTeamKind::parse(kind) {
            Ok(k) => Some(k),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut schools: Vec<Urn> = Vec::new();
        let mut bad_urn = false;
        for raw in urns
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            match Urn::parse_field(raw, "urns") {
                Ok(u) if !schools.contains(&u) => schools.push(u),
                Ok(_) => {}
                Err(e) => {
                    if !bad_urn {
                        errors.push(FieldError::new(
                            "urns",
                            format!("{}: {} is not one", e.message, raw.trim()),
                        ));
                    }
                    bad_urn = true;
                }
            }
        }
        if !bad_urn {
            match (kind, schools.len()) {
                (_, 0) => errors.push(FieldError::new(
                    "urns",
                    "Enter the URN of the school, or of each school in the cluster",
                )),
                (Some(GroupTeamKind::School), n) if n > 1 => errors.push(FieldError::new(
                    "urns",
                    "A team around a school has one school: enter one URN, or choose a cluster",
                )),
                (Some(GroupTeamKind::Cluster), 1) => errors.push(FieldError::new(
                    "urns",
                    "A cluster has two or more schools: enter each URN, or choose a team around a school",
                )),
                _ => {}
            }
        }
        let lead = match lead.trim().parse::<i64>() {
            Ok(l) if l > 0 => Some(l),
            _ => {
                errors.push(FieldError::new(
                    "lead",
                    "Choose the team's lead from the list",
                ));
                None
            }
        };
        match (kind, lead) {
            (Some(kind), Some(lead)) if errors.is_empty() => Ok(NewGroupTeam {
                name: name.to_owned(),
                kind,
                schools,
                lead,
            }),
            _ => Err(errors),
        }
    }
}

/// A member's part in a group team: required, 200 characters or fewer.
pub fn parse_team_role(raw: &str) -> Result<String, FieldError> {
    let r = raw.trim();
    if r.is_empty() || r.chars().count() > GROUP_TEXT_MAX {
        return Err(FieldError::new(
            "team_role",
            "Enter the member's part in the team (200 characters or fewer)",
        ));
    }
    Ok(r.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &[FieldError]) -> Vec<&'static str> {
        e.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_team_needs_a_name_a_kind_its_schools_and_a_lead() {
        let ok = NewGroupTeam::parse(" Team around Fairfield ", "school", "120002", "7").unwrap();
        assert_eq!(ok.name, "Team around Fairfield");
        assert_eq!(ok.kind, GroupTeamKind::School);
        assert_eq!(ok.schools, vec![Urn(120002)]);
        assert_eq!(ok.lead, 7);

        let c =
            NewGroupTeam::parse("North cluster", "cluster", "120002, 120003 120002", "7").unwrap();
        assert_eq!(c.schools, vec![Urn(120002), Urn(120003)], "repeats dropped");

        let e = NewGroupTeam::parse(" ", "hub", "12", "x").unwrap_err();
        assert_eq!(fields(&e), vec!["name", "kind", "urns", "lead"]);
        assert!(e[2].message.contains("six digits"), "{}", e[2].message);

        let e = NewGroupTeam::parse("A", "school", "", "1").unwrap_err();
        assert_eq!(fields(&e), vec!["urns"]);
        let e = NewGroupTeam::parse("A", "school", "120002,120003", "1").unwrap_err();
        assert!(e[0].message.contains("one school"));
        let e = NewGroupTeam::parse("A", "cluster", "120002", "1").unwrap_err();
        assert!(e[0].message.contains("two or more"));
        let long = "x".repeat(201);
        let e = NewGroupTeam::parse(&long, "school", "120002", "1").unwrap_err();
        assert_eq!(fields(&e), vec!["name"]);
    }

    #[test]
    fn a_member_has_a_part_in_the_team() {
        assert_eq!(parse_team_role(" SENCo ").unwrap(), "SENCo");
        assert_eq!(parse_team_role("").unwrap_err().field, "team_role");
        assert!(parse_team_role(&"y".repeat(201)).is_err());
    }
}
