//! The people who use everychild (BRIEF "Who uses it"), as roles a user account holds.

use serde::{Deserialize, Serialize};

/// A role held by a signed-in user. Members of the public never sign in, so they have no role:
/// the policy treats them as the anonymous principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A practitioner in any agency: health visitor, teacher, youth worker, police, social worker…
    Practitioner,
    /// A locality manager or hub co-ordinator: front door, panels, caseloads, teams.
    LocalityManager,
    /// A commissioner or finance officer: funding, allocations, commissioned services.
    Commissioner,
    /// A member of a neighbourhood advisory board: safe aggregates only.
    AdvisoryBoardMember,
    /// A performance analyst: statutory returns and indicators.
    Analyst,
    /// An administrator: users, organisations and machine tokens.
    Administrator,
    /// The data protection officer: audit review, subject access, retention.
    DataProtectionOfficer,
    /// An editor of the service directory for their own organisation: writes its entries and
    /// sends them for approval; sees no records about children.
    DirectoryEditor,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 8] = [
        Role::Practitioner,
        Role::LocalityManager,
        Role::Commissioner,
        Role::AdvisoryBoardMember,
        Role::Analyst,
        Role::Administrator,
        Role::DataProtectionOfficer,
        Role::DirectoryEditor,
    ];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Practitioner => "practitioner",
            Role::LocalityManager => "locality_manager",
            Role::Commissioner => "commissioner",
            Role::AdvisoryBoardMember => "advisory_board_member",
            Role::Analyst => "analyst",
            Role::Administrator => "administrator",
            Role::DataProtectionOfficer => "data_protection_officer",
            Role::DirectoryEditor => "directory_editor",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Practitioner => "Practitioner",
            Role::LocalityManager => "Locality manager",
            Role::Commissioner => "Commissioner",
            Role::AdvisoryBoardMember => "Advisory board member",
            Role::Analyst => "Performance analyst",
            Role::Administrator => "Administrator",
            Role::DataProtectionOfficer => "Data protection officer",
            Role::DirectoryEditor => "Service directory editor",
        }
    }

    /// Whether the role can see personal data (about children and families, or colleagues'
    /// contact details): such roles sign in with a second factor by default. Advisory board
    /// members see safe aggregates only; directory editors see their own organisation's
    /// service entries only.
    pub fn sees_personal_data(self) -> bool {
        !matches!(self, Role::AdvisoryBoardMember | Role::DirectoryEditor)
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("public"), None);
        assert_eq!(Role::parse(""), None);
    }
}
