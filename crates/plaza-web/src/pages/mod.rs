//! Server-rendered HTML pages: what people meet in a browser. They need no JavaScript, come with
//! a strict Content-Security-Policy, and share their URLs with the ActivityPub documents
//! (see [`negotiate`]).

pub mod assets;
pub mod feeds;
pub mod group;
pub mod home;
pub mod layout;
pub mod negotiate;
pub mod person;
pub mod remote_follow;
pub mod thread;

use axum::Router;
use axum::routing::get;

use crate::AppState;

/// The pages at URLs of their own: home, feeds, the remote-follow forms and the style sheet.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/feed.rss", get(feeds::instance_rss))
        .route("/feed.atom", get(feeds::instance_atom))
        .route("/g/{name}/feed.rss", get(feeds::group_rss))
        .route("/g/{name}/feed.atom", get(feeds::group_atom))
        .route(
            "/g/{name}/follow",
            get(remote_follow::group_form).post(remote_follow::follow_group),
        )
        .route(
            "/post/{id}/reply",
            get(remote_follow::thread_form).post(remote_follow::reply_to_thread),
        )
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
}

/// The pages at the URLs shared with ActivityPub documents, reached through [`negotiate`].
pub fn documents() -> Router<AppState> {
    Router::new()
        .route("/g/{name}", get(group::page))
        .route("/u/{name}", get(person::page))
        .route("/post/{id}", get(thread::page))
        .route("/comment/{id}", get(thread::comment_page))
}
