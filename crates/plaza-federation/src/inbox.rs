//! The inboxes (`/inbox`, `/g/NAME/inbox`, `/u/NAME/inbox`): verify, then act.
//! The body is read here, with a limit, so an oversized one answers 413. Activity types Plaza does
//! not act on are acknowledged (202) and logged, never refused. The rest goes to the federation
//! library, which checks the Digest, fetches the actor (or reads the cached copy) and verifies the
//! HTTP signature before the activity's own checks run. Before any of that, the signature must
//! bind the request to this server and to now (`signature_policy`).

use std::sync::Arc;

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::{Data, FederationConfig, UrlVerifier};
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::{Activity, Actor};
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use plaza_core::Context;

use crate::activities::{InboxActivity, is_handled};
use crate::blocklist::InstanceBlocklist;
use crate::inbox_error::InboxError;
use crate::objects::actor::ApubActor;
use crate::{rfc9421, signature_policy};

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
    if peek.as_ref().is_some_and(|v| !is_handled(v)) {
        let id = peek
            .as_ref()
            .and_then(|v| v.get("id"))
            .and_then(|i| i.as_str())
            .unwrap_or("?");
        tracing::info!(%kind, %id, "ignoring an activity type Plaza does not handle");
        return StatusCode::ACCEPTED.into_response();
    }
    let id = peek
        .as_ref()
        .and_then(|v| v.get("id"))
        .and_then(|i| i.as_str())
        .unwrap_or_default()
        .to_owned();
    let now = std::time::SystemTime::now();
    let domain = federation.domain();
    let modern = rfc9421::is_signed(&parts.headers);
    if !modern
        && let Err(weak) =
            signature_policy::check(&parts.method, &parts.uri, &parts.headers, domain, now)
    {
        tracing::info!(%id, error = %weak, "inbox refused a signature that binds too little");
        return answer(StatusCode::UNAUTHORIZED, weak.code(), &weak.to_string());
    }
    match already_applied(&federation, &id).await {
        Ok(true) => {
            tracing::info!(%id, "ignoring a replayed activity");
            return StatusCode::ACCEPTED.into_response();
        }
        Ok(false) => {}
        Err(e) => return e.into_response(),
    }
    let data = federation.to_request_data();
    if modern {
        if let Err(response) = receive_rfc9421(&data, &parts, &bytes, now).await {
            return response;
        }
    } else {
        let request = Request::from_parts(parts, Body::from(bytes));
        let activity = match ActivityData::from_request(request, &()).await {
            Ok(a) => a,
            Err(response) => return response,
        };
        if let Err(e) =
            receive_activity::<InboxActivity, ApubActor, Arc<Context>>(activity, &data).await
        {
            return e.into_response();
        }
    }
    // Recorded after it was applied: the effects are idempotent, so two copies racing through
    // at once do no harm, while a failure to apply leaves the id free for a retry.
    if let Err(e) = record_applied(&federation, &id).await {
        return e.into_response();
    }
    StatusCode::ACCEPTED.into_response()
}

/// Receives an activity signed with an RFC 9421 message signature: the same steps as the
/// federation library takes for draft-cavage ones (digest, activity, actor, signature with the
/// actor's key, then the activity's own checks and effects), with RFC 9421's headers.
async fn receive_rfc9421(
    data: &Data<Arc<Context>>,
    parts: &Parts,
    body: &[u8],
    now: std::time::SystemTime,
) -> Result<(), Response> {
    let refuse = |e: rfc9421::SignatureError| {
        tracing::info!(error = %e, "inbox refused an RFC 9421 signature");
        answer(StatusCode::UNAUTHORIZED, e.code(), &e.to_string())
    };
    let signature = rfc9421::parse(&parts.headers).map_err(refuse)?;
    let request = rfc9421::SignedRequest {
        method: &parts.method,
        uri: &parts.uri,
        headers: &parts.headers,
        scheme: data.urls.base().scheme(),
    };
    rfc9421::check_binding(&signature, &request, data.domain(), now).map_err(refuse)?;
    rfc9421::verify_content_digest(&parts.headers, body).map_err(|e| {
        tracing::info!(error = %e, "inbox refused a body its Content-Digest does not match");
        answer(StatusCode::BAD_REQUEST, "bad_digest", &e.to_string())
    })?;
    let activity: InboxActivity = serde_json::from_slice(body)
        .map_err(|e| answer(StatusCode::BAD_REQUEST, "bad_activity", &e.to_string()))?;
    let actor = activity.actor().clone();
    let checked: Result<ApubActor, InboxError> = async {
        verify_domains_match(activity.id(), &actor)?;
        InstanceBlocklist::new(data.db.clone())
            .verify(&actor)
            .await?;
        ObjectId::<ApubActor>::from(actor).dereference(data).await
    }
    .await;
    let actor = checked.map_err(IntoResponse::into_response)?;
    let base = rfc9421::signature_base(&signature, &request).map_err(refuse)?;
    rfc9421::verify(&signature, &base, actor.public_key_pem()).map_err(refuse)?;
    let applied: Result<(), InboxError> = async {
        activity.verify(data).await?;
        activity.receive(data).await
    }
    .await;
    applied.map_err(IntoResponse::into_response)
}

async fn already_applied(
    federation: &FederationConfig<Arc<Context>>,
    id: &str,
) -> Result<bool, InboxError> {
    let mut pooled = federation.db.get().await?;
    Ok(plaza_db::received::seen(&mut pooled.conn(), id).await?)
}

async fn record_applied(
    federation: &FederationConfig<Arc<Context>>,
    id: &str,
) -> Result<(), InboxError> {
    let mut pooled = federation.db.get().await?;
    plaza_db::received::record(&mut pooled.conn(), id).await?;
    Ok(())
}
