//! Mastodon-shaped activities (`tests/fixtures/mastodon/`) through the real inbox, signed by the
//! fake remote server: a Note that mentions the group starts a thread, a Note that answers one of
//! our posts is a comment, a favourite is an upvote; edits and deletions come from the author.

use plaza_tests::TestInstance;
use serde_json::Value;

use crate::remote::{FakeRemote, fixture, publish_all};

async fn threads(plaza: &TestInstance) -> Vec<Value> {
    let answer = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.at("/items").as_array().unwrap().clone()
}

async fn thread(plaza: &TestInstance, id: i64) -> Value {
    let answer = plaza.anonymous().get(&format!("/threads/{id}")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// A remote server following the group, reporting `software` in its NodeInfo.
async fn follower(plaza: &TestInstance, software: &str, actor_path: &str) -> FakeRemote {
    let remote = FakeRemote::start_as(Some(software), actor_path).await;
    let follow = serde_json::json!({
        "id": format!("{}/follows/1", remote.bob), "type": "Follow",
        "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
    });
    assert_eq!(remote.send(plaza, "/g/support/inbox", &follow).await.0, 202);
    remote
}

#[tokio::test(flavor = "multi_thread")]
async fn mastodon_note_mentioning_the_group_starts_a_thread_titled_from_its_first_line() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let create = fixture("mastodon/create_note_new_thread.json", &bob, &plaza);

    let (status, body) = bob.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    let listed = threads(&plaza).await;
    assert_eq!(listed.len(), 1);
    let thread = &listed[0];
    assert_eq!(thread["title"], "The scanner stops after two pages");
    assert_eq!(thread["url"], create["object"]["id"]);
    assert_eq!(thread["author"]["handle"], format!("bob@{}", bob.domain()));
    assert_eq!(thread["author"]["local"], false);
    let html = thread["body"].as_str().unwrap();
    assert!(html.contains("It worked until the update"), "{html}");
    assert!(
        !html.contains("<script"),
        "remote HTML is sanitized: {html}"
    );

    // The same activity again (a retry, a replay) stores nothing new.
    assert_eq!(bob.send(&plaza, "/inbox", &create).await.0, 202);
    assert_eq!(threads(&plaza).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn mastodon_reply_to_group_post_is_stored_and_announced_to_forums_only() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let lemmy = follower(&plaza, "lemmy", "/u/carol").await;
    let bob = follower(&plaza, "mastodon", "/users/bob").await;
    let ada = plaza.member("ada").await;
    let post = ada.thread("support", "Scanner jams", "Since Monday").await;
    assert_eq!(post, 1, "the fixture answers /post/1");
    publish_all(&plaza).await;

    // Mastodon is sent the thread as a Note it shows in full; Lemmy the FEP-1b12 Announce(Create(Page)).
    let to_bob = bob.received("/inbox");
    assert_eq!(to_bob.len(), 1, "{to_bob:?}");
    assert_eq!(to_bob[0]["type"], "Announce");
    assert_eq!(to_bob[0]["object"]["type"], "Note");
    let note_html = to_bob[0]["object"]["content"].as_str().unwrap();
    assert!(
        note_html.starts_with("<p><strong>Scanner jams</strong></p>"),
        "{note_html}"
    );
    let to_lemmy = lemmy.received("/inbox");
    assert_eq!(to_lemmy.len(), 1, "{to_lemmy:?}");
    assert_eq!(to_lemmy[0]["object"]["type"], "Create");
    assert_eq!(to_lemmy[0]["object"]["object"]["type"], "Page");

    // Bob replies from Mastodon without addressing the group: the reply finds its thread.
    let reply = fixture("mastodon/create_note_reply.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/u/ada/inbox", &reply).await;
    assert_eq!(status, 202, "{body}");
    let view = thread(&plaza, post).await;
    assert_eq!(view["thread"]["comment_count"], 1);
    let comment = &view["comments"][0];
    assert_eq!(comment["url"], reply["object"]["id"]);
    let html = comment["body"].as_str().unwrap();
    assert!(html.contains("Same here"), "{html}");
    assert!(
        !html.contains("javascript:") && !html.contains("onclick"),
        "remote HTML is sanitized: {html}"
    );

    // The group passes the reply on, as received, to the forum; not to Mastodon's timelines.
    publish_all(&plaza).await;
    let to_lemmy = lemmy.received("/inbox");
    assert_eq!(to_lemmy.len(), 2, "{to_lemmy:?}");
    let announce = &to_lemmy[1];
    assert_eq!(announce["type"], "Announce");
    assert_eq!(announce["actor"], format!("{}/g/support", plaza.base));
    assert_eq!(announce["object"]["id"], reply["id"]);
    assert_eq!(announce["object"]["object"]["id"], reply["object"]["id"]);
    assert_eq!(
        bob.received("/inbox").len(),
        1,
        "no comment boosts to Mastodon"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mastodon_favourite_counts_as_an_upvote_and_undo_withdraws_it() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let post = plaza
        .member("ada")
        .await
        .thread("support", "Scanner jams", "")
        .await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;

    let like = fixture("mastodon/like_post.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &like).await.0, 202);
    assert_eq!(thread(&plaza, post).await["thread"]["upvotes"], 1);
    // A second copy with another id (a resend) does not count twice.
    let mut again = like.clone();
    again["id"] = Value::String(format!("{}/again", like["id"].as_str().unwrap()));
    assert_eq!(bob.send(&plaza, "/inbox", &again).await.0, 202);
    assert_eq!(thread(&plaza, post).await["thread"]["score"], 1);

    let undo = fixture("mastodon/undo_like_post.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &undo).await.0, 202);
    let view = thread(&plaza, post).await;
    assert_eq!(view["thread"]["upvotes"], 0);
    assert_eq!(view["thread"]["score"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn mastodon_edit_and_delete_apply_to_the_authors_reply_only() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let post = plaza
        .member("ada")
        .await
        .thread("support", "Scanner jams", "")
        .await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let reply = fixture("mastodon/create_note_reply.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &reply).await.0, 202);

    // Someone on another server cannot edit bob's reply: the object is not on their host.
    let mallory = FakeRemote::start().await;
    let mut forged = fixture("mastodon/update_note_reply.json", &bob, &plaza);
    forged["actor"] = Value::String(mallory.bob.clone());
    forged["id"] = Value::String(format!("{}/forged", mallory.bob));
    let (status, _) = mallory.send(&plaza, "/inbox", &forged).await;
    assert_eq!(status, 400);
    let view = thread(&plaza, post).await;
    assert!(
        view["comments"][0]["body"]
            .as_str()
            .unwrap()
            .contains("Same here")
    );

    let update = fixture("mastodon/update_note_reply.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &update).await.0, 202);
    let view = thread(&plaza, post).await;
    let body = view["comments"][0]["body"].as_str().unwrap();
    assert!(body.contains("Fixed by the 2.1 firmware"), "{body}");
    assert!(!view["comments"][0]["updated_at"].is_null());

    let delete = fixture("mastodon/delete_note_reply.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &delete).await.0, 202);
    let view = thread(&plaza, post).await;
    assert_eq!(view["comments"][0]["deleted"], true);
    assert_eq!(view["comments"][0]["body"], "");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_followers_only_note_does_not_become_a_thread() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let create = fixture("mastodon/create_note_followers_only.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &create).await.0, 202);
    assert!(threads(&plaza).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_where_only_moderators_post_refuses_remote_threads() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let created = admin
        .post(
            "/groups",
            &serde_json::json!({"name": "support", "title": "Support", "posting_restricted_to_mods": true}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let create = fixture("mastodon/create_note_new_thread.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 403, "{body}");
    assert!(threads(&plaza).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_to_a_mastodon_users_thread_reaches_them_without_following_the_group() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let create = fixture("mastodon/create_note_new_thread.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &create).await.0, 202);
    let thread_id = threads(&plaza).await[0]["id"].as_i64().unwrap();

    let staff = plaza.member("ada").await;
    staff
        .reply(thread_id, None, "Please install firmware 2.1.")
        .await;
    publish_all(&plaza).await;

    // (bob's own signed requests are captured on his server too: only Plaza's count.)
    let sent: Vec<_> = bob.received_from_others("/inbox");
    assert_eq!(sent.len(), 1, "{sent:?}");
    let answer = &sent[0];
    assert_eq!(answer["type"], "Create");
    assert_eq!(answer["actor"], format!("{}/u/ada", plaza.base));
    assert_eq!(answer["object"]["inReplyTo"], create["object"]["id"]);
    assert!(
        answer["object"]["tag"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["href"] == bob.bob.as_str() && t["type"] == "Mention"),
        "bob is mentioned, so Mastodon notifies him: {answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_update_is_acknowledged_and_changes_no_content() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let update = serde_json::json!({
        "id": format!("{}#updates/1", bob.bob), "type": "Update", "actor": bob.bob,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"id": bob.bob, "type": "Person", "preferredUsername": "bob", "name": "Bobby"}
    });
    let (status, body) = bob.send(&plaza, "/inbox", &update).await;
    assert_eq!(status, 202, "{body}");
    assert!(threads(&plaza).await.is_empty());
}
