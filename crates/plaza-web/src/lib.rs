//! Plaza's HTTP surface: the router, the JSON API and the server loop.

pub mod api;
pub mod error;
pub mod extract;
pub mod health;
pub mod insight;
pub mod logging;
pub mod media_proxy;
pub mod metrics;
pub mod pages;
pub mod rate_limit;
pub mod request_id;
pub mod search;
pub mod server;
pub mod uploads;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request};
use axum::middleware::{self, Next};
use axum::routing::get;
use plaza_core::Context;
use plaza_federation::AppData;
use plaza_federation::activitypub_federation::config::FederationConfig;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, ErrorBody};

/// Settings of the HTTP edge.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body accepted; larger ones get 413 before being read whole.
    pub max_body_bytes: usize,
    /// Requests allowed per client address.
    pub rate_limits: rate_limit::RateLimits,
    /// Mark cookies `Secure` (sent over https only); off in dev mode, which serves plain http.
    pub secure_cookies: bool,
    /// Time limits on inbound requests.
    pub timeouts: server::Timeouts,
    /// Where pictures from other servers are kept.
    pub media_cache: media_proxy::MediaCache,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            rate_limits: rate_limit::RateLimits::default(),
            secure_cookies: true,
            timeouts: server::Timeouts::default(),
            media_cache: media_proxy::MediaCache::default(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The instance.
    pub ctx: Arc<Context>,
    /// HTTP settings.
    pub config: Arc<WebConfig>,
    /// The federation library's configuration (signing, fetching, dev mode).
    pub federation: FederationConfig<AppData>,
}

impl FromRef<AppState> for FederationConfig<AppData> {
    fn from_ref(state: &AppState) -> Self {
        state.federation.clone()
    }
}

impl FromRef<AppState> for Arc<Context> {
    fn from_ref(state: &AppState) -> Self {
        state.ctx.clone()
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    // Room for the form around the file.
    let upload_bytes = state.ctx.settings.media.max_bytes.saturating_add(64 * 1024);
    let timeouts = state.config.timeouts;
    let limits = state.config.rate_limits.limiters();
    // Browsers get the page at the URLs shared with ActivityPub documents.
    let documents = pages::documents(&state).with_state(state.clone());
    let metrics = state.ctx.metrics.clone();
    let app = Router::new()
        .merge(health::router())
        .route(
            &format!("{}/{{id}}", media_proxy::ATTACHMENT_PATH),
            get(media_proxy::attachment),
        )
        .route(
            &format!("{}/{{name}}", plaza_core::media::UPLOADS_PATH),
            get(uploads::file),
        )
        .nest("/api/v1", api::router(&limits, upload_bytes))
        .merge(limits.inbox.apply(plaza_federation::inboxes()))
        .merge(plaza_federation::router())
        .merge(pages::router(&state, &limits, upload_bytes));
    // Every POST, the inboxes and the pages' forms included, counts against one generous limit
    // per client.
    let app = limits
        .any_post
        .apply(app)
        .fallback(pages::layout::no_such_page)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            pages::negotiate::negotiate(documents.clone(), request, next)
        }))
        .layer(middleware::from_fn(pages::layout::safety_headers))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state);
    // Every route is counted and traced, time-outs included; the request id is set before the
    // span that carries it is made.
    let app = timeouts
        .apply(app)
        .layer(middleware::from_fn_with_state(metrics, metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(logging::request_span));
    request_id::apply(app)
}

/// Serves the router on a bound listener until `shutdown` resolves, then finishes in-flight
/// requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let timeouts = state.config.timeouts;
    server::serve(listener, router(state), timeouts, shutdown).await
}
