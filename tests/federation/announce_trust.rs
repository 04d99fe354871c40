//! What a followed group elsewhere may pass on: only what concerns itself, never in the name of
//! people here, and a third server's activities only as that server has them. Each case is one
//! that a hostile group once got applied.

use plaza_db::post::PostRow;
use plaza_tests::{Client, TestInstance};
use serde_json::{Value, json};

use crate::remote::{FakeRemote, deliver_all};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A community elsewhere (played by a fake server, Lemmy-style) that `follower` here follows;
/// with `accept` it has accepted the follow.
pub(crate) async fn followed_community(
    plaza: &TestInstance,
    follower: &str,
    path: &str,
    accept: bool,
) -> FakeRemote {
    let community = FakeRemote::start_group(Some("lemmy"), path).await;
    let account = plaza_core::accounts::find(&plaza.ctx, follower)
        .await
        .unwrap();
    let data = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap()
        .to_request_data();
    plaza_federation::following::follow(&data, &account, &community.bob)
        .await
        .unwrap();
    deliver_all(plaza).await;
    if accept {
        community.accept_follow(plaza).await;
    }
    community
}

/// Has `community` announce `activity` to Plaza's shared inbox; `n` keeps announce ids apart.
async fn announce(plaza: &TestInstance, community: &FakeRemote, n: u32, activity: Value) {
    let announce = json!({
        "id": format!("{}/announce/{n}", community.bob), "type": "Announce",
        "actor": community.bob, "to": [PUBLIC], "cc": [format!("{}/followers", community.bob)],
        "object": activity
    });
    let (status, body) = community.send(plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");
}

/// `author`'s new thread in `community` (its first), as the community passes it on: the
/// `Page`'s id and the `Create`.
fn thread_in(community: &FakeRemote, author: &str, title: &str, html: &str) -> (String, Value) {
    let page = format!("{}/post/1", community.base);
    let create = json!({
        "id": format!("{}/activities/create/1", community.base), "type": "Create",
        "actor": author, "to": [PUBLIC], "cc": [community.bob],
        "object": {
            "id": page, "type": "Page", "attributedTo": author, "to": [community.bob, PUBLIC],
            "audience": community.bob, "name": title, "content": html
        }
    });
    (page, create)
}

async fn post_row(plaza: &TestInstance, ap_id: &str) -> PostRow {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    plaza_db::post::find_by_ap_id(&mut pooled.conn(), ap_id)
        .await
        .unwrap()
        .unwrap()
}

async fn local_thread(plaza: &TestInstance, author: &Client, title: &str) -> (i64, String) {
    let id = author.thread("support", title, "body").await;
    (id, format!("{}/post/{id}", plaza.base))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_followed_group_cannot_act_in_the_name_of_people_here() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let eve = plaza.member("eve").await;
    let g1 = followed_community(&plaza, "ada", "/c/g1", true).await;
    let (admin_thread, admin_page) = local_thread(&plaza, &admin, "Admin's thread").await;
    let (_, eve_page) = local_thread(&plaza, &eve, "Eve's thread").await;
    let vote = ada
        .post(
            &format!("/threads/{admin_thread}/vote"),
            &json!({"score": 1}),
        )
        .await;
    assert_eq!(vote.status, 200, "{}", vote.body);
    let (admin_id, ada_id, eve_id) = (
        format!("{}/u/admin", plaza.base),
        format!("{}/u/ada", plaza.base),
        format!("{}/u/eve", plaza.base),
    );
    let group = format!("{}/g/support", plaza.base);
    let activity = |kind: &str, actor: &str, n: u32, object: &str| {
        json!({
            "id": format!("{}/activities/{n}", g1.base), "type": kind, "actor": actor,
            "to": [PUBLIC], "cc": [group], "object": object, "summary": "hostile"
        })
    };

    announce(
        &plaza,
        &g1,
        1,
        activity("Delete", &admin_id, 1, &admin_page),
    )
    .await;
    announce(&plaza, &g1, 2, activity("Lock", &admin_id, 2, &admin_page)).await;
    let mut ban = activity("Block", &admin_id, 3, &ada_id);
    ban["target"] = json!(group);
    announce(&plaza, &g1, 3, ban).await;
    announce(&plaza, &g1, 4, activity("Delete", &eve_id, 4, &eve_page)).await;
    announce(&plaza, &g1, 5, activity("Like", &eve_id, 5, &admin_page)).await;
    announce(&plaza, &g1, 6, activity("Dislike", &admin_id, 6, &eve_page)).await;
    let undo = json!({
        "id": format!("{}/activities/7", g1.base), "type": "Undo", "actor": ada_id,
        "to": [PUBLIC], "object": {
            "id": format!("{}/u/ada/likes/1", plaza.base), "type": "Like",
            "actor": ada_id, "object": admin_page
        }
    });
    announce(&plaza, &g1, 7, undo).await;

    let admin_post = post_row(&plaza, &admin_page).await;
    assert!(!admin_post.deleted && !admin_post.removed && !admin_post.locked);
    assert_eq!(admin_post.score, 1, "only ada's own vote counts");
    let eve_post = post_row(&plaza, &eve_page).await;
    assert!(!eve_post.deleted && !eve_post.removed);
    assert_eq!(eve_post.score, 0);
    let ada = plaza_core::accounts::find(&plaza.ctx, "ada").await.unwrap();
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let support = plaza_db::group::find_local(conn, "support")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !plaza_db::group::is_banned(conn, support.id, ada.person_id)
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_followed_group_cannot_act_on_content_of_another_group() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    plaza.member("ada").await;
    let g1 = followed_community(&plaza, "ada", "/c/g1", true).await;
    let g2 = followed_community(&plaza, "ada", "/c/g2", true).await;
    let mallory = g1.serve_person("/u/mallory");
    let carol = g2.serve_person("/u/carol");

    // g2 passes on carol's thread; it lands in our copy of g2.
    let (page, create) = thread_in(&g2, &carol, "In g2", "<p>hello</p>");
    announce(&plaza, &g2, 1, create.clone()).await;
    assert!(!post_row(&plaza, &page).await.removed);

    // g1 cannot remove it, lock it or vote on it, even in the name of its own people.
    let activity = |kind: &str, n: u32, object: &str| {
        json!({
            "id": format!("{}/activities/{n}", g1.base), "type": kind, "actor": mallory,
            "to": [PUBLIC], "cc": [g1.bob], "object": object, "summary": "hostile"
        })
    };
    announce(&plaza, &g1, 1, activity("Delete", 1, &page)).await;
    announce(&plaza, &g1, 2, activity("Lock", 2, &page)).await;
    announce(&plaza, &g1, 3, activity("Like", 3, &page)).await;
    let (_, local_page) = local_thread(&plaza, &admin, "Ours").await;
    announce(&plaza, &g1, 4, activity("Delete", 4, &local_page)).await;
    announce(&plaza, &g1, 5, activity("Dislike", 5, &local_page)).await;
    // Nor put a thread of its own into another group.
    let mut smuggled = create;
    smuggled["id"] = json!(format!("{}/activities/create/9", g1.base));
    smuggled["actor"] = json!(mallory);
    smuggled["object"]["id"] = json!(format!("{}/post/9", g1.base));
    smuggled["object"]["attributedTo"] = json!(mallory);
    announce(&plaza, &g1, 6, smuggled).await;

    let g2_post = post_row(&plaza, &page).await;
    assert!(!g2_post.removed && !g2_post.locked && g2_post.score == 0);
    let ours = post_row(&plaza, &local_page).await;
    assert!(!ours.removed && !ours.deleted && ours.score == 0);
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let smuggled =
        plaza_db::post::find_by_ap_id(&mut pooled.conn(), &format!("{}/post/9", g1.base))
            .await
            .unwrap();
    assert!(smuggled.is_none(), "{smuggled:?}");

    // g2 itself may pass on its moderator's removal of its own thread.
    let moderator = g2.serve_person("/u/mod");
    let removal = json!({
        "id": format!("{}/activities/delete/2", g2.base), "type": "Delete",
        "actor": moderator, "to": [PUBLIC], "cc": [g2.bob], "object": page, "summary": ""
    });
    drop(pooled);
    announce(&plaza, &g2, 2, removal).await;
    assert!(post_row(&plaza, &page).await.removed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_third_servers_activity_is_applied_only_as_its_origin_serves_it() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let g1 = followed_community(&plaza, "ada", "/c/g1", true).await;
    let dora = g1.serve_person("/u/dora");
    let third = FakeRemote::start().await;

    let (page, create) = thread_in(&g1, &dora, "Hello", "<p>hi</p>");
    announce(&plaza, &g1, 1, create).await;

    // bob on a third server "likes" it, says g1; bob's server has no such activity.
    let like = json!({
        "id": format!("{}/likes/1", third.bob), "type": "Like", "actor": third.bob,
        "object": page, "audience": g1.bob
    });
    announce(&plaza, &g1, 2, like.clone()).await;
    assert_eq!(post_row(&plaza, &page).await.score, 0);

    // Once bob's server serves it, the same activity passed on again counts.
    third.serve("/users/bob/likes/1", like.clone());
    announce(&plaza, &g1, 3, like).await;
    assert_eq!(post_row(&plaza, &page).await.score, 1);
    assert!(third.fetches("/users/bob/likes/1") >= 1);

    // An announce that claims bob disliked it, where bob's server says he liked it, is dropped.
    let forged = json!({
        "id": format!("{}/likes/1", third.bob), "type": "Dislike", "actor": third.bob,
        "object": page
    });
    announce(&plaza, &g1, 4, forged).await;
    assert_eq!(post_row(&plaza, &page).await.score, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_a_group_announces_is_applied_while_our_follow_is_pending() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let g1 = followed_community(&plaza, "ada", "/c/g1", false).await;
    let dora = g1.serve_person("/u/dora");
    let (page, create) = thread_in(&g1, &dora, "Early", "<p>too soon</p>");
    announce(&plaza, &g1, 1, create).await;
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let stored = plaza_db::post::find_by_ap_id(&mut pooled.conn(), &page)
        .await
        .unwrap();
    assert!(stored.is_none(), "{stored:?}");
}

/// Mitra accepts a follow by naming the Follow's id alone; Lemmy and Mastodon embed the Follow.
#[tokio::test(flavor = "multi_thread")]
async fn an_accept_naming_the_follow_by_its_id_accepts_it() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let g1 = followed_community(&plaza, "ada", "/c/g1", false).await;
    let follow = g1.received("/c/g1/inbox")[0].clone();
    let follow_id = follow["id"].as_str().unwrap().to_owned();

    // Another group cannot accept it.
    let other = FakeRemote::start_group(None, "/c/other").await;
    let wrong = json!({
        "id": format!("{}/accept/1", other.bob), "type": "Accept",
        "actor": other.bob, "object": follow_id
    });
    let (status, body) = other.send(&plaza, "/inbox", &wrong).await;
    assert_eq!(status, 400, "{body}");

    let accept = json!({
        "id": format!("{}/accept/1", g1.bob), "type": "Accept",
        "actor": g1.bob, "object": follow_id
    });
    let (status, body) = g1.send(&plaza, "/inbox", &accept).await;
    assert_eq!(status, 202, "{body}");
    let account = plaza_core::accounts::find(&plaza.ctx, "ada").await.unwrap();
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let group = plaza_db::group::find_by_ap_id(&mut pooled.conn(), &g1.bob)
        .await
        .unwrap()
        .unwrap();
    let follow = plaza_db::group::follow_of(&mut pooled.conn(), group.id, account.person_id)
        .await
        .unwrap();
    assert_eq!(follow, Some((false, Some(follow_id))));
}
