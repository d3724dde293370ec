//! Store errors, classed so the web layer can answer 503 (fail closed), 409 or 500.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (pool closed or timed out, I/O): answer 503.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule was broken; names what clashed.
    #[error("{0}")]
    Conflict(String),
    /// A reference to something that does not exist.
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
