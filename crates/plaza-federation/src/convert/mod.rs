//! Storage rows to protocol JSON, one module per kind of thing. Nothing here reads the database:
//! callers load what a conversion needs.

pub mod activity;
pub mod comment;
pub mod group;
pub mod instance;
pub mod person;
pub mod post;
pub mod received;

use chrono::{NaiveDateTime, SecondsFormat};

/// A stored UTC time as ActivityPub writes it (`2026-01-02T03:04:05Z`).
pub fn timestamp(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `name@domain`.
pub fn handle(name: &str, domain: &str) -> String {
    format!("{name}@{domain}")
}
