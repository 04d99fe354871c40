//! Which backend a `DATABASE_URL` names, checked before anything connects.

use std::path::PathBuf;

use crate::DbError;

/// A database location Plaza can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file (created with its folder when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL server, as a `postgres://` URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Reads a URL: `sqlite://PATH`, `sqlite:PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(raw: &str) -> Result<Self, DbError> {
        let raw = raw.trim();
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(DbError::Config(
                    "DATABASE_URL names no SQLite file: use sqlite://PATH, e.g. sqlite://data/plaza.db"
                        .into(),
                ));
            }
            if path == ":memory:" || path.starts_with("file::memory:") {
                return Err(DbError::Config(
                    "an in-memory SQLite database would give every pooled connection its own empty database: use a file".into(),
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let parsed = url::Url::parse(raw).map_err(|e| {
                DbError::Config(format!("DATABASE_URL is not a valid PostgreSQL URL: {e}"))
            })?;
            if parsed.host_str().is_none_or(str::is_empty) && !raw.contains("host=") {
                return Err(DbError::Config(
                    "DATABASE_URL names no PostgreSQL host: use postgres://USER:PASSWORD@HOST:PORT/DATABASE".into(),
                ));
            }
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        let scheme = raw.split_once(':').map_or(raw, |(scheme, _)| scheme);
        Err(DbError::Config(format!(
            "DATABASE_URL scheme '{scheme}' is not supported: use sqlite://PATH (the default) or postgres://USER@HOST/DATABASE"
        )))
    }

    /// A form safe to log: the PostgreSQL password is masked.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("SQLite file {}", path.display()),
            DatabaseUrl::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut url) => {
                    if url.password().is_some() {
                        let _ = url.set_password(Some("****"));
                    }
                    format!("PostgreSQL {url}")
                }
                Err(_) => "PostgreSQL".to_owned(),
            },
        }
    }

    /// The backend's display name.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "SQLite",
            DatabaseUrl::Postgres(_) => "PostgreSQL",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms_are_accepted() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/plaza.db").ok(),
            Some(DatabaseUrl::Sqlite("data/plaza.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:/var/lib/plaza.db").ok(),
            Some(DatabaseUrl::Sqlite("/var/lib/plaza.db".into()))
        );
    }

    #[test]
    fn postgres_forms_are_accepted() {
        for raw in [
            "postgres://u:p@db:5432/plaza",
            "postgresql://localhost/plaza",
        ] {
            assert!(
                matches!(DatabaseUrl::parse(raw), Ok(DatabaseUrl::Postgres(_))),
                "{raw}"
            );
        }
    }

    #[test]
    fn unknown_scheme_is_named_in_the_error() {
        let err = DatabaseUrl::parse("mysql://root@localhost/plaza")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("'mysql'")));
    }

    #[test]
    fn in_memory_sqlite_is_refused() {
        assert!(DatabaseUrl::parse("sqlite://:memory:").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn password_is_masked_when_logged() {
        let url = DatabaseUrl::parse("postgres://plaza:secret@db/plaza").ok();
        let shown = url.map(|u| u.redacted()).unwrap_or_default();
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("****"), "{shown}");
    }
}
