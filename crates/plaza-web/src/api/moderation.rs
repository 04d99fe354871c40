//! Moderation and reports: remove and restore, lock, pin, ban; the group's log; reports and their
//! queue. Each action federates (see docs/federation.md, "Moderation").

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use plaza_core::limits::check_page;
use plaza_core::moderation::{self, Action};
use plaza_core::reports::{self, Reported};
use plaza_core::{Context, CoreError};
use plaza_core::{groups, modlog, people};
use plaza_db::mod_log::ModLogRow;
use plaza_db::report::ReportRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::groups::PageQuery;
use crate::api::views::PageJson;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// A moderator's action on a thread or comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModerateRequest {
    /// Threads: `remove`, `restore`, `lock`, `unlock`, `pin`, `unpin`; comments: `remove`,
    /// `restore`.
    pub action: String,
    /// Why (shown in the log and sent along).
    pub reason: Option<String>,
}

/// A ban from a group.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BanRequest {
    /// `name` for a person here, `name@domain` for one elsewhere.
    pub person: String,
    pub reason: Option<String>,
    /// When the ban ends; none for good.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A report.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportRequest {
    /// What is wrong, up to 1,000 characters.
    pub reason: String,
}

/// One entry of a group's moderation log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModLogJson {
    pub id: i64,
    /// `remove_post`, `restore_post`, `remove_comment`, `restore_comment`, `lock`, `unlock`,
    /// `pin`, `unpin`, `ban`, `unban`, `resolve_report`.
    pub action: String,
    pub moderator_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub person_id: Option<i64>,
    pub reason: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<ModLogRow> for ModLogJson {
    fn from(r: ModLogRow) -> Self {
        Self {
            id: r.id,
            action: r.action,
            moderator_id: r.moderator_id,
            thread_id: r.post_id,
            comment_id: r.comment_id,
            person_id: r.person_id,
            reason: r.reason,
            expires_at: r.expires_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
        }
    }
}

/// A report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportJson {
    pub id: i64,
    pub group_id: i64,
    pub reporter_id: i64,
    pub thread_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub reason: String,
    /// From another server (a `Flag`).
    pub remote: bool,
    pub resolved: bool,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<ReportRow> for ReportJson {
    fn from(r: ReportRow) -> Self {
        Self {
            id: r.id,
            group_id: r.group_id,
            reporter_id: r.reporter_id,
            thread_id: r.post_id,
            comment_id: r.comment_id,
            reason: r.reason,
            remote: r.ap_id.is_some(),
            resolved: r.resolved_at.is_some(),
            resolved_at: r.resolved_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
        }
    }
}

fn thread_action(name: &str, id: i64) -> Result<Action, ApiError> {
    Ok(match name {
        "remove" => Action::RemovePost(id),
        "restore" => Action::RestorePost(id),
        "lock" => Action::Lock(id),
        "unlock" => Action::Unlock(id),
        "pin" => Action::Pin(id),
        "unpin" => Action::Unpin(id),
        _ => {
            return Err(CoreError::invalid(
                "action",
                "must be remove, restore, lock, unlock, pin or unpin",
            )
            .into());
        }
    })
}

/// Moderates a thread (the group's moderators and administrators).
#[utoipa::path(post, path = "/threads/{id}/moderate", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")), request_body = ModerateRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn moderate_thread(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ModerateRequest>,
) -> Result<StatusCode, ApiError> {
    let action = thread_action(&req.action, id)?;
    moderation::act(&state.ctx, &auth.account, action, req.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes or restores a comment (the group's moderators and administrators).
#[utoipa::path(post, path = "/comments/{id}/moderate", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The comment's id")), request_body = ModerateRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn moderate_comment(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ModerateRequest>,
) -> Result<StatusCode, ApiError> {
    let action = match req.action.as_str() {
        "remove" => Action::RemoveComment(id),
        "restore" => Action::RestoreComment(id),
        _ => return Err(CoreError::invalid("action", "must be remove or restore").into()),
    };
    moderation::act(&state.ctx, &auth.account, action, req.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn group_id(ctx: &Context, name: &str) -> Result<i64, ApiError> {
    Ok(groups::get(ctx, name).await?.view.group.id)
}

/// Bans a person from a group, with a reason and an optional end.
#[utoipa::path(post, path = "/groups/{name}/bans", tag = "moderation", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name")), request_body = BanRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ban(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<BanRequest>,
) -> Result<StatusCode, ApiError> {
    let action = Action::Ban {
        group_id: group_id(&state.ctx, &name).await?,
        person_id: people::by_handle(&state.ctx, &req.person).await?,
        expires_at: req.expires_at.map(|t| t.naive_utc()),
    };
    moderation::act(&state.ctx, &auth.account, action, req.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a ban.
#[utoipa::path(delete, path = "/groups/{name}/bans/{person}", tag = "moderation", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name"), ("person" = String, Path, description = "`name` or `name@domain`")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unban(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((name, person)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let action = Action::Unban {
        group_id: group_id(&state.ctx, &name).await?,
        person_id: people::by_handle(&state.ctx, &person).await?,
    };
    moderation::act(&state.ctx, &auth.account, action, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The group's moderation log, newest first (its moderators).
#[utoipa::path(get, path = "/groups/{name}/modlog", tag = "moderation", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name"), PageQuery),
    responses((status = 200, body = PageJson<ModLogJson>), (status = 403, body = ErrorBody)))]
pub async fn modlog(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageJson<ModLogJson>>, ApiError> {
    let page = check_page(query.page, query.limit)?;
    let group = group_id(&state.ctx, &name).await?;
    let listing = modlog::log(&state.ctx, &auth.account, group, page).await?;
    Ok(Json(PageJson::from_listing(listing, |e| {
        ModLogJson::from(e.row)
    })))
}

/// Reports a thread.
#[utoipa::path(post, path = "/threads/{id}/report", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")), request_body = ReportRequest,
    responses((status = 201, body = ReportJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report_thread(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReportRequest>,
) -> Result<(StatusCode, Json<ReportJson>), ApiError> {
    let row = reports::report(&state.ctx, &auth.account, Reported::Post(id), &req.reason).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Reports a comment.
#[utoipa::path(post, path = "/comments/{id}/report", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The comment's id")), request_body = ReportRequest,
    responses((status = 201, body = ReportJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report_comment(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReportRequest>,
) -> Result<(StatusCode, Json<ReportJson>), ApiError> {
    let row = reports::report(
        &state.ctx,
        &auth.account,
        Reported::Comment(id),
        &req.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// The group's open reports, oldest first (its moderators).
#[utoipa::path(get, path = "/groups/{name}/reports", tag = "moderation", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name"), PageQuery),
    responses((status = 200, body = PageJson<ReportJson>), (status = 403, body = ErrorBody)))]
pub async fn open_reports(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageJson<ReportJson>>, ApiError> {
    let page = check_page(query.page, query.limit)?;
    let group = group_id(&state.ctx, &name).await?;
    let listing = reports::open(&state.ctx, &auth.account, group, page).await?;
    Ok(Json(PageJson::from_listing(listing, |r| {
        ReportJson::from(r.row)
    })))
}

/// Resolves a report (its group's moderators).
#[utoipa::path(post, path = "/reports/{id}/resolve", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The report's id")),
    responses((status = 200, body = ReportJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resolve_report(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReportJson>, ApiError> {
    Ok(Json(
        reports::resolve(&state.ctx, &auth.account, id)
            .await?
            .into(),
    ))
}
