//! The rules. Read this file to know who may do what.

use crate::actor::Principal;
use everychild_domain::{OrganisationId, Role, UserId};

/// Everything a principal can ask to do. One variant per [`crate::Capability`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Action {
    Authenticate,
    CompleteSignIn,
    SignOut,
    ViewOwnAccount,
    ManageOwnAccount,
    SearchStaff,
    ViewStaffProfile,
    ListUsers,
    ViewUser,
    CreateUser,
    ManageUser,
    ManageApiTokens,
    ListOrganisations,
    ManageOrganisations,
    ReadAudit,
    VerifyAudit,
    ViewLocalities,
    LookupPostcode,
    ViewBoundarySets,
    ViewTeams,
    ImportGeography,
    ManageBoundarySets,
    ConfigureAuthority,
    ManageLocality,
    FindChildBasis,
    SearchChildren,
    ViewChild,
    UpdateChild,
    DeclareInvolvement,
    DecideInvolvement,
    OverseeAccess,
    AnswerTeamInvitation,
    BreakGlass,
    ReviewBreakGlass,
    ReviewLinks,
    ImportAgencyRecords,
    ViewChildAccessLog,
    RequestSupport,
    ViewRequest,
    ManageRequest,
    ViewFrontDoor,
    DecideRequest,
    ViewLocalitySummary,
    RunPanel,
    ManageGroupTeam,
    ViewGroupTeam,
    ViewDirectory,
    ViewServiceDetails,
    ViewDirectoryEntries,
    EditDirectoryEntry,
    ApproveDirectoryEntry,
    ManageDirectoryOrganisations,
    ImportDirectory,
}

impl Action {
    /// Every action, for exhaustive tests.
    pub const ALL: &'static [Action] = &[
        Action::Authenticate,
        Action::CompleteSignIn,
        Action::SignOut,
        Action::ViewOwnAccount,
        Action::ManageOwnAccount,
        Action::SearchStaff,
        Action::ViewStaffProfile,
        Action::ListUsers,
        Action::ViewUser,
        Action::CreateUser,
        Action::ManageUser,
        Action::ManageApiTokens,
        Action::ListOrganisations,
        Action::ManageOrganisations,
        Action::ReadAudit,
        Action::VerifyAudit,
        Action::ViewLocalities,
        Action::LookupPostcode,
        Action::ViewBoundarySets,
        Action::ViewTeams,
        Action::ImportGeography,
        Action::ManageBoundarySets,
        Action::ConfigureAuthority,
        Action::ManageLocality,
        Action::FindChildBasis,
        Action::SearchChildren,
        Action::ViewChild,
        Action::UpdateChild,
        Action::DeclareInvolvement,
        Action::DecideInvolvement,
        Action::OverseeAccess,
        Action::AnswerTeamInvitation,
        Action::BreakGlass,
        Action::ReviewBreakGlass,
        Action::ReviewLinks,
        Action::ImportAgencyRecords,
        Action::ViewChildAccessLog,
        Action::RequestSupport,
        Action::ViewRequest,
        Action::ManageRequest,
        Action::ViewFrontDoor,
        Action::DecideRequest,
        Action::ViewLocalitySummary,
        Action::RunPanel,
        Action::ManageGroupTeam,
        Action::ViewGroupTeam,
        Action::ViewDirectory,
        Action::ViewServiceDetails,
        Action::ViewDirectoryEntries,
        Action::EditDirectoryEntry,
        Action::ApproveDirectoryEntry,
        Action::ManageDirectoryOrganisations,
        Action::ImportDirectory,
    ];

    /// Actions anyone may take without signing in: what a family needs to find its locality,
    /// its hub and the services near it. Nothing personal is ever behind a public action.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Action::ViewLocalities | Action::LookupPostcode | Action::ViewDirectory
        )
    }
}

/// What an action is done to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing in particular (a list, a search, one's own account).
    None,
    /// One user account.
    User(UserId),
    /// One locality (its hubs, teams and contacts).
    Locality(i64),
    /// One organisation of the partnership (the directory entries it maintains).
    Organisation(OrganisationId),
    /// One child's record, on the basis the actor claims; the store checks the claim in the
    /// same query that reads the record, so a false claim reads nothing.
    Child {
        /// The person id.
        id: i64,
        /// Why the actor may see this child.
        basis: Basis,
    },
    /// One team around a school or cluster, with its locality and whether the actor claims to
    /// be a current member; the store checks the claim in the same transaction that reads the
    /// team, as it does a child's basis.
    GroupTeam {
        /// The team's id.
        id: i64,
        /// Its locality.
        locality: i64,
        /// The actor claims to be a current member.
        member: bool,
    },
    /// One practitioner's declared involvement with a child, waiting for a decision, and the
    /// ground on which the actor claims to decide it; the store checks the ground in the same
    /// transaction that records the decision.
    Involvement {
        /// The involvement's id.
        id: i64,
        /// The child it is for.
        child: i64,
        /// The user who declared it (who may never decide their own).
        declared_by: UserId,
        /// Why the actor may decide it.
        ground: ApprovalGround,
    },
}

/// Why a user may approve or refuse someone else's declared involvement with a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApprovalGround {
    /// The approver already works with the child on a corroborated basis (an agency record,
    /// an approved involvement, lead professional or an accepted team membership).
    Basis(Basis),
    /// The approver manages a locality the child lives in.
    Locality,
    /// The approver is the declarer's line manager, and the child is on their organisation's
    /// caseload (in its own extract).
    LineManager,
}

impl ApprovalGround {
    /// Stored and audited form.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalGround::Basis(b) => b.as_str(),
            ApprovalGround::Locality => "locality",
            ApprovalGround::LineManager => "line_manager",
        }
    }
}

/// Why a user may see a child's record: their relationship to the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Basis {
    /// No relationship (enough only to find the child and declare one).
    None,
    /// The user's involvement with the child was declared and approved (or the user
    /// registered the child themselves), and has not lapsed.
    Involved,
    /// The user's own organisation's extract lists the child, naming the user or their team.
    AgencyRecord,
    /// The user is the child's lead professional.
    LeadProfessional,
    /// The user is a member of the team around the child.
    TeamMember,
    /// The child's lead locality is one the user manages.
    Locality,
    /// Time-limited emergency access with a recorded reason.
    BreakGlass,
}

impl Basis {
    /// Whether the basis is corroborated by someone other than the user: the agency's own
    /// records, an approval, or an allocation. Break-glass and locality are not.
    pub fn is_corroborated(self) -> bool {
        matches!(
            self,
            Basis::Involved | Basis::AgencyRecord | Basis::LeadProfessional | Basis::TeamMember
        )
    }
    /// Stored and audited form.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::None => "none",
            Basis::Involved => "involved",
            Basis::AgencyRecord => "agency_record",
            Basis::LeadProfessional => "lead_professional",
            Basis::TeamMember => "team_member",
            Basis::Locality => "locality",
            Basis::BreakGlass => "break_glass",
        }
    }
}

impl Target {
    /// The subject an audit event names: its type and id.
    pub fn subject(&self) -> Option<(&'static str, String)> {
        match self {
            Target::None => None,
            Target::User(id) => Some(("user", id.0.to_string())),
            Target::Locality(l) => Some(("locality", l.to_string())),
            Target::Organisation(o) => Some(("organisation", o.0.to_string())),
            Target::Child { id, .. } => Some(("person", id.to_string())),
            Target::GroupTeam { id, .. } => Some(("group_team", id.to_string())),
            Target::Involvement { child, .. } => Some(("person", child.to_string())),
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// Nobody is signed in (or sign-in is not complete): ask them to sign in.
    NotSignedIn,
    /// Signed in, but this role or relationship does not allow it.
    Forbidden,
    /// The action would act on the actor's own account where that is not allowed.
    SelfAction,
    /// The user must change a password an administrator reset before doing anything else.
    PasswordChangeRequired,
    /// A service client's token lacks the scope this action needs.
    MissingScope(crate::Scope),
    /// No token may do this at all (children's and families' records, users, the audit log).
    NotForTokens,
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Refused, with the reason.
    Deny(DenyReason),
}

use Decision::{Allow, Deny};
use DenyReason::{Forbidden, NotSignedIn, PasswordChangeRequired, SelfAction};

/// Decide whether `principal` may do `action` to `target`. Deny by default: every arm that
/// allows names who it allows.
pub fn decide(principal: &Principal, action: Action, target: &Target) -> Decision {
    use Action as A;
    let actor = match principal {
        Principal::Anonymous => {
            return match action {
                A::Authenticate => Allow,
                a if a.is_public() => Allow,
                _ => Deny(NotSignedIn),
            }
        }
        Principal::Pending(_) => {
            // Half-way through sign-in: finish it (which may record failed codes, hence
            // Authenticate) or leave.
            return match action {
                A::Authenticate | A::CompleteSignIn | A::SignOut => Allow,
                a if a.is_public() => Allow,
                _ => Deny(NotSignedIn),
            };
        }
        Principal::Console => {
            // The operator at the console already holds the server's files and database
            // credentials; the console may administer accounts and verify the audit log, but
            // it never reads personal records through these actions.
            return match action {
                A::CreateUser
                | A::ManageUser
                | A::ListUsers
                | A::ListOrganisations
                | A::ManageOrganisations
                | A::VerifyAudit
                | A::ImportGeography
                | A::ManageBoundarySets
                | A::ConfigureAuthority
                | A::ManageLocality
                | A::ImportAgencyRecords
                | A::ManageDirectoryOrganisations
                | A::ImportDirectory => Allow,
                a if a.is_public() => Allow,
                _ => Deny(Forbidden),
            };
        }
        Principal::User(actor) => actor,
    };
    // A service client's token: only what its scopes name, and never records about children.
    if let Some(grant) = &actor.token {
        if !action.is_public() {
            match crate::scopes::scope_for(action) {
                Some(s) if grant.scopes.contains(&s) => {}
                Some(s) => return Deny(DenyReason::MissingScope(s)),
                None => return Deny(DenyReason::NotForTokens),
            }
        }
    }
    let role = actor.role;
    if actor.must_change_password
        && !action.is_public()
        && !matches!(
            action,
            A::Authenticate | A::SignOut | A::ViewOwnAccount | A::ManageOwnAccount
        )
    {
        return Deny(PasswordChangeRequired);
    }
    let is_self = matches!(target, Target::User(id) if *id == actor.user_id);
    match action {
        // A completed sign-in needs no second step; signing in again is fine.
        A::Authenticate | A::SignOut | A::ViewOwnAccount | A::ManageOwnAccount => Allow,
        A::CompleteSignIn => Deny(Forbidden),
        // Staff contact details are for people who work with children and families.
        // Advisory board members see safe aggregates only (000 §4.48); a provider's directory
        // editor keeps their own organisation's entries and nothing else.
        A::SearchStaff | A::ViewStaffProfile => match role {
            Role::Practitioner
            | Role::LocalityManager
            | Role::Commissioner
            | Role::Analyst
            | Role::Administrator
            | Role::DataProtectionOfficer => Allow,
            Role::AdvisoryBoardMember | Role::DirectoryEditor => Deny(Forbidden),
        },
        A::ListOrganisations => Allow,
        A::ListUsers
        | A::ViewUser
        | A::CreateUser
        | A::ManageApiTokens
        | A::ManageOrganisations => match role {
            Role::Administrator => Allow,
            _ => Deny(Forbidden),
        },
        // Administrators manage other people's accounts; their own goes through the account
        // pages (so nobody disables or resets themselves by accident).
        A::ManageUser => match role {
            Role::Administrator if is_self => Deny(SelfAction),
            Role::Administrator => Allow,
            _ => Deny(Forbidden),
        },
        // The audit log is for the people who answer for it; nobody can change it here.
        A::ReadAudit | A::VerifyAudit => match role {
            Role::Administrator | Role::DataProtectionOfficer => Allow,
            _ => Deny(Forbidden),
        },
        // Localities, hubs and the postcode lookup are public.
        A::ViewLocalities | A::LookupPostcode => Allow,
        // Boundary sets are organisational, not personal: anyone signed in may see them.
        A::ViewBoundarySets => Allow,
        // Who is in a locality team and how to reach them is for people who work with
        // children and families, as the staff directory is.
        A::ViewTeams => match role {
            Role::Practitioner
            | Role::LocalityManager
            | Role::Commissioner
            | Role::Analyst
            | Role::Administrator
            | Role::DataProtectionOfficer => Allow,
            Role::AdvisoryBoardMember | Role::DirectoryEditor => Deny(Forbidden),
        },
        // Geography comes from the server console (`everychild import geography`).
        A::ImportGeography => Deny(Forbidden),
        // Redrawing boundaries changes every locality figure, and age phases, the lead-locality
        // rule and city-wide services shape the whole authority: administrators only.
        A::ManageBoundarySets | A::ConfigureAuthority => match role {
            Role::Administrator => Allow,
            _ => Deny(Forbidden),
        },
        // A locality's hubs, sites, teams and city-wide contacts: administrators anywhere; a
        // locality manager in the localities they work in.
        A::ManageLocality => match (role, target) {
            (Role::Administrator, Target::Locality(_)) => Allow,
            (Role::LocalityManager, Target::Locality(l)) if actor.localities.contains(l) => Allow,
            _ => Deny(Forbidden),
        },
        // Children's records are for the people who work with children, on a basis. Nobody
        // else reads them: not administrators, analysts, commissioners or board members.
        // A member added to a team around the child accepts (or declines) before the
        // membership opens the record.
        A::FindChildBasis
        | A::SearchChildren
        | A::DeclareInvolvement
        | A::BreakGlass
        | A::AnswerTeamInvitation => match role {
            Role::Practitioner | Role::LocalityManager => Allow,
            _ => Deny(Forbidden),
        },
        // A record opens on a corroborated relationship (or the locality's managers, or
        // break-glass); a declared involvement opens nothing until it is approved, which the
        // store checks when it reads. Break-glass reads; it never changes the record.
        A::ViewChild | A::UpdateChild => match (role, target) {
            (
                Role::Practitioner | Role::LocalityManager,
                Target::Child {
                    basis:
                        Basis::Involved
                        | Basis::AgencyRecord
                        | Basis::LeadProfessional
                        | Basis::TeamMember,
                    ..
                },
            ) => Allow,
            (
                Role::LocalityManager,
                Target::Child {
                    basis: Basis::Locality,
                    ..
                },
            ) => Allow,
            (
                Role::Practitioner | Role::LocalityManager,
                Target::Child {
                    basis: Basis::BreakGlass,
                    ..
                },
            ) if action == A::ViewChild => Allow,
            _ => Deny(Forbidden),
        },
        // A declared involvement is decided by someone accountable for the child: a
        // practitioner who already works with the child on a corroborated basis, a manager of
        // the child's locality, or the declarer's own line manager for their organisation's
        // caseload. Never by the declarer, never on break-glass.
        A::DecideInvolvement => match (role, target) {
            (_, Target::Involvement { declared_by, .. }) if *declared_by == actor.user_id => {
                Deny(SelfAction)
            }
            (
                Role::Practitioner | Role::LocalityManager,
                Target::Involvement {
                    ground: ApprovalGround::Basis(b),
                    ..
                },
            ) if b.is_corroborated() => Allow,
            (
                Role::LocalityManager,
                Target::Involvement {
                    ground: ApprovalGround::Locality,
                    ..
                },
            ) => Allow,
            (
                Role::Practitioner | Role::LocalityManager,
                Target::Involvement {
                    ground: ApprovalGround::LineManager,
                    ..
                },
            ) => Allow,
            _ => Deny(Forbidden),
        },
        // Which records are the same person is decided by locality managers (the front door).
        A::ReviewLinks => match role {
            Role::LocalityManager => Allow,
            _ => Deny(Forbidden),
        },
        // The data protection officer reviews every break-glass access and who has viewed a
        // child.
        A::ReviewBreakGlass | A::ViewChildAccessLog | A::OverseeAccess => match role {
            Role::DataProtectionOfficer => Allow,
            _ => Deny(Forbidden),
        },
        // Agency extracts come in at the server console (`everychild import people`).
        A::ImportAgencyRecords => Deny(Forbidden),
        // Anyone who works with a child may ask for support for them; seeing a request is
        // seeing the child's record.
        A::RequestSupport | A::ViewRequest => match (role, target) {
            (
                Role::Practitioner | Role::LocalityManager,
                Target::Child {
                    basis:
                        Basis::Involved
                        | Basis::AgencyRecord
                        | Basis::LeadProfessional
                        | Basis::TeamMember,
                    ..
                },
            ) => Allow,
            (
                Role::LocalityManager,
                Target::Child {
                    basis: Basis::Locality,
                    ..
                },
            ) => Allow,
            (
                Role::Practitioner | Role::LocalityManager,
                Target::Child {
                    basis: Basis::BreakGlass,
                    ..
                },
            ) if action == A::ViewRequest => Allow,
            _ => Deny(Forbidden),
        },
        // The lead professional runs the team around the child; the locality manager of the
        // child's lead locality can step in (appoint a lead, change the level, close).
        A::ManageRequest => match (role, target) {
            (
                Role::Practitioner | Role::LocalityManager,
                Target::Child {
                    basis: Basis::LeadProfessional,
                    ..
                },
            ) => Allow,
            (
                Role::LocalityManager,
                Target::Child {
                    basis: Basis::Locality,
                    ..
                },
            ) => Allow,
            _ => Deny(Forbidden),
        },
        // A locality's front door and its panel are its managers'.
        A::ViewFrontDoor | A::DecideRequest | A::RunPanel => match (role, target) {
            (Role::LocalityManager, Target::Locality(l)) if actor.localities.contains(l) => Allow,
            _ => Deny(Forbidden),
        },
        // Teams around a school or cluster are set up and run by their locality's managers:
        // they create them, choose the members and the children (among the locality's open
        // requests) and record meetings. Nobody else, not even administrators.
        A::ManageGroupTeam => match (role, target) {
            (Role::LocalityManager, Target::Locality(l)) if actor.localities.contains(l) => Allow,
            _ => Deny(Forbidden),
        },
        // A team is seen by its current members (front-line staff of any agency) and by its
        // locality's managers. What they see is the team, its meetings and the children's names
        // with their requests: being a member is not a `Basis` for a child's record, so opening
        // a child still needs one of the bases above.
        A::ViewGroupTeam => match (role, target) {
            (Role::LocalityManager, Target::GroupTeam { locality, .. })
                if actor.localities.contains(locality) =>
            {
                Allow
            }
            (
                Role::Practitioner | Role::LocalityManager,
                Target::GroupTeam { member: true, .. },
            ) => Allow,
            _ => Deny(Forbidden),
        },
        // The public directory is public; its referral routes, capacity and waiting times are
        // for anyone signed in (they name no person).
        A::ViewDirectory | A::ViewServiceDetails => Allow,
        // An organisation's entries are written by its own directory editors; commissioners
        // and administrators look after the whole directory (any organisation's entries, and
        // those imported with no owner, which they hold as `Target::None`).
        A::ViewDirectoryEntries | A::EditDirectoryEntry => match (role, target) {
            (Role::DirectoryEditor, Target::Organisation(o)) if *o == actor.organisation_id => {
                Allow
            }
            (Role::Commissioner | Role::Administrator, Target::Organisation(_) | Target::None) => {
                Allow
            }
            _ => Deny(Forbidden),
        },
        // Publishing is approved by those who answer for the directory as a whole, and they
        // set which partnership organisation maintains each provider's entries.
        A::ApproveDirectoryEntry | A::ManageDirectoryOrganisations => match role {
            Role::Commissioner | Role::Administrator => Allow,
            _ => Deny(Forbidden),
        },
        // Feeds come in at the server console (`everychild import openreferral`).
        A::ImportDirectory => Deny(Forbidden),
        // Counts only (no child is named): the locality's managers, and those who plan and
        // commission services.
        A::ViewLocalitySummary => match (role, target) {
            (Role::LocalityManager, Target::Locality(l)) if actor.localities.contains(l) => Allow,
            (Role::Commissioner | Role::Analyst, Target::Locality(_)) => Allow,
            _ => Deny(Forbidden),
        },
    }
}

/// Whether a role must use a second factor. By default every role that can see personal data
/// (about children and families, or staff contact details) must; an authority may add the rest
/// (advisory board members, directory editors) in configuration, and can never remove one.
pub fn second_factor_required(role: Role, also_required_for: &[Role]) -> bool {
    role.sees_personal_data() || also_required_for.contains(&role)
}

/// Whether a service client's token may act with this role. A token is a single secret with
/// no second factor, so it never acts with a role that must use one.
pub fn token_may_act_as(role: Role, also_required_for: &[Role]) -> bool {
    !second_factor_required(role, also_required_for)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Actor, PendingUser};
    use everychild_domain::{AgencyType, OrganisationId};

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

    #[test]
    fn the_front_line_set_is_who_may_hold_a_basis_for_a_child() {
        for r in Role::ALL {
            let allowed = decide(&user(r), Action::FindChildBasis, &Target::None) == Allow;
            assert_eq!(allowed, crate::FRONT_LINE.contains(&r), "{r:?}");
            let answers = decide(&user(r), Action::AnswerTeamInvitation, &Target::None) == Allow;
            assert_eq!(answers, crate::FRONT_LINE.contains(&r), "{r:?}");
        }
    }

    #[test]
    fn a_reset_password_must_be_changed_first() {
        let mut p = user(Role::Administrator);
        if let Principal::User(a) = &mut p {
            a.must_change_password = true;
        }
        assert_eq!(
            decide(&p, Action::ListUsers, &Target::None),
            Deny(PasswordChangeRequired)
        );
        assert_eq!(decide(&p, Action::ManageOwnAccount, &Target::None), Allow);
    }

    #[test]
    fn anonymous_may_only_authenticate_and_use_public_actions() {
        for &a in Action::ALL {
            let d = decide(&Principal::Anonymous, a, &Target::None);
            if a == Action::Authenticate || a.is_public() {
                assert_eq!(d, Allow);
            } else {
                assert_eq!(d, Deny(NotSignedIn), "{a:?}");
            }
        }
    }

    #[test]
    fn pending_sign_in_may_only_finish_or_leave() {
        let p = Principal::Pending(PendingUser {
            user_id: UserId(1),
            username: "x".into(),
            must_enrol: false,
        });
        for &a in Action::ALL {
            let allowed = a.is_public()
                || matches!(
                    a,
                    Action::Authenticate | Action::CompleteSignIn | Action::SignOut
                );
            assert_eq!(decide(&p, a, &Target::None) == Allow, allowed, "{a:?}");
        }
    }

    #[test]
    fn only_administrators_manage_users_and_never_themselves() {
        for r in Role::ALL {
            let d = decide(&user(r), Action::ManageUser, &Target::User(UserId(11)));
            assert_eq!(d == Allow, r == Role::Administrator, "{r:?}");
        }
        assert_eq!(
            decide(
                &user(Role::Administrator),
                Action::ManageUser,
                &Target::User(UserId(10))
            ),
            Deny(SelfAction)
        );
    }

    #[test]
    fn audit_is_for_administrators_and_the_dpo() {
        for r in Role::ALL {
            let allowed = matches!(r, Role::Administrator | Role::DataProtectionOfficer);
            assert_eq!(
                decide(&user(r), Action::ReadAudit, &Target::None) == Allow,
                allowed
            );
        }
    }

    #[test]
    fn advisory_board_members_see_no_staff_records() {
        assert_eq!(
            decide(
                &user(Role::AdvisoryBoardMember),
                Action::ViewStaffProfile,
                &Target::User(UserId(3))
            ),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(
                &user(Role::Practitioner),
                Action::ViewStaffProfile,
                &Target::User(UserId(3))
            ),
            Allow
        );
    }

    #[test]
    fn console_never_reads_personal_records() {
        for a in [
            Action::SearchStaff,
            Action::ViewStaffProfile,
            Action::ViewUser,
            Action::ReadAudit,
        ] {
            assert_eq!(
                decide(&Principal::Console, a, &Target::None),
                Deny(Forbidden)
            );
        }
    }

    #[test]
    fn only_localities_the_postcode_lookup_and_the_directory_are_public() {
        let public: Vec<_> = Action::ALL
            .iter()
            .copied()
            .filter(|a| a.is_public())
            .collect();
        assert_eq!(
            public,
            vec![
                Action::ViewLocalities,
                Action::LookupPostcode,
                Action::ViewDirectory
            ]
        );
    }

    #[test]
    fn directory_editors_keep_only_their_own_organisations_entries() {
        let own = Target::Organisation(OrganisationId(1));
        let other = Target::Organisation(OrganisationId(2));
        for a in [Action::ViewDirectoryEntries, Action::EditDirectoryEntry] {
            for r in Role::ALL {
                let editor = r == Role::DirectoryEditor;
                let approver = matches!(r, Role::Commissioner | Role::Administrator);
                assert_eq!(
                    decide(&user(r), a, &own) == Allow,
                    editor || approver,
                    "{r:?} {a:?}"
                );
                assert_eq!(
                    decide(&user(r), a, &other) == Allow,
                    approver,
                    "{r:?} {a:?}"
                );
                // Entries no partnership organisation maintains (imported from a feed).
                assert_eq!(
                    decide(&user(r), a, &Target::None) == Allow,
                    approver,
                    "{r:?} {a:?}"
                );
            }
            assert_eq!(decide(&Principal::Anonymous, a, &own), Deny(NotSignedIn));
            assert_eq!(decide(&Principal::Console, a, &own), Deny(Forbidden));
        }
        for r in Role::ALL {
            let approver = matches!(r, Role::Commissioner | Role::Administrator);
            for a in [
                Action::ApproveDirectoryEntry,
                Action::ManageDirectoryOrganisations,
            ] {
                assert_eq!(
                    decide(&user(r), a, &Target::None) == Allow,
                    approver,
                    "{r:?} {a:?}"
                );
            }
            // Everyone signed in sees referral routes, capacity and waiting times.
            assert_eq!(
                decide(&user(r), Action::ViewServiceDetails, &Target::None),
                Allow
            );
            assert_eq!(
                decide(&user(r), Action::ImportDirectory, &Target::None),
                Deny(Forbidden)
            );
            // Editors of the directory read no child's record and no staff record.
            if r == Role::DirectoryEditor {
                for a in [
                    Action::SearchChildren,
                    Action::SearchStaff,
                    Action::ViewTeams,
                ] {
                    assert_eq!(decide(&user(r), a, &Target::None), Deny(Forbidden), "{a:?}");
                }
            }
        }
        assert_eq!(
            decide(
                &Principal::Anonymous,
                Action::ViewServiceDetails,
                &Target::None
            ),
            Deny(NotSignedIn)
        );
        assert_eq!(
            decide(&Principal::Console, Action::ImportDirectory, &Target::None),
            Allow
        );
    }

    #[test]
    fn teams_are_for_staff_and_boundaries_for_administrators() {
        for r in Role::ALL {
            let teams = decide(&user(r), Action::ViewTeams, &Target::Locality(1));
            assert_eq!(
                teams == Allow,
                !matches!(r, Role::AdvisoryBoardMember | Role::DirectoryEditor),
                "{r:?}"
            );
            let sets = decide(&user(r), Action::ManageBoundarySets, &Target::None);
            assert_eq!(sets == Allow, r == Role::Administrator, "{r:?}");
            assert_eq!(
                decide(&user(r), Action::ImportGeography, &Target::None),
                Deny(Forbidden)
            );
        }
        assert_eq!(
            decide(&Principal::Console, Action::ImportGeography, &Target::None),
            Allow
        );
    }

    #[test]
    fn locality_managers_manage_only_their_own_localities() {
        let mut m = user(Role::LocalityManager);
        if let Principal::User(a) = &mut m {
            a.localities = vec![3];
        }
        assert_eq!(
            decide(&m, Action::ManageLocality, &Target::Locality(3)),
            Allow
        );
        assert_eq!(
            decide(&m, Action::ManageLocality, &Target::Locality(4)),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(&m, Action::ManageLocality, &Target::None),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(
                &user(Role::Administrator),
                Action::ManageLocality,
                &Target::Locality(4)
            ),
            Allow
        );
        assert_eq!(
            decide(
                &user(Role::Practitioner),
                Action::ManageLocality,
                &Target::Locality(3)
            ),
            Deny(Forbidden)
        );
    }

    #[test]
    fn a_child_is_seen_only_on_a_basis_and_never_by_the_back_office() {
        let child = |basis| Target::Child { id: 5, basis };
        for r in Role::ALL {
            for b in [
                Basis::None,
                Basis::Involved,
                Basis::AgencyRecord,
                Basis::LeadProfessional,
                Basis::TeamMember,
                Basis::Locality,
                Basis::BreakGlass,
            ] {
                for a in [Action::ViewChild, Action::UpdateChild] {
                    // Break-glass reads and never changes; locality is the managers'.
                    let allowed = match r {
                        Role::Practitioner => {
                            b.is_corroborated()
                                || (b == Basis::BreakGlass && a == Action::ViewChild)
                        }
                        Role::LocalityManager => {
                            b.is_corroborated()
                                || b == Basis::Locality
                                || (b == Basis::BreakGlass && a == Action::ViewChild)
                        }
                        _ => false,
                    };
                    assert_eq!(
                        decide(&user(r), a, &child(b)) == Allow,
                        allowed,
                        "{r:?} {a:?} {b:?}"
                    );
                }
            }
        }
        assert_eq!(
            decide(
                &Principal::Console,
                Action::ViewChild,
                &child(Basis::Involved)
            ),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(&Principal::Anonymous, Action::SearchChildren, &Target::None),
            Deny(NotSignedIn)
        );
        assert_eq!(
            decide(&user(Role::Analyst), Action::SearchChildren, &Target::None),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(
                &user(Role::DataProtectionOfficer),
                Action::ReviewBreakGlass,
                &Target::None
            ),
            Allow
        );
        assert_eq!(
            decide(
                &user(Role::Practitioner),
                Action::ReviewLinks,
                &Target::None
            ),
            Deny(Forbidden)
        );
    }

    #[test]
    fn requests_follow_the_relationship_and_the_front_door_its_locality() {
        let child = |basis| Target::Child { id: 1, basis };
        let p = user(Role::Practitioner);
        for (action, basis, want) in [
            (Action::RequestSupport, Basis::Involved, true),
            (Action::RequestSupport, Basis::None, false),
            (Action::RequestSupport, Basis::BreakGlass, false),
            (Action::RequestSupport, Basis::Locality, false),
            (Action::ViewRequest, Basis::TeamMember, true),
            (Action::ViewRequest, Basis::BreakGlass, true),
            (Action::ViewRequest, Basis::AgencyRecord, true),
            (Action::ViewRequest, Basis::None, false),
            (Action::ManageRequest, Basis::LeadProfessional, true),
            (Action::ManageRequest, Basis::TeamMember, false),
            (Action::ManageRequest, Basis::Involved, false),
        ] {
            assert_eq!(
                decide(&p, action, &child(basis)) == Allow,
                want,
                "{action:?} on {basis:?}"
            );
        }
        let mut m = user(Role::LocalityManager);
        if let Principal::User(a) = &mut m {
            a.localities = vec![3];
        }
        assert_eq!(
            decide(&m, Action::ManageRequest, &child(Basis::Locality)),
            Allow
        );
        assert_eq!(
            decide(&m, Action::DecideRequest, &Target::Locality(3)),
            Allow
        );
        assert_eq!(
            decide(&m, Action::DecideRequest, &Target::Locality(4)),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(&p, Action::ViewFrontDoor, &Target::Locality(3)),
            Deny(Forbidden)
        );
        for role in [
            Role::Administrator,
            Role::Analyst,
            Role::Commissioner,
            Role::AdvisoryBoardMember,
            Role::DataProtectionOfficer,
        ] {
            for basis in [
                Basis::Involved,
                Basis::LeadProfessional,
                Basis::Locality,
                Basis::BreakGlass,
            ] {
                assert_eq!(
                    decide(&user(role), Action::ViewRequest, &child(basis)),
                    Deny(Forbidden)
                );
            }
        }
        assert_eq!(
            decide(
                &user(Role::Commissioner),
                Action::ViewLocalitySummary,
                &Target::Locality(4)
            ),
            Allow
        );
        assert_eq!(
            decide(
                &user(Role::AdvisoryBoardMember),
                Action::ViewLocalitySummary,
                &Target::Locality(4)
            ),
            Deny(Forbidden)
        );
    }

    #[test]
    fn group_teams_are_run_by_their_localitys_managers_and_seen_by_their_members() {
        let mut m = user(Role::LocalityManager);
        if let Principal::User(a) = &mut m {
            a.localities = vec![3];
        }
        let team = |locality, member| Target::GroupTeam {
            id: 9,
            locality,
            member,
        };
        // Managing: the locality's managers only, for their own locality only.
        assert_eq!(
            decide(&m, Action::ManageGroupTeam, &Target::Locality(3)),
            Allow
        );
        assert_eq!(
            decide(&m, Action::ManageGroupTeam, &Target::Locality(4)),
            Deny(Forbidden),
            "another locality's manager"
        );
        assert_eq!(
            decide(&m, Action::ManageGroupTeam, &Target::None),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(&m, Action::ManageGroupTeam, &team(3, true)),
            Deny(Forbidden),
            "managed through the locality, not the team"
        );
        for r in Role::ALL {
            if r != Role::LocalityManager {
                assert_eq!(
                    decide(&user(r), Action::ManageGroupTeam, &Target::Locality(3)),
                    Deny(Forbidden),
                    "{r:?}"
                );
            }
        }
        // Seeing: the locality's managers, and current members who are front-line staff.
        assert_eq!(decide(&m, Action::ViewGroupTeam, &team(3, false)), Allow);
        assert_eq!(
            decide(&m, Action::ViewGroupTeam, &team(4, false)),
            Deny(Forbidden),
            "a manager of another locality who is not a member"
        );
        assert_eq!(
            decide(&m, Action::ViewGroupTeam, &team(4, true)),
            Allow,
            "a manager who is a member of another locality's team"
        );
        for r in Role::ALL {
            let front_line = matches!(r, Role::Practitioner | Role::LocalityManager);
            assert_eq!(
                decide(&user(r), Action::ViewGroupTeam, &team(3, true)) == Allow,
                front_line,
                "member {r:?}"
            );
            assert_eq!(
                decide(&user(r), Action::ViewGroupTeam, &team(3, false)),
                Deny(Forbidden),
                "non-member {r:?}"
            );
            assert_eq!(
                decide(&user(r), Action::ViewGroupTeam, &Target::Locality(3)),
                Deny(Forbidden),
                "{r:?} without a team"
            );
        }
        for a in [Action::ManageGroupTeam, Action::ViewGroupTeam] {
            assert_eq!(
                decide(&Principal::Anonymous, a, &team(3, true)),
                Deny(NotSignedIn)
            );
            assert_eq!(
                decide(&Principal::Console, a, &Target::Locality(3)),
                Deny(Forbidden)
            );
        }
        // Being a member of a group team is not a basis for a child's record: there is no
        // such basis, and a practitioner with none is refused the child.
        let p = user(Role::Practitioner);
        assert_eq!(decide(&p, Action::ViewGroupTeam, &team(3, true)), Allow);
        for a in [Action::ViewChild, Action::ViewRequest] {
            assert_eq!(
                decide(
                    &p,
                    a,
                    &Target::Child {
                        id: 5,
                        basis: Basis::None
                    }
                ),
                Deny(Forbidden),
                "{a:?}"
            );
        }
    }

    #[test]
    fn every_role_that_sees_personal_data_needs_a_second_factor_by_default() {
        for r in Role::ALL {
            let personal = !matches!(r, Role::AdvisoryBoardMember | Role::DirectoryEditor);
            assert_eq!(second_factor_required(r, &[]), personal, "{r:?}");
            // Configuration can only widen the set.
            assert!(second_factor_required(r, &[r]), "{r:?}");
        }
        assert!(second_factor_required(Role::Practitioner, &[]));
        assert!(second_factor_required(Role::LocalityManager, &[]));
    }

    #[test]
    fn tokens_never_act_as_roles_that_need_a_second_factor() {
        assert!(!token_may_act_as(Role::Administrator, &[]));
        assert!(!token_may_act_as(Role::DataProtectionOfficer, &[]));
        assert!(!token_may_act_as(Role::Practitioner, &[]));
        assert!(!token_may_act_as(Role::Analyst, &[]));
        assert!(token_may_act_as(Role::DirectoryEditor, &[]));
        assert!(!token_may_act_as(
            Role::DirectoryEditor,
            &[Role::DirectoryEditor]
        ));
    }

    #[test]
    fn a_declared_involvement_is_decided_by_someone_accountable_never_the_declarer() {
        let inv = |ground, declared_by| Target::Involvement {
            id: 1,
            child: 5,
            declared_by: UserId(declared_by),
            ground,
        };
        let p = user(Role::Practitioner);
        let m = user(Role::LocalityManager);
        for b in [
            Basis::Involved,
            Basis::AgencyRecord,
            Basis::LeadProfessional,
            Basis::TeamMember,
        ] {
            assert_eq!(
                decide(
                    &p,
                    Action::DecideInvolvement,
                    &inv(ApprovalGround::Basis(b), 2)
                ),
                Allow,
                "{b:?}"
            );
        }
        for b in [Basis::None, Basis::BreakGlass, Basis::Locality] {
            assert_eq!(
                decide(
                    &p,
                    Action::DecideInvolvement,
                    &inv(ApprovalGround::Basis(b), 2)
                ),
                Deny(Forbidden),
                "{b:?}"
            );
        }
        assert_eq!(
            decide(
                &p,
                Action::DecideInvolvement,
                &inv(ApprovalGround::Locality, 2)
            ),
            Deny(Forbidden)
        );
        assert_eq!(
            decide(
                &m,
                Action::DecideInvolvement,
                &inv(ApprovalGround::Locality, 2)
            ),
            Allow
        );
        assert_eq!(
            decide(
                &p,
                Action::DecideInvolvement,
                &inv(ApprovalGround::LineManager, 2)
            ),
            Allow
        );
        // Never one's own (the test user's id is 10), whatever the ground.
        for g in [
            ApprovalGround::Locality,
            ApprovalGround::LineManager,
            ApprovalGround::Basis(Basis::LeadProfessional),
        ] {
            assert_eq!(
                decide(&m, Action::DecideInvolvement, &inv(g, 10)),
                Deny(SelfAction),
                "{g:?}"
            );
        }
        for r in [
            Role::Administrator,
            Role::DataProtectionOfficer,
            Role::Analyst,
            Role::Commissioner,
        ] {
            assert_eq!(
                decide(
                    &user(r),
                    Action::DecideInvolvement,
                    &inv(ApprovalGround::LineManager, 2)
                ),
                Deny(Forbidden),
                "{r:?}"
            );
        }
        assert_eq!(
            decide(
                &user(Role::DataProtectionOfficer),
                Action::OverseeAccess,
                &Target::None
            ),
            Allow
        );
        assert_eq!(
            decide(
                &user(Role::Administrator),
                Action::OverseeAccess,
                &Target::None
            ),
            Deny(Forbidden)
        );
    }

    #[test]
    fn permits_carry_target_and_purpose() {
        let p = crate::authorize::<crate::ViewStaffProfile>(
            &user(Role::Practitioner),
            Target::User(UserId(4)),
            Some("contact"),
        );
        let p = p.ok();
        assert_eq!(
            p.as_ref().map(|p| p.target().clone()),
            Some(Target::User(UserId(4)))
        );
        assert_eq!(p.as_ref().and_then(|p| p.purpose()), Some("contact"));
        assert!(crate::authorize::<crate::ReadAudit>(
            &user(Role::Practitioner),
            Target::None,
            None
        )
        .is_err());
    }
}
