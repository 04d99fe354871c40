//! Storage rows to protocol JSON, one module per kind of thing. Nothing here reads the database:
//! callers load what a conversion needs.

pub mod activity;
pub mod comment;
pub mod event;
pub mod group;
pub mod instance;
pub mod moderation;
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

/// Text made safe to place in HTML, inside elements or quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
