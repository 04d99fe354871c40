//! What other servers see: discovery and the ActivityPub documents at each public URL, fetched
//! over real HTTP the way Mastodon and Lemmy fetch them.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actors;
mod allowlist;
mod announce_trust;
mod answers;
mod contexts;
mod delivery;
mod discovery;
mod docs_examples;
mod from_lemmy;
mod from_mastodon;
mod from_others;
mod group_backfill;
mod ideas;
mod inbox;
mod limits;
mod logs;
mod media;
mod moderation;
mod notifications;
mod objects;
mod operations;
mod outgoing;
mod profiles;
mod remote;
mod remote_groups;
mod reply_contexts;
mod search;
mod signatures;
mod three_instances;
mod uploads;
mod wakeup;
mod xss;

/// What Mastodon sends when it dereferences an id.
pub const MASTODON_ACCEPT: &str = "application/activity+json, application/ld+json";
/// The JSON-LD form of the ActivityPub media type.
pub const LD_ACCEPT: &str =
    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
