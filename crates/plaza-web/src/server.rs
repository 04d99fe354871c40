//! The server loop. Each connection is served by hyper with time limits, so a client that sends
//! its request a byte at a time, or never finishes its body, holds a connection (and a task) for
//! seconds rather than for ever: the headers must arrive within [`Timeouts::header_read`], the
//! body may pause at most [`Timeouts::body_read`] between two pieces, and the whole request must
//! be answered within [`Timeouts::request`] (408 otherwise).

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// Time limits on inbound requests.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For the request line and headers to arrive.
    pub header_read: Duration,
    /// Longest pause while the body arrives.
    pub body_read: Duration,
    /// For the whole request to be answered. Longer than the inbox's deadline (15 s), which
    /// answers on time by itself.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(15),
            request: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// Adds the body and request limits to every route.
    pub fn apply(self, router: Router) -> Router {
        router
            .layer(RequestBodyTimeoutLayer::new(self.body_read))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                self.request,
            ))
    }
}

/// Serves `app` on a bound listener until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // The rate limits key on the client's address, which handlers read as `ConnectInfo`.
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
