//! The soak run: mixed traffic against one instance for a long time, to see that nothing
//! degrades — no 5xx, a flat p99, a flat RSS — and, with a database restart in the middle, that
//! Plaza answers 503 while the database is away, reconnects, and loses no delivery.
//!
//! `cargo bench -p plaza-tests --bench federation -- soak` (only when named). Settings:
//! `PLAZA_SOAK_MINUTES` (30), `PLAZA_SOAK_RATE` (signed activities per second, 20),
//! `PLAZA_SOAK_RESTART` (a shell command run once at half time, e.g.
//! `pg_ctlcluster 15 main restart`). Every second: `RATE` signed activities from 200 remote
//! actors (follow, like, reply, undo), and page and API reads; every minute: a new thread
//! delivered to 20 follower servers. The load generator, the signer and the background
//! publisher and delivery worker run in the same process as the instance, so the RSS is theirs
//! together.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use plaza_db::delivery;
use plaza_federation::delivery::worker::{DeliverySettings, DeliveryWorker};
use plaza_federation::publish::Publisher;
use plaza_tests::RequestSigner;
use serde_json::{Value, json};

use crate::{Remote, Sink, add_followers, bench_instance, local_group_id, rss_mib};

/// One answer: which minute, what kind of request, its status and how long it took.
#[derive(Clone, Copy)]
struct Sample {
    minute: u64,
    status: u16,
    latency: Duration,
}

/// Counts over the whole run; samples are dropped once their minute is reported, so that the
/// load generator's own memory stays flat (its RSS is counted with Plaza's).
#[derive(Default)]
struct Totals {
    requests: usize,
    unavailable: usize,
    server_errors: usize,
}

#[derive(Default)]
struct Minute {
    requests: usize,
    unavailable: usize,
    server_errors: usize,
    client_errors: usize,
    latencies: Vec<Duration>,
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&v: &u64| v > 0)
        .unwrap_or(default)
}

/// Where the activities of one step point: likes stay on the first thread (so a Like and its Undo
/// always name the same one), replies go to the newest thread. A new thread starts every minute,
/// so no thread grows without bound: a page read every second then measures the server, not the
/// size of a conversation that would reach thousands of comments in a long run.
struct Targets<'a> {
    group: &'a str,
    liked: &'a str,
    answered: &'a str,
}

/// The activity actor `n` sends at step `step`: follow, like, reply, undo the like, in turn.
fn activity(actor: &str, n: usize, step: u64, to: &Targets<'_>, remote: &str) -> Value {
    let Targets {
        group,
        liked,
        answered,
    } = *to;
    let id = format!("{actor}/soak/{step}");
    let like_id = format!("{actor}/soak-like/{}", step / 4);
    match step % 4 {
        0 => json!({"id": id, "type": "Follow", "actor": actor, "object": group}),
        1 => json!({"id": like_id, "type": "Like", "actor": actor, "object": liked}),
        2 => json!({
            "id": id, "type": "Create", "actor": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [group],
            "object": {
                "id": format!("{remote}/notes/{n}/{step}"), "type": "Note",
                "attributedTo": actor, "inReplyTo": answered,
                "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [group],
                "content": format!("<p>Reply {step} from user {n}</p>")
            }
        }),
        _ => json!({
            "id": id, "type": "Undo", "actor": actor,
            "object": {"id": like_id, "type": "Like", "actor": actor, "object": liked}
        }),
    }
}

pub async fn soak() {
    // Warnings and errors (a refused request, a lost connection) go to stderr as they happen.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let minutes = setting("PLAZA_SOAK_MINUTES", 30);
    let rate = setting("PLAZA_SOAK_RATE", 20) as usize;
    let restart = std::env::var("PLAZA_SOAK_RESTART").ok();
    println!(
        "\nsoak: {minutes} min, {rate} signed activities/s from 200 actors, reads, a fan-out a minute{}",
        restart
            .as_deref()
            .map_or_else(String::new, |c| format!(", `{c}` at half time"))
    );
    let plaza = Arc::new(bench_instance().await);
    let admin = plaza.with_group("support").await;
    let remote = Arc::new(Remote::start(200).await);
    let sinks = futures::future::join_all((0..20).map(|_| Sink::start())).await;
    let group_id = local_group_id(&plaza, "support").await;
    add_followers(&plaza, group_id, &sinks, 10, true)
        .await
        .unwrap();
    let first = admin
        .thread("support", "Soak thread", "The one everyone answers")
        .await;
    let liked = plaza.ctx.urls.post(first);
    // The thread replies go to and pages read: the newest one.
    let mut newest = first;
    let group_url = plaza.ctx.urls.group("support");

    // The background tasks `plaza serve` runs: publisher and delivery worker.
    let federation = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let publisher = Publisher::new(plaza.ctx.clone());
    let worker = DeliveryWorker::new(plaza.ctx.clone(), federation, DeliverySettings::default());
    let background = {
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            while !*stop.borrow() {
                let published = publisher.run_once().await.unwrap_or(0);
                let delivered = worker.run_once().await.unwrap_or(0);
                if published + delivered == 0 {
                    tokio::select! {
                        _ = stop.changed() => {}
                        () = tokio::time::sleep(Duration::from_millis(50)) => {}
                    }
                }
            }
        })
    };

    let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
    let mut totals = Totals::default();
    let signer = RequestSigner::new(plaza.ctx.clone()).await;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let total = Duration::from_secs(minutes * 60);
    let mut second = 0u64;
    let mut fan_outs = 0usize;
    let mut restarted = false;
    let mut in_flight = Vec::new();
    while started.elapsed() < total {
        let minute = second / 60;
        // Signed activities, this second's share.
        for k in 0..rate {
            let slot = second as usize * rate + k;
            let n = slot % remote.actors.len();
            let step = (slot / remote.actors.len()) as u64;
            let actor = &remote.actors[n];
            let answered = plaza.ctx.urls.post(newest);
            let to = Targets {
                group: &group_url,
                liked: &liked,
                answered: &answered,
            };
            let body = activity(&actor.id, n, step, &to, &remote.base);
            let signed = signer
                .sign(
                    &actor.id,
                    &actor.private_key,
                    &format!("{}/inbox", plaza.base),
                    &body,
                )
                .await;
            let mut headers = signed.headers.clone();
            headers.remove(reqwest::header::CONTENT_LENGTH);
            let request = client
                .post(format!("{}/inbox", plaza.base))
                .headers(headers)
                .body(signed.body);
            in_flight.push(tokio::spawn(timed(request, samples.clone(), minute)));
        }
        // Reads: pages and API, as visitors and apps do.
        for path in [
            "/".to_owned(),
            "/g/support".to_owned(),
            format!("/post/{newest}"),
            "/api/v1/groups/support/threads".to_owned(),
            format!("/api/v1/threads/{newest}"),
        ] {
            let request = client.get(format!("{}{path}", plaza.base));
            in_flight.push(tokio::spawn(timed(request, samples.clone(), minute)));
        }
        if second % 60 == 30 {
            let answer = admin
                .post(
                    "/groups/support/threads",
                    &json!({"title": format!("Fan-out {fan_outs}"), "body": "to every follower"}),
                )
                .await;
            if answer.status == 201 {
                fan_outs += 1;
                if let Some(id) = answer.body.pointer("/thread/id").and_then(Value::as_i64) {
                    newest = id;
                }
            }
        }
        if let Some(command) = &restart
            && !restarted
            && started.elapsed() >= total / 2
        {
            restarted = true;
            let command = command.clone();
            let at = started.elapsed().as_secs();
            let ran = tokio::task::spawn_blocking(move || {
                std::process::Command::new("sh")
                    .arg("-c")
                    .arg(&command)
                    .status()
            })
            .await
            .unwrap();
            println!("  at {at} s: restart command ran ({ran:?})");
        }
        in_flight.retain(|t| !t.is_finished());
        second += 1;
        let next = Duration::from_secs(second);
        if let Some(wait) = next.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        if second.is_multiple_of(60) {
            report_minute(&samples, second / 60 - 1, &mut totals);
        }
    }
    futures::stream::iter(in_flight)
        .for_each(|t| async {
            let _ = t.await;
        })
        .await;

    // Everything queued must go out: nothing pending, nothing given up.
    let drained = Instant::now();
    let counts = loop {
        let counts = {
            let mut pooled = plaza.ctx.db.get().await.unwrap();
            delivery::counts(&mut pooled.conn()).await.unwrap()
        };
        if counts.pending == 0 || drained.elapsed() > Duration::from_secs(120) {
            break counts;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    stop_tx.send(true).unwrap();
    let _ = background.await;
    let received: usize = sinks.iter().map(Sink::take).sum();
    // Answers that came after their minute was reported.
    if !samples.lock().unwrap().is_empty() {
        report_minute(&samples, u64::MAX, &mut totals);
    }
    let Totals {
        requests,
        unavailable,
        server_errors,
    } = totals;
    println!(
        "  total: {} requests, {server_errors} 5xx other than 503, {unavailable} × 503; {fan_outs} fan-outs; deliveries: {} delivered, {} pending, {} given up; {received} POSTs reached the 20 follower servers; RSS at the end {:.0} MiB",
        requests,
        counts.delivered,
        counts.pending,
        counts.failed,
        rss_mib()
    );
    assert_eq!(counts.pending, 0, "every delivery went out");
    assert_eq!(counts.failed, 0, "no delivery was given up");
    assert!(
        received >= fan_outs * sinks.len(),
        "each follower server got each new thread"
    );
}

/// Sends one request and records its status (599 when no answer came) and latency.
async fn timed(request: reqwest::RequestBuilder, samples: Arc<Mutex<Vec<Sample>>>, minute: u64) {
    let start = Instant::now();
    let status = request.send().await.map_or(599, |r| r.status().as_u16());
    samples.lock().unwrap().push(Sample {
        minute,
        status,
        latency: start.elapsed(),
    });
}

fn report_minute(samples: &Mutex<Vec<Sample>>, minute: u64, totals: &mut Totals) {
    let mut m = Minute::default();
    let reported: Vec<Sample> = {
        let mut kept = samples.lock().unwrap();
        let (reported, later) = kept.drain(..).partition(|s| s.minute <= minute);
        *kept = later;
        reported
    };
    for s in &reported {
        m.requests += 1;
        match s.status {
            503 => m.unavailable += 1,
            500..=599 => m.server_errors += 1,
            400..=499 => m.client_errors += 1,
            _ => {}
        }
        m.latencies.push(s.latency);
    }
    m.latencies.sort();
    totals.requests += m.requests;
    totals.unavailable += m.unavailable;
    totals.server_errors += m.server_errors;
    let p = |q: f64| {
        let n = m.latencies.len();
        if n == 0 {
            return 0.0;
        }
        let rank = ((q / 100.0) * n as f64).ceil() as usize;
        m.latencies[rank.clamp(1, n) - 1].as_secs_f64() * 1000.0
    };
    let label = if minute == u64::MAX {
        "late".to_owned()
    } else {
        format!("minute {:>3}", minute + 1)
    };
    println!(
        "  {label}: {:>6} requests  5xx {:>3}  503 {:>4}  4xx {:>3}  p50 {:>7.1} ms  p99 {:>7.1} ms  RSS {:>5.0} MiB",
        m.requests,
        m.server_errors,
        m.unavailable,
        m.client_errors,
        p(50.0),
        p(99.0),
        rss_mib()
    );
}
