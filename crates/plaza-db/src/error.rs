//! The storage error type.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Everything that can go wrong in the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (a name or id already taken).
    #[error("already exists ({0})")]
    Unique(String),
    /// The configured database URL cannot be used.
    #[error("{0}")]
    Config(String),
    /// The database server could not be reached or refused the connection.
    #[error("cannot connect to the {backend} database: {reason}")]
    Connect {
        /// "SQLite" or "PostgreSQL".
        backend: &'static str,
        /// What the driver said.
        reason: String,
    },
    /// No pooled connection became available.
    #[error("database connection pool: {0}")]
    Pool(String),
    /// Applying the embedded migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Any other query error.
    #[error("database query failed: {0}")]
    Query(#[source] DieselError),
}

impl DbError {
    /// Whether the database is out of reach (no connection to be had, or the one in use was
    /// lost): the request may succeed if tried again shortly, so callers answer 503, not 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            DbError::Pool(_)
                | DbError::Connect { .. }
                | DbError::Query(
                    DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
                        | DieselError::BrokenTransactionManager
                )
        )
    }
}

/// Result alias for storage calls.
pub type DbResult<T> = Result<T, DbError>;

impl From<DieselError> for DbError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                DbError::Unique(
                    info.constraint_name()
                        .map(str::to_owned)
                        .unwrap_or_else(|| info.message().to_owned()),
                )
            }
            other => DbError::Query(other),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for DbError {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        DbError::Pool(err.to_string())
    }
}
