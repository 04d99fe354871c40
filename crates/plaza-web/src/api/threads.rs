//! Threads: a group's list, starting one, reading one with its comment tree, editing, deleting,
//! voting.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use plaza_core::limits::check_page;
use plaza_core::thread_view::{self, CommentSort};
use plaza_core::threads::{self, ThreadInput, ThreadPatch};
use plaza_core::votes;
use plaza_db::post::{ThreadFilter, ThreadSort};
use plaza_db::vote::VoteTarget;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::views::{PageJson, ThreadJson, ThreadPageJson, VoteJson};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, MaybeAuth};
use crate::{ApiError, AppState, ErrorBody};

/// The order of a thread list.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ThreadSortParam {
    /// Newest first.
    #[default]
    New,
    /// Latest activity first.
    Active,
    /// Highest score first.
    Top,
}

impl From<ThreadSortParam> for ThreadSort {
    fn from(p: ThreadSortParam) -> Self {
        match p {
            ThreadSortParam::New => ThreadSort::New,
            ThreadSortParam::Active => ThreadSort::Active,
            ThreadSortParam::Top => ThreadSort::Top,
        }
    }
}

/// The order of sibling comments.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommentSortParam {
    /// Highest score first.
    #[default]
    Top,
    /// Newest first.
    New,
    /// Oldest first.
    Old,
}

impl From<CommentSortParam> for CommentSort {
    fn from(p: CommentSortParam) -> Self {
        match p {
            CommentSortParam::Top => CommentSort::Top,
            CommentSortParam::New => CommentSort::New,
            CommentSortParam::Old => CommentSort::Old,
        }
    }
}

/// Which threads a list shows.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ThreadFilterParam {
    /// Threads with no live reply yet.
    Unanswered,
    /// Questions without an accepted answer.
    Unsolved,
    /// Threads with an accepted answer.
    Solved,
}

impl From<ThreadFilterParam> for ThreadFilter {
    fn from(p: ThreadFilterParam) -> Self {
        match p {
            ThreadFilterParam::Unanswered => ThreadFilter::Unanswered,
            ThreadFilterParam::Unsolved => ThreadFilter::Unsolved,
            ThreadFilterParam::Solved => ThreadFilter::Solved,
        }
    }
}

/// Sorting, filtering and paging of a group's threads.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ThreadListQuery {
    /// `new` (default), `active` or `top`; pinned threads always come first.
    pub sort: Option<ThreadSortParam>,
    /// `unanswered`, `unsolved` or `solved`; all threads when absent.
    pub filter: Option<ThreadFilterParam>,
    /// Only ideas with this status: `under_review`, `planned`, `in_progress`, `done` or
    /// `declined` (instead of `filter`).
    pub status: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1–50 (default 20).
    pub limit: Option<u32>,
}

/// How to order a thread's comments.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ThreadQuery {
    /// `top` (default), `new` or `old`.
    pub comment_sort: Option<CommentSortParam>,
}

/// A new thread.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateThreadRequest {
    /// One line, up to 200 characters.
    pub title: String,
    /// Markdown, up to 50,000 characters.
    pub body: Option<String>,
    /// An http(s) link the thread is about.
    pub url: Option<String>,
    /// The thread asks a question (in a Q&A group every thread is one).
    #[serde(default)]
    pub question: bool,
    /// Uploaded pictures to attach (at most 4), each with its description.
    #[serde(default)]
    pub images: Vec<crate::api::uploads::ImageRequest>,
}

/// An edit: omitted fields keep their value; an empty `body` or `url` clears it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditThreadRequest {
    pub title: Option<String>,
    pub body: Option<String>,
    pub url: Option<String>,
    /// Whether the thread asks a question.
    pub question: Option<bool>,
}

/// A vote.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteRequest {
    /// 1 (up), -1 (down) or 0 (withdraw).
    pub score: i16,
}

/// A group's threads.
#[utoipa::path(get, path = "/groups/{name}/threads", tag = "threads",
    params(("name" = String, Path, description = "The group's name"), ThreadListQuery),
    responses((status = 200, body = PageJson<ThreadJson>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<ThreadListQuery>,
) -> Result<Json<PageJson<ThreadJson>>, ApiError> {
    let page = check_page(query.page, query.limit)?;
    let sort = query.sort.unwrap_or_default().into();
    let filter = match crate::api::ideas::parse_status(query.status.as_deref())? {
        Some(status) => ThreadFilter::IdeaStatus(status.as_str()),
        None => query.filter.map_or(ThreadFilter::All, ThreadFilter::from),
    };
    let listing = threads::list(&state.ctx, viewer.as_ref(), &name, filter, sort, page).await?;
    Ok(Json(PageJson::from_listing(listing, ThreadJson::from)))
}

/// Starts a thread in a group.
#[utoipa::path(post, path = "/groups/{name}/threads", tag = "threads", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name")),
    request_body = CreateThreadRequest,
    responses((status = 201, body = ThreadPageJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<CreateThreadRequest>,
) -> Result<(StatusCode, Json<ThreadPageJson>), ApiError> {
    let input = ThreadInput {
        title: req.title,
        body: req.body,
        url: req.url,
        question: req.question,
        images: req.images.into_iter().map(Into::into).collect(),
    };
    let post = threads::create(&state.ctx, &auth.account, &name, input).await?;
    let view = thread_view::get(&state.ctx, Some(&auth.account), post.id, CommentSort::Top).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// A thread with its group and its whole comment tree.
#[utoipa::path(get, path = "/threads/{id}", tag = "threads",
    params(("id" = i64, Path, description = "The thread's id"), ThreadQuery),
    responses(
        (status = 200, body = ThreadPageJson, description = "The thread, its group and its comments. A thread its author deleted is still read, with `deleted: true`, an empty body and its replies."),
        (status = 404, body = ErrorBody, description = "No such thread."),
        (status = 410, body = ErrorBody, description = "The thread was removed by a moderator (the group's moderators still read it, with `removed: true`).")))]
pub async fn get(
    State(state): State<AppState>,
    MaybeAuth(viewer): MaybeAuth,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ThreadQuery>,
) -> Result<Json<ThreadPageJson>, ApiError> {
    let sort = query.comment_sort.unwrap_or_default().into();
    let view = thread_view::get(&state.ctx, viewer.as_ref(), id, sort).await?;
    Ok(Json(view.into()))
}

/// Edits one's own thread.
#[utoipa::path(patch, path = "/threads/{id}", tag = "threads", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")),
    request_body = EditThreadRequest,
    responses((status = 200, body = ThreadPageJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EditThreadRequest>,
) -> Result<Json<ThreadPageJson>, ApiError> {
    let patch = ThreadPatch {
        title: req.title,
        body: req.body,
        url: req.url,
        question: req.question,
    };
    threads::edit(&state.ctx, &auth.account, id, patch).await?;
    let view = thread_view::get(&state.ctx, Some(&auth.account), id, CommentSort::Top).await?;
    Ok(Json(view.into()))
}

/// Deletes one's own thread; its replies stay readable.
#[utoipa::path(delete, path = "/threads/{id}", tag = "threads", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    threads::delete(&state.ctx, &auth.account, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Votes on a thread: 1, -1, or 0 to withdraw.
#[utoipa::path(post, path = "/threads/{id}/vote", tag = "threads", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")),
    request_body = VoteRequest,
    responses((status = 200, body = VoteJson), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<VoteRequest>,
) -> Result<Json<VoteJson>, ApiError> {
    let tally = votes::vote(&state.ctx, &auth.account, VoteTarget::Post(id), req.score).await?;
    Ok(Json(tally.into()))
}
