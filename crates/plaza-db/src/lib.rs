//! Plaza's storage: one schema and one query code path over SQLite (the embedded default) and
//! PostgreSQL (production), chosen at run time from `DATABASE_URL`.
//!
//! Every query function takes a [`DbConn`] and is written once; [`on_conn!`] compiles its body
//! for each backend. Writes that belong together run in one [`transaction!`].

pub mod alert;
pub mod api_token;
pub mod attachment;
pub mod comment;
pub mod contributions;
pub mod correlation;
pub mod database_url;
pub mod delivery;
pub mod error;
pub mod event;
pub mod group;
pub mod insight;
pub mod instance;
pub mod local_user;
pub mod mail;
pub mod maintenance;
pub mod migrate;
pub mod mod_log;
pub mod notification;
pub mod notify;
pub mod person;
pub mod pool;
pub mod post;
pub mod received;
pub mod report;
pub mod schema;
pub mod search;
pub mod seed;
pub mod site;
pub mod stats;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transfer;
pub mod upload;
pub mod vote;

pub use database_url::DatabaseUrl;
pub use error::{DbError, DbResult};
pub use pool::{DbConn, DbPool, PoolOptions, PooledConn};

/// Re-exports the macros' expansions rely on, so callers need not depend on these crates.
#[doc(hidden)]
pub mod reexports {
    pub use diesel;
    pub use diesel_async;
}

/// The current time as stored: UTC without a zone.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// A page of a listing: 1-based number and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Rows per page.
    pub limit: u32,
}

impl Page {
    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.number.saturating_sub(1)) * i64::from(self.limit)
    }

    /// Rows to fetch: one more than a page, so the caller knows whether another page follows.
    pub fn fetch_limit(self) -> i64 {
        i64::from(self.limit) + 1
    }
}
