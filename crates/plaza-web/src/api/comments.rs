//! Comments: replying to a thread or a comment, editing, deleting, voting.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use plaza_core::{comments, thread_view, votes};
use plaza_db::vote::VoteTarget;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::threads::VoteRequest;
use crate::api::views::{CommentJson, VoteJson};
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// A reply.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCommentRequest {
    /// Markdown, 1 to 20,000 characters.
    pub body: String,
    /// The comment replied to; omit to reply to the thread.
    pub parent_id: Option<i64>,
    /// Uploaded pictures to attach (at most 4), each with its description.
    #[serde(default)]
    pub images: Vec<crate::api::uploads::ImageRequest>,
}

/// A comment's new text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditCommentRequest {
    /// Markdown, 1 to 20,000 characters.
    pub body: String,
}

/// Replies to a thread, or to one of its comments with `parent_id`.
#[utoipa::path(post, path = "/threads/{id}/comments", tag = "comments", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")),
    request_body = CreateCommentRequest,
    responses((status = 201, body = CommentJson), (status = 403, description = "locked thread, banned, or an image someone else uploaded", body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(thread_id): ApiPath<i64>,
    ApiJson(req): ApiJson<CreateCommentRequest>,
) -> Result<(StatusCode, Json<CommentJson>), ApiError> {
    let row = comments::create(
        &state.ctx,
        &auth.account,
        thread_id,
        req.parent_id,
        &req.body,
        &req.images
            .iter()
            .cloned()
            .map(Into::into)
            .collect::<Vec<_>>(),
    )
    .await?;
    let node = thread_view::comment(&state.ctx, Some(&auth.account), row.id).await?;
    Ok((StatusCode::CREATED, Json(node.into())))
}

/// Edits one's own comment.
#[utoipa::path(patch, path = "/comments/{id}", tag = "comments", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = EditCommentRequest,
    responses((status = 200, body = CommentJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EditCommentRequest>,
) -> Result<Json<CommentJson>, ApiError> {
    comments::edit(&state.ctx, &auth.account, id, &req.body).await?;
    let node = thread_view::comment(&state.ctx, Some(&auth.account), id).await?;
    Ok(Json(node.into()))
}

/// Deletes one's own comment; replies to it stay.
#[utoipa::path(delete, path = "/comments/{id}", tag = "comments", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The comment's id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    comments::delete(&state.ctx, &auth.account, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Votes on a comment: 1, -1, or 0 to withdraw.
#[utoipa::path(post, path = "/comments/{id}/vote", tag = "comments", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = VoteRequest,
    responses((status = 200, body = VoteJson), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<VoteRequest>,
) -> Result<Json<VoteJson>, ApiError> {
    let tally = votes::vote(
        &state.ctx,
        &auth.account,
        VoteTarget::Comment(id),
        req.score,
    )
    .await?;
    Ok(Json(tally.into()))
}

/// Marks one's comment as an official answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DistinguishRequest {
    pub distinguished: bool,
}

/// Marks (or unmarks) one's own comment as an official answer (staff and moderators); it
/// federates as Lemmy's `distinguished` flag.
#[utoipa::path(post, path = "/comments/{id}/distinguish", tag = "comments", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The comment's id")), request_body = DistinguishRequest,
    responses((status = 200, body = CommentJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn distinguish(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DistinguishRequest>,
) -> Result<Json<CommentJson>, ApiError> {
    plaza_core::comments::distinguish(&state.ctx, &auth.account, id, req.distinguished).await?;
    Ok(Json(
        thread_view::comment(&state.ctx, Some(&auth.account), id)
            .await?
            .into(),
    ))
}
