//! The durable delivery queue against a sink server on a loopback port: signing, one delivery per
//! shared inbox, retries with re-signing, dead hosts, and resuming after a worker is killed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
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
    /// Answers to give first, in order.
    scripted: Arc<Mutex<Vec<Scripted>>>,
}

/// An answer the sink gives instead of its usual one: status, `Retry-After`, body.
type Scripted = (u16, Option<String>, String);

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
        ) -> Response {
            tokio::time::sleep(state.delay).await;
            let scripted = {
                let mut scripted = state.scripted.lock().unwrap();
                (!scripted.is_empty()).then(|| scripted.remove(0))
            };
            if let Some((status, retry_after, answer)) = scripted {
                let status = StatusCode::from_u16(status).unwrap();
                state.received.lock().unwrap().push(Received {
                    accepted: status.is_success(),
                    path: uri.path().to_owned(),
                    headers,
                    body: serde_json::from_str(&body).unwrap_or(Value::Null),
                });
                let mut response = (status, answer).into_response();
                if let Some(after) = retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", after.parse().unwrap());
                }
                return response;
            }
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
                StatusCode::ACCEPTED.into_response()
            } else {
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        }
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(state.clone());
        let (base, domain) = plaza_tests::serve_loopback(app).await;
        Self {
            base,
            domain,
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

    /// Gives `status` (with `Retry-After` and a body) to the next request, before the usual
    /// answers.
    fn answer_next(&self, status: u16, retry_after: Option<&str>, body: &str) {
        self.state.scripted.lock().unwrap().push((
            status,
            retry_after.map(str::to_owned),
            body.to_owned(),
        ));
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

/// Lemmy (and Mastodon) answer 400 or 403 to an activity they will not take, and the library's
/// `sign_and_send` calls that a success. The refusal is recorded as such, with the status and
/// the start of the answer, counted for the receiving server, listed for the administrators and
/// not retried.
#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_the_receiver_refuses_is_recorded_as_refused_not_delivered() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let sink = Sink::start(0, Duration::ZERO).await;
    let reason = format!(
        "{{\"error\":\"Object is not in community\",\"padding\":\"{}\"}}",
        "x".repeat(2000)
    );
    sink.answer_next(400, None, &reason);
    queue(&plaza, 1, vec![format!("{}/inbox", sink.base)]).await;
    let worker = worker(&plaza, settings()).await;

    assert_eq!(worker.run_once().await.unwrap(), 1);
    let counts = counts(&plaza).await;
    assert_eq!(
        (counts.delivered, counts.refused, counts.pending),
        (0, 1, 0),
        "{counts:?}"
    );
    // Final: not tried again.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(worker.run_once().await.unwrap(), 0);
    assert_eq!(sink.all_requests().len(), 1);

    let (refusals, host) = {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let refusals = delivery::recent_refusals(conn, 10).await.unwrap();
        let host = instance::find_by_domain(conn, &sink.domain)
            .await
            .unwrap()
            .unwrap();
        (refusals, host)
    };
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].status, Some(400));
    let excerpt = refusals[0].excerpt.as_deref().unwrap_or_default();
    assert!(
        excerpt.starts_with("{\"error\":\"Object is not in community\""),
        "{excerpt}"
    );
    assert!(excerpt.len() <= 512, "{} bytes kept", excerpt.len());
    assert_eq!(
        (host.refusal_count, host.failure_count),
        (1, 0),
        "a refusal is not a failure: the server answers"
    );
    assert!(host.last_success_at.is_none());

    let listed = admin.get("/admin/instances").await;
    let known = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["domain"] == sink.domain.as_str())
        .cloned()
        .unwrap();
    assert_eq!(known["refused_deliveries"], 1, "{known}");
    let page = plaza
        .browser_as("admin")
        .await
        .open("/admin/instances")
        .await;
    assert_eq!(page.status, 200);
    let section = &page.text[page.text.find("Refused deliveries").unwrap()..];
    assert!(section.contains(&sink.domain), "{section}");
    assert!(section.contains("400"), "{section}");
    assert!(section.contains("Object is not in community"), "{section}");
    assert!(page.text.contains("1 delivery refused"), "{}", page.text);
}

/// A server that answers 429 says when to come back (`Retry-After`, in seconds or as a date);
/// the retry waits that long instead of the usual backoff.
#[tokio::test(flavor = "multi_thread")]
async fn a_429_is_retried_after_the_time_retry_after_asks() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let sink = Sink::start(0, Duration::ZERO).await;
    sink.answer_next(429, Some("2"), "slow down");
    queue(&plaza, 1, vec![format!("{}/inbox", sink.base)]).await;
    let worker = worker(
        &plaza,
        DeliverySettings {
            first_retry: Duration::from_millis(50),
            ..settings()
        },
    )
    .await;

    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(counts(&plaza).await.pending, 1);
    // The backoff alone would make it due after 50 ms.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        worker.run_once().await.unwrap(),
        0,
        "retried before Retry-After"
    );
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let counts = counts(&plaza).await;
    assert_eq!((counts.delivered, counts.refused), (1, 0), "{counts:?}");
}
