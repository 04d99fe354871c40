//! The inbox with real HTTP signatures (see `remote.rs`): following, signature and digest checks,
//! replays, unknown types, blocked instances.

use std::time::Duration;

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::MASTODON_ACCEPT;
use crate::remote::{FakeRemote, deliver_all, delivery_worker, replay};

async fn follower_count(plaza: &TestInstance) -> i64 {
    plaza
        .fetch("/g/support/followers", MASTODON_ACCEPT)
        .await
        .i64("/totalItems")
}

/// bob's `Undo` of a Follow.
fn undo(remote: &FakeRemote, follow: &Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/1", remote.bob), "type": "Undo", "actor": remote.bob, "object": follow
    })
}

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
async fn a_signed_follow_is_stored_and_accepted_and_undo_removes_it() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;

    let follow = follow(&plaza, &remote, 1);
    let signed = remote.sign(&plaza, "/g/support/inbox", &follow).await;
    let (status, body) = replay(&plaza, &signed, None, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(follower_count(&plaza).await, 1);

    // The Accept goes out through the delivery queue, signed by the group.
    let worker = delivery_worker(&plaza).await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let accept = remote
        .captured()
        .into_iter()
        .find(|c| c.path == "/users/bob/inbox")
        .expect("an Accept reached bob's inbox");
    let accept_json: Value = serde_json::from_slice(&accept.body).unwrap();
    assert_eq!(accept_json["type"], "Accept");
    assert_eq!(accept_json["actor"], format!("{}/g/support", plaza.base));
    assert_eq!(accept_json["object"]["id"], follow["id"]);
    let signature = accept.headers["signature"].to_str().unwrap();
    assert!(
        signature.contains(&format!("{}/g/support#main-key", plaza.base)),
        "{signature}"
    );

    // The remote person is cached with their key and shared inbox.
    let cached = {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        plaza_db::person::find_by_ap_id(&mut pooled.conn(), &remote.bob)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(!cached.local);
    assert_eq!(
        cached.shared_inbox_url.as_deref(),
        Some(format!("{}/inbox", remote.base).as_str())
    );

    let undo = undo(&remote, &follow);
    let signed = remote.sign(&plaza, "/g/support/inbox", &undo).await;
    let (status, body) = replay(&plaza, &signed, None, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(follower_count(&plaza).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_body_or_a_broken_signature_is_refused_and_nothing_is_stored() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let signed = remote
        .sign(&plaza, "/g/support/inbox", &follow(&plaza, &remote, 2))
        .await;

    let mut other = follow(&plaza, &remote, 3);
    other["id"] = json!(format!("{}/follows/forged", remote.bob));
    let (status, body) = replay(&plaza, &signed, Some(other.to_string().into_bytes()), None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "bad_digest");

    let original = signed.headers["signature"].to_str().unwrap().to_owned();
    let broken = original.replacen("signature=\"", "signature=\"AAAA", 1);
    let (status, body) = replay(&plaza, &signed, None, Some(broken)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "bad_signature");

    assert_eq!(follower_count(&plaza).await, 0);
    // The untouched request still works: the refusals were about the changes.
    let (status, body) = replay(&plaza, &signed, None, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(follower_count(&plaza).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_activity_types_are_acknowledged_and_ignored() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/inbox", plaza.base))
        .header("content-type", "application/activity+json")
        .body(json!({"id": "https://elsewhere.example/x", "type": "Move", "actor": "https://elsewhere.example/u/x"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let response = client
        .post(format!("{}/inbox", plaza.base))
        .header("content-type", "application/activity+json")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let huge = format!(
        "{{\"type\":\"Follow\",\"pad\":\"{}\"}}",
        "x".repeat(600 * 1024)
    );
    let response = client
        .post(format!("{}/inbox", plaza.base))
        .header("content-type", "application/activity+json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(follower_count(&plaza).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_activity_is_acknowledged_but_not_applied_again() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let follow = follow(&plaza, &remote, 1);
    let signed_follow = remote.sign(&plaza, "/g/support/inbox", &follow).await;
    let (status, _) = replay(&plaza, &signed_follow, None, None).await;
    assert_eq!(status, 202);
    let undo = undo(&remote, &follow);
    let signed_undo = remote.sign(&plaza, "/g/support/inbox", &undo).await;
    let (status, _) = replay(&plaza, &signed_undo, None, None).await;
    assert_eq!(status, 202);
    assert_eq!(follower_count(&plaza).await, 0);
    // Someone replays the captured Follow: acknowledged, and the unfollow stands.
    let (status, _) = replay(&plaza, &signed_follow, None, None).await;
    assert_eq!(status, 202);
    assert_eq!(follower_count(&plaza).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_id_without_a_fragment_is_accepted() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let signed = remote
        .sign(&plaza, "/g/support/inbox", &follow(&plaza, &remote, 9))
        .await;
    // GoToSocial names its keys `…/main-key`, without `#`. The keyId is not part of the signed
    // string, so rewriting it keeps the signature valid.
    let original = signed.headers["signature"].to_str().unwrap().to_owned();
    let gts_style = original.replace("#main-key", "/main-key");
    assert_ne!(original, gts_style);
    let (status, body) = replay(&plaza, &signed, None, Some(gts_style)).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(follower_count(&plaza).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_thread_and_reply_reach_a_remote_follower_as_group_announces() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let signed = remote
        .sign(&plaza, "/g/support/inbox", &follow(&plaza, &remote, 1))
        .await;
    assert_eq!(replay(&plaza, &signed, None, None).await.0, 202);

    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Printer on fire", "Help").await;
    let comment = ada.reply(thread, None, "Unplug it").await;

    let publisher = plaza_federation::publish::Publisher::new(plaza.ctx.clone());
    assert_eq!(publisher.run_once().await.unwrap(), 2);
    assert_eq!(
        publisher.run_once().await.unwrap(),
        0,
        "each change is published once"
    );
    deliver_all(&plaza).await;

    let announces: Vec<Value> = remote
        .captured()
        .into_iter()
        .filter(|c| c.path == "/inbox")
        .map(|c| serde_json::from_slice(&c.body).unwrap())
        .collect();
    assert_eq!(announces.len(), 2, "{announces:?}");
    let base = &plaza.base;
    let objects: Vec<(&str, &str)> = announces
        .iter()
        .map(|a| {
            assert_eq!(a["type"], "Announce");
            assert_eq!(a["actor"], format!("{base}/g/support"));
            assert_eq!(a["object"]["type"], "Create");
            assert_eq!(a["object"]["actor"], format!("{base}/u/ada"));
            (
                a["object"]["object"]["type"].as_str().unwrap(),
                a["object"]["object"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    let page_id = format!("{base}/post/{thread}");
    let note_id = format!("{base}/comment/{comment}");
    assert!(objects.contains(&("Page", page_id.as_str())), "{objects:?}");
    assert!(objects.contains(&("Note", note_id.as_str())), "{objects:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blocked_instance_is_refused_and_gets_nothing() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let signed = remote
        .sign(&plaza, "/g/support/inbox", &follow(&plaza, &remote, 1))
        .await;
    assert_eq!(replay(&plaza, &signed, None, None).await.0, 202);
    let remote_domain = remote.base.trim_start_matches("http://").to_owned();
    {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        plaza_db::instance::set_blocked(&mut pooled.conn(), &remote_domain, true)
            .await
            .unwrap();
    }

    // Its activities are refused.
    let undo = undo(&remote, &follow(&plaza, &remote, 1));
    let signed_undo = remote.sign(&plaza, "/g/support/inbox", &undo).await;
    let (status, body) = replay(&plaza, &signed_undo, None, None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "blocked");
    assert_eq!(
        follower_count(&plaza).await,
        1,
        "the refused Undo changed nothing"
    );

    // Nothing is delivered to it: the queued Accept and a new thread's Announce are dropped.
    let ada = plaza.member("ada").await;
    ada.thread("support", "Not for them", "").await;
    plaza_federation::publish::Publisher::new(plaza.ctx.clone())
        .run_once()
        .await
        .unwrap();
    deliver_all(&plaza).await;
    let sent_to_remote = remote
        .captured()
        .into_iter()
        .filter(|c| c.path == "/inbox" || c.path == "/users/bob/inbox")
        .count();
    assert_eq!(sent_to_remote, 0);
    // Dropped, not counted as delivered: the blocked host shows no success.
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let host = plaza_db::instance::find_by_domain(&mut pooled.conn(), &remote_domain)
        .await
        .unwrap()
        .unwrap();
    assert!(host.last_success_at.is_none(), "{host:?}");
    assert_eq!(host.failure_count, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_activity_signed_by_someone_else_than_its_actor_is_refused() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start().await;
    let mallory = FakeRemote::start().await;
    // mallory signs (with her key, on her host) a Follow claiming to be bob's.
    let mut forged = follow(&plaza, &bob, 1);
    forged["id"] = json!(format!("{}/follows/forged", mallory.bob));
    let (status, body) = mallory.send(&plaza, "/g/support/inbox", &forged).await;
    assert!(status == 400 || status == 401, "{status} {body}");
    // Same host as bob, but the signature is mallory's: refused as a bad signature.
    let forged = follow(&plaza, &bob, 2);
    let signed = mallory.sign(&plaza, "/g/support/inbox", &forged).await;
    let (status, body) = replay(&plaza, &signed, None, None).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(follower_count(&plaza).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_dev_mode_nothing_is_fetched_from_loopback_or_plain_http() {
    let plaza = TestInstance::spawn().await;
    let remote = FakeRemote::start().await;
    let production = plaza_federation::config::federation_config(plaza.ctx.clone(), false)
        .await
        .unwrap();
    let data = production.to_request_data();
    for url in [
        remote.bob.clone(),
        remote.bob.replace("http://", "https://"),
        "https://127.0.0.1/users/bob".to_owned(),
        "https://10.0.0.1/users/bob".to_owned(),
    ] {
        let id = url::Url::parse(&url).unwrap();
        let fetched = plaza_federation::activitypub_federation::fetch::object_id::ObjectId::<
            plaza_federation::objects::person::ApubPerson,
        >::from(id)
        .dereference(&data)
        .await;
        assert!(fetched.is_err(), "{url} was fetched outside dev mode");
    }
    assert_eq!(remote.fetches("/users/bob"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hs2019_algorithm_name_is_accepted() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let signed = remote
        .sign(&plaza, "/g/support/inbox", &follow(&plaza, &remote, 7))
        .await;
    // Mastodon and GoToSocial may name the algorithm `hs2019`; the key decides what it is.
    let original = signed.headers["signature"].to_str().unwrap().to_owned();
    let renamed = if original.contains("algorithm=\"") {
        original.replace("algorithm=\"rsa-sha256\"", "algorithm=\"hs2019\"")
    } else {
        format!("{original},algorithm=\"hs2019\"")
    };
    assert!(renamed.contains("hs2019"), "{renamed}");
    let (status, body) = replay(&plaza, &signed, None, Some(renamed)).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(follower_count(&plaza).await, 1);
}
