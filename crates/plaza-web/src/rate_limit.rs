//! Rate limits per client address: sign-up and log-in, posting, and every POST (the inbox
//! included); and for the inboxes, per remote instance as well. A client over its limit gets 429
//! with `Retry-After` and the usual JSON error.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, Response, StatusCode};
use axum::response::IntoResponse;
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::{KeyExtractor, PeerIpKeyExtractor, SmartIpKeyExtractor};

use crate::ApiError;

/// A burst of `burst` requests, then one more every `period`. A burst of 0 means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub period: Duration,
}

impl Limit {
    /// No limit at all.
    pub const OFF: Limit = Limit {
        burst: 0,
        period: Duration::ZERO,
    };

    /// `count` requests per `window`: a burst of `count`, refilled evenly over `window`.
    pub fn per(count: u32, window: Duration) -> Self {
        if count == 0 {
            return Self::OFF;
        }
        Self {
            burst: count,
            period: (window / count).max(Duration::from_nanos(1)),
        }
    }

    /// Whether requests are limited at all.
    pub fn is_on(self) -> bool {
        self.burst > 0
    }
}

/// A limit written as `0` (off) or `COUNT/WINDOW`, such as `10/min`, `300/3s` or `5/500ms`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a rate limit is 0 (off) or COUNT/WINDOW, such as 10/min, 300/3s or 1000/h; got {0:?}")]
pub struct BadLimit(String);

impl FromStr for Limit {
    type Err = BadLimit;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadLimit(text.to_owned());
        let text = text.trim();
        if text == "0" {
            return Ok(Self::OFF);
        }
        let (count, window) = text.split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let digits = window
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(window.len());
        let (amount, unit) = window.split_at(digits);
        let amount: u64 = if amount.is_empty() {
            1
        } else {
            amount.parse().map_err(|_| bad())?
        };
        let unit = match unit {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" | "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        let window = u32::try_from(amount)
            .ok()
            .and_then(|amount| unit.checked_mul(amount))
            .filter(|w| !w.is_zero())
            .ok_or_else(bad)?;
        Ok(Self::per(count, window))
    }
}

impl fmt::Display for Limit {
    /// The `COUNT/WINDOW` form [`Limit::from_str`] reads, in milliseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_on() {
            return f.write_str("0");
        }
        let window = self.period.saturating_mul(self.burst);
        write!(f, "{}/{}ms", self.burst, window.as_millis())
    }
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
    /// Activities posted to the inboxes, per remote instance (the host of the signing key), so
    /// one busy server cannot crowd out the others, and servers sharing an address each have
    /// their own allowance.
    pub inbox: Limit,
    /// Behind a reverse proxy: the client is the address in `X-Forwarded-For` (or `X-Real-IP`,
    /// `Forwarded`), not the proxy's. Only set this when a proxy you run sets those headers.
    pub behind_proxy: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            auth: Limit::per(10, Duration::from_secs(60)),
            posting: Limit::per(30, Duration::from_secs(60)),
            any_post: Limit::per(300, Duration::from_secs(3)),
            inbox: Limit::per(300, Duration::from_secs(3)),
            behind_proxy: false,
        }
    }
}

impl RateLimits {
    /// No limits: for load tests, which send everything from one address.
    pub fn unlimited() -> Self {
        Self {
            auth: Limit::OFF,
            posting: Limit::OFF,
            any_post: Limit::OFF,
            inbox: Limit::OFF,
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

/// The remote instance an inbox request comes from: the host (and port) of the key it says it
/// is signed with, read from the `Signature` header (draft-cavage) or `Signature-Input` (RFC
/// 9421). The signature is not verified yet: limiting before the actor's key is fetched is the
/// point. An unsigned request counts against its address instead.
#[derive(Debug, Clone, Copy)]
pub struct SigningInstance {
    address: ClientIp,
}

impl KeyExtractor for SigningInstance {
    type Key = String;

    fn extract<T>(&self, req: &Request<T>) -> Result<Self::Key, GovernorError> {
        match signing_host(req.headers()) {
            Some(host) => Ok(host),
            None => Ok(format!("address {}", self.address.extract(req)?)),
        }
    }
}

/// The host (with its port, if any) of the key id a signed request names.
pub fn signing_host(headers: &HeaderMap) -> Option<String> {
    let key_id = ["signature", "signature-input"]
        .iter()
        .filter_map(|name| headers.get(*name)?.to_str().ok())
        .find_map(key_id_in)?;
    let url = url::Url::parse(key_id).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The quoted value of a `keyId` (draft-cavage) or `keyid` (RFC 9421) parameter.
fn key_id_in(header: &str) -> Option<&str> {
    let lower = header.to_ascii_lowercase();
    let start = lower.find("keyid=\"")? + "keyid=\"".len();
    let rest = header.get(start..)?;
    rest.get(..rest.find('"')?)
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
/// and the log-in page draw on the same allowance per client. `K` says what a client is.
#[derive(Clone)]
pub struct Limiter<K: KeyExtractor = ClientIp>(
    Option<Arc<GovernorConfig<K, NoOpMiddleware<QuantaInstant>>>>,
);

impl<K> Limiter<K>
where
    K: KeyExtractor + Send + Sync + 'static,
    K::Key: Send + Sync + 'static,
{
    /// A limiter of `limit` for requests with one of `methods`, telling clients apart by `key`;
    /// none at all if the limit is off.
    pub fn keyed(limit: Limit, key: K, methods: &[Method]) -> Self {
        if !limit.is_on() {
            return Self(None);
        }
        let mut builder = GovernorConfigBuilder::default().key_extractor(key);
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

impl Limiter {
    /// A limiter of `limit` per client address for requests with one of `methods`.
    pub fn new(limit: Limit, behind_proxy: bool, methods: &[Method]) -> Self {
        Self::keyed(limit, ClientIp { behind_proxy }, methods)
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
    /// The inboxes, per remote instance.
    pub inbox: Limiter<SigningInstance>,
}

impl RateLimits {
    /// The limiters these limits describe.
    pub fn limiters(&self) -> Limiters {
        let address = ClientIp {
            behind_proxy: self.behind_proxy,
        };
        Limiters {
            auth: Limiter::new(self.auth, self.behind_proxy, &[Method::POST]),
            posting: Limiter::new(
                self.posting,
                self.behind_proxy,
                &[Method::POST, Method::PATCH],
            ),
            any_post: Limiter::new(self.any_post, self.behind_proxy, &[Method::POST]),
            inbox: Limiter::keyed(self.inbox, SigningInstance { address }, &[Method::POST]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_a_count_per_window_and_zero_turns_them_off() {
        let ten_a_minute: Limit = "10/min".parse().unwrap();
        assert_eq!(ten_a_minute, Limit::per(10, Duration::from_secs(60)));
        assert_eq!(ten_a_minute.period, Duration::from_secs(6));
        assert_eq!(
            "300/3s".parse::<Limit>().unwrap().period,
            Duration::from_millis(10)
        );
        assert_eq!("5/h".parse::<Limit>().unwrap().burst, 5);
        assert_eq!("0".parse::<Limit>().unwrap(), Limit::OFF);
        assert_eq!("0/min".parse::<Limit>().unwrap(), Limit::OFF);
        for bad in ["", "ten/min", "10", "10/", "10/fortnight", "10/0s", "-1/s"] {
            assert!(bad.parse::<Limit>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_limit_prints_as_it_is_read() {
        for limit in [
            RateLimits::default().auth,
            Limit::per(7, Duration::from_millis(700)),
        ] {
            assert_eq!(limit.to_string().parse::<Limit>().unwrap(), limit);
        }
        assert_eq!(Limit::OFF.to_string(), "0");
    }

    #[test]
    fn the_instance_is_the_host_of_the_signing_key() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "signature",
            r#"keyId="https://Social.Example/users/bob#main-key",algorithm="rsa-sha256""#
                .parse()
                .unwrap(),
        );
        assert_eq!(signing_host(&headers).as_deref(), Some("social.example"));
        let mut modern = HeaderMap::new();
        modern.insert(
            "signature-input",
            r#"sig1=("@method");keyid="http://localhost:8081/u/al#main-key";created=1"#
                .parse()
                .unwrap(),
        );
        assert_eq!(signing_host(&modern).as_deref(), Some("localhost:8081"));
        assert_eq!(signing_host(&HeaderMap::new()), None);
    }
}
