//! A follower server for tests and benchmarks that start real `plaza` processes: it answers every
//! POST to its shared inbox with 202 and records the activity's id and when it arrived.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;

type Received = Arc<Mutex<Vec<(String, Instant)>>>;

/// A follower server: records the id of every activity POSTed to its shared inbox.
pub struct Sink {
    pub base: String,
    pub domain: String,
    received: Received,
}

impl Sink {
    pub async fn start() -> Self {
        let received: Received = Arc::default();
        async fn receive(State(received): State<Received>, body: Bytes) -> StatusCode {
            let id = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            received.lock().unwrap().push((id, Instant::now()));
            StatusCode::ACCEPTED
        }
        let app = Router::new()
            .route("/inbox", post(receive))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        // Named, not numbered: outside its dev-mode allowances the federation library refuses
        // IP-address hosts.
        Self {
            base: format!("http://localhost:{port}"),
            domain: format!("localhost:{port}"),
            received,
        }
    }

    /// The ids of the activities received, in order of arrival.
    pub fn received(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// When each activity arrived, in order of arrival.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, at)| *at)
            .collect()
    }

    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}
