//! Store errors, classed so the web layer can answer 503 (fail closed), 409 or 500.

use everychild_domain::FieldError;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (pool closed or timed out, I/O): answer 503.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// What was asked cannot be done with what is stored, and each problem names the field of
    /// the input it concerns (a stale version, a choice that is not among those allowed, a
    /// reference to something that does not exist or may not be used): the form shows them.
    #[error("{}", join(.0))]
    Invalid(Vec<FieldError>),
    /// A uniqueness rule of the database was broken, not foreseen by the store's own checks.
    #[error("{0}")]
    Conflict(String),
    /// Something the request's permit names does not exist (answered as not found, naming
    /// nothing).
    #[error("{0}")]
    NotFound(String),
    /// Stored data that cannot be read back (should never happen).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// Too many requests of one kind by one user in a window (a volume limit): answer 429;
    /// the message says what and when to try again.
    #[error("{0}")]
    TooMany(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    /// One problem with one field of the input.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The problems, if the store refused the input.
    pub fn fields(&self) -> Option<&[FieldError]> {
        match self {
            StoreError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Invalid(vec![e])
    }
}

fn join(errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(d.message().to_owned())
            }
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                StoreError::NotFound(d.message().to_owned())
            }
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_its_fields_and_a_failure_names_none() {
        let e = StoreError::invalid("name", "Enter a name");
        assert_eq!(e.fields().map(<[_]>::len), Some(1));
        assert_eq!(e.to_string(), "name: Enter a name");
        let two = StoreError::Invalid(vec![
            FieldError::new("name", "Enter a name"),
            FieldError::new("kind", "Choose a kind"),
        ]);
        assert_eq!(two.to_string(), "name: Enter a name; kind: Choose a kind");
        assert!(StoreError::Unavailable("down".into()).fields().is_none());
        assert!(StoreError::Conflict("duplicate".into()).fields().is_none());
    }
}
