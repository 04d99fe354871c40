//! What an operator's load balancer or orchestrator relies on: liveness and readiness answers,
//! and rate limits set from their text form, `0` turning one off.

use std::time::Duration;

use plaza_core::Settings;
use plaza_tests::TestInstance;
use plaza_web::WebConfig;
use serde_json::{Value, json};

/// GETs `path` outside the API; returns the status, headers and JSON body.
async fn probe(plaza: &TestInstance, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = reqwest::get(format!("{}{path}", plaza.base)).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_instance_is_live_and_ready_without_cookies_or_caching() {
    let plaza = TestInstance::spawn().await;
    let (status, headers, body) = probe(&plaza, "/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "ok"}));
    assert!(headers.get("set-cookie").is_none());
    assert_eq!(headers["cache-control"], "no-store");
    let (status, headers, body) = probe(&plaza, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"]["state"], "ok");
    assert_eq!(body["checks"]["migrations"]["state"], "ok");
    // The test instance runs no delivery worker of its own.
    assert_eq!(body["checks"]["delivery_worker"]["state"], "skipped");
    assert!(headers.get("set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_delivery_worker_is_checked_by_its_heartbeat() {
    let plaza = TestInstance::spawn().await;
    plaza.run_background(Duration::from_millis(100)).await;
    let mut state = Value::Null;
    for _ in 0..50 {
        let (_, _, body) = probe(&plaza, "/readyz").await;
        state = body["checks"]["delivery_worker"]["state"].clone();
        if state == "ok" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_database_makes_the_instance_unready_but_still_live() {
    let plaza = TestInstance::spawn().await;
    plaza.make_database_unreachable().await;
    let (status, _, body) = probe(&plaza, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["checks"]["database"]["state"], "failing", "{body}");
    assert!(body["checks"]["database"]["detail"].is_string(), "{body}");
    assert_eq!(body["checks"]["migrations"]["state"], "skipped", "{body}");
    let (status, _, _) = probe(&plaza, "/healthz").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_migration_makes_the_instance_unready_and_is_named() {
    let plaza = TestInstance::spawn().await;
    plaza.forget_newest_migration().await;
    let (status, _, body) = probe(&plaza, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["database"]["state"], "ok", "{body}");
    assert_eq!(body["checks"]["migrations"]["state"], "failing", "{body}");
    let detail = body["checks"]["migrations"]["detail"].as_str().unwrap();
    assert!(detail.starts_with("1 pending: "), "{detail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_posting_limit_written_as_count_per_window_answers_429_with_retry_after() {
    let mut web = WebConfig::default();
    web.rate_limits.posting = "2/min".parse().unwrap();
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = json!({"title": "Hello", "body": "First"});
    for _ in 0..2 {
        let answer = ada.post("/groups/support/threads", &thread).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let limited = ada.post("/groups/support/threads", &thread).await;
    limited.assert_error(429, "rate_limited");
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_of_zero_turns_it_off() {
    let mut web = WebConfig::default();
    web.rate_limits.auth = "0".parse().unwrap();
    web.rate_limits.any_post = "0".parse().unwrap();
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    plaza.member("ada").await;
    // Past the default allowance of 10 log-ins a minute.
    let attempt = json!({"name": "ada", "password": "wrong password"});
    for _ in 0..15 {
        let answer = plaza.anonymous().post("/auth/login", &attempt).await;
        assert_eq!(answer.status, 401, "{}", answer.body);
    }
}
