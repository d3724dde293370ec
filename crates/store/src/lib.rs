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
mod sql;
mod throttle;
mod tokens;
mod types;
mod users;

pub use audit::{AuditFilter, AuditPage, AuditRepo, AuditRow, WITHHELD};
pub use auth::{AccountRepo, AuthRepo};
pub use casework::{
    ActionRow, AssessmentView, ConsentRow, LevelChangeRow, LocalitySummary, MeetingRow, NewRequest,
    PanelItem, PanelRow, Plan, Proposal, RequestDetail, RequestSummary, SaveOutcome, TeamMemberRow,
    NO_LEAD_DAYS, STUCK_WEEKS,
};
pub use casework::{
    AskedOfferedReceived, CaseRules, NeedMet, PhaseLevels, StuckPoint, WaitingList,
};
pub use casework::{
    AssessmentRepo, InvitationRepo, PanelRepo, PlanRepo, ReferralRepo, RequestRepo, TeamRepo,
};
pub use casework::{ReferralMade, ReferralRow, TeamInvitation, OVERRIDE_MAX};
pub use chronology::{Chronology, ChronologyEvent, ChronologyRepo, ALERT_AGENCIES, ALERT_DAYS};
pub use directory::types::*;
pub use directory::DirectoryCache;
pub use directory::DirectoryRepo;
pub use error::StoreError;
pub use geo::GeoRepo;
pub use geo::{GeoCache, GeographyReport, TableCounts};
pub use groups::GroupRepo;
pub use groups::{
    GroupChange, GroupChildRow, GroupMeetingRow, GroupMemberRow, GroupTeamDetail, GroupTeamScope,
    GroupTeamSummary,
};
pub use identities::{IdentityRepo, LinkedIdentity};
pub use localities::types::*;
pub use localities::LocalityRepo;
pub use meta::{with_request_meta, RequestMeta};
pub use orgs::OrgRepo;
pub use people::import::ImportReport;
pub use people::involvements::{Declaration, DeclarationScope, InvolvementRepo};
pub use people::merge::{MergeOutcome, MergeRequestRow, MergeRow};
pub use people::review::{ReviewCandidate, ReviewDecision, ReviewItem};
pub use people::rules::{AccessRules, READS_PER_HOUR, SEARCHES_PER_HOUR};
pub use people::types::*;
pub use people::volume::VolumeAlert;
pub use people::PeopleRepo;
pub use pool::HealthRepo;
pub use pool::{AuditKeys, Backend, PoolSettings, SqlStore};
pub use resets::{needs_second_person, PendingReset, ResetKind, ResetRepo};
pub use throttle::{Claim, ThrottleRepo};
pub use tokens::service_username;
pub use tokens::TokenRepo;
pub use types::*;
pub use users::UserRepo;

/// Result type of every store call.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Every repository trait, for code that calls the store on a concrete [`SqlStore`] (the
/// demo, the command line): `use everychild_store::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AccountRepo, AssessmentRepo, AuditRepo, AuthRepo, ChronologyRepo, DirectoryRepo, GeoRepo,
        GroupRepo, HealthRepo, IdentityRepo, InvitationRepo, InvolvementRepo, LocalityRepo,
        OrgRepo, PanelRepo, PeopleRepo, PlanRepo, ReferralRepo, Repositories, RequestRepo,
        ResetRepo, TeamRepo, ThrottleRepo, TokenRepo, UserRepo,
    };
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
    + RequestRepo
    + InvitationRepo
    + TeamRepo
    + AssessmentRepo
    + PlanRepo
    + PanelRepo
    + ReferralRepo
    + ChronologyRepo
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
        + RequestRepo
        + InvitationRepo
        + TeamRepo
        + AssessmentRepo
        + PlanRepo
        + PanelRepo
        + ReferralRepo
        + ChronologyRepo
        + GroupRepo
        + DirectoryRepo
{
}
