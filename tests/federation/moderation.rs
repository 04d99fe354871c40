//! Moderation across servers: a local moderator's actions reach forum followers the way Lemmy
//! sends them; a remote moderator's Lock and Block apply here; a Flag from Mastodon opens a
//! report for the group's moderators.

use plaza_tests::{Client, TestInstance};
use serde_json::{Value, json};

use crate::remote::{FakeRemote, fixture, publish_all};

async fn follow(plaza: &TestInstance, remote: &FakeRemote) {
    let follow = json!({
        "id": format!("{}/follows/1", remote.bob), "type": "Follow",
        "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
    });
    assert_eq!(remote.send(plaza, "/g/support/inbox", &follow).await.0, 202);
}

/// A group `support` whose administrator is `admin` (returned signed in), followed from a Lemmy
/// server.
async fn group_followed_from_lemmy() -> (TestInstance, Client, FakeRemote) {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let lemmy = FakeRemote::start_as(Some("lemmy"), "/u/carol").await;
    follow(&plaza, &lemmy).await;
    (plaza, admin, lemmy)
}

/// What the group sent to `remote`'s shared inbox, unwrapped from its Announces.
fn announced(remote: &FakeRemote) -> Vec<Value> {
    remote
        .received("/inbox")
        .into_iter()
        .filter(|a| a["type"] == "Announce")
        .map(|a| a["object"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn local_moderation_reaches_forum_followers_as_lemmy_sends_it() {
    let (plaza, admin, lemmy) = group_followed_from_lemmy().await;
    let eve = plaza.member("eve").await;
    let thread = eve.thread("support", "Cheap watches", "").await;
    publish_all(&plaza).await;

    for action in ["lock", "pin", "remove"] {
        let answer = admin
            .post(
                &format!("/threads/{thread}/moderate"),
                &json!({"action": action, "reason": "spam"}),
            )
            .await;
        assert_eq!(answer.status, 204, "{}", answer.body);
    }
    let banned = admin
        .post(
            "/groups/support/bans",
            &json!({"person": "eve", "reason": "spam"}),
        )
        .await;
    assert_eq!(banned.status, 204);
    admin.delete("/groups/support/bans/eve").await;
    publish_all(&plaza).await;

    let sent = announced(&lemmy);
    let kinds: Vec<&str> = sent.iter().map(|a| a["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["Create", "Lock", "Add", "Delete", "Block", "Undo"],
        "{sent:?}"
    );
    let admin_id = format!("{}/u/admin", plaza.base);
    let page_id = format!("{}/post/{thread}", plaza.base);
    for activity in &sent[1..] {
        assert_eq!(activity["actor"], admin_id);
    }
    assert_eq!(sent[1]["object"], page_id);
    assert_eq!(
        sent[2]["target"],
        format!("{}/g/support/featured", plaza.base)
    );
    assert_eq!(sent[3]["object"], page_id);
    assert_eq!(sent[3]["summary"], "spam");
    assert_eq!(sent[4]["object"], format!("{}/u/eve", plaza.base));
    assert_eq!(sent[4]["target"], format!("{}/g/support", plaza.base));
    assert_eq!(sent[5]["object"]["type"], "Block");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remote_moderators_lock_and_block_apply_here() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let eve = plaza.member("eve").await;
    let thread = eve.thread("support", "Cheap watches", "").await;
    assert_eq!(thread, 1, "the fixtures name /post/1");
    let bob = FakeRemote::start_as(Some("lemmy"), "/u/bob").await;
    let lock = fixture("lemmy/lock_page.json", &bob, &plaza);

    // Not a moderator: refused.
    assert_eq!(bob.send(&plaza, "/g/support/inbox", &lock).await.0, 403);
    bob.make_moderator(&plaza, "support").await;
    let mut lock_again = lock.clone();
    lock_again["id"] = json!(format!("{}/again", lock["id"].as_str().unwrap()));
    assert_eq!(
        bob.send(&plaza, "/g/support/inbox", &lock_again).await.0,
        202
    );
    eve.post(
        &format!("/threads/{thread}/comments"),
        &json!({"body": "hi"}),
    )
    .await
    .assert_error(403, "forbidden");

    let block = fixture("lemmy/block_user.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/g/support/inbox", &block).await.0, 202);
    eve.post("/groups/support/threads", &json!({"title": "Again"}))
        .await
        .assert_error(403, "forbidden");
    let undo = json!({
        "id": format!("{}/activities/undo/1", bob.base), "type": "Undo",
        "actor": bob.bob, "object": block
    });
    assert_eq!(bob.send(&plaza, "/g/support/inbox", &undo).await.0, 202);
    eve.thread("support", "Sorry", "").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mastodon_flag_opens_a_report_for_the_moderators() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let eve = plaza.member("eve").await;
    assert_eq!(eve.thread("support", "Cheap watches", "").await, 1);
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let flag = fixture("mastodon/flag.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &flag).await.0, 202);
    // Delivered twice: one report.
    assert_eq!(bob.send(&plaza, "/inbox", &flag).await.0, 202);

    let queue = admin.get("/groups/support/reports").await;
    let items = queue.at("/items").as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", queue.body);
    assert_eq!(
        items[0]["reason"],
        "Selling counterfeits in the support forum"
    );
    assert_eq!(items[0]["remote"], true);
    assert_eq!(items[0]["thread_id"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_settings_change_reaches_forums_as_the_moderators_update_and_mastodon_as_the_groups() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let lemmy = FakeRemote::start_as(Some("lemmy"), "/u/carol").await;
    let mastodon = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    follow(&plaza, &lemmy).await;
    follow(&plaza, &mastodon).await;
    let changed = admin
        .patch("/groups/support", &json!({"title": "Customer support"}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    publish_all(&plaza).await;

    let to_forum = announced(&lemmy);
    assert_eq!(to_forum.len(), 1, "{to_forum:?}");
    assert_eq!(to_forum[0]["type"], "Update");
    assert_eq!(to_forum[0]["actor"], format!("{}/u/admin", plaza.base));
    assert_eq!(to_forum[0]["object"]["type"], "Group");
    assert_eq!(to_forum[0]["object"]["name"], "Customer support");
    let to_mastodon: Vec<Value> = mastodon.received_from_others("/inbox");
    assert_eq!(to_mastodon.len(), 1, "{to_mastodon:?}");
    assert_eq!(to_mastodon[0]["type"], "Update");
    assert_eq!(to_mastodon[0]["actor"], format!("{}/g/support", plaza.base));
}

/// A group followed from Lemmy, where the administrator answered ada's question and marked the
/// answer official; published. Returns the instance, the administrator, the Lemmy server and the
/// answer's id.
async fn official_answer_seen_from_lemmy() -> (TestInstance, Client, FakeRemote, i64) {
    let (plaza, admin, lemmy) = group_followed_from_lemmy().await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Where is my order?", "").await;
    let answer = admin.reply(thread, None, "It ships today.").await;
    let marked = admin.distinguish(answer, true).await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    publish_all(&plaza).await;
    (plaza, admin, lemmy, answer)
}

/// The objects of the `Update`s the group announced to `lemmy`.
fn announced_updates(lemmy: &FakeRemote) -> Vec<Value> {
    let updates = announced(lemmy)
        .into_iter()
        .filter(|a| a["type"] == "Update");
    updates.map(|a| a["object"].clone()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_official_answer_reaches_forums_with_lemmys_distinguished_flag() {
    let (_plaza, _admin, lemmy, _) = official_answer_seen_from_lemmy().await;
    let updates = announced_updates(&lemmy);
    let update = updates.first().expect("the comment's Update was announced");
    assert_eq!(update["type"], "Note");
    assert_eq!(update["distinguished"], true);
}

/// Lemmy tells a moderator's removal from an author's own deletion by the presence of `summary`
/// on the `Delete` (and on the `Delete` inside the `Undo` that restores): without one it takes the
/// Delete for the author's and refuses it from anyone else. Lemmy itself sends an empty string
/// when the moderator gave no reason.
#[tokio::test(flavor = "multi_thread")]
async fn lemmy_accepts_a_removal_without_reason_because_summary_is_sent() {
    let (plaza, admin, lemmy) = group_followed_from_lemmy().await;
    let eve = plaza.member("eve").await;
    let thread = eve.thread("support", "Cheap watches", "").await;
    let comment = eve.reply(thread, None, "Buy now").await;
    publish_all(&plaza).await;

    for action in ["remove", "restore"] {
        let answer = admin
            .post(
                &format!("/comments/{comment}/moderate"),
                &json!({ "action": action }),
            )
            .await;
        assert_eq!(answer.status, 204, "{}", answer.body);
    }
    publish_all(&plaza).await;

    let sent = announced(&lemmy);
    let removal = sent
        .iter()
        .find(|a| a["type"] == "Delete")
        .expect("the removal was announced");
    assert_eq!(
        removal["object"],
        format!("{}/comment/{comment}", plaza.base)
    );
    assert_eq!(removal["summary"], "", "{removal}");
    let restore = sent
        .iter()
        .find(|a| a["type"] == "Undo")
        .expect("the restore was announced");
    assert_eq!(restore["object"]["type"], "Delete");
    assert_eq!(restore["object"]["summary"], "", "{restore}");
}

/// Lemmy's own communities drop a banned person's subscription: they stop counting as a follower
/// and get nothing more from the community, except the ban itself, and cannot follow again
/// while it lasts.
#[tokio::test(flavor = "multi_thread")]
async fn a_ban_ends_the_banned_persons_follow_of_the_group() {
    let (plaza, admin, lemmy) = group_followed_from_lemmy().await;
    let followers = |plaza: &TestInstance| {
        let client = plaza.anonymous();
        async move { client.get("/groups/support").await.i64("/follower_count") }
    };
    assert_eq!(followers(&plaza).await, 1);

    let banned = admin
        .post(
            "/groups/support/bans",
            &json!({"person": format!("carol@{}", lemmy.domain()), "reason": "spam"}),
        )
        .await;
    assert_eq!(banned.status, 204, "{}", banned.body);
    assert_eq!(followers(&plaza).await, 0);
    plaza
        .member("ada")
        .await
        .thread("support", "After the ban", "")
        .await;
    publish_all(&plaza).await;
    let kinds: Vec<Value> = announced(&lemmy)
        .iter()
        .map(|a| a["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        [json!("Block")],
        "only the ban reaches carol's server"
    );

    let again = json!({
        "id": format!("{}/follows/2", lemmy.bob), "type": "Follow",
        "actor": lemmy.bob, "object": format!("{}/g/support", plaza.base)
    });
    assert_eq!(lemmy.send(&plaza, "/g/support/inbox", &again).await.0, 403);
    assert_eq!(followers(&plaza).await, 0);
}

/// Lemmy shows a comment as edited when its `Note` carries `updated`. Marking an answer official
/// sends the comment's `Update` (for Lemmy's `distinguished`), which is no edit: its `updated` is
/// the time of the last edit of the text, absent when there was none.
#[tokio::test(flavor = "multi_thread")]
async fn lemmy_shows_no_edit_for_an_official_answer_because_updated_is_the_text_edit_time() {
    let (plaza, admin, lemmy, answer) = official_answer_seen_from_lemmy().await;
    let sent = announced_updates(&lemmy);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["distinguished"], true);
    assert!(sent[0].get("updated").is_none(), "{}", sent[0]);

    let edited = admin
        .patch(
            &format!("/comments/{answer}"),
            &json!({"body": "It shipped."}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    publish_all(&plaza).await;
    let sent = announced_updates(&lemmy);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1]["updated"].is_string(), "{}", sent[1]);
    let fetched = plaza
        .fetch(&format!("/comment/{answer}"), crate::MASTODON_ACCEPT)
        .await;
    assert_eq!(fetched.body["updated"], sent[1]["updated"]);
}

fn flag(remote: &FakeRemote, n: usize, objects: Vec<String>) -> Value {
    json!({
        "id": format!("{}/flags/{n}", remote.base), "type": "Flag",
        "actor": remote.bob, "content": "spam", "object": objects
    })
}

async fn open_reports(admin: &plaza_tests::Client) -> usize {
    let queue = admin.get("/groups/support/reports").await;
    queue.at("/items").as_array().unwrap().len()
}

/// An instance with eve's thread in `support`, its moderator, and a remote server.
async fn reportable() -> (TestInstance, plaza_tests::Client, i64, FakeRemote) {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let eve = plaza.member("eve").await;
    let thread = eve.thread("support", "Cheap watches", "").await;
    (plaza, admin, thread, FakeRemote::start().await)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flag_naming_one_thread_a_thousand_times_opens_one_report() {
    let (plaza, admin, thread, bob) = reportable().await;
    let named = vec![format!("{}/post/{thread}", plaza.base); 1_000];
    let (status, body) = bob.send(&plaza, "/inbox", &flag(&bob, 1, named)).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(open_reports(&admin).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flag_naming_more_than_twenty_objects_is_refused() {
    let (plaza, admin, thread, bob) = reportable().await;
    // The thread, and twenty comments that need not exist: a Flag is judged by what it names.
    let mut named = vec![format!("{}/post/{thread}", plaza.base)];
    named.extend((1..=20).map(|n| format!("{}/comment/{n}", plaza.base)));
    let (status, body) = bob
        .send(&plaza, "/inbox", &flag(&bob, 2, named.clone()))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(open_reports(&admin).await, 0);
    named.pop();
    let (status, body) = bob.send(&plaza, "/inbox", &flag(&bob, 3, named)).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(open_reports(&admin).await, 1);
}
