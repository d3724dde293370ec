//! Capabilities: one marker type per action, so that a store method can demand the permit for
//! exactly its own action.

use crate::rules::Action;

mod sealed {
    pub trait Sealed {}
}

/// A capability that a [`crate::Permit`] can be issued for. Sealed: only this crate defines them.
pub trait Capability: sealed::Sealed {
    /// The action the policy decides for this capability.
    const ACTION: Action;
}

macro_rules! capability {
    ($(#[$doc:meta] $name:ident;)*) => {$(
        #[$doc]
        #[derive(Debug)]
        pub struct $name;
        impl sealed::Sealed for $name {}
        impl Capability for $name {
            const ACTION: Action = Action::$name;
        }
    )*};
}

capability! {
    /// Check a password, record a failed attempt, or start a session.
    Authenticate;
    /// Give or enrol the second factor of a sign-in already started.
    CompleteSignIn;
    /// End one's own session.
    SignOut;
    /// See one's own account and home page.
    ViewOwnAccount;
    /// Change one's own password or second factor.
    ManageOwnAccount;
    /// Search the staff directory.
    SearchStaff;
    /// See one colleague's staff profile.
    ViewStaffProfile;
    /// List user accounts.
    ListUsers;
    /// See one user account in full.
    ViewUser;
    /// Create a user account.
    CreateUser;
    /// Change a user account: disable, enable, reset password, reset second factor.
    ManageUser;
    /// Issue, list and revoke machine (bearer) tokens.
    ManageApiTokens;
    /// List organisations.
    ListOrganisations;
    /// Create or change organisations.
    ManageOrganisations;
    /// Read and filter the audit log.
    ReadAudit;
    /// Verify the audit hash chain.
    VerifyAudit;
    /// See localities, their profiles, hubs and the map (public).
    ViewLocalities;
    /// Find the locality and hubs serving a postcode (public).
    LookupPostcode;
    /// See boundary sets and their ward assignments.
    ViewBoundarySets;
    /// See who is in a locality's core and extended teams and how to reach them.
    ViewTeams;
    /// Import the geography (ONS, IMD, postcodes, schools, boundaries).
    ImportGeography;
    /// Create boundary sets and make one current.
    ManageBoundarySets;
    /// Set up an authority: localities, age phases, lead-locality rule, city-wide services.
    ConfigureAuthority;
    /// Manage one locality's hubs, delivery sites, teams and city-wide contacts.
    ManageLocality;
    /// Find out on what basis, if any, one may see a child (no personal data).
    FindChildBasis;
    /// Search the index of children (minimal details; audited with its purpose).
    SearchChildren;
    /// See a child's record, on a basis the store checks.
    ViewChild;
    /// Change a child's record (flags, family, addresses, involvement), on a checked basis.
    UpdateChild;
    /// Record that one works with a child, with a reason (audited; reviewed).
    DeclareInvolvement;
    /// Open a child's record in an emergency, with a reason, for a limited time.
    BreakGlass;
    /// Review break-glass accesses.
    ReviewBreakGlass;
    /// Approve or refuse another practitioner's declared involvement with a child.
    DecideInvolvement;
    /// Oversee how records are opened: declared involvements, break-glass, volumes of reads.
    OverseeAccess;
    /// Accept or decline a place in a team around the child.
    AnswerTeamInvitation;
    /// Decide which agency records are the same person; merge and unmerge people.
    ReviewLinks;
    /// Import an agency's extract of people.
    ImportAgencyRecords;
    /// See who has viewed a child's record.
    ViewChildAccessLog;
    /// Ask for support for a child one works with.
    RequestSupport;
    /// See a child's requests for support, level history and team.
    ViewRequest;
    /// Run a request: appoint the lead professional, add to the team, change the level, close.
    ManageRequest;
    /// See the requests waiting at a locality's front door.
    ViewFrontDoor;
    /// Decide a request's level of need and route at the front door.
    DecideRequest;
    /// See a locality's counts of open work, levels, stuck cases and re-referrals.
    ViewLocalitySummary;
    /// Run a locality's integrated processes panel: its agenda, meetings and decisions.
    RunPanel;
    /// Create and run a locality's teams around a school or cluster: members, children, meetings.
    ManageGroupTeam;
    /// See one team around a school or cluster: members, meetings, children's names (not records).
    ViewGroupTeam;
    /// Search and read the published service directory (public).
    ViewDirectory;
    /// See a service's referral routes, capacity and waiting time (signed in).
    ViewServiceDetails;
    /// See an organisation's directory entries in every status, with their history.
    ViewDirectoryEntries;
    /// Write an organisation's directory entries, send them for approval, archive, restore.
    EditDirectoryEntry;
    /// Approve or return entries sent for approval.
    ApproveDirectoryEntry;
    /// Add directory providers and say which partnership organisation maintains their entries.
    ManageDirectoryOrganisations;
    /// Import an Open Referral UK feed into the directory.
    ImportDirectory;
}
