//! Accepted answers across servers: the thread's `Page` carries `acceptedAnswer`, a change goes
//! out as an `Update` of it, a remote group's `Update` naming one of the thread's replies sets it
//! here, and an asker on Mastodon hears of it in a direct mention.

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::remote::{FakeRemote, fixture, publish_all};
use crate::remote_groups::{announce_thread, follow_community, stored_post};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn follow(plaza: &TestInstance, remote: &FakeRemote) {
    let follow = json!({
        "id": format!("{}/follows/1", remote.bob), "type": "Follow",
        "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
    });
    assert_eq!(remote.send(plaza, "/g/support/inbox", &follow).await.0, 202);
}

/// The Updates of objects of `kind` the group announced to `remote`.
fn announced_updates(remote: &FakeRemote, kind: &str) -> Vec<Value> {
    remote
        .received("/inbox")
        .into_iter()
        .filter(|a| {
            a["type"] == "Announce"
                && a["object"]["type"] == "Update"
                && a["object"]["object"]["type"] == kind
        })
        .map(|a| a["object"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_accepted_answer_reaches_a_forum_follower_as_an_update_of_the_page() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let lemmy = FakeRemote::start_as(Some("lemmy"), "/u/carol").await;
    follow(&plaza, &lemmy).await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let asked = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Which fuse?", "question": true}),
        )
        .await;
    let thread = asked.i64("/thread/id");
    let answer = bob.reply(thread, None, "The 10 A one").await;
    publish_all(&plaza).await;
    assert!(announced_updates(&lemmy, "Page").is_empty());

    let accepted = admin
        .post(
            &format!("/threads/{thread}/accept"),
            &json!({"comment_id": answer}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    publish_all(&plaza).await;

    let page_id = format!("{}/post/{thread}", plaza.base);
    let answer_id = format!("{}/comment/{answer}", plaza.base);
    let updates = announced_updates(&lemmy, "Page");
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["object"]["id"], page_id);
    assert_eq!(updates[0]["object"]["type"], "Page");
    assert_eq!(updates[0]["object"]["acceptedAnswer"], answer_id);
    assert_eq!(updates[0]["actor"], format!("{}/u/ada", plaza.base));
    // A moderator accepted it: Lemmy is told the answer is distinguished.
    let notes = announced_updates(&lemmy, "Note");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["object"]["id"], answer_id);
    assert_eq!(notes[0]["object"]["distinguished"], true);

    // The Page itself says so, with the term in its context.
    let served = plaza
        .fetch(&format!("/post/{thread}"), crate::MASTODON_ACCEPT)
        .await;
    assert_eq!(served.at("/acceptedAnswer"), &json!(answer_id));
    let context = served.at("/@context").to_string();
    assert!(
        context.contains("https://schema.org/acceptedAnswer"),
        "{context}"
    );

    // Withdrawn: another Update, without the property.
    ada.delete(&format!("/threads/{thread}/accept")).await;
    publish_all(&plaza).await;
    let updates = announced_updates(&lemmy, "Page");
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert!(updates[1]["object"].get("acceptedAnswer").is_none());
    let notes = announced_updates(&lemmy, "Note");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[1]["object"]["distinguished"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_the_asker_accepts_is_not_distinguished_for_lemmy() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let lemmy = FakeRemote::start_as(Some("lemmy"), "/u/carol").await;
    follow(&plaza, &lemmy).await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let asked = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Which fuse?", "question": true}),
        )
        .await;
    let thread = asked.i64("/thread/id");
    let answer = bob.reply(thread, None, "The 10 A one").await;
    let accepted = ada
        .post(
            &format!("/threads/{thread}/accept"),
            &json!({"comment_id": answer}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    publish_all(&plaza).await;
    assert_eq!(announced_updates(&lemmy, "Page").len(), 1);
    assert!(announced_updates(&lemmy, "Note").is_empty());
    let note = plaza
        .fetch(&format!("/comment/{answer}"), crate::MASTODON_ACCEPT)
        .await;
    assert_eq!(note.at("/distinguished"), false);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_asker_on_mastodon_gets_a_direct_mention_when_their_question_is_solved() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    admin.patch("/groups/support", &json!({"qa": true})).await;
    let mastodon = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let create = fixture("mastodon/create_note_new_thread.json", &mastodon, &plaza);
    assert_eq!(mastodon.send(&plaza, "/inbox", &create).await.0, 202);
    let threads = plaza.anonymous().get("/groups/support/threads").await;
    let thread = threads.i64("/items/0/id");
    assert_eq!(threads.at("/items/0/question"), true);
    let answer = admin.reply(thread, None, "Update the driver").await;
    publish_all(&plaza).await;

    let accepted = admin
        .post(
            &format!("/threads/{thread}/accept"),
            &json!({"comment_id": answer}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    publish_all(&plaza).await;

    let mentions: Vec<Value> = mastodon
        .received("/users/bob/inbox")
        .into_iter()
        .filter(|a| a["type"] == "Create" && a["actor"] == format!("{}/g/support", plaza.base))
        .collect();
    assert_eq!(mentions.len(), 1, "{mentions:?}");
    let note = &mentions[0]["object"];
    assert_eq!(note["to"], json!([mastodon.bob]));
    assert_eq!(note["cc"], json!([]));
    assert_eq!(mentions[0]["cc"], json!([]));
    assert_eq!(note["tag"][0]["href"], mastodon.bob);
    let content = note["content"].as_str().unwrap();
    assert!(
        content.contains(&format!("{}/comment/{answer}", plaza.base)),
        "{content}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remote_groups_update_naming_a_reply_of_the_thread_sets_its_accepted_answer() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let community = FakeRemote::start_group(Some("lemmy"), "/c/main").await;
    let group = community.bob.clone();
    let dora = community.serve_person("/u/dora");
    let erin = community.serve_person("/u/erin");
    follow_community(&plaza, &community).await;
    let page_id = announce_thread(&plaza, &community, &dora).await;

    let reply_id = format!("{}/comment/7", community.base);
    let reply = json!({
        "id": format!("{}/activities/create/7", community.base), "type": "Create",
        "actor": erin, "to": [PUBLIC], "cc": [group],
        "object": {
            "id": reply_id, "type": "Note", "attributedTo": erin, "to": [PUBLIC],
            "cc": [group], "audience": group, "inReplyTo": page_id,
            "content": "<p>Restart it</p>"
        }
    });
    let announce = json!({
        "id": format!("{group}/announce/7"), "type": "Announce", "actor": group,
        "to": [PUBLIC], "object": reply
    });
    assert_eq!(community.send(&plaza, "/inbox", &announce).await.0, 202);

    let update = |n: u32, accepted: Option<&str>| {
        let mut page = json!({
            "id": page_id, "type": "Page", "attributedTo": dora, "to": [group, PUBLIC],
            "audience": group, "name": "Hello from Lemmy", "content": "<p>Hi all</p>"
        });
        if let Some(a) = accepted {
            page["acceptedAnswer"] = json!(a);
        }
        json!({
            "id": format!("{group}/announce/update/{n}"), "type": "Announce", "actor": group,
            "to": [PUBLIC],
            "object": {
                "id": format!("{}/activities/update/{n}", community.base), "type": "Update",
                "actor": dora, "to": [PUBLIC], "cc": [group], "object": page
            }
        })
    };
    // A comment that is not in the thread is not taken.
    let elsewhere = format!("{}/comment/999", community.base);
    assert_eq!(
        community
            .send(&plaza, "/inbox", &update(1, Some(&elsewhere)))
            .await
            .0,
        202
    );
    let stored = stored_post(&plaza, &page_id).await;
    assert_eq!(stored.accepted_comment_id, None);

    assert_eq!(
        community
            .send(&plaza, "/inbox", &update(2, Some(&reply_id)))
            .await
            .0,
        202
    );
    let stored = stored_post(&plaza, &page_id).await;
    assert!(stored.accepted_comment_id.is_some());
    let shown = plaza
        .anonymous()
        .get(&format!("/threads/{}", stored.id))
        .await;
    assert_eq!(shown.at("/thread/solved"), true, "{}", shown.body);
    assert_eq!(
        shown.at("/thread/accepted_answer/author/handle"),
        &json!(format!("erin@{}", community.domain()))
    );

    // The group's own server decides for its threads: an Update without it withdraws it.
    assert_eq!(
        community.send(&plaza, "/inbox", &update(3, None)).await.0,
        202
    );
    assert_eq!(
        stored_post(&plaza, &page_id).await.accepted_comment_id,
        None
    );
}
