//! Request ids: every request gets one, in `X-Request-Id` on the way in (where handlers and the
//! request's log span read it) and on the way out. A caller's own id is kept only if it is short
//! and made of safe characters (it ends up in log lines and response headers); otherwise, or
//! when there is none, a random UUID is used.

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// The header.
pub const HEADER: &str = "x-request-id";
/// The longest caller's id kept.
pub const MAX_LEN: usize = 64;

/// Whether a caller's id can be kept as it is.
pub fn acceptable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=MAX_LEN).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The request's id, once [`apply`]'s layers have run.
pub fn of<B>(request: &axum::http::Request<B>) -> &str {
    request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn drop_unacceptable(mut request: Request, next: Next) -> Response {
    if request
        .headers()
        .get(HEADER)
        .is_some_and(|value| !acceptable(value))
    {
        request.headers_mut().remove(HEADER);
    }
    next.run(request).await
}

/// Makes the request's id the current one for what the request writes (see
/// `plaza_db::correlation`).
async fn correlate(request: Request, next: Next) -> Response {
    let id = Some(of(&request).to_owned()).filter(|id| !id.is_empty());
    plaza_db::correlation::scope(id, next.run(request)).await
}

/// `router` with ids given to requests (outside every other layer) and echoed in responses.
pub fn apply(router: Router) -> Router {
    router
        .layer(middleware::from_fn(correlate))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(drop_unacceptable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_ids_of_safe_characters_are_kept() {
        for kept in ["abc-123", "0f3e.trace:7_x", &"a".repeat(MAX_LEN)] {
            assert!(acceptable(&HeaderValue::from_str(kept).unwrap()), "{kept}");
        }
        for dropped in [
            "",
            "with space",
            "<script>",
            "a\"b",
            &"a".repeat(MAX_LEN + 1),
        ] {
            assert!(
                !acceptable(&HeaderValue::from_str(dropped).unwrap()),
                "{dropped}"
            );
        }
    }
}
