//! Allow-list mode, the strict form of defederation: with it on, a server that is not on the
//! allow-list is treated exactly like a blocked one (its activities are refused, nothing is
//! fetched from it or delivered to it, its groups cannot be followed), while an allowed one
//! federates as before. Switching the mode off restores everything.

use plaza_tests::{Client, TestInstance};
use serde_json::{Value, json};

use crate::remote::{FakeRemote, deliver_all, fixture, publish_all};

fn follow(plaza: &TestInstance, remote: &FakeRemote, n: u32) -> Value {
    json!({
        "id": format!("{}/follows/{n}", remote.bob), "type": "Follow",
        "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
    })
}

/// What Plaza POSTed to `remote` (either inbox), whoever signed it.
fn posted_to(remote: &FakeRemote) -> usize {
    remote.received_from_others("/inbox").len()
        + remote.received_from_others("/users/bob/inbox").len()
}

async fn titles(plaza: &TestInstance) -> Vec<String> {
    let threads = plaza.anonymous().get("/groups/support/threads").await;
    threads.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn set_mode(admin: &Client, on: bool) -> Value {
    let answer = if on {
        admin.put("/admin/federation/allowlist").await
    } else {
        admin.delete("/admin/federation/allowlist").await
    };
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

#[tokio::test(flavor = "multi_thread")]
async fn in_allow_list_mode_an_unlisted_server_is_refused_and_gets_nothing() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let friend = FakeRemote::start().await;
    let stranger = FakeRemote::start().await;
    for remote in [&friend, &stranger] {
        let (status, body) = remote
            .send(&plaza, "/g/support/inbox", &follow(&plaza, remote, 1))
            .await;
        assert_eq!(status, 202, "{body}");
    }
    deliver_all(&plaza).await;
    assert_eq!(posted_to(&stranger), 1, "the Accept of its Follow");
    let stranger_before = posted_to(&stranger);

    // A thread is queued for both followers; then the mode goes on with only `friend` allowed.
    ada.thread("support", "Queued before the switch", "").await;
    plaza_federation::publish::Publisher::new(plaza.ctx.clone())
        .run_once()
        .await
        .unwrap();
    let allowed = admin
        .put(&format!("/admin/instances/{}/allow", friend.domain()))
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let switched = set_mode(&admin, true).await;
    assert_eq!(switched["allowed_instances"], 1);
    assert_eq!(
        switched["dropped_deliveries"], 1,
        "the delivery waiting for the stranger: {switched}"
    );

    // The stranger's activities are refused, as a blocked server's are.
    let create = fixture("mastodon/create_note_new_thread.json", &stranger, &plaza);
    let (status, body) = stranger.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "blocked");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not on the allow-list"),
        "{body}"
    );
    let (status, body) = stranger
        .send(&plaza, "/g/support/inbox", &follow(&plaza, &stranger, 2))
        .await;
    assert_eq!(status, 403, "{body}");
    // The allowed server's are not.
    let create = fixture("mastodon/create_note_new_thread.json", &friend, &plaza);
    let (status, body) = friend.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    let now = titles(&plaza).await;
    assert_eq!(now.len(), 2, "ada's and the friend's thread only: {now:?}");

    // Nothing more goes to the stranger: not the queued thread, not a new one.
    ada.thread("support", "Posted in allow-list mode", "").await;
    publish_all(&plaza).await;
    assert_eq!(posted_to(&stranger), stranger_before);
    let to_friend: Vec<Value> = friend.received_from_others("/inbox");
    let announced: Vec<&str> = to_friend
        .iter()
        .filter(|a| a["type"] == "Announce")
        .filter_map(|a| a.pointer("/object/object/name").and_then(Value::as_str))
        .collect();
    assert!(
        announced.contains(&"Queued before the switch")
            && announced.contains(&"Posted in allow-list mode"),
        "{to_friend:?}"
    );
    // Dropped, not failed: the stranger's health is untouched.
    {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let host = plaza_db::instance::find_by_domain(&mut pooled.conn(), &stranger.domain())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(host.failure_count, 0, "{host:?}");
    }

    // Switching the mode off restores federation with the stranger.
    let switched = set_mode(&admin, false).await;
    assert_eq!(switched["was_on"], true);
    let (status, body) = stranger
        .send(&plaza, "/g/support/inbox", &follow(&plaza, &stranger, 3))
        .await;
    assert_eq!(status, 202, "{body}");
    ada.thread("support", "Posted after the switch", "").await;
    publish_all(&plaza).await;
    let to_stranger: Vec<Value> = stranger.received_from_others("/inbox");
    assert!(
        to_stranger
            .iter()
            .any(|a| a.pointer("/object/object/name") == Some(&json!("Posted after the switch"))),
        "{to_stranger:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn in_allow_list_mode_a_group_on_an_unlisted_server_cannot_be_followed() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let ada = plaza.member("ada").await;
    let community = FakeRemote::start_group(Some("lemmy"), "/c/main").await;
    let account = plaza_core::accounts::find(&plaza.ctx, "ada").await.unwrap();
    let data = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap()
        .to_request_data();
    set_mode(&admin, true).await;

    // Neither by handle nor by id; nothing is fetched from it.
    let refused = ada
        .post(
            &format!("/groups/main@{}/follow", community.domain()),
            &json!({}),
        )
        .await;
    refused.assert_error(403, "forbidden");
    assert!(
        refused.str("/message").contains("not on the allow-list"),
        "{}",
        refused.body
    );
    let by_id = plaza_federation::following::follow(&data, &account, &community.bob).await;
    assert!(
        matches!(
            by_id,
            Err(plaza_federation::FederationError::Core(
                plaza_core::CoreError::Forbidden(_)
            ))
        ),
        "{by_id:?}"
    );
    assert!(
        community.captured().is_empty(),
        "{:?}",
        community.captured()
    );

    // Allowed: the group is fetched and sent a Follow.
    admin
        .put(&format!("/admin/instances/{}/allow", community.domain()))
        .await;
    let state = plaza_federation::following::follow(&data, &account, &community.bob)
        .await
        .unwrap();
    assert!(state.pending);
    deliver_all(&plaza).await;
    assert_eq!(community.received("/c/main/inbox").len(), 1);

    // Taken off the list, the group it knows now is refused too, and nothing more is sent.
    let taken_off = admin
        .delete(&format!("/admin/instances/{}/allow", community.domain()))
        .await;
    assert_eq!(taken_off.status, 200, "{}", taken_off.body);
    let again = ada
        .post(
            &format!("/groups/main@{}/follow", community.domain()),
            &json!({}),
        )
        .await;
    again.assert_error(403, "forbidden");
    deliver_all(&plaza).await;
    assert_eq!(community.received("/c/main/inbox").len(), 1);
}
