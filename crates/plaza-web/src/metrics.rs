//! Prometheus metrics: the middleware that counts and times every request by its matched route,
//! and the `/metrics` endpoint, served on its own address (`--metrics-listen`) so it stays off
//! the public one.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plaza_core::{Context, Metrics};
use tokio::net::TcpListener;

/// The route label of requests no route matched (the raw path is never a label: every
/// mistyped or hostile URL would make a series).
pub const UNMATCHED: &str = "unmatched";

/// Counts and times one request.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method());
    let response = next.run(request).await;
    metrics.http_request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// The method label: a client may send any token as a method, so only the standard ones are
/// named.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The metrics router: `GET /metrics`.
pub fn router(ctx: Arc<Context>) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(ctx)
}

async fn scrape(State(ctx): State<Arc<Context>>) -> Response {
    let queue = tokio::time::timeout(crate::health::DATABASE_TIMEOUT, async {
        let mut pooled = ctx.db.get().await?;
        let published = &plaza_federation::publish::PUBLISHED_KINDS;
        plaza_db::stats::queue_gauges(&mut pooled.conn(), plaza_db::now(), published).await
    })
    .await;
    let queue = match queue {
        Ok(Ok(queue)) => Some(queue),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "metrics: cannot read the queues");
            None
        }
        Err(_) => {
            tracing::warn!("metrics: the database did not answer in time");
            None
        }
    };
    ctx.metrics.set_state(ctx.db.status(), queue);
    let mut response = ctx.metrics.encode().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

/// Serves the metrics router on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    ctx: Arc<Context>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(ctx))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_a_client_makes_up_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let made_up = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&made_up), "other");
    }
}
