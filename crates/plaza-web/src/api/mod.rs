//! The JSON API under `/api/v1`, and its OpenAPI description at `/api/v1/openapi.json`.

pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod answers;
pub mod comments;
pub mod groups;
pub mod ideas;
pub mod insight;
pub mod instance;
pub mod mail;
pub mod moderation;
pub mod notifications;
pub mod profile;
pub mod search;
pub mod threads;
pub mod uploads;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::rate_limit::Limiters;
use crate::{ApiError, AppState};

/// The OpenAPI document, generated from the handlers and types below.
#[derive(OpenApi)]
#[openapi(
    info(title = "Plaza API", description = "Plaza's JSON API: accounts, groups, threads, comments, votes and search. Errors answer with {\"error\": CODE, \"message\": TEXT}."),
    servers((url = "/api/v1")),
    paths(
        instance::get, admin::update_instance, admin::list_instances, admin::block, admin::unblock,
        admin::allow, admin::disallow, admin::allowlist_on, admin::allowlist_off,
        accounts::register, accounts::login, accounts::logout, accounts::me, accounts::create_account,
        accounts::add_staff, accounts::remove_staff, profile::get, profile::edit,
        accounts::delete_me, mail::get, mail::edit, mail::set_email, mail::verify,
        mail::request_reset, mail::reset_password,
        groups::list, groups::get, groups::create, groups::follow, groups::unfollow, groups::edit,
        groups::add_moderator, groups::remove_moderator,
        threads::list, threads::create, threads::get, threads::edit, threads::delete, threads::vote,
        comments::create, comments::edit, comments::delete, comments::vote, comments::distinguish,
        moderation::moderate_thread, moderation::moderate_comment, moderation::ban,
        moderation::unban, moderation::modlog, moderation::report_thread,
        moderation::report_comment, moderation::open_reports, moderation::resolve_report,
        search::search,
        notifications::list, notifications::unread_count, notifications::mark_read,
        notifications::mark_all_read,
        answers::accept, answers::withdraw, answers::unanswered, ideas::set_status,
        insight::section_report, uploads::create,
        alerts::list_rules, alerts::add_rule, alerts::edit_rule, alerts::delete_rule,
        alerts::list_incidents, alerts::acknowledge, alerts::resolve, alerts::get_webhook,
        alerts::set_webhook,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "instance"), (name = "accounts"), (name = "admin"),
        (name = "groups"), (name = "threads"), (name = "comments"), (name = "moderation"),
        (name = "search"), (name = "notifications"), (name = "uploads"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

async fn no_route() -> ApiError {
    ApiError::no_route()
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

/// The `/api/v1` routes, with the rate limits of sign-up, log-in and posting; an upload may be
/// up to `upload_bytes` long.
pub fn router(limits: &Limiters, upload_bytes: usize) -> Router<AppState> {
    let auth = Router::new()
        .route("/accounts", post(accounts::register))
        .route("/auth/login", post(accounts::login))
        .route("/auth/verify-email", post(mail::verify))
        .route("/auth/password-reset", post(mail::request_reset))
        .route("/auth/password-reset/confirm", post(mail::reset_password));
    let posting = Router::new()
        .route(
            "/groups/{name}/threads",
            get(threads::list).post(threads::create),
        )
        .route(
            "/threads/{id}",
            get(threads::get)
                .patch(threads::edit)
                .delete(threads::delete),
        )
        .route("/threads/{id}/vote", post(threads::vote))
        .route("/threads/{id}/comments", post(comments::create))
        .route(
            "/comments/{id}",
            axum::routing::patch(comments::edit).delete(comments::delete),
        )
        .route("/comments/{id}/vote", post(comments::vote))
        .route("/threads/{id}/report", post(moderation::report_thread))
        .route("/comments/{id}/report", post(moderation::report_comment))
        .route(
            "/uploads",
            post(uploads::create).layer(DefaultBodyLimit::max(upload_bytes)),
        );
    Router::new()
        .merge(limits.auth.apply(auth))
        .merge(limits.posting.apply(posting))
        .route("/openapi.json", get(openapi_json))
        .route(
            "/instance",
            get(instance::get).patch(admin::update_instance),
        )
        .route("/admin/instances", get(admin::list_instances))
        .route(
            "/admin/instances/{domain}/block",
            axum::routing::put(admin::block).delete(admin::unblock),
        )
        .route(
            "/admin/instances/{domain}/allow",
            axum::routing::put(admin::allow).delete(admin::disallow),
        )
        .route(
            "/admin/federation/allowlist",
            axum::routing::put(admin::allowlist_on).delete(admin::allowlist_off),
        )
        .route("/auth/logout", post(accounts::logout))
        .route("/me", get(accounts::me).delete(accounts::delete_me))
        .route("/me/profile", get(profile::get).patch(profile::edit))
        .route("/me/mail", get(mail::get).patch(mail::edit))
        .route("/me/email", axum::routing::put(mail::set_email))
        .route("/admin/accounts", post(accounts::create_account))
        .route(
            "/admin/accounts/{name}/staff",
            axum::routing::put(accounts::add_staff).delete(accounts::remove_staff),
        )
        .route("/search", get(search::search))
        .route("/groups", get(groups::list).post(groups::create))
        .route("/groups/{name}", get(groups::get).patch(groups::edit))
        .route(
            "/groups/{name}/moderators/{person}",
            axum::routing::put(groups::add_moderator).delete(groups::remove_moderator),
        )
        .route(
            "/groups/{name}/follow",
            post(groups::follow).delete(groups::unfollow),
        )
        .route("/comments/{id}/distinguish", post(comments::distinguish))
        .route(
            "/threads/{id}/accept",
            post(answers::accept).delete(answers::withdraw),
        )
        .route("/admin/unanswered", get(answers::unanswered))
        .route(
            "/threads/{id}/status",
            axum::routing::put(ideas::set_status),
        )
        .route("/admin/insight/{section}", get(insight::section_report))
        .route(
            "/admin/alerts/rules",
            get(alerts::list_rules).post(alerts::add_rule),
        )
        .route(
            "/admin/alerts/rules/{id}",
            axum::routing::patch(alerts::edit_rule).delete(alerts::delete_rule),
        )
        .route("/admin/alerts/incidents", get(alerts::list_incidents))
        .route(
            "/admin/alerts/incidents/{id}/acknowledge",
            post(alerts::acknowledge),
        )
        .route(
            "/admin/alerts/incidents/{id}/resolve",
            post(alerts::resolve),
        )
        .route(
            "/admin/alerts/webhook",
            get(alerts::get_webhook).put(alerts::set_webhook),
        )
        .route("/threads/{id}/moderate", post(moderation::moderate_thread))
        .route(
            "/comments/{id}/moderate",
            post(moderation::moderate_comment),
        )
        .route("/groups/{name}/bans", post(moderation::ban))
        .route(
            "/groups/{name}/bans/{person}",
            axum::routing::delete(moderation::unban),
        )
        .route("/groups/{name}/modlog", get(moderation::modlog))
        .route("/groups/{name}/reports", get(moderation::open_reports))
        .route("/reports/{id}/resolve", post(moderation::resolve_report))
        .route("/notifications", get(notifications::list))
        .route(
            "/notifications/unread_count",
            get(notifications::unread_count),
        )
        .route("/notifications/read", post(notifications::mark_read))
        .route(
            "/notifications/read_all",
            post(notifications::mark_all_read),
        )
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
}
