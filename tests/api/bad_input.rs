use plaza_core::Settings;
use plaza_tests::TestInstance;
use plaza_web::WebConfig;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_a_bad_request_and_missing_fields_are_invalid() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    ada.send_raw(
        "/groups/support/threads",
        "application/json",
        b"{\"title\": ".to_vec(),
    )
    .await
    .assert_error(400, "bad_request");
    ada.post("/groups/support/threads", &json!({"body": "no title"}))
        .await
        .assert_error(422, "invalid");
    ada.post("/groups/support/threads", &json!({"title": 42}))
        .await
        .assert_error(422, "invalid");
    ada.send_raw("/groups/support/threads", "text/plain", b"{}".to_vec())
        .await
        .assert_error(415, "unsupported_media_type");
    let list = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn over_long_titles_and_bodies_are_refused_with_the_limit_named() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let long_title = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "x".repeat(201)}),
        )
        .await;
    long_title.assert_error(422, "invalid");
    assert_eq!(long_title.at("/field"), "title");
    assert!(
        long_title.str("/message").contains("200"),
        "{}",
        long_title.body
    );
    let long_body = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "ok", "body": "y".repeat(50_001)}),
        )
        .await;
    long_body.assert_error(422, "invalid");
    assert_eq!(long_body.at("/field"), "body");
    ada.post(
        "/groups/support/threads",
        &json!({"title": "ok", "url": "javascript:alert(1)"}),
    )
    .await
    .assert_error(422, "invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_the_limit_is_refused_with_413_and_nothing_is_stored() {
    let web = WebConfig {
        max_body_bytes: 4096,
        ..WebConfig::default()
    };
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let big = json!({"title": "big", "body": "z".repeat(10_000)});
    ada.post("/groups/support/threads", &big)
        .await
        .assert_error(413, "payload_too_large");
    let list = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunked_body_without_length_is_cut_off_at_the_limit() {
    let web = WebConfig {
        max_body_bytes: 4096,
        ..WebConfig::default()
    };
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let port = plaza.base.rsplit(':').next().unwrap();
    let mut stream = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/groups/support/threads HTTP/1.1\r\nHost: localhost:{port}\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        ada.token().unwrap()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // Send 64 KiB in 1 KiB chunks; the server answers before it has read them all.
    let chunk = format!("400\r\n{}\r\n", "a".repeat(1024));
    for _ in 0..64 {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("payload_too_large"), "{response}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_methods_and_ids_answer_in_json() {
    let plaza = TestInstance::spawn().await;
    let anon = plaza.anonymous();
    anon.get("/nothing/here")
        .await
        .assert_error(404, "not_found");
    anon.delete("/groups")
        .await
        .assert_error(405, "method_not_allowed");
    anon.get("/threads/not-a-number")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_paging_and_sorting_parameters_are_refused() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let anon = plaza.anonymous();
    anon.get("/groups/support/threads?page=0")
        .await
        .assert_error(422, "invalid");
    anon.get("/groups/support/threads?limit=500")
        .await
        .assert_error(422, "invalid");
    anon.get("/groups/support/threads?limit=abc")
        .await
        .assert_error(400, "bad_request");
    anon.get("/groups/support/threads?sort=hot")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_log_ins_from_one_address_get_429_with_retry_after() {
    let mut web = WebConfig::default();
    web.rate_limits.auth = plaza_web::rate_limit::Limit {
        burst: 3,
        period: std::time::Duration::from_secs(60),
    };
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    plaza.member("ada").await;
    let attempt = json!({"name": "ada", "password": "wrong password"});
    for _ in 0..2 {
        let answer = plaza.anonymous().post("/auth/login", &attempt).await;
        assert_eq!(answer.status, 401, "{}", answer.body);
    }
    let limited = plaza.anonymous().post("/auth/login", &attempt).await;
    limited.assert_error(429, "rate_limited");
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // Reading is not limited.
    assert_eq!(plaza.anonymous().get("/groups").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_posts_to_the_inbox_gets_429_with_retry_after() {
    let mut web = WebConfig::default();
    web.rate_limits.any_post = plaza_web::rate_limit::Limit {
        burst: 2,
        period: std::time::Duration::from_secs(60),
    };
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    let inbox = reqwest::Client::new();
    let post = || {
        inbox
            .post(format!("{}/inbox", plaza.base))
            .header("content-type", "application/activity+json")
            .body("{}")
            .send()
    };
    for _ in 0..2 {
        let refused = post().await.unwrap();
        assert_ne!(refused.status(), 429, "within the allowance");
    }
    let limited = post().await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_posts_from_one_address_get_429() {
    let mut web = WebConfig::default();
    web.rate_limits.posting = plaza_web::rate_limit::Limit {
        burst: 2,
        period: std::time::Duration::from_secs(60),
    };
    let plaza = TestInstance::spawn_with(Settings::default(), web).await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = json!({"title": "Hello", "body": "First"});
    for _ in 0..2 {
        let answer = ada.post("/groups/support/threads", &thread).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    ada.post("/groups/support/threads", &thread)
        .await
        .assert_error(429, "rate_limited");
    // Reading is not limited.
    assert_eq!(ada.get("/groups/support/threads").await.status, 200);
}
