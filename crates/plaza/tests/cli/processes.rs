//! Several `plaza` processes on one database: web processes and workers on PostgreSQL sharing
//! the work, and SQLite refusing a second process.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use plaza_db::testing::TestDatabase;
use plaza_db::{DatabaseUrl, delivery};
use serde_json::json;

use tokio::process::Command;

use crate::sink::Sink;
use crate::{plaza, running};

const THREADS: usize = 200;
const SERVERS: usize = 20;
/// The killed worker sends at most this many deliveries at once: each is recorded as soon as it
/// is answered, so at most this many can have reached their server without being recorded, and
/// be sent again by the other worker once the dead one's lease ends.
const KILLED_WORKER_CONCURRENCY: usize = 8;

#[tokio::test(flavor = "multi_thread")]
async fn two_web_processes_and_two_workers_deliver_every_thread_even_when_a_worker_is_killed() {
    plaza_federation::install_tls_provider();
    let db = TestDatabase::create().await.expect("test database");
    let DatabaseUrl::Postgres(database_url) = db.url.clone() else {
        // SQLite serves one process; see the tests below.
        eprintln!("several processes need PostgreSQL: set PLAZA_TEST_DATABASE_URL");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    running::create_admin_and_group(dir.path(), &database_url, None).await;

    // Five followers on each of twenty servers, all behind the server's shared inbox: every
    // new thread is one POST per server.
    let sinks = futures::future::join_all((0..SERVERS).map(|_| Sink::start())).await;
    running::add_followers(&db, &sinks, 5).await;

    // A short lease, so that the survivor takes over the killed worker's claims within seconds,
    // yet long enough that a live worker on this busy machine is never overtaken (which would
    // send its deliveries twice as well).
    let lease = ["--delivery-lease-seconds", "10"];
    let killed_concurrency = KILLED_WORKER_CONCURRENCY.to_string();
    let mut doomed = running::start(
        dir.path(),
        &database_url,
        &[
            "worker",
            "--dev-mode",
            lease[0],
            lease[1],
            "--delivery-concurrency",
            &killed_concurrency,
        ],
        "worker running",
    )
    .await;
    let _survivor = running::start(
        dir.path(),
        &database_url,
        &["worker", "--dev-mode", lease[0], lease[1]],
        "worker running",
    )
    .await;
    // One client creates every thread: the posting limit is off, as an operator may set it.
    let web_args = [
        "serve",
        "--role",
        "web",
        "--listen",
        "127.0.0.1:0",
        "--rate-limit-posting",
        "0",
    ];
    let webs = [
        running::start(dir.path(), &database_url, &web_args, "listening on").await,
        running::start(dir.path(), &database_url, &web_args, "listening on").await,
    ];
    let bases: Vec<String> = webs.iter().map(running::Process::base).collect();

    let token = running::login_ada(&bases[0]).await;

    let client = reqwest::Client::new();
    let create = |n: usize| {
        let client = client.clone();
        let url = format!("{}/api/v1/groups/support/threads", bases[n % bases.len()]);
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
    };
    futures::stream::iter(0..THREADS / 2)
        .for_each_concurrent(8, create)
        .await;
    // In the middle of the fan-out: one worker dies without a chance to release anything.
    doomed.child.start_kill().expect("SIGKILL");
    doomed.child.wait().await.expect("reaped");
    futures::stream::iter(THREADS / 2..THREADS)
        .for_each_concurrent(8, create)
        .await;

    // Every server gets every thread's activity; the queue empties.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let counts = {
            let mut pooled = db.pool.get().await.expect("connection");
            delivery::counts(&mut pooled.conn()).await.expect("counts")
        };
        let complete = sinks.iter().all(|s| {
            let mut ids = s.received();
            ids.sort();
            ids.dedup();
            ids.len() >= THREADS
        });
        if complete && counts.pending == 0 {
            assert_eq!(counts.failed, 0, "no delivery was given up");
            assert_eq!(counts.delivered, (THREADS * SERVERS) as i64);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not delivered in time: {counts:?}, received {:?}",
            sinks.iter().map(|s| s.received().len()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let mut duplicates = 0;
    for sink in &sinks {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for id in sink.received() {
            *seen.entry(id).or_default() += 1;
        }
        assert_eq!(
            seen.len(),
            THREADS,
            "one activity per thread at {}",
            sink.base
        );
        duplicates += seen.values().map(|n| n - 1).sum::<usize>();
    }
    // A second copy is allowed only where the killed worker sent a delivery and died before
    // recording it; receivers drop it by its activity id.
    println!("{duplicates} activities arrived twice");
    assert!(
        duplicates <= KILLED_WORKER_CONCURRENCY,
        "{duplicates} duplicates: more than the killed worker had in flight"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_plaza_process_on_one_sqlite_database_stops_with_a_clear_error() {
    plaza_federation::install_tls_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = "sqlite://data/plaza.db";
    let first = running::start(
        dir.path(),
        database_url,
        &["serve", "--listen", "127.0.0.1:0"],
        "listening on",
    )
    .await;
    for args in [
        vec!["serve", "--listen", "127.0.0.1:0"],
        vec!["serve", "--role", "web", "--listen", "127.0.0.1:0"],
        vec!["worker"],
    ] {
        let mut command: Command = plaza(dir.path()).into();
        let output = command
            .env("DATABASE_URL", database_url)
            .args(&args)
            .output()
            .await
            .expect("run plaza");
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} started");
        let expected = if args.contains(&"serve") && !args.contains(&"web") {
            "another Plaza process is already running on data/plaza.db"
        } else {
            "needs PostgreSQL: an SQLite database serves one process"
        };
        assert!(text.contains(expected), "{args:?}: {text}");
    }
    // The first one still serves, and short commands still work beside it.
    let answer = reqwest::get(format!("{}/api/v1/instance", first.base()))
        .await
        .expect("request");
    assert_eq!(answer.status(), 200);
    let mut command: Command = plaza(dir.path()).into();
    let output = command
        .env("DATABASE_URL", database_url)
        .args(["group", "create", "beside", "--title", "Beside"])
        .output()
        .await
        .expect("run plaza");
    assert!(output.status.success(), "{output:?}");
}
