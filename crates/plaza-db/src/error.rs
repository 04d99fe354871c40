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
    /// Copying one database into another was refused or did not add up.
    #[error("cannot copy the database: {0}")]
    Transfer(String),
    /// Any other query error.
    #[error("database query failed: {0}")]
    Query(#[source] DieselError),
}

impl DbError {
    /// Whether the database is out of reach (no connection to be had, or the one in use was
    /// lost): the request may succeed if tried again shortly, so callers answer 503, not 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Pool(_) | DbError::Connect { .. } => true,
            DbError::Query(DieselError::BrokenTransactionManager) => true,
            DbError::Query(DieselError::DatabaseError(kind, info)) => match kind {
                // A connection that broke under the query (PostgreSQL's driver says so without
                // an SQLSTATE).
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    true
                }
                // The server ending sessions or not taking any (SQLSTATE 57P01–57P03). Diesel
                // hands over no SQLSTATE, only the message, which is English unless the server
                // is set to another language; then these stay 500s.
                // SQLite: a writer waited the whole busy timeout for the lock (SQLITE_BUSY), as
                // under a burst of writes on a slow disk; the same write works once it passes.
                DatabaseErrorKind::Unknown => {
                    let message = info.message();
                    message.starts_with("terminating connection due to administrator command")
                        || message.starts_with("the database system is")
                        || message == "database is locked"
                }
                _ => false,
            },
            _ => false,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn query_error(kind: DatabaseErrorKind, message: &str) -> DbError {
        DbError::Query(DieselError::DatabaseError(
            kind,
            Box::new(message.to_owned()),
        ))
    }

    #[test]
    fn a_lost_or_refused_database_is_unavailable_and_a_bad_query_is_not() {
        let unknown = DatabaseErrorKind::Unknown;
        assert!(DbError::Pool("timed out".into()).is_unavailable());
        assert!(query_error(DatabaseErrorKind::UnableToSendCommand, "closed").is_unavailable());
        assert!(query_error(DatabaseErrorKind::ClosedConnection, "closed").is_unavailable());
        assert!(
            query_error(
                unknown,
                "terminating connection due to administrator command"
            )
            .is_unavailable()
        );
        assert!(query_error(unknown, "the database system is starting up").is_unavailable());
        assert!(query_error(unknown, "database is locked").is_unavailable());
        assert!(!query_error(unknown, "syntax error at or near").is_unavailable());
        assert!(!query_error(DatabaseErrorKind::UniqueViolation, "taken").is_unavailable());
        assert!(!DbError::NotFound.is_unavailable());
    }
}
