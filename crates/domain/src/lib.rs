//! Domain types and rules for everychild. No I/O and no async: everything here is a pure
//! function of its inputs, so it can be tested exhaustively and reused by every other crate.

// `person` first: its `vocabulary!` macro is used by the modules after it.
#[macro_use]
pub mod person;

pub mod access;
pub mod audit;
pub mod casework;
pub mod classification;
pub mod clock;
pub mod directory;
pub mod geo;
pub mod ids;
pub mod locality;
pub mod org;
pub mod role;
pub mod user;

pub use clock::{Clock, Timestamp};
pub use ids::{NhsNumber, Upn};
pub use org::{AgencyType, OrganisationId, OrganisationKind};
pub use role::Role;
pub use user::{DisplayName, Email, Password, UserId, Username};

/// An input that could not be turned into a domain value: names the field and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The name of the field as the user or client sent it (form field or JSON key).
    pub field: &'static str,
    /// A sentence a person can act on, in the GOV.UK error-message style.
    pub message: String,
}

impl FieldError {
    /// A new error for `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
