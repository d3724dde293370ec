//! Storage for everychild: repository traits, one implementation over SQLite and PostgreSQL,
//! the migrations for both, and the hash-chained audit log written in the same transaction as
//! the change it records.
//!
//! Every method that reads or changes data takes a [`everychild_policy::Permit`] for its
//! capability, so nothing reaches the data without a policy decision; the permit's actor,
//! target and purpose go into the audit event.

mod audit;
mod auth;
mod batch;
mod cache;
mod casework;
mod chronology;
#[cfg(test)]
mod classification_check;
mod directory;
mod error;
mod geo;
mod groups;
mod identities;
mod localities;
mod meta;
mod orgs;
mod people;
mod pool;
mod resets;
mod throttle;
mod tokens;
mod types;
mod users;

pub use audit::{AuditFilter, AuditPage, AuditRow, WITHHELD};
pub use casework::{
    ActionRow, AssessmentView, ConsentRow, LevelChangeRow, LocalitySummary, MeetingRow, NewRequest,
    PanelItem, PanelRow, Plan, Proposal, RequestDetail, RequestSummary, SaveOutcome, TeamMemberRow,
    NO_LEAD_DAYS, STUCK_WEEKS,
};
pub use casework::{
    AskedOfferedReceived, CaseRules, NeedMet, PhaseLevels, StuckPoint, WaitingList,
};
pub use casework::{ReferralMade, ReferralRow, TeamInvitation, OVERRIDE_MAX};
pub use chronology::{Chronology, ChronologyEvent, ALERT_AGENCIES, ALERT_DAYS};
pub use directory::types::*;
pub use directory::DirectoryCache;
pub use error::StoreError;
pub use geo::{GeoCache, GeographyReport, TableCounts};
pub use groups::{
    GroupChange, GroupChildRow, GroupMeetingRow, GroupMemberRow, GroupTeamDetail, GroupTeamScope,
    GroupTeamSummary,
};
pub use identities::{IdentityRepo, LinkedIdentity};
pub use localities::types::*;
pub use meta::{with_request_meta, RequestMeta};
pub use people::import::ImportReport;
pub use people::involvements::{Declaration, DeclarationScope, InvolvementRepo};
pub use people::merge::{MergeOutcome, MergeRequestRow, MergeRow};
pub use people::review::{ReviewCandidate, ReviewDecision, ReviewItem};
pub use people::rules::{AccessRules, READS_PER_HOUR, SEARCHES_PER_HOUR};
pub use people::types::*;
pub use people::volume::VolumeAlert;
pub use pool::{AuditKeys, Backend, PoolSettings, SqlStore};
pub use resets::{needs_second_person, PendingReset, ResetKind, ResetRepo};
pub use throttle::{Claim, ThrottleRepo};
pub use tokens::service_username;
pub use types::*;

use async_trait::async_trait;
use everychild_domain::geo::{data::GeographyData, GeoIndex};
use everychild_domain::locality::{AgePhases, LeadRule, ValidBoundarySet};
use everychild_domain::{audit::ChainError, Timestamp, UserId};
use everychild_policy as policy;
use policy::Permit;
use std::sync::Arc;

/// The service directory: the public search index, providers, entries with their history and
/// life, and imports from Open Referral feeds. Every change is audited.
#[async_trait]
pub trait DirectoryRepo: Send + Sync {
    /// The search index of every live entry (public; cached, rebuilt when the directory
    /// changes).
    async fn directory_index(
        &self,
        p: &Permit<policy::ViewDirectory>,
    ) -> Result<Arc<everychild_domain::directory::search::DirectoryIndex>>;
    /// Which partnership organisation maintains an entry: `None` if there is no such entry,
    /// `Some(None)` if nobody does (names nothing personal; used to ask for the right permit).
    async fn directory_entry_owner(
        &self,
        p: &Permit<policy::ViewDirectory>,
        id: &str,
    ) -> Result<Option<Option<i64>>>;
    /// The providers the permit reaches (one organisation's, or all).
    async fn directory_organisations(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
    ) -> Result<Vec<DirectoryOrg>>;
    /// Add or change a provider and who maintains its entries; audited.
    async fn save_directory_organisation(
        &self,
        p: &Permit<policy::ManageDirectoryOrganisations>,
        org: &everychild_domain::directory::oruk::Organization,
        owner: Option<i64>,
    ) -> Result<()>;
    /// The entries the permit reaches, in every status, by name.
    async fn directory_entries(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
    ) -> Result<Vec<EntrySummary>>;
    /// One entry with its working version and history, if the permit reaches it.
    async fn directory_entry(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
        id: &str,
    ) -> Result<Option<EntryDetail>>;
    /// Create an entry as a draft (`base` is `None`) or save a new version of its content
    /// from version `base` (a stale base is refused, nothing written); audited. Returns the
    /// new version.
    async fn save_directory_entry(
        &self,
        p: &Permit<policy::EditDirectoryEntry>,
        input: &EntryInput,
        base: Option<i64>,
    ) -> Result<i64>;
    /// Submit for approval, archive or restore, from version `version`; audited.
    async fn move_directory_entry(
        &self,
        p: &Permit<policy::EditDirectoryEntry>,
        id: &str,
        version: i64,
        cmd: everychild_domain::directory::EntryCommand,
        note: Option<&str>,
    ) -> Result<()>;
    /// Approve (publish) or return an entry awaiting approval; the author of a version may not
    /// approve it; audited.
    async fn decide_directory_entry(
        &self,
        p: &Permit<policy::ApproveDirectoryEntry>,
        id: &str,
        version: i64,
        approve: bool,
        note: Option<&str>,
    ) -> Result<()>;
    /// Upsert a checked Open Referral feed in one transaction; audited.
    async fn import_directory(
        &self,
        p: &Permit<policy::ImportDirectory>,
        feed: &DirectoryImport,
    ) -> Result<DirectoryImportReport>;
}

/// Result type of every store call.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Sign-in, sessions and bearer tokens.
#[async_trait]
pub trait AuthRepo: Send + Sync {
    /// The stored credentials for a username, if the account exists.
    async fn credentials(
        &self,
        p: &Permit<policy::Authenticate>,
        username: &str,
    ) -> Result<Option<Credentials>>;
    /// How many failures each throttle key has had since `since`.
    async fn failures_since(
        &self,
        p: &Permit<policy::Authenticate>,
        keys: &[String],
        since: Timestamp,
    ) -> Result<Vec<i64>>;
    /// Record a failed sign-in against each throttle key, and audit it.
    async fn record_sign_in_failure(
        &self,
        p: &Permit<policy::Authenticate>,
        attempted_username: &str,
        keys: &[String],
        reason: &str,
    ) -> Result<()>;
    /// Start a session after a correct password; clears the account's failures; audited.
    async fn start_session(
        &self,
        p: &Permit<policy::Authenticate>,
        s: NewSession<'_>,
    ) -> Result<()>;
    /// Load the session with this id hash; expired or disabled sessions are removed and `None`.
    async fn load_session(
        &self,
        p: &Permit<policy::Authenticate>,
        id_hash: &str,
        timeouts: SessionTimeouts,
    ) -> Result<Option<LoadedSession>>;
    /// The second-factor state of the user in a pending sign-in.
    async fn second_factor(
        &self,
        p: &Permit<policy::CompleteSignIn>,
    ) -> Result<Option<SecondFactor>>;
    /// Finish a sign-in with a second factor: accepts `step` only if later than the last used
    /// (no replay), optionally enrols `enrol_secret`, and swaps the session for a fresh id.
    /// Returns false when the step was already used.
    async fn complete_sign_in(
        &self,
        p: &Permit<policy::CompleteSignIn>,
        old_hash: &str,
        new_hash: &str,
        step: i64,
        enrol_secret: Option<&str>,
    ) -> Result<bool>;
    /// End a session on the server; audited. Returns the identity provider's issuer when the
    /// session came through one, so that the provider's session can be ended too.
    async fn sign_out(&self, p: &Permit<policy::SignOut>, id_hash: &str) -> Result<Option<String>>;
    /// The user behind a bearer token, if the token is live and the user enabled.
    async fn token_user(
        &self,
        p: &Permit<policy::Authenticate>,
        token_hash: &str,
    ) -> Result<Option<LoadedSession>>;
}

/// One's own account.
#[async_trait]
pub trait AccountRepo: Send + Sync {
    /// The signed-in user's account.
    async fn own_account(&self, p: &Permit<policy::ViewOwnAccount>) -> Result<Option<UserDetail>>;
    /// The signed-in user's password hash, to check the current password.
    async fn own_password_hash(&self, p: &Permit<policy::ManageOwnAccount>) -> Result<String>;
    /// Set a new password; ends the user's other sessions; audited.
    async fn change_own_password(
        &self,
        p: &Permit<policy::ManageOwnAccount>,
        new_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()>;
    /// Enrol (`Some(secret, step)`) or remove (`None`) the second factor; audited.
    async fn set_own_totp(
        &self,
        p: &Permit<policy::ManageOwnAccount>,
        secret_and_step: Option<(&str, i64)>,
    ) -> Result<()>;
}

/// User administration and the staff directory.
#[async_trait]
pub trait UserRepo: Send + Sync {
    /// Search user accounts; audited.
    async fn list_users(
        &self,
        p: &Permit<policy::ListUsers>,
        q: &UserQuery,
    ) -> Result<Vec<UserSummary>>;
    /// One user account; audited.
    async fn get_user(&self, p: &Permit<policy::ViewUser>) -> Result<Option<UserDetail>>;
    /// Create a user account; audited.
    async fn create_user(&self, p: &Permit<policy::CreateUser>, u: NewUser) -> Result<UserId>;
    /// Disable (ending every session at once) or enable the target account; audited.
    async fn set_user_disabled(
        &self,
        p: &Permit<policy::ManageUser>,
        disabled: bool,
    ) -> Result<bool>;
    /// Reset the target's password (they must change it at next sign-in); audited.
    async fn reset_user_password(
        &self,
        p: &Permit<policy::ManageUser>,
        new_hash: &str,
    ) -> Result<bool>;
    /// Remove the target's second factor so they enrol again; audited.
    async fn reset_user_totp(&self, p: &Permit<policy::ManageUser>) -> Result<bool>;
    /// Search the staff directory; audited.
    async fn search_staff(
        &self,
        p: &Permit<policy::SearchStaff>,
        q: &str,
    ) -> Result<Vec<StaffCard>>;
    /// One colleague's staff profile; audited.
    async fn staff_profile(
        &self,
        p: &Permit<policy::ViewStaffProfile>,
    ) -> Result<Option<StaffCard>>;
}

/// Organisations.
#[async_trait]
pub trait OrgRepo: Send + Sync {
    /// Every organisation.
    async fn list_organisations(
        &self,
        p: &Permit<policy::ListOrganisations>,
    ) -> Result<Vec<Organisation>>;
    /// Create an organisation; audited.
    async fn create_organisation(
        &self,
        p: &Permit<policy::ManageOrganisations>,
        o: NewOrganisation,
    ) -> Result<everychild_domain::OrganisationId>;
}

/// Bearer tokens for machine clients.
#[async_trait]
pub trait TokenRepo: Send + Sync {
    /// Issue a token for a service client (created, in the owner's organisation, if new);
    /// only its hash is stored; audited.
    async fn issue_token(
        &self,
        p: &Permit<policy::ManageApiTokens>,
        t: NewServiceToken<'_>,
    ) -> Result<i64>;
    /// Every token, live and revoked.
    async fn list_tokens(&self, p: &Permit<policy::ManageApiTokens>) -> Result<Vec<ApiToken>>;
    /// Revoke a token; audited. False if no live token has that id.
    async fn revoke_token(&self, p: &Permit<policy::ManageApiTokens>, id: i64) -> Result<bool>;
}

/// The audit log: read, verify, and record refusals.
#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Filter the log; the search is itself audited.
    async fn search_audit(
        &self,
        p: &Permit<policy::ReadAudit>,
        f: &AuditFilter,
    ) -> Result<AuditPage>;
    /// Verify the whole chain, naming the first bad event.
    async fn verify_audit(
        &self,
        p: &Permit<policy::VerifyAudit>,
    ) -> Result<std::result::Result<i64, ChainError>>;
    /// Record that the policy refused a signed-in user.
    async fn record_denied(
        &self,
        principal: &policy::Principal,
        action: policy::Action,
        subject: Option<(&str, String)>,
    ) -> Result<()>;
}

/// Geography: the import of open data and the in-memory lookup index.
#[async_trait]
pub trait GeoRepo: Send + Sync {
    /// Upsert every geography table in one audited transaction; importing the same data again
    /// changes nothing.
    async fn import_geography(
        &self,
        p: &Permit<policy::ImportGeography>,
        data: &GeographyData,
    ) -> Result<GeographyReport>;
    /// The postcode, school and locality index (loaded once, reloaded after changes).
    async fn geo_index(&self, p: &Permit<policy::LookupPostcode>) -> Result<Arc<GeoIndex>>;
}

/// Authorities, localities, boundary sets, age phases, hubs and sites, teams and contacts.
#[async_trait]
pub trait LocalityRepo: Send + Sync {
    /// Every authority.
    async fn authorities(&self, p: &Permit<policy::ViewLocalities>) -> Result<Vec<Authority>>;
    /// Set the lead-locality rule of an authority; audited.
    async fn set_lead_rule(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        rule: LeadRule,
    ) -> Result<()>;
    /// An authority's age phases, youngest first.
    async fn age_phases(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<AgePhaseRow>>;
    /// Set an authority's age phases (matched by name; a phase in use cannot be removed);
    /// audited.
    async fn set_age_phases(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        phases: &AgePhases,
    ) -> Result<()>;
    /// An authority's localities (those of the current set first), with their current wards.
    async fn localities(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<LocalityRow>>;
    /// Create a locality; audited.
    async fn create_locality(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        name: &str,
    ) -> Result<i64>;
    /// A locality's figures under a boundary set (the current one if `None`).
    async fn locality_profile(
        &self,
        p: &Permit<policy::ViewLocalities>,
        locality_id: i64,
        set_id: Option<i64>,
    ) -> Result<Option<LocalityProfile>>;
    /// An authority's boundary sets, newest first.
    async fn boundary_sets(
        &self,
        p: &Permit<policy::ViewBoundarySets>,
        authority_id: i64,
    ) -> Result<Vec<BoundarySetSummary>>;
    /// One boundary set with every ward's locality.
    async fn boundary_set(
        &self,
        p: &Permit<policy::ViewBoundarySets>,
        set_id: i64,
    ) -> Result<Option<BoundarySetDetail>>;
    /// An authority's wards with their populations and boundaries.
    async fn authority_wards(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<WardFigures>>;
    /// Store a new boundary set (the next version; the old ones are kept), optionally making it
    /// current; audited.
    async fn create_boundary_set(
        &self,
        p: &Permit<policy::ManageBoundarySets>,
        authority_id: i64,
        name: &str,
        note: &str,
        set: &ValidBoundarySet,
        make_current: bool,
    ) -> Result<i64>;
    /// Make a boundary set its authority's current one; audited.
    async fn make_boundary_set_current(
        &self,
        p: &Permit<policy::ManageBoundarySets>,
        set_id: i64,
    ) -> Result<()>;
    /// An authority's schools, by name.
    async fn schools(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<SchoolRow>>;
    /// An authority's hubs and delivery sites.
    async fn sites(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<Site>>;
    /// Add a hub or delivery site to the permit's locality; audited.
    async fn add_site(&self, p: &Permit<policy::ManageLocality>, s: NewSite) -> Result<i64>;
    /// The permit's locality's teams (one age phase or all) and city-wide contacts; audited,
    /// as it shows staff contact details.
    async fn team_directory(
        &self,
        p: &Permit<policy::ViewTeams>,
        age_phase_id: Option<i64>,
    ) -> Result<(Vec<Team>, Vec<CitywideContact>)>;
    /// The enabled account with this username, for adding to the permit's locality's teams.
    async fn staff_by_username(
        &self,
        p: &Permit<policy::ManageLocality>,
        username: &str,
    ) -> Result<Option<UserId>>;
    /// Create a team in the permit's locality; audited.
    async fn create_team(&self, p: &Permit<policy::ManageLocality>, t: NewTeam) -> Result<i64>;
    /// Add a member to a team of the permit's locality; audited.
    async fn add_team_member(
        &self,
        p: &Permit<policy::ManageLocality>,
        team_id: i64,
        m: NewMember,
    ) -> Result<()>;
    /// Add a city-wide service to an authority; audited.
    async fn add_citywide_service(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        name: &str,
        organisation_id: i64,
    ) -> Result<i64>;
    /// An authority's city-wide services: id and name.
    async fn citywide_services(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<(i64, String)>>;
    /// Name the permit's locality's contact for a city-wide service; audited.
    async fn set_citywide_contact(
        &self,
        p: &Permit<policy::ManageLocality>,
        service_id: i64,
        user_id: i64,
    ) -> Result<()>;
    /// Mark a school as serving the whole authority (or not); audited.
    async fn set_school_city_wide(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        urn: i64,
        city_wide: bool,
    ) -> Result<()>;
    /// Set the localities the permit's user works in; audited.
    async fn set_user_localities(
        &self,
        p: &Permit<policy::ManageUser>,
        localities: &[i64],
    ) -> Result<()>;
    /// Set the permit's user's work phone and line manager; audited.
    async fn set_staff_contact(
        &self,
        p: &Permit<policy::ManageUser>,
        phone: Option<&str>,
        line_manager: Option<i64>,
    ) -> Result<()>;
}

/// Children, families and the multi-agency index.
#[async_trait]
pub trait PeopleRepo: Send + Sync {
    /// The bases the signed-in user has for a child, strongest first (no personal data; not
    /// audited): `None` if there is no such child, empty if the user has no basis.
    async fn child_bases(
        &self,
        p: &Permit<policy::FindChildBasis>,
        child: i64,
    ) -> Result<Option<Vec<policy::Basis>>>;
    /// Search the index of children; audited with the search terms.
    async fn search_children(
        &self,
        p: &Permit<policy::SearchChildren>,
        q: &ChildQuery,
    ) -> Result<Vec<ChildHit>>;
    /// A child's record, if the permit's basis holds now (checked in the same transaction as
    /// the read); audited. `Ok(None)` for no such child or a basis that does not hold;
    /// `Err(Merged(id))` is never returned: a merged record answers with its survivor's id in
    /// [`ChildRecord::child`].
    async fn view_child(&self, p: &Permit<policy::ViewChild>) -> Result<Option<ChildRecord>>;
    /// Register a child one works with (and, optionally, their parents or carers), recording
    /// one's own involvement; audited.
    async fn register_child(
        &self,
        p: &Permit<policy::DeclareInvolvement>,
        child: NewPerson,
        involvement: NewInvolvement,
    ) -> Result<i64>;
    /// Ask to be recorded as working with the permit's child, with the reason: a request that
    /// opens nothing until it is approved; audited against the child.
    async fn declare_involvement(
        &self,
        p: &Permit<policy::DeclareInvolvement>,
        involvement: NewInvolvement,
        reason: &str,
    ) -> Result<i64>;
    /// Add a flag to the permit's child; audited.
    async fn add_flag(
        &self,
        p: &Permit<policy::UpdateChild>,
        kind: &str,
        since: &str,
    ) -> Result<i64>;
    /// End a flag of the permit's child; audited.
    async fn end_flag(&self, p: &Permit<policy::UpdateChild>, flag: i64, until: &str)
        -> Result<()>;
    /// Add a relative of the permit's child (a new person); audited.
    async fn add_relative(
        &self,
        p: &Permit<policy::UpdateChild>,
        relative: NewPerson,
        kind: &str,
        same_household: bool,
        parental_responsibility: bool,
    ) -> Result<i64>;
    /// Hide (or show again) the permit's child's address and contacts everywhere; audited.
    async fn set_shielded(&self, p: &Permit<policy::UpdateChild>, shielded: bool) -> Result<()>;
    /// Open the permit's child's record in an emergency for `minutes`; audited, and queued for
    /// the data protection officer's review.
    async fn break_glass(
        &self,
        p: &Permit<policy::BreakGlass>,
        reason: &str,
        minutes: i64,
    ) -> Result<String>;
    /// Break-glass accesses, unreviewed first.
    async fn break_glass_list(
        &self,
        p: &Permit<policy::ReviewBreakGlass>,
    ) -> Result<Vec<BreakGlassRow>>;
    /// Record the review of a break-glass access; audited.
    async fn review_break_glass(
        &self,
        p: &Permit<policy::ReviewBreakGlass>,
        id: i64,
        appropriate: bool,
    ) -> Result<()>;
    /// Import an agency's extract: unchanged rows change nothing; the others are linked to a
    /// known child, queued for review or made new children by the linkage engine, and the
    /// agency is recorded as involved; one audited transaction.
    async fn import_agency_extract(
        &self,
        p: &Permit<policy::ImportAgencyRecords>,
        organisation: i64,
        rows: &[everychild_domain::person::ExtractRow],
    ) -> Result<ImportReport>;
    /// Agency records waiting for a reviewer, with their candidates; audited.
    async fn review_queue(&self, p: &Permit<policy::ReviewLinks>) -> Result<Vec<ReviewItem>>;
    /// One agency record waiting for a reviewer; audited.
    async fn review_item(
        &self,
        p: &Permit<policy::ReviewLinks>,
        id: i64,
    ) -> Result<Option<ReviewItem>>;
    /// Link the record to a candidate, make it a new child, or defer it; audited.
    async fn decide_review(
        &self,
        p: &Permit<policy::ReviewLinks>,
        id: i64,
        decision: ReviewDecision,
    ) -> Result<()>;
    /// Merge the record `merged` into `survivor` (nothing is moved or lost); audited. Records
    /// in different localities wait for a second reviewer instead.
    async fn merge_people(
        &self,
        p: &Permit<policy::ReviewLinks>,
        survivor: i64,
        merged: i64,
        reason: &str,
    ) -> Result<MergeOutcome>;
    /// A second reviewer approves (merging, in the same transaction) or refuses a merge
    /// waiting across localities; returns the merge's id when approved; audited.
    async fn decide_merge_request(
        &self,
        p: &Permit<policy::ReviewLinks>,
        request: i64,
        approve: bool,
    ) -> Result<Option<i64>>;
    /// Merges waiting for a second reviewer that involve a record.
    async fn merge_requests(
        &self,
        p: &Permit<policy::ReviewLinks>,
        person: i64,
    ) -> Result<Vec<MergeRequestRow>>;
    /// Undo a merge, restoring both records exactly; audited.
    async fn unmerge(&self, p: &Permit<policy::ReviewLinks>, merge_id: i64) -> Result<()>;
    /// The merges into a record.
    async fn merges(&self, p: &Permit<policy::ReviewLinks>, person: i64) -> Result<Vec<MergeRow>>;
    /// Who has viewed, searched for or changed a child's record; audited.
    async fn child_access_log(
        &self,
        p: &Permit<policy::ViewChildAccessLog>,
        child: i64,
    ) -> Result<Vec<AuditRow>>;
}

/// Requests for support: the front door, the team around the child, level changes, closure.
/// Every read and change is audited; a change checks the permit's basis and the request's
/// version in its transaction.
#[async_trait]
pub trait CaseRepo: Send + Sync {
    /// Ask for support for the permit's child; returns the request's id.
    async fn make_request(&self, p: &Permit<policy::RequestSupport>, r: NewRequest) -> Result<i64>;
    /// The child and lead locality of a request (no personal data: to choose the permit).
    async fn request_scope(
        &self,
        p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<(i64, i64)>>;
    /// The permit's child's requests.
    async fn child_requests(&self, p: &Permit<policy::ViewRequest>) -> Result<Vec<RequestSummary>>;
    /// One request of the permit's child, in full.
    async fn request_detail(
        &self,
        p: &Permit<policy::ViewRequest>,
        id: i64,
    ) -> Result<Option<RequestDetail>>;
    /// The locality's front door: requests waiting for a decision, and open ones.
    async fn front_door(
        &self,
        p: &Permit<policy::ViewFrontDoor>,
    ) -> Result<(Vec<RequestSummary>, Vec<RequestSummary>)>;
    /// The front door's decision on a request at the permit's locality.
    async fn decide_request(
        &self,
        p: &Permit<policy::DecideRequest>,
        id: i64,
        version: i64,
        cmd: everychild_domain::casework::Command,
    ) -> Result<()>;
    /// Any other command on a request of the permit's child (`note`: a handover note).
    async fn manage_request(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        version: i64,
        cmd: everychild_domain::casework::Command,
        note: Option<&str>,
    ) -> Result<()>;
    /// Places in teams around children offered to the user and waiting for an answer; audited.
    async fn team_invitations(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
    ) -> Result<Vec<TeamInvitation>>;
    /// Accept or decline the place offered to the user in request `id`'s team; audited.
    async fn answer_team_invitation(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
        id: i64,
        accept: bool,
    ) -> Result<()>;
    /// Add a member to the team around the child.
    async fn add_to_team(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        user: i64,
        team_role: &str,
    ) -> Result<()>;
    /// Withdraw a consent.
    async fn withdraw_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        consent: i64,
    ) -> Result<()>;
    /// Who may join the team or lead: the locality's staff, those involved with the child, and
    /// whoever asked. `(user id, "Name (job, organisation)")`.
    async fn team_candidates(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
    ) -> Result<Vec<(i64, String)>>;
    /// The request's early help assessment, if there is one the permit may see (a draft is the
    /// lead professional's and locality manager's only; anyone else on the team sees a shared one
    /// only while a consent to share covers their organisation); audited.
    async fn assessment(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
    ) -> Result<Option<AssessmentView>>;
    /// Save the draft assessment edited from version `base` (0: a new one); a stale base saves
    /// nothing and returns what is stored.
    async fn save_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        base: i64,
        content: &everychild_domain::casework::AssessmentContent,
    ) -> Result<SaveOutcome>;
    /// Complete (`share` false) or share (`share` true) the assessment at `version`.
    async fn advance_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        version: i64,
        share: bool,
    ) -> Result<()>;
    /// Record consent given for a purpose, covering every agency in the team around the child
    /// or one organisation; audited, naming the organisation.
    async fn record_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        purpose: everychild_domain::casework::ConsentPurpose,
        scope: everychild_domain::casework::ConsentScope,
        given_by: &str,
    ) -> Result<()>;
    /// The permit's child's chronology from every agency, newest first, with the alert when
    /// concerns accumulate; audited.
    async fn chronology(&self, p: &Permit<policy::ViewRequest>) -> Result<Chronology>;
    /// The request's meetings, action plan and next review.
    async fn plan(&self, p: &Permit<policy::ViewRequest>, request: i64) -> Result<Plan>;
    /// Record a meeting (or review) of the team around the child.
    async fn add_meeting(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        m: &everychild_domain::casework::NewMeeting,
    ) -> Result<()>;
    /// Add an action owned by a member of the team.
    async fn add_action(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        a: &everychild_domain::casework::NewAction,
    ) -> Result<i64>;
    /// Mark an action done (its owner, the lead professional or the locality manager).
    async fn complete_action(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
        action: i64,
    ) -> Result<()>;
    /// Bring a case to the locality panel, with why.
    async fn refer_to_panel(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        why: &str,
    ) -> Result<()>;
    /// Cases proposed for the permit's locality's next panel, and its panels so far.
    async fn panel_overview(
        &self,
        p: &Permit<policy::RunPanel>,
    ) -> Result<(Vec<Proposal>, Vec<PanelRow>)>;
    /// Set a panel's agenda from every case proposed now; records the stuck-case count.
    async fn create_panel(&self, p: &Permit<policy::RunPanel>, meets_on: time::Date)
        -> Result<i64>;
    /// The locality of a panel (no personal data: to choose the permit).
    async fn panel_scope(&self, p: &Permit<policy::FindChildBasis>, id: i64)
        -> Result<Option<i64>>;
    /// A panel's date and agenda.
    async fn panel_items(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
    ) -> Result<Option<(String, Vec<PanelItem>)>>;
    /// Record the panel's decision on a case, with an optional action for the team.
    async fn decide_panel_item(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
        item: i64,
        decision: &str,
        action: Option<&everychild_domain::casework::NewAction>,
    ) -> Result<()>;
    /// Counts for the permit's locality.
    async fn locality_summary(
        &self,
        p: &Permit<policy::ViewLocalitySummary>,
    ) -> Result<LocalitySummary>;
    /// The casework rules in force (a deployment's settings, nothing personal: no permit).
    fn case_rules(&self) -> CaseRules;
    /// Refer the child of an open, decided request to a published service, in one audited
    /// transaction: the family's consent to referral must be in force, and the child is checked
    /// against the eligibility of the entry's live version. A child who is not eligible is
    /// refused (`Conflict` naming every reason) unless `override_reason` says why to refer all
    /// the same; both are kept. `need` must be one of the request's needs. A service with no
    /// places puts the child on its waiting list.
    async fn refer_to_service(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        entry_id: &str,
        need: Option<everychild_domain::casework::Need>,
        override_reason: Option<&str>,
    ) -> Result<ReferralMade>;
    /// Record what happened to a referral (offered, declined, withdrawn, started, ended), from
    /// `version`: a stale version or a command its status does not allow changes nothing.
    async fn update_referral(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        referral: i64,
        version: i64,
        cmd: &everychild_domain::casework::referral::ReferralCommand,
    ) -> Result<()>;
}

#[async_trait]
impl CaseRepo for SqlStore {
    async fn team_invitations(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
    ) -> Result<Vec<TeamInvitation>> {
        casework::invitations::waiting(self, p).await
    }

    async fn answer_team_invitation(
        &self,
        p: &Permit<policy::AnswerTeamInvitation>,
        id: i64,
        accept: bool,
    ) -> Result<()> {
        casework::invitations::answer(self, p, id, accept).await
    }

    async fn refer_to_service(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        entry_id: &str,
        need: Option<everychild_domain::casework::Need>,
        override_reason: Option<&str>,
    ) -> Result<ReferralMade> {
        SqlStore::refer_to_service(self, p, request, entry_id, need, override_reason).await
    }
    async fn update_referral(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        referral: i64,
        version: i64,
        cmd: &everychild_domain::casework::referral::ReferralCommand,
    ) -> Result<()> {
        SqlStore::update_referral(self, p, request, referral, version, cmd).await
    }
    async fn refer_to_panel(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        why: &str,
    ) -> Result<()> {
        SqlStore::refer_to_panel(self, p, request, why).await
    }
    async fn panel_overview(
        &self,
        p: &Permit<policy::RunPanel>,
    ) -> Result<(Vec<Proposal>, Vec<PanelRow>)> {
        SqlStore::panel_overview(self, p).await
    }
    async fn create_panel(
        &self,
        p: &Permit<policy::RunPanel>,
        meets_on: time::Date,
    ) -> Result<i64> {
        SqlStore::create_panel(self, p, meets_on).await
    }
    async fn panel_scope(
        &self,
        _p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<i64>> {
        SqlStore::panel_scope(self, id).await
    }
    async fn panel_items(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
    ) -> Result<Option<(String, Vec<PanelItem>)>> {
        SqlStore::panel_items(self, p, panel).await
    }
    async fn decide_panel_item(
        &self,
        p: &Permit<policy::RunPanel>,
        panel: i64,
        item: i64,
        decision: &str,
        action: Option<&everychild_domain::casework::NewAction>,
    ) -> Result<()> {
        SqlStore::decide_panel_item(self, p, panel, item, decision, action).await
    }
    async fn plan(&self, p: &Permit<policy::ViewRequest>, request: i64) -> Result<Plan> {
        SqlStore::plan(self, p, request).await
    }
    async fn add_meeting(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        m: &everychild_domain::casework::NewMeeting,
    ) -> Result<()> {
        SqlStore::add_meeting(self, p, request, m).await
    }
    async fn add_action(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        a: &everychild_domain::casework::NewAction,
    ) -> Result<i64> {
        SqlStore::add_action(self, p, request, a).await
    }
    async fn complete_action(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
        action: i64,
    ) -> Result<()> {
        SqlStore::complete_action(self, p, request, action).await
    }
    async fn chronology(&self, p: &Permit<policy::ViewRequest>) -> Result<Chronology> {
        SqlStore::chronology(self, p).await
    }
    async fn assessment(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
    ) -> Result<Option<AssessmentView>> {
        SqlStore::assessment(self, p, request).await
    }
    async fn save_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        base: i64,
        content: &everychild_domain::casework::AssessmentContent,
    ) -> Result<SaveOutcome> {
        SqlStore::save_assessment(self, p, request, base, content).await
    }
    async fn advance_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        version: i64,
        share: bool,
    ) -> Result<()> {
        SqlStore::advance_assessment(self, p, request, version, share).await
    }
    async fn record_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        purpose: everychild_domain::casework::ConsentPurpose,
        scope: everychild_domain::casework::ConsentScope,
        given_by: &str,
    ) -> Result<()> {
        SqlStore::record_consent(self, p, request, purpose, scope, given_by).await
    }
    async fn team_candidates(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
    ) -> Result<Vec<(i64, String)>> {
        SqlStore::team_candidates(self, p, id).await
    }
    async fn make_request(&self, p: &Permit<policy::RequestSupport>, r: NewRequest) -> Result<i64> {
        SqlStore::make_request(self, p, r).await
    }
    async fn request_scope(
        &self,
        _p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<(i64, i64)>> {
        self.request_child(id).await
    }
    async fn child_requests(&self, p: &Permit<policy::ViewRequest>) -> Result<Vec<RequestSummary>> {
        SqlStore::child_requests(self, p).await
    }
    async fn request_detail(
        &self,
        p: &Permit<policy::ViewRequest>,
        id: i64,
    ) -> Result<Option<RequestDetail>> {
        SqlStore::request_detail(self, p, id).await
    }
    async fn front_door(
        &self,
        p: &Permit<policy::ViewFrontDoor>,
    ) -> Result<(Vec<RequestSummary>, Vec<RequestSummary>)> {
        SqlStore::front_door(self, p).await
    }
    async fn decide_request(
        &self,
        p: &Permit<policy::DecideRequest>,
        id: i64,
        version: i64,
        cmd: everychild_domain::casework::Command,
    ) -> Result<()> {
        SqlStore::decide_request(self, p, id, version, cmd).await
    }
    async fn manage_request(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        version: i64,
        cmd: everychild_domain::casework::Command,
        note: Option<&str>,
    ) -> Result<()> {
        SqlStore::manage_request(self, p, id, version, cmd, note).await
    }
    async fn add_to_team(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        user: i64,
        team_role: &str,
    ) -> Result<()> {
        SqlStore::add_team_member(self, p, id, user, team_role).await
    }
    async fn withdraw_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        id: i64,
        consent: i64,
    ) -> Result<()> {
        SqlStore::withdraw_consent(self, p, id, consent).await
    }
    async fn locality_summary(
        &self,
        p: &Permit<policy::ViewLocalitySummary>,
    ) -> Result<LocalitySummary> {
        SqlStore::locality_summary(self, p).await
    }
    fn case_rules(&self) -> CaseRules {
        self.rules
    }
}

/// Teams around a school or a cluster of schools: set up and run by their locality's
/// managers, seen by their members. Every change is audited in its transaction; a member sees
/// the children's names and their requests, and membership is never a basis for a child's
/// record.
#[async_trait]
pub trait GroupRepo: Send + Sync {
    /// A team's name, locality and whether the permit's user is a current member (no personal
    /// data: to choose the permit). `None` if there is no such team.
    async fn group_team_scope(
        &self,
        p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<GroupTeamScope>>;
    /// A locality's name and its teams' scopes (as [`GroupRepo::group_team_scope`]); `None` if
    /// there is no such locality.
    async fn group_team_scopes(
        &self,
        p: &Permit<policy::FindChildBasis>,
        locality: i64,
    ) -> Result<Option<(String, Vec<GroupTeamScope>)>>;
    /// Every team of the permit's locality, by name; audited.
    async fn group_teams(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<GroupTeamSummary>>;
    /// Create a team in the permit's locality (its schools in the locality, a unique name, an
    /// active lead, who becomes its first member); audited. Returns its id.
    async fn create_group_team(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        t: &everychild_domain::casework::NewGroupTeam,
    ) -> Result<i64>;
    /// The permit's team, if the claim (member, or manager of its locality) holds in the same
    /// transaction; audited.
    async fn group_team(
        &self,
        p: &Permit<policy::ViewGroupTeam>,
    ) -> Result<Option<GroupTeamDetail>>;
    /// Change a team of the permit's locality: members, children (only open requests in the
    /// locality), meetings; audited.
    async fn change_group_team(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
        change: GroupChange<'_>,
    ) -> Result<()>;
    /// Who may be offered as a lead or member: active front-line staff working in the
    /// permit's locality, `(user id, "Name (job, organisation)")`.
    async fn group_member_candidates(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<(i64, String)>>;
    /// The locality's open requests the team does not cover yet, `(request id, label)`;
    /// audited.
    async fn group_child_candidates(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
    ) -> Result<Vec<(i64, String)>>;
}

/// Whether the database answers.
#[async_trait]
pub trait HealthRepo: Send + Sync {
    /// A trivial query.
    async fn ping(&self) -> Result<()>;
}

/// Everything the web layer needs, as one object.
pub trait Repositories:
    AuthRepo
    + ThrottleRepo
    + ResetRepo
    + InvolvementRepo
    + IdentityRepo
    + AccountRepo
    + UserRepo
    + OrgRepo
    + TokenRepo
    + AuditRepo
    + HealthRepo
    + GeoRepo
    + LocalityRepo
    + PeopleRepo
    + CaseRepo
    + GroupRepo
    + DirectoryRepo
{
}
impl<T> Repositories for T where
    T: AuthRepo
        + ThrottleRepo
        + ResetRepo
        + InvolvementRepo
        + IdentityRepo
        + AccountRepo
        + UserRepo
        + OrgRepo
        + TokenRepo
        + AuditRepo
        + HealthRepo
        + GeoRepo
        + LocalityRepo
        + PeopleRepo
        + CaseRepo
        + GroupRepo
        + DirectoryRepo
{
}
