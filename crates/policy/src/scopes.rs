//! What a service client's token may do: the scope each action needs. An action with no
//! scope is never done with a token, whatever the client's role; `decide` checks the scope
//! before the role's own rules.

use crate::rules::Action;
use crate::Scope;

/// The scope a token needs for `action`; `None` when no token may do it.
pub fn scope_for(action: Action) -> Option<crate::Scope> {
    use Action as A;
    use Scope as S;
    match action {
        A::ViewDirectoryEntries | A::ViewServiceDetails | A::ViewDirectory => {
            Some(S::DirectoryRead)
        }
        A::EditDirectoryEntry | A::ImportDirectory => Some(S::DirectoryWrite),
        A::ViewLocalities
        | A::LookupPostcode
        | A::ViewBoundarySets
        | A::ViewTeams
        | A::ViewLocalitySummary => Some(S::LocalitiesRead),
        A::SearchStaff | A::ViewStaffProfile => Some(S::StaffRead),
        A::ViewOwnAccount => Some(S::AccountRead),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{decide, Decision::Deny, DenyReason, Target};
    use crate::{Actor, Principal, TokenGrant};
    use everychild_domain::{AgencyType, OrganisationId, Role, UserId};

    fn user(role: Role) -> Principal {
        Principal::User(Actor {
            user_id: UserId(10),
            username: "u".into(),
            display_name: "U".into(),
            role,
            organisation_id: OrganisationId(1),
            organisation_name: "Org".into(),
            agency_type: AgencyType::Health,
            localities: vec![],
            totp_enabled: false,
            must_change_password: false,
            token: None,
        })
    }

    /// A service client's token does only what its scopes name, and never anything about
    /// children, families, users or the audit log, whatever its role.
    #[test]
    fn tokens_do_only_what_their_scopes_name() {
        let with = |role: Role, scopes: Vec<Scope>| {
            let mut p = user(role);
            if let Principal::User(a) = &mut p {
                a.token = Some(TokenGrant {
                    id: 7,
                    name: "sync".into(),
                    scopes,
                });
            }
            p
        };
        let ed = with(Role::DirectoryEditor, vec![Scope::DirectoryRead]);
        assert_eq!(
            decide(&ed, Action::ViewOwnAccount, &Target::None),
            Deny(DenyReason::MissingScope(Scope::AccountRead))
        );
        assert_eq!(
            decide(&ed, Action::ViewDirectoryEntries, &Target::None),
            decide(
                &user(Role::DirectoryEditor),
                Action::ViewDirectoryEntries,
                &Target::None
            ),
            "within its scope, the role's own rules decide"
        );
        assert_eq!(
            decide(&ed, Action::EditDirectoryEntry, &Target::None),
            Deny(DenyReason::MissingScope(Scope::DirectoryWrite))
        );
        // Every scope together, on the broadest role: still nothing without a scope.
        let all = with(Role::Administrator, Scope::ALL.to_vec());
        for &a in Action::ALL {
            let d = decide(&all, a, &Target::None);
            if scope_for(a).is_none() && !a.is_public() {
                assert_eq!(d, Deny(DenyReason::NotForTokens), "{a:?}");
            }
        }
        for a in [
            Action::ViewChild,
            Action::SearchChildren,
            Action::ListUsers,
            Action::ReadAudit,
            Action::ManageApiTokens,
            Action::BreakGlass,
        ] {
            assert_eq!(scope_for(a), None, "{a:?}");
        }
        // The role's own rules still apply within a scope.
        let analyst = with(Role::AdvisoryBoardMember, vec![Scope::StaffRead]);
        assert_eq!(
            decide(&analyst, Action::SearchStaff, &Target::None),
            decide(
                &user(Role::AdvisoryBoardMember),
                Action::SearchStaff,
                &Target::None
            )
        );
    }
}
