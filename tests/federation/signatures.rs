//! HTTP signatures made by hand, as another server would: the freshness of `Date` is part of
//! what the inbox checks, so a captured request cannot be replayed hours later.

use std::time::{Duration, SystemTime};

use plaza_tests::TestInstance;
use serde_json::json;

use crate::remote::{FakeRemote, HandSigned};

#[tokio::test(flavor = "multi_thread")]
async fn a_validly_signed_activity_with_an_old_date_is_refused_and_a_fresh_one_accepted() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let follow = |n: u32| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", remote.bob),
            "type": "Follow",
            "actor": remote.bob,
            "object": format!("{}/g/support", plaza.base)
        })
    };

    let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
    let (status, body) = remote
        .send_dated(&plaza, "/g/support/inbox", &follow(1), two_hours_ago)
        .await;
    assert_eq!(status, 401, "{body}");
    let followers = plaza.anonymous().get("/groups/support").await;
    assert_eq!(followers.i64("/follower_count"), 0, "{}", followers.body);

    // The same hand-made signature with the current date passes: the refusal above was the date.
    let (status, body) = remote
        .send_dated(&plaza, "/g/support/inbox", &follow(2), SystemTime::now())
        .await;
    assert_eq!(status, 202, "{body}");
    let followers = plaza.anonymous().get("/groups/support").await;
    assert_eq!(followers.i64("/follower_count"), 1, "{}", followers.body);
}

/// Each of these signatures is valid for what it covers, yet binds the request too little: to
/// no inbox, no server or no time. None may change anything.
#[tokio::test(flavor = "multi_thread")]
async fn signatures_that_bind_too_little_are_refused_with_401() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let host = plaza.base.trim_start_matches("http://").to_owned();
    let now = SystemTime::now();
    let hours = |n: u64| Duration::from_secs(n * 3600);
    let cases = [
        (
            "digest",
            host.clone(),
            httpdate::fmt_http_date(now),
            "weak_signature",
        ),
        (
            "(request-target) host digest",
            host.clone(),
            httpdate::fmt_http_date(now),
            "weak_signature",
        ),
        (
            "(request-target) host date digest",
            host.clone(),
            httpdate::fmt_http_date(now + hours(2)),
            "future_date",
        ),
        (
            "(request-target) host date digest",
            host.clone(),
            httpdate::fmt_http_date(now + hours(13)),
            "future_date",
        ),
        (
            "(request-target) host date digest",
            host.clone(),
            "not a date".to_owned(),
            "bad_date",
        ),
        (
            "(request-target) host date digest",
            "other.example".to_owned(),
            httpdate::fmt_http_date(now),
            "wrong_host",
        ),
    ];
    for (n, (covered, host, date, code)) in cases.into_iter().enumerate() {
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", remote.bob), "type": "Follow",
            "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
        });
        let signed = HandSigned {
            covered,
            host,
            date,
        };
        let (status, body) = remote
            .send_hand_signed(&plaza, "/g/support/inbox", &follow, &signed)
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some(code)),
            "{covered}: {body}"
        );
    }
    let group = plaza.anonymous().get("/groups/support").await;
    assert_eq!(group.i64("/follower_count"), 0, "{}", group.body);
}

/// Mastodon 4.5 can sign with RFC 9421 instead of draft-cavage. The signatures here are made by
/// an independent signer (node:crypto, `tests/fixtures/rfc9421/sign.mjs`), not by Plaza's code.
#[tokio::test(flavor = "multi_thread")]
async fn rfc_9421_signatures_from_an_independent_signer_are_verified() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let path = "/g/support/inbox";
    let url = format!("{}{path}", plaza.base);
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let follow = |n: u32| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", remote.bob), "type": "Follow",
            "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
        })
        .to_string()
    };
    let mastodon = ["@method", "@target-uri", "content-digest"];
    let followers = || async {
        plaza
            .anonymous()
            .get("/groups/support")
            .await
            .i64("/follower_count")
    };

    // Refused: a body other than the one signed, a spoiled signature, a signature that leaves
    // out the digest, one made two hours ahead.
    let body = follow(1);
    let headers = remote.rfc9421_headers(&url, &body, &mastodon, now, None);
    let (status, answer) = remote.post_with(&plaza, path, &follow(99), &headers).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("bad_digest")),
        "{answer}"
    );
    // The signature of another body, sent with this body's (correct) digest.
    let other = remote.rfc9421_headers(&url, &follow(2), &mastodon, now, None);
    let spliced: Vec<(String, String)> = other
        .into_iter()
        .filter(|(name, _)| name != "content-digest")
        .chain(
            headers
                .into_iter()
                .filter(|(name, _)| name == "content-digest"),
        )
        .collect();
    let (status, answer) = remote.post_with(&plaza, path, &body, &spliced).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("bad_signature")),
        "{answer}"
    );
    let partial = remote.rfc9421_headers(&url, &body, &["@method", "@target-uri"], now, None);
    let (status, answer) = remote.post_with(&plaza, path, &body, &partial).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("weak_signature")),
        "{answer}"
    );
    let ahead = remote.rfc9421_headers(&url, &body, &mastodon, now + 7200, None);
    let (status, answer) = remote.post_with(&plaza, path, &body, &ahead).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("future_date")),
        "{answer}"
    );
    assert_eq!(followers().await, 0);

    // Accepted: Mastodon's choice of components (no `alg`: the RSA key decides), then the
    // authority-and-path form with RSA-PSS.
    let headers = remote.rfc9421_headers(&url, &body, &mastodon, now, None);
    let (status, answer) = remote.post_with(&plaza, path, &body, &headers).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(followers().await, 1);
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/1", remote.bob), "type": "Undo",
        "actor": remote.bob, "object": serde_json::from_str::<serde_json::Value>(&body).unwrap()
    })
    .to_string();
    let components = [
        "@method",
        "@authority",
        "@path",
        "content-digest",
        "content-type",
    ];
    let headers = remote.rfc9421_headers(&url, &undo, &components, now, Some("rsa-pss-sha512"));
    let (status, answer) = remote.post_with(&plaza, path, &undo, &headers).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(followers().await, 0);
}
