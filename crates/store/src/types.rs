//! Values read from and written to the store.

use everychild_domain::{
    AgencyType, DisplayName, Email, OrganisationId, OrganisationKind, Role, Timestamp, UserId,
    Username,
};
use everychild_policy::Actor;
use serde::Serialize;

/// What a sign-in checks.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Account id.
    pub user_id: UserId,
    /// Normalised username.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Disabled accounts never sign in.
    pub disabled: bool,
    /// The role, to know whether a second factor is required.
    pub role: Role,
    /// Whether a second factor is enrolled.
    pub totp_enabled: bool,
}

/// How far a session has got through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Password given; second factor still to give.
    SecondFactor,
    /// Password given; a second factor must be enrolled before anything else.
    Enrol,
    /// Signed in.
    Full,
}

impl SessionStage {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SessionStage::SecondFactor => "second_factor",
            SessionStage::Enrol => "enrol",
            SessionStage::Full => "full",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "second_factor" => Some(SessionStage::SecondFactor),
            "enrol" => Some(SessionStage::Enrol),
            "full" => Some(SessionStage::Full),
            _ => None,
        }
    }
}

/// A session to start after a correct password.
#[derive(Debug)]
pub struct NewSession<'a> {
    /// Whose.
    pub user_id: UserId,
    /// Username, for the audit event.
    pub username: &'a str,
    /// The stage it starts at.
    pub stage: SessionStage,
    /// SHA-256 of the new session id (the id itself is never stored).
    pub id_hash: &'a str,
    /// A session this one replaces (removed in the same transaction).
    pub replaces: Option<&'a str>,
    /// The account's throttle key, cleared on success.
    pub clear_key: &'a str,
    /// The identity provider's issuer when the sign-in came through one (for its sign-out).
    pub idp: Option<&'a str>,
}

/// Idle and absolute session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionTimeouts {
    /// Ends after this long without a request.
    pub idle: time::Duration,
    /// Ends this long after sign-in whatever happens.
    pub absolute: time::Duration,
}

/// A live session and whose it is.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    /// How far through sign-in.
    pub stage: SessionStage,
    /// The user (a full actor whatever the stage; the web layer decides the principal).
    pub actor: Actor,
}

/// The second-factor state of an account.
#[derive(Debug, Clone)]
pub struct SecondFactor {
    /// Base32 secret, if enrolled.
    pub secret: Option<String>,
    /// The last time step accepted (replay protection).
    pub last_step: i64,
    /// Whether enrolled.
    pub enabled: bool,
}

/// A user account as administrators see it.
#[derive(Debug, Clone, Serialize)]
pub struct UserDetail {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Full name.
    pub display_name: String,
    /// Work email.
    pub email: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Role.
    pub role: Role,
    /// Organisation id.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// Whether a second factor is enrolled.
    pub totp_enabled: bool,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Whether the user must change their password at next sign-in.
    pub must_change_password: bool,
    /// Created (stored text, UTC).
    pub created_at: String,
}

/// A row in the user list.
pub type UserSummary = UserDetail;

/// Filters for the user list.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Text in username or name.
    pub text: Option<String>,
    /// Only this role.
    pub role: Option<Role>,
    /// Include disabled accounts.
    pub include_disabled: bool,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: Username,
    /// Full name.
    pub display_name: DisplayName,
    /// Work email.
    pub email: Option<Email>,
    /// Job title.
    pub job_title: Option<String>,
    /// Role.
    pub role: Role,
    /// Employing organisation.
    pub organisation_id: OrganisationId,
    /// argon2id hash of the first password.
    pub password_hash: String,
    /// Whether they must change it at first sign-in.
    pub must_change_password: bool,
}

/// A colleague in the staff directory.
#[derive(Debug, Clone, Serialize)]
pub struct StaffCard {
    /// Id.
    pub id: i64,
    /// Full name.
    pub display_name: String,
    /// Job title.
    pub job_title: Option<String>,
    /// Work email.
    pub email: Option<String>,
    /// Role.
    pub role: Role,
    /// Organisation.
    pub organisation_name: String,
    /// Its agency type.
    pub agency_type: AgencyType,
}

/// An organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Statutory, voluntary or private.
    pub kind: OrganisationKind,
    /// Agency type.
    pub agency_type: AgencyType,
}

/// A new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    /// Name.
    pub name: String,
    /// Statutory, voluntary or private.
    pub kind: OrganisationKind,
    /// Agency type.
    pub agency_type: AgencyType,
}

/// A bearer token (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// The service client's name.
    pub name: String,
    /// The service client's account.
    pub username: String,
    /// Its role.
    pub role: String,
    /// The person accountable for it.
    pub owner: Option<String>,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it stops working.
    pub expires_at: Option<String>,
    /// Whether it works now (not revoked or expired, with scopes).
    pub live: bool,
    /// Issued.
    pub created_at: String,
    /// Last used.
    pub last_used_at: Option<String>,
    /// Revoked.
    pub revoked_at: Option<String>,
}

/// A token to issue for a service client (created if it does not exist yet).
#[derive(Debug)]
pub struct NewServiceToken<'a> {
    /// The service client's name, e.g. "Directory sync".
    pub client: &'a str,
    /// Its role: one that sees no personal data.
    pub role: everychild_domain::Role,
    /// The username of the person accountable for it (it joins their organisation).
    pub owner: &'a str,
    /// What it may do.
    pub scopes: &'a [everychild_policy::Scope],
    /// When it stops working.
    pub expires_at: Timestamp,
    /// SHA-256 of the token.
    pub token_hash: &'a str,
}

pub(crate) fn ts(t: Timestamp) -> String {
    t.to_db()
}
