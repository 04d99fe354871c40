//! The JSON API over real HTTP, against a whole instance with its own database.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod admin;
mod alerts;
mod answers;
mod bad_input;
mod comments;
mod groups;
mod ideas;
mod insight;
mod mail;
mod moderation;
mod notifications;
mod openapi;
mod operations;
mod outbox;
mod search;
mod threads;
mod uploads;
mod votes;
