//! The inboxes (`/inbox`, `/g/NAME/inbox`, `/u/NAME/inbox`): verify, then act.
//! The body is read here, with a limit, so an oversized one answers 413, and scanned once without
//! being built in memory (`scan.rs`), so a body naming too many addressees is refused before
//! anything is made of it. Activity types Plaza does not act on are acknowledged (202) and
//! logged, never refused. The rest goes to the federation library, which checks the Digest,
//! fetches the actor (or reads the cached copy) and verifies the HTTP signature before the
//! activity's own checks run, all within the request's deadline (`deadline.rs`).

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::{Data, FederationConfig};
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppData;
use crate::activities::{InboxActivity, is_handled};
use crate::deadline::Finished;
use crate::inbox_error::InboxError;
use crate::objects::actor::ApubActor;

/// Largest activity accepted.
pub const INBOX_MAX_BYTES: usize = 512 * 1024;
/// Most addressees one activity may name, counting `to`, `cc`, `bto`, `bcc`, `audience` and
/// `tag` entries at every level (an `Announce`, its activity and its object together). Real
/// activities address a few actors and collections; a group's followers are one collection.
pub const MAX_ADDRESSEES: usize = 2_000;

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": code, "message": message })),
    )
        .into_response()
}

/// Receives one activity.
pub async fn inbox(
    State(federation): State<FederationConfig<AppData>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, INBOX_MAX_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) if over_limit(&e) => {
            tracing::info!("inbox refused an activity over {INBOX_MAX_BYTES} bytes");
            return answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "activity too large",
            );
        }
        Err(_) => {
            // The client stopped sending (the body read timed out) or went away.
            return answer(
                StatusCode::BAD_REQUEST,
                "bad_body",
                "the body did not arrive",
            );
        }
    };
    let scanned = crate::scan::scan(&bytes).ok();
    let Some((kind, scan)) = scanned.and_then(|s| Some((s.kind.clone()?, s))) else {
        return answer(
            StatusCode::BAD_REQUEST,
            "bad_activity",
            "the body is not an activity",
        );
    };
    let id = scan.id.unwrap_or_default();
    if scan.addressees > MAX_ADDRESSEES {
        tracing::info!(%kind, %id, addressees = scan.addressees, "inbox refused an activity with too many addressees");
        return answer(
            StatusCode::BAD_REQUEST,
            "too_many_addressees",
            &format!("an activity may name at most {MAX_ADDRESSEES} addressees"),
        );
    }
    if !is_handled(&kind, scan.object_kind.as_deref()) {
        tracing::info!(%kind, %id, "ignoring an activity type Plaza does not handle");
        return StatusCode::ACCEPTED.into_response();
    }
    let data = federation.to_request_data();
    match already_applied(&data, &id).await {
        Ok(true) => {
            tracing::info!(%id, "ignoring a replayed activity");
            return StatusCode::ACCEPTED.into_response();
        }
        Ok(false) => {}
        Err(e) => return e.into_response(),
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let activity = match ActivityData::from_request(request, &()).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    let applied_id = id.clone();
    let work = async move {
        receive_activity::<InboxActivity, ApubActor, AppData>(activity, &data).await?;
        // Recorded after it was applied: the effects are idempotent, so two copies racing
        // through at once do no harm, while a failure to apply leaves the id free for a retry.
        record_applied(&data, &applied_id).await
    };
    match federation.inbox.run(&id, work).await {
        Finished::Done(Ok(())) | Finished::Background => StatusCode::ACCEPTED.into_response(),
        Finished::Done(Err(e)) => e.into_response(),
        Finished::Dropped => {
            let mut response = answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the activity took too long to process; try again later",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("300"));
            response
        }
        Finished::Crashed => answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        ),
    }
}

/// Whether reading the body failed because it was over the limit.
fn over_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

async fn already_applied(data: &Data<AppData>, id: &str) -> Result<bool, InboxError> {
    let mut pooled = data.db.get().await?;
    Ok(plaza_db::received::seen(&mut pooled.conn(), id).await?)
}

async fn record_applied(data: &Data<AppData>, id: &str) -> Result<(), InboxError> {
    let mut pooled = data.db.get().await?;
    plaza_db::received::record(&mut pooled.conn(), id).await?;
    Ok(())
}
