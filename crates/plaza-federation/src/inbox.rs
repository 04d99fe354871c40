//! The inboxes (`/inbox`, `/g/NAME/inbox`, `/u/NAME/inbox`): verify, then act.
//! The body is read here, with a limit, so an oversized one answers 413. Activity types Plaza does
//! not act on are acknowledged (202) and logged, never refused. The rest goes to the federation
//! library, which checks the Digest, fetches the actor (or reads the cached copy) and verifies the
//! HTTP signature before the activity's own checks run.

use std::sync::Arc;

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::FederationConfig;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use plaza_core::Context;

use crate::activities::{HANDLED_TYPES, InboxActivity};
use crate::inbox_error::InboxError;
use crate::objects::person::ApubPerson;

/// Largest activity accepted.
pub const INBOX_MAX_BYTES: usize = 512 * 1024;

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": code, "message": message })),
    )
        .into_response()
}

/// Receives one activity.
pub async fn inbox(
    State(federation): State<FederationConfig<Arc<Context>>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, INBOX_MAX_BYTES).await else {
        tracing::info!("inbox refused an activity over {INBOX_MAX_BYTES} bytes");
        return answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "activity too large",
        );
    };
    let peek: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
    let Some(kind) = peek
        .as_ref()
        .and_then(|v| v.get("type"))
        .and_then(|t| t.as_str())
    else {
        return answer(
            StatusCode::BAD_REQUEST,
            "bad_activity",
            "the body is not an activity",
        );
    };
    if !HANDLED_TYPES.contains(&kind) {
        let id = peek
            .as_ref()
            .and_then(|v| v.get("id"))
            .and_then(|i| i.as_str())
            .unwrap_or("?");
        tracing::info!(%kind, %id, "ignoring an activity type Plaza does not handle");
        return StatusCode::ACCEPTED.into_response();
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let activity = match ActivityData::from_request(request, &()).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    let data = federation.to_request_data();
    match receive_activity::<InboxActivity, ApubPerson, Arc<Context>>(activity, &data).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => InboxError::into_response(e),
    }
}
