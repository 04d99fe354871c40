//! Federation benchmarks against whole instances on loopback ports (see docs/benchmarks.md):
//!
//! - **inbox**: signed `Follow`s (and `Undo`s) from many remote actors, accepted per second by
//!   `/inbox`, with latency percentiles; first with the actors unknown (each first request makes
//!   Plaza fetch the actor), then with them cached;
//! - **fan-out**: one new thread delivered to 1,000 remote followers on 100 servers, through
//!   shared inboxes (100 requests) and through personal inboxes (1,000 requests).
//!
//! - **soak** (only when named): long mixed traffic, see `soak.rs`;
//! - **search** (only when named): search latency over 100,000 comments, see `search.rs`.
//!
//! `cargo bench -p plaza-tests --bench federation [-- inbox|fan-out|soak|search]`. The backend is SQLite,
//! or PostgreSQL when `PLAZA_TEST_DATABASE_URL` is set, as for the tests. Every answer and every
//! count is checked, so a run that measured failures stops with an error instead of a figure.
// A failed set-up or check is a failed benchmark.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use futures::StreamExt;
use plaza_db::{DbError, delivery, group, transaction};
use plaza_federation::delivery::worker::{DeliverySettings, DeliveryWorker};
use plaza_federation::publish::Publisher;
use plaza_tests::{RequestSigner, SignedRequest, TestInstance};
use serde_json::{Value, json};

#[path = "federation/search.rs"]
mod search;
#[path = "federation/soak.rs"]
mod soak;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it,
    // and a test run should not take minutes measuring.
    if !args.iter().any(|a| a == "--bench") {
        println!(
            "federation benchmarks: run them with `cargo bench -p plaza-tests --bench federation`"
        );
        return;
    }
    let filters: Vec<String> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f));
    let config = Config::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        plaza_federation::install_tls_provider();
        println!(
            "Plaza federation benchmarks: {} database, {} CPUs, {} rounds each",
            backend(),
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            config.rounds
        );
        if filters.iter().any(|f| f == "soak") {
            soak::soak().await;
            return;
        }
        if filters.iter().any(|f| f == "search") {
            println!("| Benchmark | Requests | Time | Rate | p50 | p99 |");
            println!("|---|---:|---:|---:|---:|---:|");
            search::search_benchmark().await;
            return;
        }
        let mut summary = Vec::new();
        if wanted("inbox") {
            summary.extend(inbox_benchmark(&config).await);
        }
        if wanted("fan-out") {
            summary.extend(fan_out_benchmark(&config).await);
        }
        if wanted("limits") {
            limits_benchmark().await;
        }
        if wanted("first-delivery") {
            summary.extend(first_delivery_benchmark(&config).await);
        }
        println!(
            "\nSummary (median of {} rounds, {}):",
            config.rounds,
            backend()
        );
        println!("| Benchmark | Requests | Time | Rate | p50 | p99 |");
        println!("|---|---:|---:|---:|---:|---:|");
        for line in summary {
            println!("{line}");
        }
    });
}

/// Sizes, from the environment so a quick run can be smaller.
struct Config {
    rounds: usize,
    actors: usize,
    concurrency: usize,
    instances: usize,
    followers_per_instance: usize,
}

impl Config {
    fn from_env() -> Self {
        let var = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&v: &usize| v > 0)
                .unwrap_or(default)
        };
        Self {
            rounds: var("PLAZA_BENCH_ROUNDS", 5),
            actors: var("PLAZA_BENCH_ACTORS", 200),
            concurrency: var("PLAZA_BENCH_CONCURRENCY", 16),
            instances: var("PLAZA_BENCH_INSTANCES", 100),
            followers_per_instance: var("PLAZA_BENCH_FOLLOWERS_PER_INSTANCE", 10),
        }
    }
}

fn backend() -> &'static str {
    match std::env::var(plaza_db::testing::TEST_DATABASE_ENV) {
        Ok(url) if !url.trim().is_empty() => "PostgreSQL",
        _ => "SQLite",
    }
}

// ---------------------------------------------------------------------------------------------
// Figures

/// What one timed phase measured.
#[derive(Debug, Clone)]
struct Measured {
    requests: usize,
    elapsed: Duration,
    /// Per-request latencies, sorted (empty when not measured per request).
    latencies: Vec<Duration>,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.latencies.len();
        if n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        Some(self.latencies[rank.clamp(1, n) - 1])
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The round with the median rate.
fn median(mut rounds: Vec<Measured>) -> Measured {
    rounds.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
    rounds.swap_remove(rounds.len() / 2)
}

fn summary_line(name: &str, unit: &str, m: &Measured) -> String {
    let p = |q| m.percentile(q).map_or_else(|| "–".to_owned(), ms);
    format!(
        "| {name} | {} | {} | {:.0} {unit}/s | {} | {} |",
        m.requests,
        ms(m.elapsed),
        m.rate(),
        p(50.0),
        p(99.0)
    )
}

// ---------------------------------------------------------------------------------------------
// Inbox throughput

#[derive(Clone, Default)]
struct RemoteState {
    /// Actor documents by name.
    actors: Arc<HashMap<String, String>>,
    /// GETs of actor documents (Plaza fetching an actor it does not know).
    fetches: Arc<AtomicUsize>,
}

struct RemoteActor {
    id: String,
    private_key: String,
}

/// A server playing a Mastodon-like instance with many users, each with an RSA key of their
/// own. It signs activities with the federation library and captures them instead of sending
/// them on, so that the benchmark can replay them to Plaza later.
struct Remote {
    base: String,
    actors: Vec<RemoteActor>,
    state: RemoteState,
}

impl Remote {
    async fn start(count: usize) -> Self {
        let keys = futures::future::join_all((0..count).map(|_| plaza_core::keys::generate()))
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .expect("RSA keys");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        let mut documents = HashMap::new();
        let mut actors = Vec::new();
        for (n, key) in keys.into_iter().enumerate() {
            let name = format!("user{n}");
            let id = format!("{base}/users/{name}");
            let document = json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": id, "type": "Person", "preferredUsername": name,
                "inbox": format!("{id}/inbox"),
                "endpoints": { "sharedInbox": format!("{base}/inbox") },
                "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key.public_pem }
            });
            documents.insert(name, document.to_string());
            actors.push(RemoteActor {
                id,
                private_key: key.private_pem,
            });
        }
        let state = RemoteState {
            actors: Arc::new(documents),
            ..RemoteState::default()
        };
        async fn actor(
            State(state): State<RemoteState>,
            Path(name): Path<String>,
        ) -> impl IntoResponse {
            state.fetches.fetch_add(1, Ordering::Relaxed);
            match state.actors.get(&name) {
                Some(document) => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/activity+json")],
                    document.clone(),
                )
                    .into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
        // What Plaza sends back (Accepts, announces) is taken and dropped.
        let app = Router::new()
            .route("/users/{name}", get(actor))
            .route(
                "/users/{name}/inbox",
                post(|| async { StatusCode::ACCEPTED }),
            )
            .route("/inbox", post(|| async { StatusCode::ACCEPTED }))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base,
            actors,
            state,
        }
    }

    /// Signs `activity` as actor `n` for Plaza's shared inbox, without sending it.
    async fn sign(
        &self,
        signer: &RequestSigner,
        plaza: &TestInstance,
        n: usize,
        activity: &Value,
    ) -> SignedRequest {
        let actor = &self.actors[n];
        let target = format!("{}/inbox", plaza.base);
        signer
            .sign(&actor.id, &actor.private_key, &target, activity)
            .await
    }

    /// Signs one activity per actor, `make(actor id)` giving it; not timed.
    async fn sign_all(
        &self,
        signer: &RequestSigner,
        plaza: &TestInstance,
        make: impl Fn(&str) -> Value,
    ) -> Vec<SignedRequest> {
        let activities: Vec<Value> = self.actors.iter().map(|a| make(&a.id)).collect();
        futures::stream::iter(activities.iter().enumerate())
            .map(|(n, activity)| self.sign(signer, plaza, n, activity))
            .buffered(8)
            .collect()
            .await
    }

    fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::Relaxed)
    }
}

/// POSTs every request to Plaza's shared inbox, `concurrency` at a time; every answer must be
/// 202.
async fn post_all(
    plaza: &TestInstance,
    requests: &[SignedRequest],
    concurrency: usize,
) -> Measured {
    post_expecting(plaza, requests, concurrency, 202).await
}

/// Posts the requests, checking that each is answered with `expected`.
async fn post_expecting(
    plaza: &TestInstance,
    requests: &[SignedRequest],
    concurrency: usize,
    expected: u16,
) -> Measured {
    let client = reqwest::Client::new();
    let url = format!("{}/inbox", plaza.base);
    let started = Instant::now();
    let answers: Vec<(u16, Duration, String)> = futures::stream::iter(requests)
        .map(|request| {
            let mut headers = request.headers.clone();
            headers.remove(header::CONTENT_LENGTH);
            let sent = client
                .post(&url)
                .headers(headers)
                .body(request.body.clone())
                .send();
            async move {
                let start = Instant::now();
                let response = sent.await.expect("POST to the inbox");
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                (status, start.elapsed(), body)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let refused: Vec<&(u16, Duration, String)> = answers
        .iter()
        .filter(|(status, ..)| *status != expected)
        .collect();
    assert!(
        refused.is_empty(),
        "{} of {} activities were not answered {expected}, e.g. {:?}",
        refused.len(),
        answers.len(),
        refused.first()
    );
    let mut latencies: Vec<Duration> = answers.iter().map(|(_, d, _)| *d).collect();
    latencies.sort();
    Measured {
        requests: requests.len(),
        elapsed,
        latencies,
    }
}

async fn follower_count(plaza: &TestInstance, name: &str) -> i64 {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let found = group::find_local(conn, name).await.unwrap().unwrap();
    group::view(conn, found.id).await.unwrap().follower_count
}

async fn inbox_benchmark(config: &Config) -> Vec<String> {
    let actors = config.actors;
    println!(
        "\ninbox: {actors} remote actors on one server, each with its own RSA-2048 key; {} requests in flight",
        config.concurrency
    );
    let keys_started = Instant::now();
    let remote = Remote::start(actors).await;
    println!(
        "  (set-up: {actors} key pairs in {:.1} s)",
        keys_started.elapsed().as_secs_f64()
    );
    let mut phases: [Vec<Measured>; 3] = Default::default();
    let names = [
        "Follow, actors unknown (cold)",
        "Follow, actors cached (warm)",
        "Undo Follow, actors cached",
    ];
    for round in 1..=config.rounds {
        let plaza = bench_instance().await;
        let admin = plaza.with_group("support").await;
        let answer = admin
            .post("/groups", &json!({"name": "sales", "title": "Sales"}))
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        let support = plaza.ctx.urls.group("support");
        let sales = plaza.ctx.urls.group("sales");
        let follow = |actor: &str, group: &str, name: &str| {
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{actor}/follows/{round}/{name}"), "type": "Follow",
                "actor": actor, "object": group
            })
        };

        // Signed before the clock starts: signing is the sender's cost.
        let signing = RequestSigner::new(plaza.ctx.clone()).await;
        let cold = remote
            .sign_all(&signing, &plaza, |a| follow(a, &support, "support"))
            .await;
        let warm = remote
            .sign_all(&signing, &plaza, |a| follow(a, &sales, "sales"))
            .await;
        let undo = remote
            .sign_all(&signing, &plaza, |a| {
                json!({
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{a}/undo/{round}"), "type": "Undo", "actor": a,
                    "object": follow(a, &support, "support")
                })
            })
            .await;

        let fetches = remote.fetches();
        let m = post_all(&plaza, &cold, config.concurrency).await;
        let cold_fetches = remote.fetches() - fetches;
        assert_eq!(cold_fetches, actors, "each unknown actor is fetched once");
        assert_eq!(follower_count(&plaza, "support").await, actors as i64);
        report_round(
            round,
            names[0],
            &m,
            &format!("{cold_fetches} actor fetches"),
        );
        phases[0].push(m);

        let fetches = remote.fetches();
        let m = post_all(&plaza, &warm, config.concurrency).await;
        assert_eq!(remote.fetches(), fetches, "cached actors are not fetched");
        assert_eq!(follower_count(&plaza, "sales").await, actors as i64);
        report_round(round, names[1], &m, "0 actor fetches");
        phases[1].push(m);

        let m = post_all(&plaza, &undo, config.concurrency).await;
        assert_eq!(follower_count(&plaza, "support").await, 0);
        assert_eq!(follower_count(&plaza, "sales").await, actors as i64);
        report_round(round, names[2], &m, "");
        phases[2].push(m);

        // Each Follow queued its Accept (no worker runs here).
        let queued = {
            let mut pooled = plaza.ctx.db.get().await.unwrap();
            delivery::counts(&mut pooled.conn()).await.unwrap().pending
        };
        assert_eq!(queued, 2 * actors as i64, "one Accept per Follow");
        plaza.stop().await;
    }
    names
        .iter()
        .zip(phases)
        .map(|(name, rounds)| {
            summary_line(&format!("inbox: {name}"), "activities", &median(rounds))
        })
        .collect()
}

fn report_round(round: usize, name: &str, m: &Measured, note: &str) {
    println!(
        "  round {round}  {name:<30} {:>5} × 202 in {:>9}  {:>7.0} activities/s  p50 {:>8}  p99 {:>8}  {note}",
        m.requests,
        ms(m.elapsed),
        m.rate(),
        m.percentile(50.0).map_or_else(String::new, ms),
        m.percentile(99.0).map_or_else(String::new, ms),
    )
}

// ---------------------------------------------------------------------------------------------
// Delivery fan-out

/// A remote server that only counts the activities POSTed to it.
struct Sink {
    base: String,
    domain: String,
    posts: Arc<AtomicUsize>,
}

impl Sink {
    async fn start() -> Self {
        let posts = Arc::new(AtomicUsize::new(0));
        async fn receive(State(posts): State<Arc<AtomicUsize>>, _body: Bytes) -> StatusCode {
            posts.fetch_add(1, Ordering::Relaxed);
            StatusCode::ACCEPTED
        }
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(posts.clone());
        let (base, domain) = plaza_tests::serve_loopback(app).await;
        Self {
            base,
            domain,
            posts,
        }
    }

    fn take(&self) -> usize {
        self.posts.swap(0, Ordering::Relaxed)
    }
}

/// Stores `per_sink` followers of `group_id` on each sink, with or without a shared inbox, the
/// way the inbox stores remote people who follow.
async fn add_followers(
    plaza: &TestInstance,
    group_id: i64,
    sinks: &[Sink],
    per_sink: usize,
    shared: bool,
) -> Result<(), DbError> {
    transaction!(&plaza.ctx.db, DbError, |conn| {
        for sink in sinks {
            plaza_db::testing::add_remote_followers(
                conn,
                group_id,
                &sink.base,
                &sink.domain,
                per_sink,
                shared,
            )
            .await?;
        }
        Ok(())
    })
}

async fn fan_out_benchmark(config: &Config) -> Vec<String> {
    let followers = config.instances * config.followers_per_instance;
    println!(
        "\nfan-out: one new thread to {followers} remote followers on {} servers ({} each); default delivery settings",
        config.instances, config.followers_per_instance
    );
    let sinks = futures::future::join_all((0..config.instances).map(|_| Sink::start())).await;
    let mut summary = Vec::new();
    for shared in [true, false] {
        let per_sink = if shared {
            1
        } else {
            config.followers_per_instance
        };
        let expected = config.instances * per_sink;
        let name = if shared {
            "shared inboxes"
        } else {
            "personal inboxes"
        };
        let plaza = bench_instance().await;
        let admin = plaza.with_group("support").await;
        let group_id = local_group_id(&plaza, "support").await;
        add_followers(
            &plaza,
            group_id,
            &sinks,
            config.followers_per_instance,
            shared,
        )
        .await
        .expect("store the followers");
        assert_eq!(follower_count(&plaza, "support").await, followers as i64);
        let federation = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
            .await
            .unwrap();
        let worker =
            DeliveryWorker::new(plaza.ctx.clone(), federation, DeliverySettings::default());
        let publisher = Publisher::new(plaza.ctx.clone());
        let mut rounds = Vec::new();
        for round in 1..=config.rounds {
            admin
                .thread("support", &format!("Fan-out {round}"), "Hello, followers.")
                .await;
            let started = Instant::now();
            assert_eq!(
                publisher.run_once().await.unwrap(),
                1,
                "one event published"
            );
            let published = started.elapsed();
            while worker.run_once().await.unwrap() > 0 {}
            let elapsed = started.elapsed();

            let counts = {
                let mut pooled = plaza.ctx.db.get().await.unwrap();
                delivery::counts(&mut pooled.conn()).await.unwrap()
            };
            assert_eq!(
                (counts.pending, counts.failed),
                (0, 0),
                "every delivery arrived: {counts:?}"
            );
            assert_eq!(counts.delivered, (round * expected) as i64, "{counts:?}");
            for sink in &sinks {
                assert_eq!(sink.take(), per_sink, "POSTs received by {}", sink.domain);
            }
            let m = Measured {
                requests: expected,
                elapsed,
                latencies: Vec::new(),
            };
            println!(
                "  round {round}  {name:<16} {expected:>5} requests  publish {:>8}  deliver {:>9}  total {:>9}  {:>6.0} deliveries/s  {:>6.0} followers/s",
                ms(published),
                ms(elapsed - published),
                ms(elapsed),
                m.rate(),
                followers as f64 / elapsed.as_secs_f64()
            );
            rounds.push(m);
        }
        plaza.stop().await;
        summary.push(summary_line(
            &format!(
                "fan-out: {followers} followers on {} servers, {name}",
                config.instances
            ),
            "deliveries",
            &median(rounds),
        ));
    }
    summary
}

/// How long after the API call that creates a thread its first delivery reaches a follower, with
/// the background tasks running as `plaza serve` runs them: once polling only (as before they
/// could be woken: publisher every 0.5 s, worker every 1 s), once woken by the change itself.
async fn first_delivery_benchmark(config: &Config) -> Vec<String> {
    let rounds = config.rounds * 4;
    println!("\nfirst delivery: API call creating a thread to the first POST at a follower");
    let mut summary = Vec::new();
    for woken in [true, false] {
        let name = if woken { "woken" } else { "polling only" };
        let plaza = bench_instance().await;
        let admin = plaza.with_group("support").await;
        let sinks = vec![Sink::start().await];
        let group_id = local_group_id(&plaza, "support").await;
        add_followers(&plaza, group_id, &sinks, 1, true)
            .await
            .expect("store the follower");
        if woken {
            plaza.run_background(Duration::from_secs(60)).await;
        } else {
            plaza.run_background_polling_only().await;
        }
        let mut latencies = Vec::new();
        let all = Instant::now();
        for round in 1..=rounds {
            // Rounds start at varying points of the poll cycle.
            tokio::time::sleep(Duration::from_millis(200 + 37 * round as u64 % 300)).await;
            let started = Instant::now();
            admin
                .thread("support", &format!("First {round}"), "Hello.")
                .await;
            while sinks[0].posts.load(Ordering::Relaxed) == 0 {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "no delivery ({name})"
                );
                tokio::time::sleep(Duration::from_micros(500)).await;
            }
            latencies.push(started.elapsed());
            assert_eq!(sinks[0].take(), 1, "one POST per thread");
        }
        let elapsed = all.elapsed();
        latencies.sort();
        let m = Measured {
            requests: rounds,
            elapsed,
            latencies,
        };
        println!(
            "  {name:<13} {rounds} threads  p50 {}  p99 {}  max {}",
            m.percentile(50.0).map_or_else(String::new, ms),
            m.percentile(99.0).map_or_else(String::new, ms),
            m.latencies.last().copied().map_or_else(String::new, ms),
        );
        plaza.stop().await;
        summary.push(summary_line(
            &format!("first delivery of a new thread, {name}"),
            "threads",
            &m,
        ));
    }
    summary
}

/// The id of the local group `name`.
async fn local_group_id(plaza: &TestInstance, name: &str) -> i64 {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    group::find_local(&mut pooled.conn(), name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// An instance without rate limits: the benchmark sends everything from one address.
async fn bench_instance() -> TestInstance {
    let web = plaza_web::WebConfig {
        rate_limits: plaza_web::rate_limit::RateLimits::unlimited(),
        ..plaza_web::WebConfig::default()
    };
    TestInstance::spawn_with(plaza_core::Settings::default(), web).await
}

/// The resident memory of this process (Plaza runs in it), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

async fn limits_benchmark() {
    const HOSTILE: usize = 8;
    println!("\nlimits: hostile HTML, then memory under bodies naming 125,000 addressees");
    let remote = Remote::start(HOSTILE).await;
    let plaza = bench_instance().await;
    let admin = plaza.with_group("support").await;
    let thread = admin.thread("support", "Printer on fire", "").await;
    let group = plaza.ctx.urls.group("support");
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let nested = "<div>".repeat(96_000);
    let signing = RequestSigner::new(plaza.ctx.clone()).await;
    let hostile = remote
        .sign_all(&signing, &plaza, |actor| {
            json!({
                "id": format!("{actor}/creates/nested"), "type": "Create", "actor": actor,
                "to": [public], "cc": [group],
                "object": {
                    "id": format!("{actor}/notes/nested"), "type": "Note", "attributedTo": actor,
                    "to": [public], "cc": [group],
                    "inReplyTo": format!("{}/post/{thread}", plaza.base), "content": nested
                }
            })
        })
        .await;
    println!("  hostile body: {} bytes", hostile[0].body.len());
    let alone = post_expecting(&plaza, &hostile[..1], 1, 400).await;
    println!(
        "  one hostile body alone: answered 400 in {}",
        ms(alone.elapsed)
    );

    // Two at a time, while a visitor reads the home page again and again.
    let sending = post_expecting(&plaza, &hostile[1..], 2, 400);
    let reading = async {
        let client = reqwest::Client::new();
        let mut times = Vec::new();
        for _ in 0..40 {
            let started = Instant::now();
            let page = client.get(format!("{}/", plaza.base)).send().await.unwrap();
            assert_eq!(page.status(), 200);
            page.bytes().await.unwrap();
            times.push(started.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        times.sort();
        times
    };
    let (sent, pages) = futures::future::join(sending, reading).await;
    println!(
        "  {} hostile bodies, 2 at a time: p50 {}  max {}",
        sent.requests,
        sent.percentile(0.5).map_or("-".to_owned(), ms),
        sent.latencies.last().copied().map_or("-".to_owned(), ms)
    );
    println!(
        "  home page meanwhile ({} reads): p50 {}  max {}",
        pages.len(),
        ms(pages[pages.len() / 2]),
        ms(pages[pages.len() - 1])
    );

    // Memory: rounds of eight concurrent 500 KB Creates naming 125,000 addressees each. The
    // inbox refuses them before the signature is checked, so they need none.
    let crowd = vec!["a"; 125_000];
    let body = json!({
        "id": format!("{}/creates/crowd", remote.base), "type": "Create",
        "actor": remote.actors[0].id, "to": [public], "cc": crowd,
        "object": {"id": format!("{}/notes/crowd", remote.base), "type": "Note", "content": "x"}
    })
    .to_string();
    println!("  addressee body: {} bytes", body.len());
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        "application/activity+json".parse().unwrap(),
    );
    let crowded = vec![
        SignedRequest {
            path: "/inbox".to_owned(),
            headers,
            body: body.into_bytes(),
        };
        8
    ];
    let before = rss_mib();
    let mut line = format!("  RSS MiB: start {before:.0}");
    for round in 1..=20 {
        let m = post_expecting(&plaza, &crowded, 8, 400).await;
        line.push_str(&format!(" | {round}: {:.0}", rss_mib()));
        if round == 20 {
            line.push_str(&format!(
                " (last round p50 {})",
                m.percentile(0.5).map_or("-".to_owned(), ms)
            ));
        }
    }
    println!("{line}");
    plaza.stop().await;
}
