//! A group on another server, played by the fake remote server as a Lemmy community: a local
//! person follows it, it accepts, and what it announces lands in our copy of it — including a
//! removal by one of its moderators, whom only the community knows.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::remote::{FakeRemote, deliver_all};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

#[tokio::test(flavor = "multi_thread")]
async fn a_followed_lemmy_community_announces_threads_and_moderator_removals() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let community = FakeRemote::start_group(Some("lemmy"), "/c/main").await;
    let group = community.bob.clone();
    let dora = community.serve_person("/u/dora");
    let moderator = community.serve_person("/u/mod");

    // ada follows the community by its id; the Follow goes to its inbox, signed by ada.
    let account = plaza_core::accounts::find(&plaza.ctx, "ada").await.unwrap();
    let data = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap()
        .to_request_data();
    let state = plaza_federation::following::follow(&data, &account, &group)
        .await
        .unwrap();
    assert!(state.pending);
    deliver_all(&plaza).await;
    let follows = community.received("/c/main/inbox");
    assert_eq!(follows.len(), 1, "{follows:?}");
    assert_eq!(follows[0]["type"], "Follow");
    assert_eq!(follows[0]["actor"], format!("{}/u/ada", plaza.base));
    assert_eq!(follows[0]["object"], group);

    let accept = json!({
        "id": format!("{group}/accept/1"), "type": "Accept", "actor": group, "object": follows[0]
    });
    assert_eq!(community.send(&plaza, "/inbox", &accept).await.0, 202);
    let answer = plaza
        .anonymous()
        .get(&format!("/groups/main@{}", community.domain()))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.at("/local"), false);

    // The community announces dora's new thread.
    let page_id = format!("{}/post/5", community.base);
    let create = json!({
        "id": format!("{}/activities/create/1", community.base), "type": "Create",
        "actor": dora, "to": [PUBLIC], "cc": [group],
        "object": {
            "id": page_id, "type": "Page", "attributedTo": dora, "to": [group, PUBLIC],
            "audience": group, "name": "Hello from Lemmy", "content": "<p>Hi all</p>"
        }
    });
    let announce = json!({
        "id": format!("{group}/announce/1"), "type": "Announce", "actor": group,
        "to": [PUBLIC], "object": create
    });
    let (status, body) = community.send(&plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");
    let threads = plaza
        .anonymous()
        .get(&format!("/groups/main@{}/threads", community.domain()))
        .await;
    assert_eq!(
        threads.at("/items/0/title"),
        "Hello from Lemmy",
        "{}",
        threads.body
    );

    // One of its moderators removes it; the community passes the Delete on.
    let delete = json!({
        "id": format!("{}/activities/delete/1", community.base), "type": "Delete",
        "actor": moderator, "to": [PUBLIC], "cc": [group], "object": page_id,
        "summary": "off-topic"
    });
    let announce = json!({
        "id": format!("{group}/announce/2"), "type": "Announce", "actor": group,
        "to": [PUBLIC], "object": delete
    });
    let (status, body) = community.send(&plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let post = plaza_db::post::find_by_ap_id(&mut pooled.conn(), &page_id)
        .await
        .unwrap()
        .unwrap();
    assert!(post.removed && !post.deleted);
}
