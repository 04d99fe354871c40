//! Plaza's pages in a real browser: a headless Chromium driven over WebDriver (ChromeDriver) reads
//! them as people do, and no script ever runs on them. Every step is saved as a screenshot under
//! `target/browser-screenshots/`. Chromium and ChromeDriver come from `scripts/ensure-browser`.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod answers;
mod driver;
mod fediverse;
mod insight;
mod pictures;
// The fake remote server of the federation tests, here to send signed replies from elsewhere.
#[path = "../federation/remote.rs"]
#[allow(dead_code)]
mod remote;
mod staff;
mod visitor;
mod xss;
