//! The durable delivery queue against a sink server on a loopback port: signing, one delivery per
//! shared inbox, retries with re-signing, dead hosts, and resuming after a worker is killed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use plaza_db::{delivery, instance, transaction};
use plaza_federation::delivery::worker::{DeliverySettings, DeliveryWorker};
use plaza_tests::TestInstance;
use serde_json::{Value, json};

/// One POST the sink received.
#[derive(Debug, Clone)]
struct Received {
    accepted: bool,
    path: String,
    headers: HeaderMap,
    body: Value,
}

#[derive(Clone, Default)]
struct SinkState {
    received: Arc<Mutex<Vec<Received>>>,
    /// Requests to answer with 503 before answering 202.
    failures_left: Arc<Mutex<u32>>,
    delay: Duration,
}

/// A fake remote server that records what it is sent.
struct Sink {
    base: String,
    domain: String,
    state: SinkState,
}

impl Sink {
    async fn start(failures: u32, delay: Duration) -> Self {
        let state = SinkState {
            failures_left: Arc::new(Mutex::new(failures)),
            delay,
            ..SinkState::default()
        };
        async fn receive(
            State(state): State<SinkState>,
            uri: Uri,
            headers: HeaderMap,
            body: String,
        ) -> StatusCode {
            tokio::time::sleep(state.delay).await;
            let accepted = {
                let mut left = state.failures_left.lock().unwrap();
                let refuse = *left > 0;
                *left = left.saturating_sub(1);
                !refuse
            };
            state.received.lock().unwrap().push(Received {
                accepted,
                path: uri.path().to_owned(),
                headers,
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
            });
            if accepted {
                StatusCode::ACCEPTED
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base: format!("http://localhost:{port}"),
            domain: format!("localhost:{port}"),
            state,
        }
    }

    /// The requests it accepted.
    fn received(&self) -> Vec<Received> {
        self.all_requests()
            .into_iter()
            .filter(|r| r.accepted)
            .collect()
    }

    /// Every request, refused ones included.
    fn all_requests(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    fn recover(&self) {
        *self.state.failures_left.lock().unwrap() = 0;
    }
}

fn settings() -> DeliverySettings {
    DeliverySettings {
        first_retry: Duration::from_millis(1100),
        lease: Duration::from_secs(1),
        idle_poll: Duration::from_millis(50),
        ..DeliverySettings::default()
    }
}

async fn worker(plaza: &TestInstance, settings: DeliverySettings) -> DeliveryWorker {
    let federation = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap();
    DeliveryWorker::new(plaza.ctx.clone(), federation, settings)
}

/// Queues a Create signed by the group `support` for `inboxes`; returns its id.
async fn queue(plaza: &TestInstance, n: usize, inboxes: Vec<String>) -> String {
    let group = plaza.ctx.urls.group("support");
    let id = format!("{}/activities/test/{n}", plaza.base);
    let activity = json!({
        "id": id, "type": "Create", "actor": group,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": { "id": format!("{}/post/{n}", plaza.base), "type": "Page", "name": "hello" }
    });
    let id_for_queue = id.clone();
    let queued = async {
        transaction!(&plaza.ctx.db, plaza_core::CoreError, |conn| {
            plaza_federation::delivery::enqueue(
                conn,
                &id_for_queue,
                &group,
                &activity,
                inboxes.clone(),
            )
            .await
            .map_err(|e| plaza_core::CoreError::Internal(e.to_string()))
        })
    };
    queued.await.unwrap();
    id
}

async fn counts(plaza: &TestInstance) -> delivery::QueueCounts {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    delivery::counts(&mut pooled.conn()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queued_activity_is_signed_and_sent_once_per_inbox() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let sink = Sink::start(0, Duration::ZERO).await;
    let shared = format!("{}/inbox", sink.base);
    let personal = format!("{}/users/bob/inbox", sink.base);
    let id = queue(&plaza, 1, vec![shared.clone(), shared.clone(), personal]).await;
    assert_eq!(
        counts(&plaza).await.pending,
        2,
        "the repeated inbox is queued once"
    );

    let handled = worker(&plaza, settings()).await.run_once().await.unwrap();
    assert_eq!(handled, 2);
    let received = sink.received();
    let paths: HashSet<&str> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, HashSet::from(["/inbox", "/users/bob/inbox"]));
    for r in &received {
        assert_eq!(r.body["id"], id.as_str());
        assert_eq!(
            r.body["@context"][0],
            "https://www.w3.org/ns/activitystreams"
        );
        assert_eq!(r.headers["content-type"], "application/activity+json");
        let signature = r.headers["signature"].to_str().unwrap();
        let key_id = format!("keyId=\"{}/g/support#main-key\"", plaza.base);
        assert!(signature.contains(&key_id), "{signature}");
        assert!(signature.contains("digest"), "{signature}");
        assert!(
            r.headers["digest"]
                .to_str()
                .unwrap()
                .starts_with("SHA-256=")
        );
        assert!(r.headers.contains_key("date"));
    }
    assert_eq!(counts(&plaza).await.delivered, 2);
    // Nothing is due any more, and queueing the same activity again sends nothing new.
    queue(&plaza, 1, vec![format!("{}/inbox", sink.base)]).await;
    assert_eq!(
        worker(&plaza, settings()).await.run_once().await.unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_delivery_is_retried_later_with_a_fresh_signature() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let sink = Sink::start(1, Duration::ZERO).await;
    queue(&plaza, 1, vec![format!("{}/inbox", sink.base)]).await;
    let worker = worker(&plaza, settings()).await;

    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert!(sink.received().is_empty());
    assert_eq!(counts(&plaza).await.pending, 1);
    // Not due before the backoff has passed.
    assert_eq!(worker.run_once().await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(sink.received().len(), 1);
    assert_eq!(counts(&plaza).await.delivered, 1);
    // Signed again at send time: a retry never carries the first attempt's Date.
    let attempts = sink.all_requests();
    assert_eq!(attempts.len(), 2);
    assert_ne!(attempts[0].headers["date"], attempts[1].headers["date"]);
    assert_ne!(
        attempts[0].headers["signature"],
        attempts[1].headers["signature"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_that_keeps_failing_is_marked_dead_then_revived_by_a_probe() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let sink = Sink::start(u32::MAX, Duration::ZERO).await;
    for n in 0..3 {
        queue(&plaza, n, vec![format!("{}/inbox", sink.base)]).await;
    }
    let worker = worker(
        &plaza,
        DeliverySettings {
            dead_after: 3,
            probe_interval: Duration::from_millis(1500),
            first_retry: Duration::from_millis(100),
            ..settings()
        },
    )
    .await;
    assert_eq!(worker.run_once().await.unwrap(), 3);
    let host = {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        instance::find_by_domain(&mut pooled.conn(), &sink.domain)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(host.dead_since.is_some(), "{host:?}");
    // Dead: nothing is tried before the probe time, even after the normal backoff.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(worker.run_once().await.unwrap(), 0);

    sink.recover();
    tokio::time::sleep(Duration::from_millis(1300)).await;
    // The probe gets through; the host is alive and its other deliveries are due at once.
    let mut rounds = 0;
    while counts(&plaza).await.pending > 0 && rounds < 5 {
        worker.run_once().await.unwrap();
        rounds += 1;
    }
    assert_eq!(counts(&plaza).await.delivered, 3);
    let host = {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        instance::find_by_domain(&mut pooled.conn(), &sink.domain)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(host.dead_since.is_none());
    assert_eq!(host.failure_count, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_that_keeps_failing_is_given_up() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let sink = Sink::start(u32::MAX, Duration::ZERO).await;
    queue(&plaza, 1, vec![format!("{}/inbox", sink.base)]).await;
    let worker = worker(
        &plaza,
        DeliverySettings {
            max_attempts: 2,
            first_retry: Duration::from_millis(50),
            ..settings()
        },
    )
    .await;
    worker.run_once().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    worker.run_once().await.unwrap();
    let counts = counts(&plaza).await;
    assert_eq!((counts.pending, counts.failed), (0, 1), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_survive_a_worker_killed_mid_fan_out() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let sinks =
        futures::future::join_all((0..5).map(|_| Sink::start(0, Duration::from_millis(40)))).await;
    let mut expected = HashSet::new();
    for n in 0..8 {
        let inboxes: Vec<String> = sinks.iter().map(|s| format!("{}/inbox", s.base)).collect();
        let id = queue(&plaza, n, inboxes).await;
        for s in &sinks {
            expected.insert((s.domain.clone(), id.clone()));
        }
    }
    assert_eq!(counts(&plaza).await.pending, 40);

    let slow = DeliverySettings {
        concurrency: 2,
        batch: 10,
        ..settings()
    };
    let first = worker(&plaza, slow.clone()).await;
    let running = tokio::spawn(first.run(std::future::pending()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.abort();
    let _ = running.await;
    let after_kill = counts(&plaza).await;
    assert!(after_kill.delivered > 0, "{after_kill:?}");
    assert!(
        after_kill.pending > 0,
        "the worker finished before it was killed: {after_kill:?}"
    );

    // A new worker (as after a restart) takes over once the dead worker's claims expire.
    let second = worker(&plaza, settings()).await;
    let resumed = tokio::spawn(second.run(std::future::pending()));
    let mut waited = 0;
    while counts(&plaza).await.pending > 0 && waited < 100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    resumed.abort();
    assert_eq!(counts(&plaza).await.pending, 0);

    let mut arrived = HashSet::new();
    for s in &sinks {
        for r in s.received() {
            arrived.insert((s.domain.clone(), r.body["id"].as_str().unwrap().to_owned()));
        }
    }
    assert_eq!(arrived, expected, "every activity reached every server");
}
