//! How log lines are written: text for people, or one JSON object per line for log collectors.
//! Each request's lines carry its span: the method, path, request id and, in the inboxes, the
//! activity id.

use axum::http::Request;
use tracing::Span;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// A subscriber writing one JSON object per event to `writer`: the event's fields at the top
/// level (`message` among them), its span as `span` and the spans it is in as `spans`.
pub fn json_subscriber<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(true)
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}

/// The span of one request. `activity` is filled in by the inbox once it has read the body.
pub fn request_span<B>(request: &Request<B>) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %crate::request_id::of(request),
        activity = tracing::field::Empty,
    )
}
