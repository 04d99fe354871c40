//! The domain error type: what went wrong, in terms a client can act on.

use plaza_db::DbError;

/// Everything a Plaza operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The thing existed and was deleted or removed.
    #[error("{0}")]
    Gone(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Input that breaks a rule; names the field.
    #[error("{field}: {reason}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The change clashes with existing data (a taken name).
    #[error("{0}")]
    Conflict(String),
    /// A file of a kind this instance does not take (an upload that is no picture).
    #[error("{0}")]
    Unsupported(String),
    /// A file larger than this instance takes.
    #[error("{0}")]
    TooLarge(String),
    /// The instance is not set up to do this (no mail server, for instance).
    #[error("{0}")]
    Unavailable(String),
    /// The instance is set up in a way that cannot work.
    #[error("{0}")]
    Config(String),
    /// Storage failed.
    #[error(transparent)]
    Db(DbError),
    /// A bug or an unexpected failure (a panicked worker task, a key that would not encode).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias for core operations.
pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    /// Shorthand for [`CoreError::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        CoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<DbError> for CoreError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => CoreError::NotFound("record"),
            other => CoreError::Db(other),
        }
    }
}

impl From<plaza_db::reexports::diesel::result::Error> for CoreError {
    fn from(err: plaza_db::reexports::diesel::result::Error) -> Self {
        CoreError::from(DbError::from(err))
    }
}

impl From<tokio::task::JoinError> for CoreError {
    fn from(err: tokio::task::JoinError) -> Self {
        CoreError::Internal(format!("worker task failed: {err}"))
    }
}
