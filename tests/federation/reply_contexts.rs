//! Thread contexts (FEP-7888), read: a reply whose parent is unknown here brings its whole
//! conversation from the collection its `context` names, each item checked as any fetched
//! content is; without a usable context the parent chain is walked as before.

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::announce_trust::followed_community;
use crate::from_lemmy::{stored_comment, stored_post};
use crate::remote::FakeRemote;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn note(id: &str, author: &str, parent: &str, group: &str, context: &str, html: &str) -> Value {
    json!({
        "id": id, "type": "Note", "attributedTo": author, "to": [PUBLIC], "cc": [group],
        "audience": group, "inReplyTo": parent, "context": context, "content": html
    })
}

/// An instance with the group `support`, its id, and bob's server, a forum that serves
/// conversations.
async fn forum_and_group() -> (TestInstance, String, FakeRemote) {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let group = format!("{}/g/support", plaza.base);
    let bob = FakeRemote::start_as(Some("nodebb"), "/u/bob").await;
    (plaza, group, bob)
}

/// An instance where `ada` follows a community elsewhere (a fake Lemmy server) with `dora` among
/// its people; with `accept` the community has accepted the follow.
pub(crate) async fn followed_by_ada(accept: bool) -> (TestInstance, FakeRemote, String) {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let community = followed_community(&plaza, "ada", "/c/main", accept).await;
    let dora = community.serve_person("/u/dora");
    (plaza, community, dora)
}

/// Our copy of a group.
pub(crate) async fn stored_group(plaza: &TestInstance, ap_id: &str) -> plaza_db::group::GroupRow {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    plaza_db::group::find_by_ap_id(&mut pooled.conn(), ap_id)
        .await
        .unwrap()
        .unwrap()
}

/// bob sends his reply `object` to the group's inbox.
async fn send_reply(plaza: &TestInstance, bob: &FakeRemote, n: u32, object: Value) {
    let create = json!({
        "id": format!("{}/activities/create/{n}", bob.base), "type": "Create",
        "actor": bob.bob, "to": [PUBLIC], "object": object
    });
    let (status, body) = bob.send(plaza, "/g/support/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_to_an_unknown_thread_brings_its_whole_conversation() {
    let (plaza, group, bob) = forum_and_group().await;
    let carol = bob.serve_person("/u/carol");
    let third = FakeRemote::start().await;
    let base = &bob.base;
    let context = format!("{base}/post/8/context");
    let page = format!("{base}/post/8");

    let opening = json!({
        "id": page, "type": "Page", "attributedTo": bob.bob, "to": [group, PUBLIC],
        "audience": group, "context": context, "name": "Sync fails on large folders",
        "content": "<p>More than 10k files.</p>"
    });
    let first = note(
        &format!("{base}/comment/1"),
        &bob.bob,
        &page,
        &group,
        &context,
        "<p>first</p>",
    );
    let second = note(
        &format!("{base}/comment/2"),
        &carol,
        &format!("{base}/comment/1"),
        &group,
        &context,
        "<p>second</p>",
    );
    // A reply from a third server: its copy in the collection says something it never said.
    let elsewhere = format!("{}/statuses/3", third.bob);
    let real = note(
        &elsewhere,
        &third.bob,
        &page,
        &group,
        &context,
        "<p>real</p>",
    );
    let mut forged = real.clone();
    forged["content"] = json!("<p>forged</p>");
    third.serve("/users/bob/statuses/3", real);
    bob.serve("/comment/2", second);
    bob.serve(
        "/post/8/context",
        json!({
            "id": context, "type": "OrderedCollection", "totalItems": 4,
            "first": format!("{context}?page=1")
        }),
    );
    bob.serve(
        "/post/8/context?page=1",
        json!({
            "id": format!("{context}?page=1"), "type": "OrderedCollectionPage", "partOf": context,
            "orderedItems": [opening, first, forged], "next": format!("{context}?page=2")
        }),
    );
    // The second page names its item by id only.
    bob.serve(
        "/post/8/context?page=2",
        json!({
            "id": format!("{context}?page=2"), "type": "OrderedCollectionPage", "partOf": context,
            "orderedItems": [format!("{base}/comment/2")]
        }),
    );

    let reply_id = format!("{base}/comment/4");
    let reply = note(
        &reply_id,
        &bob.bob,
        &format!("{base}/comment/2"),
        &group,
        &context,
        "<p>me too</p>",
    );
    send_reply(&plaza, &bob, 4, reply).await;

    let stored = stored_post(&plaza, &page)
        .await
        .expect("the thread came with the reply");
    assert_eq!(stored.title, "Sync fails on large folders");
    assert_eq!(stored.comment_count, 4);
    let first = stored_comment(&plaza, &format!("{base}/comment/1"))
        .await
        .expect("first");
    let second = stored_comment(&plaza, &format!("{base}/comment/2"))
        .await
        .expect("second");
    let sibling = stored_comment(&plaza, &elsewhere)
        .await
        .expect("the sibling on a third server");
    let reply = stored_comment(&plaza, &reply_id).await.expect("the reply");
    assert_eq!((first.parent_id, second.parent_id), (None, Some(first.id)));
    assert_eq!((reply.parent_id, reply.depth), (Some(second.id), 2));
    assert!(sibling.body_html.contains("real"), "{}", sibling.body_html);
    assert_eq!(sibling.parent_id, None);

    assert_eq!(
        bob.fetches("/post/8/context"),
        3,
        "the collection and its two pages"
    );
    assert_eq!(
        third.fetches("/users/bob/statuses/3"),
        1,
        "asked its origin"
    );
    assert_eq!(
        bob.fetches("/comment/1"),
        0,
        "taken as its own server embedded it"
    );
    assert_eq!(bob.fetches("/comment/2"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_readable_conversation_the_parents_are_fetched_one_by_one() {
    let (plaza, group, bob) = forum_and_group().await;
    let third = FakeRemote::start().await;
    let base = &bob.base;
    let page = format!("{base}/post/8");
    // bob's server names a conversation it does not serve.
    let context = format!("{base}/post/8/context");
    bob.serve(
        "/post/8",
        json!({
            "id": page, "type": "Page", "attributedTo": bob.bob, "to": [group, PUBLIC],
            "audience": group, "context": context, "name": "Sync fails", "content": "<p>x</p>"
        }),
    );
    for n in [1, 5] {
        bob.serve(
            &format!("/comment/{n}"),
            note(
                &format!("{base}/comment/{n}"),
                &bob.bob,
                &page,
                &group,
                &context,
                "<p>a</p>",
            ),
        );
    }
    let reply = note(
        &format!("{base}/comment/2"),
        &bob.bob,
        &format!("{base}/comment/1"),
        &group,
        &context,
        "<p>b</p>",
    );
    send_reply(&plaza, &bob, 2, reply).await;
    assert_eq!(
        bob.fetches("/post/8/context"),
        1,
        "the conversation was tried"
    );
    let placed = stored_comment(&plaza, &format!("{base}/comment/2"))
        .await
        .expect("placed anyway");
    let parent = stored_comment(&plaza, &format!("{base}/comment/1"))
        .await
        .unwrap();
    assert_eq!(placed.parent_id, Some(parent.id));

    // A conversation on a server that is neither the reply's nor its parent's is not read.
    let foreign = format!("{}/contexts/1", third.base);
    let reply = note(
        &format!("{base}/comment/6"),
        &bob.bob,
        &format!("{base}/comment/5"),
        &group,
        &foreign,
        "<p>c</p>",
    );
    send_reply(&plaza, &bob, 6, reply).await;
    assert_eq!(third.fetches("/contexts/1"), 0);
    assert!(
        stored_comment(&plaza, &format!("{base}/comment/6"))
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_passed_on_by_a_followed_group_brings_its_conversation_too() {
    let (plaza, community, dora) = followed_by_ada(true).await;
    let group = community.bob.clone();
    let base = &community.base;
    let page = format!("{base}/post/1");
    let context = format!("{page}/context");
    let opening = json!({
        "id": page, "type": "Page", "attributedTo": dora, "to": [group, PUBLIC],
        "audience": group, "context": context, "name": "Hello", "content": "<p>hi</p>"
    });
    let first = note(
        &format!("{base}/comment/1"),
        &dora,
        &page,
        &group,
        &context,
        "<p>1</p>",
    );
    // Served whole, not in pages; the comment is not served at its own id.
    community.serve(
        "/post/1/context",
        json!({"id": context, "type": "OrderedCollection", "orderedItems": [opening, first]}),
    );
    let reply_id = format!("{base}/comment/2");
    let reply = note(
        &reply_id,
        &dora,
        &format!("{base}/comment/1"),
        &group,
        &context,
        "<p>2</p>",
    );
    let announce = json!({
        "id": format!("{group}/announce/1"), "type": "Announce", "actor": group, "to": [PUBLIC],
        "object": {
            "id": format!("{base}/activities/create/2"), "type": "Create", "actor": dora,
            "to": [PUBLIC], "cc": [group], "object": reply
        }
    });
    let (status, body) = community.send(&plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");

    let stored = stored_post(&plaza, &page)
        .await
        .expect("the thread came with the reply");
    let ours = stored_group(&plaza, &group).await;
    assert_eq!(stored.group_id, ours.id);
    let first = stored_comment(&plaza, &format!("{base}/comment/1"))
        .await
        .expect("first");
    let reply = stored_comment(&plaza, &reply_id).await.expect("the reply");
    assert_eq!(reply.parent_id, Some(first.id));
}
