//! What Plaza does, independent of HTTP and ActivityPub: accounts, groups, threads, comments and
//! votes. Every change writes an event row in its own transaction (the transactional outbox);
//! the core never sends anything over the network.

pub mod accounts;
pub mod alerts;
pub mod answers;
pub mod attachments;
pub mod comments;
pub mod context;
pub mod demo;
pub mod error;
pub mod groups;
pub mod heartbeat;
pub mod html_shape;
pub mod ideas;
pub mod insight;
pub mod instances;
pub mod keys;
pub mod limits;
pub mod mail;
pub mod markdown;
#[cfg(test)]
mod markdown_properties;
pub mod media;
pub mod mentions;
pub mod metrics;
pub mod moderation;
pub mod modlog;
pub mod notifications;
pub mod origin;
pub mod participation;
pub mod password;
pub mod people;
pub mod profiles;
pub mod reports;
pub mod search;
pub mod site;
pub mod thread_view;
pub mod threads;
pub mod urls;
pub mod votes;
pub mod wakeup;

pub use accounts::Account;
pub use context::{Context, Settings};
pub use error::{CoreError, CoreResult};
pub use heartbeat::Heartbeat;
pub use metrics::Metrics;
pub use origin::{Origin, RemoteContent};
pub use participation::Participant;
pub use urls::Urls;
pub use wakeup::Wakeup;

use rand::RngCore;

/// One page of a listing, and whether another follows.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// This page's number.
    pub page: u32,
    /// The next page's number, if there is one.
    pub next_page: Option<u32>,
}

impl<T> Listing<T> {
    /// Makes a page from rows fetched with [`plaza_db::Page::fetch_limit`] (one extra row).
    pub fn from_rows(mut rows: Vec<T>, page: plaza_db::Page) -> Self {
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        Self {
            items: rows,
            page: page.number,
            next_page: more.then_some(page.number + 1),
        }
    }
}

/// 128 random bits as hex: for ids that must never repeat.
fn random_token() -> String {
    let mut bytes = [0_u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A unique stand-in id for a local row whose public URL needs the id the insert assigns; it is
/// replaced in the same transaction, so it is never seen outside.
fn pending_ap_id() -> String {
    format!("urn:plaza:pending:{:016x}", rand::rngs::OsRng.next_u64())
}
