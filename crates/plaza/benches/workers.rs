//! Delivery fan-out by one and by two `plaza worker` processes on one PostgreSQL database (see
//! docs/benchmarks.md, "Fan-out with one and two worker processes").
//!
//! Each round starts from a new database: the group `support` has 1,000 followers on 100 servers
//! (10 each, behind shared inboxes), a `plaza serve --role web` process takes 50 new threads
//! through the API while no worker runs, and then one or two `plaza worker` processes are started
//! at once. They publish the 50 threads and deliver 5,000 activities (one per server and thread).
//! The round ends when every server has received every thread's activity and the queue holds
//! nothing pending; a failed delivery stops the benchmark.
//!
//! `PLAZA_TEST_DATABASE_URL=postgres://USER@HOST/DB cargo bench -p plaza --bench workers`
// A failed set-up or check is a failed benchmark.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use futures::StreamExt;
use plaza_db::testing::TestDatabase;
use plaza_db::{DatabaseUrl, delivery};
use serde_json::json;

#[path = "../tests/cli/running.rs"]
#[allow(dead_code)]
mod running;
#[path = "../tests/cli/sink.rs"]
mod sink;

use sink::Sink;

const SERVERS: usize = 100;
const FOLLOWERS_PER_SERVER: usize = 10;
const THREADS: usize = 50;
const ROUNDS: usize = 3;

fn plaza(dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_plaza"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PLAZA_PUBLIC_URL")
        .env_remove("PLAZA_LISTEN")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1");
    command
}

/// What one round measured.
struct Round {
    /// From starting the worker processes until the last server has every activity.
    total: Duration,
    /// From the first to the last activity received by any server.
    span: Duration,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    plaza_federation::install_tls_provider();
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut results: [Vec<Round>; 2] = [Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        for workers in [1, 2] {
            let Some(measured) = run_round(workers).await else {
                eprintln!("the workers benchmark needs PostgreSQL: set PLAZA_TEST_DATABASE_URL");
                return;
            };
            println!(
                "round {}: {workers} worker(s): all delivered {:.0} ms after start, first-to-last delivery {:.0} ms ({:.0} deliveries/s)",
                round + 1,
                ms(measured.total),
                ms(measured.span),
                rate(measured.span)
            );
            results[workers - 1].push(measured);
        }
    }
    println!(
        "\n{THREADS} threads to {} followers on {SERVERS} servers ({} deliveries), median of {ROUNDS} rounds:",
        SERVERS * FOLLOWERS_PER_SERVER,
        THREADS * SERVERS
    );
    for (index, rounds) in results.iter_mut().enumerate() {
        rounds.sort_by_key(|r| r.total);
        let total = rounds[rounds.len() / 2].total;
        rounds.sort_by_key(|r| r.span);
        let span = rounds[rounds.len() / 2].span;
        println!(
            "  {} worker process(es): all delivered after {:.0} ms; first-to-last {:.0} ms = {:.0} deliveries/s",
            index + 1,
            ms(total),
            ms(span),
            rate(span)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rate(span: Duration) -> f64 {
    (THREADS * SERVERS) as f64 / span.as_secs_f64().max(1e-6)
}

async fn run_round(workers: usize) -> Option<Round> {
    let db = TestDatabase::create().await.expect("test database");
    let DatabaseUrl::Postgres(database_url) = db.url.clone() else {
        return None;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    running::create_admin_and_group(dir.path(), &database_url, None).await;
    let sinks = futures::future::join_all((0..SERVERS).map(|_| Sink::start())).await;
    running::add_followers(&db, &sinks, FOLLOWERS_PER_SERVER).await;

    // The threads wait in the event log: a web process neither publishes nor delivers.
    {
        let web = running::start(
            dir.path(),
            &database_url,
            &[
                "serve",
                "--role",
                "web",
                "--listen",
                "127.0.0.1:0",
                "--rate-limit-posting",
                "0",
            ],
            "listening on",
        )
        .await;
        create_threads(&web.base()).await;
    }

    let started = Instant::now();
    let _workers = futures::future::join_all((0..workers).map(|_| {
        running::start(
            dir.path(),
            &database_url,
            &["worker", "--dev-mode"],
            "worker running",
        )
    }))
    .await;
    let deadline = started + Duration::from_secs(300);
    loop {
        if sinks.iter().all(|s| s.count() >= THREADS) {
            let counts = {
                let mut pooled = db.pool.get().await.expect("connection");
                delivery::counts(&mut pooled.conn()).await.expect("counts")
            };
            assert_eq!(counts.failed, 0, "no delivery was given up");
            if counts.pending == 0 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "not delivered in 300 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let arrivals: Vec<Instant> = sinks.iter().flat_map(Sink::arrivals).collect();
    let first = arrivals.iter().min().copied().expect("an arrival");
    let last = arrivals.iter().max().copied().expect("an arrival");
    for sink in &sinks {
        let mut ids = sink.received();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), THREADS, "every thread once at {}", sink.base);
    }
    Some(Round {
        total: last - started,
        span: last - first,
    })
}

async fn create_threads(base: &str) {
    let client = reqwest::Client::new();
    let token = running::login_ada(base).await;
    futures::stream::iter(0..THREADS)
        .for_each_concurrent(8, |n| {
            let client = client.clone();
            let url = format!("{base}/api/v1/groups/support/threads");
            let token = token.clone();
            async move {
                let answer = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"title": format!("Thread {n}"), "body": "for every follower"}))
                    .send()
                    .await
                    .expect("create a thread");
                assert_eq!(answer.status(), 201, "thread {n}");
            }
        })
        .await;
}
