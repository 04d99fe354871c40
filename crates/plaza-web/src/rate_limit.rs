//! Rate limits per client address: sign-up and log-in, posting, and every POST (the inbox
//! included). A client over its limit gets 429 with `Retry-After` and the usual JSON error.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode};
use axum::response::IntoResponse;
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::{KeyExtractor, PeerIpKeyExtractor, SmartIpKeyExtractor};

use crate::ApiError;

/// A burst, then one more request every `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub period: Duration,
}

/// The limits of each kind of request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /accounts` and `POST /auth/login`: slows password guessing and sign-up floods.
    pub auth: Limit,
    /// Starting threads, replying, voting, reporting, editing.
    pub posting: Limit,
    /// Every POST, the inboxes included: a flood guard that a busy server stays well under.
    pub any_post: Limit,
    /// Behind a reverse proxy: the client is the address in `X-Forwarded-For` (or `X-Real-IP`,
    /// `Forwarded`), not the proxy's. Only set this when a proxy you run sets those headers.
    pub behind_proxy: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            auth: Limit {
                burst: 10,
                period: Duration::from_secs(6),
            },
            posting: Limit {
                burst: 30,
                period: Duration::from_secs(2),
            },
            any_post: Limit {
                burst: 300,
                period: Duration::from_millis(10),
            },
            behind_proxy: false,
        }
    }
}

impl RateLimits {
    /// Limits no real client reaches: for load tests, which send everything from one address.
    pub fn unlimited() -> Self {
        let open = Limit {
            burst: u32::MAX,
            period: Duration::from_nanos(1),
        };
        Self {
            auth: open,
            posting: open,
            any_post: open,
            behind_proxy: false,
        }
    }
}

/// The client's address, from the connection or, behind a proxy, from its headers.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp {
    behind_proxy: bool,
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<Self::Key, GovernorError> {
        if self.behind_proxy {
            SmartIpKeyExtractor.extract(req)
        } else {
            PeerIpKeyExtractor.extract(req)
        }
    }
}

fn too_many(error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, headers } => {
            tracing::info!(wait_time, "rate limit reached");
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; try again in {wait_time} s"),
            )
            .into_response();
            if let Some(headers) = headers {
                response.headers_mut().extend(headers);
            }
            response
        }
        other => {
            tracing::error!(error = %other, "rate limiter failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal server error".to_owned(),
            )
            .into_response()
        }
    }
}

/// One limiter: its buckets are shared by every router it is applied to, so the API's log-in
/// and the log-in page draw on the same allowance per client.
#[derive(Clone)]
pub struct Limiter(Option<Arc<GovernorConfig<ClientIp, NoOpMiddleware<QuantaInstant>>>>);

impl Limiter {
    /// A limiter of `limit` for requests with one of `methods`.
    pub fn new(limit: Limit, behind_proxy: bool, methods: &[Method]) -> Self {
        let mut builder = GovernorConfigBuilder::default().key_extractor(ClientIp { behind_proxy });
        builder
            .period(limit.period.max(Duration::from_nanos(1)))
            .burst_size(limit.burst.max(1))
            .methods(methods.to_vec());
        let config = builder.finish();
        if config.is_none() {
            tracing::error!(?limit, "invalid rate limit; requests are not limited");
        }
        Self(config.map(Arc::new))
    }

    /// `router` with this limiter in front of it.
    pub fn apply<S>(&self, router: Router<S>) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        match &self.0 {
            Some(config) => router
                .layer(tower_governor::GovernorLayer::new(config.clone()).error_handler(too_many)),
            None => router,
        }
    }
}

/// The limiters of one server, built once from [`RateLimits`].
#[derive(Clone)]
pub struct Limiters {
    /// Log-in and sign-up, in the API and on the pages.
    pub auth: Limiter,
    /// Writing, in the API and on the pages.
    pub posting: Limiter,
    /// Every POST.
    pub any_post: Limiter,
}

impl RateLimits {
    /// The limiters these limits describe.
    pub fn limiters(&self) -> Limiters {
        Limiters {
            auth: Limiter::new(self.auth, self.behind_proxy, &[Method::POST]),
            posting: Limiter::new(
                self.posting,
                self.behind_proxy,
                &[Method::POST, Method::PATCH],
            ),
            any_post: Limiter::new(self.any_post, self.behind_proxy, &[Method::POST]),
        }
    }
}
