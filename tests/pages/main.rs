//! The web pages over real HTTP: what a browser gets at each URL, the same URLs answering
//! ActivityPub to servers, escaping, feeds, the remote-follow forms, and the moderators' and
//! administrators' pages.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod admin;
mod alerts;
mod answers;
mod bans;
mod compose;
mod errors;
mod feeds;
mod group_settings;
mod ideas;
mod insight;
mod mail;
mod moderation;
mod negotiation;
mod notifications;
mod pages;
mod pictures;
mod profile;
mod remote_follow;
mod reports;
mod safety;
mod search;
mod slow_clients;
mod votes;

use plaza_tests::{TestInstance, WebPage};

/// An instance with a group `support`, a thread by `ada` with a reply by `bob`; returns the
/// instance, the thread id and the comment id.
pub async fn instance_with_thread() -> (TestInstance, i64, i64) {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada
        .thread(
            "support",
            "How do I reset my router?",
            "It keeps **blinking**.",
        )
        .await;
    let comment = bob
        .reply(thread, None, "Hold the button for ten seconds.")
        .await;
    (plaza, thread, comment)
}

/// Asserts the answer is an HTML page with the given status.
pub fn assert_html(page: &WebPage, status: u16) {
    assert_eq!(page.status, status, "{}", page.text);
    assert!(
        page.header("content-type").starts_with("text/html"),
        "content type {}",
        page.header("content-type")
    );
    assert!(page.text.starts_with("<!doctype html>"), "{}", page.text);
}
