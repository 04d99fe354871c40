//! Signing activities as another server would, without sending them: the federation library
//! signs each request for its real target (Plaza's inbox, so the signed `Host` is Plaza's), and a
//! client middleware keeps the request instead of sending it. A test replays it as it is, or
//! spoils it first.

use std::sync::{Arc, Mutex};

use plaza_core::Context;
use plaza_federation::activitypub_federation::activity_sending::SendActivityTask;
use plaza_federation::activitypub_federation::config::FederationConfig;
use plaza_federation::delivery::signing::{Signer, StoredActivity};
use reqwest::header::HeaderMap;
use reqwest_middleware::{Middleware, Next};
use serde_json::Value;

/// A request signed for its target and not sent.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// The target's path (and query), e.g. `/inbox`.
    pub path: String,
    /// Every header sent, the signature among them.
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Keeps outgoing requests instead of sending them, and answers each with 202.
#[derive(Clone, Default)]
struct Keep(Arc<Mutex<Vec<SignedRequest>>>);

#[async_trait::async_trait]
impl Middleware for Keep {
    async fn handle(
        &self,
        request: reqwest::Request,
        _: &mut http::Extensions,
        _: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let url = request.url();
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        self.0.lock().expect("signed requests").push(SignedRequest {
            path,
            headers: request.headers().clone(),
            body,
        });
        let answer = http::Response::builder()
            .status(202)
            .body(Vec::new())
            .expect("a response");
        Ok(reqwest::Response::from(answer))
    }
}

/// Signs requests as the actors of one remote server.
#[derive(Clone)]
pub struct RequestSigner {
    config: FederationConfig<Arc<Context>>,
    kept: Keep,
    /// One signing at a time, so that the request kept is the one this call made; each is taken
    /// out as it is returned, so that a long run (the soak) does not hold every request it sent.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl RequestSigner {
    /// A signer; `app_data` is any instance's context (the library wants one, signing uses none).
    pub async fn new(app_data: Arc<Context>) -> Self {
        let kept = Keep::default();
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(kept.clone())
            .build();
        // The signing side's own domain must differ from the target's, or the library would
        // skip the request as local.
        let config = FederationConfig::builder()
            .domain("signer.test")
            .app_data(app_data)
            .client(client)
            .debug(true)
            .build()
            .await
            .expect("a signing configuration");
        Self {
            config,
            kept,
            turn: Arc::default(),
        }
    }

    /// `activity` as `actor_id` (whose key is `private_key_pem`) would POST it to `target`.
    pub async fn sign(
        &self,
        actor_id: &str,
        private_key_pem: &str,
        target: &str,
        activity: &Value,
    ) -> SignedRequest {
        let id = activity["id"].as_str().unwrap_or("urn:unnamed");
        let stored =
            StoredActivity::parse(id, actor_id, &activity.to_string()).expect("an activity");
        let signer = Signer::new(actor_id, private_key_pem.to_owned()).expect("a signer");
        let target = url::Url::parse(target).expect("a target URL");
        let data = self.config.to_request_data();
        let _turn = self.turn.lock().await;
        self.kept.0.lock().expect("signed requests").clear();
        for task in SendActivityTask::prepare(&stored, &signer, vec![target], &data)
            .await
            .expect("prepared")
        {
            task.sign_and_send(&data).await.expect("signed");
        }
        self.kept
            .0
            .lock()
            .expect("signed requests")
            .pop()
            .expect("the signed request was kept")
    }
}
