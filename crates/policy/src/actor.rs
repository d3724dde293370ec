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
