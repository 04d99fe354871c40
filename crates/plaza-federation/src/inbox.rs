//! The inboxes (`/inbox`, `/g/NAME/inbox`, `/u/NAME/inbox`): verify, then act.
//! The body is read here, with a limit, so an oversized one answers 413, and scanned once without
//! being built in memory (`scan.rs`), so a body naming too many addressees is refused before
//! anything is made of it. Activity types Plaza does not act on are acknowledged (202) and
//! logged, never refused. Before anything is fetched, the signature must bind the request to this
//! server and to now (`signature_policy`, or `rfc9421` for RFC 9421 signatures). Then the
//! federation library checks the Digest, fetches the actor (or reads the cached copy) and
//! verifies the HTTP signature before the activity's own checks run, all within the request's
//! deadline (`deadline.rs`).

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::{Data, FederationConfig, UrlVerifier};
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::{Activity, Actor};
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppData;
use crate::activities::{InboxActivity, is_handled};
use crate::blocklist::InstanceBlocklist;
use crate::deadline::Finished;
use crate::inbox_error::InboxError;
use crate::objects::actor::ApubActor;
use crate::{rfc9421, signature_policy};

/// Largest activity accepted.
pub const INBOX_MAX_BYTES: usize = 512 * 1024;
/// Most addressees one activity may name, counting `to`, `cc`, `bto`, `bcc`, `audience` and
/// `tag` entries at every level (an `Announce`, its activity and its object together). Real
/// activities address a few actors and collections; a group's followers are one collection.
pub const MAX_ADDRESSEES: usize = 2_000;

/// What became of an activity, as the metrics count it; carried from where it is decided to
/// [`inbox`] in the response's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied (or being applied past the deadline).
    Accepted,
    /// A type Plaza does not act on: acknowledged and dropped.
    Ignored,
    /// Applied before: acknowledged and dropped.
    Replay,
}

/// The error code a refused activity was answered with, for the metrics.
#[derive(Debug, Clone)]
pub struct Refusal(pub &'static str);

/// The JSON error answer, marked with its code for the metrics.
pub(crate) fn answer(status: StatusCode, code: &'static str, message: &str) -> Response {
    let mut response = (
        status,
        axum::Json(serde_json::json!({ "error": code, "message": message })),
    )
        .into_response();
    response.extensions_mut().insert(Refusal(code));
    response
}

fn acknowledged(outcome: Outcome) -> Response {
    let mut response = StatusCode::ACCEPTED.into_response();
    response.extensions_mut().insert(outcome);
    response
}

/// Receives one activity, and counts what became of it.
pub async fn inbox(
    State(federation): State<FederationConfig<AppData>>,
    request: Request,
) -> Response {
    let mut kind = String::new();
    let response = receive(&federation, request, &mut kind).await;
    let (outcome, reason) = match (
        response.extensions().get::<Outcome>(),
        response.extensions().get::<Refusal>(),
    ) {
        (Some(Outcome::Ignored), _) => ("ignored", ""),
        (Some(Outcome::Replay), _) => ("replay", ""),
        (_, Some(Refusal(code))) if response.status().is_server_error() => ("failed", *code),
        (_, Some(Refusal(code))) => ("refused", *code),
        _ if response.status().is_success() => ("accepted", ""),
        _ => ("refused", "other"),
    };
    federation
        .ctx
        .metrics
        .inbox_activity(&kind, outcome, reason);
    response
}

/// Verifies and applies one activity; sets `kind` to its type once the body is read.
async fn receive(
    federation: &FederationConfig<AppData>,
    request: Request,
    kind_seen: &mut String,
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
    kind_seen.clone_from(&kind);
    let id = scan.id.unwrap_or_default();
    tracing::Span::current().record("activity", id.as_str());
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
        return acknowledged(Outcome::Ignored);
    }
    let now = std::time::SystemTime::now();
    let modern = rfc9421::is_signed(&parts.headers);
    if !modern
        && let Err(weak) = signature_policy::check(
            &parts.method,
            &parts.uri,
            &parts.headers,
            federation.domain(),
            now,
        )
    {
        tracing::info!(%id, error = %weak, "inbox refused a signature that binds too little");
        return answer(StatusCode::UNAUTHORIZED, weak.code(), &weak.to_string());
    }
    let data = federation.to_request_data();
    match already_applied(&data, &id).await {
        Ok(true) => {
            tracing::info!(%id, "ignoring a replayed activity");
            return acknowledged(Outcome::Replay);
        }
        Ok(false) => {}
        Err(e) => return e.into_response(),
    }
    let applied_id = id.clone();
    let work = async move {
        if modern {
            receive_rfc9421(&data, &parts, &bytes, now).await?;
        } else {
            let request = Request::from_parts(parts, Body::from(bytes));
            let activity = ActivityData::from_request(request, &()).await?;
            receive_activity::<InboxActivity, ApubActor, AppData>(activity, &data)
                .await
                .map_err(IntoResponse::into_response)?;
        }
        // Recorded after it was applied: the effects are idempotent, so two copies racing
        // through at once do no harm, while a failure to apply leaves the id free for a retry.
        record_applied(&data, &applied_id)
            .await
            .map_err(IntoResponse::into_response)
    };
    match federation.inbox.run(&id, work).await {
        Finished::Done(Ok(())) | Finished::Background => acknowledged(Outcome::Accepted),
        Finished::Done(Err(response)) => response,
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

/// Receives an activity signed with an RFC 9421 message signature: the same steps as the
/// federation library takes for draft-cavage ones (digest, activity, actor, signature with the
/// actor's key, then the activity's own checks and effects), with RFC 9421's headers.
async fn receive_rfc9421(
    data: &Data<AppData>,
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

async fn already_applied(data: &Data<AppData>, id: &str) -> Result<bool, InboxError> {
    let mut pooled = data.db.get().await?;
    Ok(plaza_db::received::seen(&mut pooled.conn(), id).await?)
}

async fn record_applied(data: &Data<AppData>, id: &str) -> Result<(), InboxError> {
    let mut pooled = data.db.get().await?;
    plaza_db::received::record(&mut pooled.conn(), id).await?;
    Ok(())
}
