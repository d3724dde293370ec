//! Who is acting.

use everychild_domain::{AgencyType, OrganisationId, Role, UserId};

/// A signed-in user with a completed sign-in, as the policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Account id.
    pub user_id: UserId,
    /// Sign-in name.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// The role held.
    pub role: Role,
    /// Employing organisation.
    pub organisation_id: OrganisationId,
    /// Its name, recorded in audit events.
    pub organisation_name: String,
    /// Its agency type.
    pub agency_type: AgencyType,
    /// Localities the user works in (ids), if any.
    pub localities: Vec<i64>,
    /// Whether the user has a second factor enrolled.
    pub totp_enabled: bool,
    /// An administrator reset the password: the user must choose a new one before anything else.
    pub must_change_password: bool,
    /// When a service client acts with a bearer token: the token and what it allows.
    pub token: Option<TokenGrant>,
}

/// A service client's token: which one, and the scopes it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The token's id (named in every audit event made with it).
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
}

/// What a service client's token may do, by area. Anything about children, families,
/// requests, users or the audit log has no scope: no token can reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Read the service directory's entries and organisations.
    DirectoryRead,
    /// Write directory entries and import directory feeds.
    DirectoryWrite,
    /// Read localities, boundaries, teams and locality figures.
    LocalitiesRead,
    /// Search staff and read staff profiles (colleagues' work contact details).
    StaffRead,
    /// Read the client's own account (`/api/v1/me`).
    AccountRead,
}

impl Scope {
    /// Every scope, in the order pages list them.
    pub const ALL: [Scope; 5] = [
        Scope::DirectoryRead,
        Scope::DirectoryWrite,
        Scope::LocalitiesRead,
        Scope::StaffRead,
        Scope::AccountRead,
    ];
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::DirectoryRead => "directory:read",
            Scope::DirectoryWrite => "directory:write",
            Scope::LocalitiesRead => "localities:read",
            Scope::StaffRead => "staff:read",
            Scope::AccountRead => "account:read",
        }
    }
    /// What it allows, for people.
    pub fn label(self) -> &'static str {
        match self {
            Scope::DirectoryRead => "Read the service directory",
            Scope::DirectoryWrite => "Change the service directory and import feeds",
            Scope::LocalitiesRead => "Read localities, boundaries, teams and locality figures",
            Scope::StaffRead => "Search staff and read their work contact details",
            Scope::AccountRead => "Read its own account",
        }
    }
    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// A user who has given a correct password but must still give (or enrol) a second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUser {
    /// Account id.
    pub user_id: UserId,
    /// Sign-in name.
    pub username: String,
    /// True when the user has no second factor yet and their role requires one.
    pub must_enrol: bool,
}

/// Whoever is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Nobody signed in: a member of the public, or someone about to sign in.
    Anonymous,
    /// Half-way through sign-in.
    Pending(PendingUser),
    /// A signed-in user.
    User(Actor),
    /// An operator at the server console (`everychild user …`); named in the audit log.
    Console,
}

impl Principal {
    /// The role of a signed-in user.
    pub fn role(&self) -> Option<everychild_domain::Role> {
        match self {
            Principal::User(a) => Some(a.role),
            _ => None,
        }
    }
}
