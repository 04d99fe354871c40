//! The one HTTP client every outgoing request of an instance goes through: fetches of actors and
//! objects, WebFinger, deliveries (the federation library is given it), NodeInfo discovery, the
//! remote-follow page's lookup and alert webhook calls.
//!
//! Outside development mode it reaches public addresses only, over https. Names are checked by
//! the resolver when connecting (`resolver.rs`); URLs with an IP address for a host never go
//! through a resolver, so [`Outgoing::check`] checks them, for the first URL and for every
//! redirect. Development mode lifts all of this, whatever the build profile, so instances on one
//! machine or in one docker-compose network can federate by any name.

pub mod address;
pub mod resolver;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::redirect;
use serde::de::DeserializeOwned;
use url::{Host, Url};

use self::address::is_public;
use self::resolver::{AddressRefused, GuardedResolver};

/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take, unless a caller asks for less.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects followed for one request.
pub const MAX_REDIRECTS: usize = 3;
/// Sent with every request.
pub const USER_AGENT: &str = concat!("Plaza/", env!("CARGO_PKG_VERSION"));

/// Why an outgoing request did not give what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The URL, or a redirect, leads somewhere this instance does not go (an internal address,
    /// plain http outside development mode).
    Refused(String),
    /// The server could not be reached, or answered with an error or something unreadable.
    Failed(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Refused(why) => write!(f, "refused: {why}"),
            FetchError::Failed(why) => write!(f, "{why}"),
        }
    }
}

/// What the client may reach. Both are on in development mode and off outside it; tests of this
/// module turn them on separately.
#[derive(Debug, Clone, Copy)]
struct Reach {
    internal: bool,
    plain_http: bool,
}

impl Reach {
    fn dev_mode(on: bool) -> Self {
        Self {
            internal: on,
            plain_http: on,
        }
    }

    /// Whether a URL may be requested, as far as can be told without resolving its host.
    fn check(self, url: &Url) -> Result<(), String> {
        match url.scheme() {
            "https" => {}
            "http" if self.plain_http => {}
            scheme => return Err(format!("{scheme} URLs are not requested: {url}")),
        }
        let ip = match url.host() {
            Some(Host::Domain(_)) => return Ok(()),
            Some(Host::Ipv4(ip)) => ip.into(),
            Some(Host::Ipv6(ip)) => ip.into(),
            None => return Err(format!("no host in {url}")),
        };
        if self.internal || is_public(ip) {
            Ok(())
        } else {
            Err(AddressRefused {
                host: url.host_str().unwrap_or_default().to_owned(),
                ip,
            }
            .to_string())
        }
    }
}

/// The outgoing client of one instance. Cheap to clone.
#[derive(Clone)]
pub struct Outgoing {
    reach: Reach,
    /// Follows redirects, each checked like the first URL.
    client: reqwest::Client,
    /// Follows none: the federation library follows one itself, after running its own URL
    /// checks (the instance block list among them) on the target.
    federation: reqwest::Client,
}

impl Outgoing {
    /// The client for an instance in or out of development mode.
    pub fn new(dev_mode: bool) -> Result<Self, String> {
        Self::build(Reach::dev_mode(dev_mode), GuardedResolver::system(dev_mode))
    }

    fn build(reach: Reach, resolver: GuardedResolver) -> Result<Self, String> {
        crate::install_tls_provider();
        let base = |policy: redirect::Policy| {
            reqwest::Client::builder()
                .dns_resolver(Arc::new(resolver.clone()))
                .redirect(policy)
                .https_only(!reach.plain_http)
                .connect_timeout(CONNECT_TIMEOUT)
                .timeout(REQUEST_TIMEOUT)
                .user_agent(USER_AGENT)
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))
        };
        let checked = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match reach.check(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(why),
            }
        });
        Ok(Self {
            reach,
            client: base(checked)?,
            federation: base(redirect::Policy::none())?,
        })
    }

    /// Whether this client may reach loopback and private addresses and use plain http.
    pub fn dev_mode(&self) -> bool {
        self.reach.internal
    }

    /// Whether `url` may be requested (its scheme, and its address when the host is one). A
    /// name's addresses are checked when connecting.
    pub fn check(&self, url: &Url) -> Result<(), FetchError> {
        self.reach.check(url).map_err(FetchError::Refused)
    }

    /// The client handed to the federation library.
    pub fn for_federation(&self) -> reqwest::Client {
        self.federation.clone()
    }

    /// GETs a JSON document of at most `max_bytes`, within `timeout`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &Url,
        accept: &str,
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<T, FetchError> {
        let body = self.get_bytes(url, accept, max_bytes, timeout).await?;
        serde_json::from_slice(&body).map_err(|e| FetchError::Failed(format!("{url}: {e}")))
    }

    /// GETs a body of at most `max_bytes`, within `timeout`; a larger one is not read past the
    /// limit.
    pub async fn get_bytes(
        &self,
        url: &Url,
        accept: &str,
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, FetchError> {
        self.check(url)?;
        let mut response = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, accept)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| classify(url, &e))?;
        if !response.status().is_success() {
            return Err(FetchError::Failed(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        let too_large = || FetchError::Failed(format!("{url}: larger than {max_bytes} bytes"));
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(url, &e))? {
            if body.len() + chunk.len() > max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// POSTs a JSON body with extra headers, following no redirect (a webhook that moved must be
    /// set anew); returns the answer's status when it is a success.
    pub async fn post_json(
        &self,
        url: &Url,
        headers: &[(&'static str, String)],
        body: String,
        timeout: Duration,
    ) -> Result<u16, FetchError> {
        self.check(url)?;
        let mut request = self
            .federation
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(timeout)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.map_err(|e| classify(url, &e))?;
        let status = response.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err(FetchError::Failed(format!("{url} answered {status}")))
        }
    }
}

/// A refusal by the resolver or the redirect policy, or any other failure.
fn classify(url: &Url, error: &reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<AddressRefused>() {
            return FetchError::Refused(e.to_string());
        }
        source = e.source();
    }
    if error.is_redirect() {
        // The policy's own refusals (a scheme, an address literal) arrive as redirect errors.
        return FetchError::Refused(format!("{url}: {error:#}"));
    }
    FetchError::Failed(format!("{url}: {error}"))
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A server on 127.0.0.1 that answers every request with `answer` (the status line and
    /// headers; a JSON body follows) and counts the connections it accepted.
    async fn server(
        answer: impl Fn(u16) -> String + Send + Sync + 'static,
    ) -> (u16, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        let answer = Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let body = r#"{"ok":true}"#;
                    let head = answer(port);
                    let reply = format!(
                        "{head}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        (port, accepted)
    }

    fn ok(_: u16) -> String {
        "HTTP/1.1 200 OK".to_owned()
    }

    async fn get(client: &Outgoing, url: &str) -> Result<serde_json::Value, FetchError> {
        let url = Url::parse(url).unwrap();
        client
            .get_json(&url, "application/json", 1024, Duration::from_secs(5))
            .await
    }

    /// A client outside dev mode that may still use plain http: test servers cannot do TLS.
    fn strict_over_http(resolver: GuardedResolver) -> Outgoing {
        let reach = Reach {
            internal: false,
            plain_http: true,
        };
        Outgoing::build(reach, resolver).unwrap()
    }

    fn loopback() -> IpAddr {
        "127.0.0.1".parse().unwrap()
    }

    #[tokio::test]
    async fn in_dev_mode_a_loopback_server_is_reached_by_address_and_by_name() {
        let (port, accepted) = server(ok).await;
        let client = Outgoing::new(true).unwrap();
        for url in [
            format!("http://127.0.0.1:{port}/"),
            format!("http://localhost:{port}/"),
        ] {
            assert_eq!(
                get(&client, &url).await,
                Ok(serde_json::json!({"ok": true}))
            );
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn outside_dev_mode_loopback_is_refused_before_connecting() {
        let (port, accepted) = server(ok).await;
        let client = Outgoing::new(false).unwrap();
        for url in [
            format!("https://localhost:{port}/"),
            format!("https://127.0.0.1:{port}/"),
            format!("https://[::ffff:127.0.0.1]:{port}/"),
            format!("http://localhost:{port}/"),
        ] {
            let result = get(&client, &url).await;
            assert!(
                matches!(result, Err(FetchError::Refused(_))),
                "{url}: {result:?}"
            );
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 0, "a connection was made");
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_when_connecting_is_refused() {
        let (port, accepted) = server(ok).await;
        let table = || vec![("rebind.example", vec![loopback()])];
        let strict = strict_over_http(GuardedResolver::fixed(false, table()));
        let url = format!("http://rebind.example:{port}/");
        let result = get(&strict, &url).await;
        assert!(matches!(result, Err(FetchError::Refused(_))), "{result:?}");
        assert_eq!(accepted.load(Ordering::SeqCst), 0);
        // The same answer in dev mode connects: the refusal came from the address alone.
        let dev =
            Outgoing::build(Reach::dev_mode(true), GuardedResolver::fixed(true, table())).unwrap();
        assert!(get(&dev, &url).await.is_ok());
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_redirect_to_an_internal_address_is_not_followed() {
        let (inside, reached) = server(ok).await;
        for target in [
            format!("http://127.0.0.1:{inside}/"),
            format!("http://[::1]:{inside}/"),
            format!("http://internal.example:{inside}/"),
            format!("ftp://127.0.0.1:{inside}/"),
        ] {
            let location = target.clone();
            let (outside, _) =
                server(move |_| format!("HTTP/1.1 302 Found\r\nlocation: {location}")).await;
            // `public.example` stands for a public server (a test can only run one on loopback,
            // so the resolver lets it through); `internal.example` answers loopback.
            let client = strict_over_http(GuardedResolver::fixed_with_public(
                vec![("internal.example", vec![loopback()])],
                vec![("public.example", vec![loopback()])],
            ));
            let result = get(&client, &format!("http://public.example:{outside}/")).await;
            assert!(
                matches!(result, Err(FetchError::Refused(_))),
                "{target}: {result:?}"
            );
        }
        assert_eq!(reached.load(Ordering::SeqCst), 0, "a redirect was followed");
    }

    #[tokio::test]
    async fn redirects_are_followed_a_few_times_only() {
        // Each answer sends the client back to the same server.
        let (port, accepted) =
            server(|port| format!("HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/again"))
                .await;
        let client = Outgoing::new(true).unwrap();
        let result = get(&client, &format!("http://127.0.0.1:{port}/")).await;
        assert!(matches!(result, Err(FetchError::Refused(_))), "{result:?}");
        assert_eq!(accepted.load(Ordering::SeqCst), MAX_REDIRECTS + 1);
    }
}
