//! Idea statuses: staff and moderators tell what became of an idea.

use axum::Json;
use axum::extract::State;
use plaza_core::CoreError;
use plaza_core::ideas::{self, IdeaStatus};
use plaza_core::thread_view::{self, CommentSort};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::views::ThreadPageJson;
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// A thread's new idea status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdeaStatusRequest {
    /// `under_review`, `planned`, `in_progress`, `done` or `declined`; null clears the status.
    pub status: Option<String>,
    /// Why, in Markdown, up to 2,000 characters (shown with the status and in the reply that
    /// announces it).
    pub note: Option<String>,
}

/// Sets, changes or clears a thread's idea status (staff, the group's moderators and
/// administrators, in a group that collects ideas). The change is also posted as an official
/// reply, federates as an `Update` of the thread carrying `ideaStatus`, and notifies who started,
/// voted on or commented on the idea.
#[utoipa::path(put, path = "/threads/{id}/status", tag = "threads", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The thread's id")),
    request_body = IdeaStatusRequest,
    responses((status = 200, body = ThreadPageJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "An unknown status, a note too long, or a group that does not collect ideas.")))]
pub async fn set_status(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<IdeaStatusRequest>,
) -> Result<Json<ThreadPageJson>, ApiError> {
    let status = parse_status(req.status.as_deref())?;
    ideas::set_status(&state.ctx, &auth.account, id, status, req.note.as_deref()).await?;
    let view = thread_view::get(&state.ctx, Some(&auth.account), id, CommentSort::Top).await?;
    Ok(Json(view.into()))
}

/// A status as typed: a known name, or nothing (empty means nothing too).
pub fn parse_status(raw: Option<&str>) -> Result<Option<IdeaStatus>, CoreError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) => IdeaStatus::parse(name).map(Some).ok_or_else(|| {
            CoreError::invalid(
                "status",
                "must be under_review, planned, in_progress, done or declined",
            )
        }),
    }
}
