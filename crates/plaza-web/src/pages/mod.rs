//! Server-rendered HTML pages: what people meet in a browser. They need no JavaScript, come with
//! a strict Content-Security-Policy, and share their URLs with the ActivityPub documents
//! (see [`negotiate`]).

pub mod accept;
pub mod access;
pub mod admin;
pub mod admin_instances;
pub mod alerts;
pub mod assets;
pub mod bans;
pub mod compose;
pub mod feeds;
pub mod forms;
pub mod group;
pub mod group_settings;
pub mod home;
pub mod idea;
pub mod insight;
pub mod layout;
pub mod login;
pub mod mail_settings;
pub mod media;
pub mod moderate;
pub mod modlog;
pub mod negotiate;
pub mod notifications;
pub mod password_reset;
pub mod person;
pub mod picture_field;
pub mod profile_settings;
pub mod remote_follow;
pub mod report;
pub mod report_queue;
pub mod search;
pub mod session;
pub mod thread;
pub mod vote;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

use crate::AppState;
use crate::rate_limit::Limiters;

/// The pages at URLs of their own: home, feeds, logging in, the forms, the moderators' and
/// administrators' pages, and the style sheet.
/// The forms that carry a picture take bodies up to `upload_bytes`.
pub fn router(state: &AppState, limits: &Limiters, upload_bytes: usize) -> Router<AppState> {
    let picture = || DefaultBodyLimit::max(upload_bytes);
    let auth = Router::new()
        .route("/login", get(login::login_page).post(login::login))
        .route("/signup", get(login::signup_page).post(login::signup))
        .route(
            "/forgot-password",
            get(password_reset::forgot_page).post(password_reset::forgot),
        )
        .route(
            "/reset-password",
            get(password_reset::reset_page).post(password_reset::reset),
        );
    let posting = Router::new()
        .route(
            "/g/{name}/new",
            get(compose::thread_form)
                .post(compose::start_thread)
                .layer(picture()),
        )
        .route(
            "/post/{id}/comment",
            post(compose::post_reply).layer(picture()),
        )
        .route("/comment/{id}/reply", get(compose::reply_form))
        .route("/post/{id}/vote", post(vote::thread))
        .route("/comment/{id}/vote", post(vote::comment))
        .route(
            "/post/{id}/report",
            get(report::thread_form).post(report::report_thread),
        )
        .route(
            "/comment/{id}/report",
            get(report::comment_form).post(report::report_comment),
        );
    Router::new()
        .merge(limits.auth.apply(auth))
        .merge(limits.posting.apply(posting))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layout::friendly_rate_limit,
        ))
        .merge(staff(upload_bytes))
        .route("/logout", post(login::logout))
        .route(
            "/settings/profile",
            get(profile_settings::page)
                .post(profile_settings::save)
                .layer(picture()),
        )
        .route("/settings/delete", post(profile_settings::delete))
        .route("/settings/mail", get(mail_settings::page))
        .route("/settings/mail/email", post(mail_settings::save_email))
        .route(
            "/settings/mail/preferences",
            post(mail_settings::save_preferences),
        )
        .route("/verify-email", get(password_reset::verify))
        .route("/notifications", get(notifications::page))
        .route("/notifications/read", post(notifications::mark_read))
        .route(
            "/notifications/read_all",
            post(notifications::mark_all_read),
        )
        .route("/search", get(search::page))
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
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::form_secret,
        ))
        // The style sheet needs no form secret.
        .route(assets::STYLESHEET_PATH, get(assets::stylesheet))
}

/// What moderators and administrators use: moderation buttons' forms, a group's log, reports,
/// bans and settings, and the instance's settings.
fn staff(upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/post/{id}/moderate", post(moderate::thread))
        .route("/comment/{id}/moderate", post(moderate::comment))
        .route("/comment/{id}/official", post(moderate::official))
        .route("/post/{id}/accept", post(accept::accept))
        .route("/post/{id}/status", post(idea::set_status))
        .route("/g/{name}/modlog", get(modlog::page))
        .route("/g/{name}/reports", get(report_queue::page))
        .route(
            "/g/{name}/reports/{id}/resolve",
            post(report_queue::resolve),
        )
        .route("/g/{name}/ban", get(bans::form).post(bans::ban))
        .route("/g/{name}/bans", get(bans::list))
        .route("/g/{name}/unban", post(bans::unban))
        .route(
            "/g/{name}/settings",
            get(group_settings::page)
                .post(group_settings::save)
                .layer(DefaultBodyLimit::max(upload_bytes)),
        )
        .route(
            "/g/{name}/settings/moderators",
            post(group_settings::moderators),
        )
        .route("/admin", get(admin::page).post(admin::save))
        .route("/admin/instances", get(admin_instances::page))
        .route("/admin/alerts", get(alerts::page))
        .route("/admin/alerts/rules", post(alerts::add_rule))
        .route("/admin/alerts/rules/{id}", post(alerts::edit_rule))
        .route("/admin/alerts/webhook", post(alerts::set_webhook))
        .route(
            "/admin/alerts/incidents/{id}/{action}",
            post(alerts::handle),
        )
        .route("/admin/insight", get(insight::overview))
        .route("/admin/insight/{section}", get(insight::section_page))
        .route("/admin/instances/block", post(admin_instances::block))
        .route("/admin/instances/unblock", post(admin_instances::unblock))
        .route("/admin/instances/allow", post(admin_instances::allow))
        .route("/admin/instances/disallow", post(admin_instances::disallow))
        .route(
            "/admin/instances/allowlist",
            post(admin_instances::allowlist),
        )
}

/// The pages at the URLs shared with ActivityPub documents, reached through [`negotiate`]: the
/// home page shares `/` with the instance actor.
pub fn documents(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/g/{name}", get(group::page))
        .route("/u/{name}", get(person::page))
        .route("/post/{id}", get(thread::page))
        .route("/comment/{id}", get(thread::comment_page))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::form_secret,
        ))
}
