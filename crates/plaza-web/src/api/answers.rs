//! Accepted answers: accepting a reply as a question's answer, withdrawing it, and the staff's
//! list of questions nobody has answered.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use plaza_core::answers;
use plaza_core::limits::check_page;
use plaza_core::thread_view::{self, CommentSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::views::{PageJson, PersonJson, ThreadPageJson};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// The reply to accept.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptRequest {
    /// A live reply of this thread.
    pub comment_id: i64,
}

/// Accepts a reply as the question's answer, replacing any earlier one (the asker, the group's
/// moderators, staff and administrators). Federates as an `Update` of the thread.
#[utoipa::path(post, path = "/threads/{id}/accept", tag = "threads", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")),
    request_body = AcceptRequest,
    responses((status = 200, body = ThreadPageJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "The thread is not a question, or the comment is not a live reply of it.")))]
pub async fn accept(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AcceptRequest>,
) -> Result<Json<ThreadPageJson>, ApiError> {
    answers::accept(&state.ctx, &auth.account, id, req.comment_id).await?;
    let view = thread_view::get(&state.ctx, Some(&auth.account), id, CommentSort::Top).await?;
    Ok(Json(view.into()))
}

/// Withdraws the question's accepted answer (the same people who may accept one).
#[utoipa::path(delete, path = "/threads/{id}/accept", tag = "threads", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")),
    responses((status = 200, body = ThreadPageJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ThreadPageJson>, ApiError> {
    answers::withdraw(&state.ctx, &auth.account, id).await?;
    let view = thread_view::get(&state.ctx, Some(&auth.account), id, CommentSort::Top).await?;
    Ok(Json(view.into()))
}

/// Paging of the unanswered questions.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UnansweredQuery {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1–50 (default 20).
    pub limit: Option<u32>,
}

/// A question waiting for a live reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnansweredJson {
    pub thread_id: i64,
    pub title: String,
    /// ActivityPub id and page URL.
    pub url: String,
    /// The group's name.
    pub group: String,
    pub author: PersonJson,
    pub created_at: DateTime<Utc>,
    /// Seconds since it was asked.
    pub waiting_seconds: i64,
}

/// Questions with no live reply (none yet, or each deleted or removed), across all groups, the
/// longest waiting first (staff and administrators).
#[utoipa::path(get, path = "/admin/unanswered", tag = "admin", security(("bearer" = [])),
    params(UnansweredQuery),
    responses((status = 200, body = PageJson<UnansweredJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn unanswered(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<UnansweredQuery>,
) -> Result<Json<PageJson<UnansweredJson>>, ApiError> {
    let page = check_page(query.page, query.limit)?;
    let listing = answers::unanswered(&state.ctx, &auth.account, page).await?;
    Ok(Json(PageJson::from_listing(listing, |w| UnansweredJson {
        thread_id: w.question.post.id,
        title: w.question.post.title,
        url: w.question.post.ap_id,
        group: w.question.group_name,
        author: w.question.author.into(),
        created_at: w.question.post.created_at.and_utc(),
        waiting_seconds: w.waiting_seconds,
    })))
}
