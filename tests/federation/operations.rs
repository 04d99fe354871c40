//! What an operator sees of federation: inbox budgets per remote instance, Prometheus metrics of
//! requests, activities and deliveries, and JSON log lines that carry the request id.

use std::time::Duration;

use plaza_core::Settings;
use plaza_tests::TestInstance;
use plaza_web::WebConfig;
use plaza_web::rate_limit::Limit;
use serde_json::{Value, json};

use crate::remote::{FakeRemote, deliver_all, publish_all, replay};

fn follow(plaza: &TestInstance, remote: &FakeRemote, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/follows/{n}", remote.bob),
        "type": "Follow",
        "actor": remote.bob,
        "object": format!("{}/g/support", plaza.base)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn each_remote_instance_behind_one_address_has_its_own_inbox_budget() {
    let mut web = WebConfig::default();
    web.rate_limits.inbox = Limit::per(2, Duration::from_secs(60));
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    plaza.with_group("support").await;
    // Both on 127.0.0.1, each its own host name and port.
    let busy = FakeRemote::start().await;
    let quiet = FakeRemote::start().await;
    for n in 1..=2 {
        let (status, body) = busy.send(&plaza, "/inbox", &follow(&plaza, &busy, n)).await;
        assert_eq!(status, 202, "{body}");
    }
    let (status, body) = busy.send(&plaza, "/inbox", &follow(&plaza, &busy, 3)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "rate_limited");
    // The busy server spent its own allowance, not the address's.
    for n in 1..=2 {
        let (status, body) = quiet
            .send(&plaza, "/inbox", &follow(&plaza, &quiet, n))
            .await;
        assert_eq!(status, 202, "{body}");
    }
}

/// Checks the Prometheus text line format: comments (`# HELP`, `# TYPE`, `# UNIT`, `# EOF`) and
/// samples `name{label="value",…} number`; returns the samples as (series, value).
fn parse_exposition(text: &str) -> Vec<(String, f64)> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            let keyword = comment.split(' ').next().unwrap();
            assert!(
                ["HELP", "TYPE", "UNIT", "EOF"].contains(&keyword),
                "bad comment line: {line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample line has a value");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name: {line}"
        );
        if name_end < series.len() {
            let labels = &series[name_end..];
            assert!(labels.starts_with('{') && labels.ends_with('}'), "{line}");
            for pair in labels[1..labels.len() - 1].split("\",") {
                let (key, value) = pair.split_once("=\"").expect("label=\"value\"");
                assert!(
                    key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "bad label name: {line}"
                );
                assert!(!value.contains('\n'), "{line}");
            }
        }
        samples.push((series.to_owned(), value));
    }
    samples
}

fn value(samples: &[(String, f64)], series: &str) -> f64 {
    samples
        .iter()
        .find(|(s, _)| s == series)
        .unwrap_or_else(|| panic!("no series {series}"))
        .1
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_route_inbox_activities_by_outcome_and_deliveries() {
    let plaza = TestInstance::spawn().await;
    let scrape_url = plaza.serve_metrics().await;
    let admin = plaza.with_group("support").await;
    let anonymous = plaza.anonymous();
    for _ in 0..3 {
        assert_eq!(anonymous.get("/groups/support").await.status, 200);
    }
    assert_eq!(
        plaza.fetch("/no/such/page-4711", "text/html").await.status,
        404
    );
    let bob = FakeRemote::start().await;
    let (status, body) = bob.send(&plaza, "/inbox", &follow(&plaza, &bob, 1)).await;
    assert_eq!(status, 202, "{body}");
    let (status, body) = bob
        .post_with(&plaza, "/inbox", &follow(&plaza, &bob, 2).to_string(), &[])
        .await;
    assert_eq!(status, 401, "{body}");
    // The Accept waits in the queue until the worker runs; a thread waits for the publisher.
    admin.thread("support", "Hello", "").await;
    let before = reqwest::get(&scrape_url).await.unwrap();
    assert_eq!(before.status(), 200);
    let before = parse_exposition(&before.text().await.unwrap());
    assert_eq!(value(&before, "plaza_delivery_queue_depth"), 1.0);
    assert!(value(&before, "plaza_delivery_oldest_due_age_seconds") >= 0.0);
    assert_eq!(value(&before, "plaza_events_waiting"), 1.0);
    publish_all(&plaza).await;

    let response = reqwest::get(&scrape_url).await.unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    let samples = parse_exposition(&text);
    let route = r#"route="/api/v1/groups/{name}",method="GET""#;
    assert_eq!(
        value(
            &samples,
            &format!(r#"plaza_http_requests_total{{{route},status="200"}}"#)
        ),
        3.0
    );
    assert_eq!(
        value(
            &samples,
            &format!(r#"plaza_http_request_duration_seconds_count{{{route}}}"#)
        ),
        3.0
    );
    assert_eq!(
        value(
            &samples,
            &format!(r#"plaza_http_request_duration_seconds_bucket{{le="+Inf",{route}}}"#)
        ),
        3.0
    );
    // Paths no route matches are one series, and raw paths are never labels.
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(!text.contains("4711"), "{text}");
    assert!(
        text.contains(r#"route="/inbox",method="POST",status="202""#),
        "{text}"
    );
    assert_eq!(
        value(
            &samples,
            r#"plaza_inbox_activities_total{type="Follow",outcome="accepted",reason=""}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            r#"plaza_inbox_activities_total{type="Follow",outcome="refused",reason="unsigned"}"#
        ),
        1.0
    );
    // The Accept, and the thread sent to the group's follower.
    assert_eq!(
        value(
            &samples,
            r#"plaza_delivery_attempts_total{outcome="delivered"}"#
        ),
        2.0
    );
    assert_eq!(value(&samples, "plaza_delivery_queue_depth"), 0.0);
    assert_eq!(
        value(&samples, "plaza_delivery_oldest_due_age_seconds"),
        0.0
    );
    assert_eq!(value(&samples, "plaza_events_waiting"), 0.0);
    assert_eq!(value(&samples, "plaza_dead_hosts"), 0.0);
    assert_eq!(value(&samples, "plaza_database_up"), 1.0);
    assert!(value(&samples, "plaza_db_pool_connections") >= 1.0);
    assert_eq!(value(&samples, "plaza_db_pool_waiting"), 0.0);
    assert!(text.contains("plaza_db_pool_in_use "), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_are_one_object_a_line_carrying_the_request_and_activity_ids() {
    crate::logs::capture();
    let plaza = TestInstance::spawn().await;
    // Ids only this test uses: the log is shared with the tests running alongside.
    let port = plaza.base.rsplit(':').next().unwrap().to_owned();
    let probe_id = format!("probe-{port}");
    let inbox_id = format!("inbox-{port}");
    let follow_id = format!("follow-{port}");
    let http = reqwest::Client::new();
    let health = |id: String| {
        http.get(format!("{}/healthz", plaza.base))
            .header("x-request-id", id)
            .send()
    };
    let kept = health(probe_id.clone()).await.unwrap();
    assert_eq!(kept.headers()["x-request-id"], probe_id.as_str());
    let replaced = health(format!("<script>{port}</script>")).await.unwrap();
    let generated = replaced.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 36, "{generated}");
    let bob = FakeRemote::start().await;
    let activity = follow(&plaza, &bob, 9);
    let refused = http
        .post(format!("{}/inbox", plaza.base))
        .header("content-type", "application/activity+json")
        .header("x-request-id", &inbox_id)
        .body(activity.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    // A follow's Accept is queued while the inbox request runs: its delivery names the request.
    plaza.with_group("support").await;
    let mut signed = bob
        .sign(&plaza, "/g/support/inbox", &follow(&plaza, &bob, 10))
        .await;
    signed
        .headers
        .insert("x-request-id", follow_id.parse().unwrap());
    let (status, body) = replay(&plaza, &signed, None, None).await;
    assert_eq!(status, 202, "{body}");
    deliver_all(&plaza).await;

    let text = crate::logs::text();
    let records: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let in_request = |id: &str| {
        records
            .iter()
            .filter(|r| r["span"]["request_id"] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    let probe = in_request(&probe_id);
    assert!(!probe.is_empty(), "{text}");
    assert!(probe.iter().all(|r| r["span"]["path"] == "/healthz"));
    assert!(!in_request(&generated).is_empty(), "{text}");
    assert!(!text.contains(&format!("<script>{port}")), "{text}");
    let refusal = in_request(&inbox_id)
        .into_iter()
        .find(|r| {
            r["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("inbox refused"))
        })
        .unwrap_or_else(|| panic!("no refusal logged in the request: {text}"));
    assert_eq!(refusal["level"], "INFO");
    assert!(refusal["timestamp"].is_string());
    assert_eq!(refusal["span"]["activity"], activity["id"]);
    let delivered = records
        .iter()
        .find(|r| r["message"] == "delivered" && r["request_id"] == follow_id.as_str())
        .unwrap_or_else(|| panic!("no delivery logged for the follow: {text}"));
    assert!(
        delivered["activity"]
            .as_str()
            .unwrap()
            .starts_with(&plaza.base)
    );
}
