//! Thread contexts (FEP-7888), served: a thread's `Page` and its comments' `Note`s name the
//! thread's conversation, a collection of the opening post and every comment, oldest first, in
//! pages of fifty.

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::remote::FakeRemote;
use crate::{LD_ACCEPT, MASTODON_ACCEPT};

/// An instance whose member `ada` may post as much as a test needs.
async fn unlimited() -> TestInstance {
    let web = plaza_web::WebConfig {
        rate_limits: plaza_web::rate_limit::RateLimits::unlimited(),
        ..plaza_web::WebConfig::default()
    };
    TestInstance::spawn_with(plaza_core::Settings::default(), web).await
}

fn ids(page: &Value) -> Vec<String> {
    page["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_and_its_comments_name_the_threads_conversation() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Printer on fire", "Help").await;
    let top = ada.reply(thread, None, "Unplug it").await;
    let nested = ada.reply(thread, Some(top), "Done").await;
    let context = format!("{}/post/{thread}/context", plaza.base);

    for path in [
        format!("/post/{thread}"),
        format!("/comment/{top}"),
        format!("/comment/{nested}"),
    ] {
        let object = plaza.fetch(&path, MASTODON_ACCEPT).await;
        assert_eq!(object.status, 200, "{path}: {}", object.body);
        assert_eq!(object.str("/context"), context, "{path}");
    }
    // The outbox's copy of the thread names it too.
    let outbox = plaza.fetch("/g/support/outbox", MASTODON_ACCEPT).await;
    assert_eq!(outbox.str("/orderedItems/0/object/object/context"), context);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_lists_the_opening_post_then_every_comment_oldest_first() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bea = plaza.member("bea").await;
    let thread = ada.thread("support", "Printer on fire", "**Help**").await;
    let first = bea.reply(thread, None, "Unplug it").await;
    let second = ada.reply(thread, Some(first), "It worked").await;
    let base = &plaza.base;
    let context = format!("{base}/post/{thread}/context");

    for accept in [MASTODON_ACCEPT, LD_ACCEPT] {
        let collection = plaza
            .fetch(&format!("/post/{thread}/context"), accept)
            .await;
        assert_eq!(collection.status, 200, "{}", collection.body);
        assert_eq!(
            collection.headers["content-type"],
            "application/activity+json; charset=utf-8"
        );
        assert_eq!(collection.str("/id"), context);
        assert_eq!(collection.at("/type"), "OrderedCollection");
        assert_eq!(collection.i64("/totalItems"), 3);
        assert_eq!(collection.str("/first"), format!("{context}?page=1"));
        assert_eq!(collection.str("/last"), format!("{context}?page=1"));
        assert_eq!(collection.str("/attributedTo"), format!("{base}/g/support"));
    }

    let page = plaza
        .fetch(&format!("/post/{thread}/context?page=1"), MASTODON_ACCEPT)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.str("/id"), format!("{context}?page=1"));
    assert_eq!(page.at("/type"), "OrderedCollectionPage");
    assert_eq!(page.str("/partOf"), context);
    assert!(page.at("/next").is_null() && page.at("/prev").is_null());
    assert_eq!(
        ids(&page.body),
        [
            format!("{base}/post/{thread}"),
            format!("{base}/comment/{first}"),
            format!("{base}/comment/{second}"),
        ]
    );
    // Whole objects, as served at their own ids.
    let opening = plaza
        .fetch(&format!("/post/{thread}"), MASTODON_ACCEPT)
        .await;
    assert_eq!(page.at("/orderedItems/0"), &without_context(&opening.body));
    assert_eq!(page.at("/orderedItems/2/type"), "Note");
    assert_eq!(
        page.str("/orderedItems/2/inReplyTo"),
        format!("{base}/comment/{first}")
    );
    assert_eq!(page.at("/orderedItems/2/content"), "<p>It worked</p>\n");
    assert_eq!(
        page.str("/orderedItems/2/cc/1"),
        format!("{base}/u/bea"),
        "addressed to whom it answers, as at its own id"
    );
}

/// A document without its `@context`, as it appears embedded in another.
fn without_context(document: &Value) -> Value {
    let mut document = document.clone();
    document.as_object_mut().unwrap().remove("@context");
    document
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_conversation_is_served_in_pages_of_fifty() {
    let plaza = unlimited().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Busy thread", "Go").await;
    let mut comments = Vec::new();
    for n in 0..60 {
        comments.push(ada.reply(thread, None, &format!("reply {n}")).await);
    }
    let context = format!("{}/post/{thread}/context", plaza.base);

    let collection = plaza
        .fetch(&format!("/post/{thread}/context"), MASTODON_ACCEPT)
        .await;
    assert_eq!(collection.i64("/totalItems"), 61);
    assert_eq!(collection.str("/last"), format!("{context}?page=2"));

    let first = plaza
        .fetch(&format!("/post/{thread}/context?page=1"), MASTODON_ACCEPT)
        .await;
    let first_ids = ids(&first.body);
    assert_eq!(first_ids.len(), 50);
    assert_eq!(first_ids[0], format!("{}/post/{thread}", plaza.base));
    assert_eq!(first.str("/next"), format!("{context}?page=2"));
    assert!(first.at("/prev").is_null());

    let second = plaza
        .fetch(&format!("/post/{thread}/context?page=2"), MASTODON_ACCEPT)
        .await;
    let second_ids = ids(&second.body);
    assert_eq!(second_ids.len(), 11);
    assert_eq!(second.str("/prev"), format!("{context}?page=1"));
    assert!(second.at("/next").is_null());

    let comment_ids: Vec<String> = comments
        .iter()
        .map(|id| format!("{}/comment/{id}", plaza.base))
        .collect();
    assert_eq!(
        [&first_ids[1..], &second_ids[..]].concat(),
        comment_ids,
        "every comment once, oldest first"
    );
    for beyond in ["0", "3"] {
        let answer = plaza
            .fetch(
                &format!("/post/{thread}/context?page={beyond}"),
                MASTODON_ACCEPT,
            )
            .await;
        assert_eq!(answer.status, 404, "page {beyond}: {}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_comments_keep_their_place_as_tombstones_and_a_deleted_thread_takes_its_conversation()
 {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Printer on fire", "Help").await;
    let deleted = ada.reply(thread, None, "secret").await;
    let answer = ada.reply(thread, Some(deleted), "Answer to it").await;
    let removed = ada.reply(thread, None, "spam").await;
    assert_eq!(
        ada.delete(&format!("/comments/{deleted}")).await.status,
        204
    );
    let removal = admin
        .post(
            &format!("/comments/{removed}/moderate"),
            &json!({"action": "remove", "reason": "spam"}),
        )
        .await;
    assert_eq!(removal.status, 204, "{}", removal.body);
    let base = &plaza.base;

    let page = plaza
        .fetch(&format!("/post/{thread}/context?page=1"), MASTODON_ACCEPT)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(ids(&page.body).len(), 4);
    for (at, id) in [(1, deleted), (3, removed)] {
        let item = page.at(&format!("/orderedItems/{at}"));
        assert_eq!(item["id"], format!("{base}/comment/{id}"));
        assert_eq!(item["type"], "Tombstone");
        assert_eq!(item["formerType"], "Note");
        assert!(item.get("content").is_none(), "{item}");
    }
    assert_eq!(
        page.str("/orderedItems/2/id"),
        format!("{base}/comment/{answer}")
    );
    assert_eq!(
        page.str("/orderedItems/2/inReplyTo"),
        format!("{base}/comment/{deleted}")
    );

    assert_eq!(ada.delete(&format!("/threads/{thread}")).await.status, 204);
    let gone = plaza
        .fetch(&format!("/post/{thread}/context"), MASTODON_ACCEPT)
        .await;
    assert_eq!(gone.status, 410, "{}", gone.body);
    assert_eq!(gone.at("/type"), "Tombstone");
    assert_eq!(gone.at("/formerType"), "OrderedCollection");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_threads_of_this_instance_have_a_conversation_here() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let ours = ada.thread("support", "Ours", "Here").await;
    let bob = FakeRemote::start_as(Some("lemmy"), "/u/bob").await;
    let group = format!("{}/g/support", plaza.base);
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let create = json!({
        "id": format!("{}/activities/create/1", bob.base), "type": "Create",
        "actor": bob.bob, "to": [group, public],
        "object": {
            "id": format!("{}/post/1", bob.base), "type": "Page", "attributedTo": bob.bob,
            "to": [group, public], "audience": group, "name": "From Lemmy", "content": "<p>hi</p>"
        }
    });
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    let listed = plaza.anonymous().get("/groups/support/threads").await;
    let theirs = listed.i64("/items/0/id");
    assert_ne!(theirs, ours);

    for (id, status) in [(ours, 200), (theirs, 404)] {
        let answer = plaza
            .fetch(&format!("/post/{id}/context"), MASTODON_ACCEPT)
            .await;
        assert_eq!(answer.status, status, "thread {id}: {}", answer.body);
    }
    // Our group lists both in its outbox, only ours with a conversation of ours.
    let outbox = plaza.fetch("/g/support/outbox", MASTODON_ACCEPT).await;
    let items = outbox.at("/orderedItems").as_array().unwrap();
    let context_of = |id: String| {
        items
            .iter()
            .map(|item| &item["object"]["object"])
            .find(|page| page["id"] == id.as_str())
            .map(|page| page["context"].clone())
            .unwrap()
    };
    assert_eq!(
        context_of(format!("{}/post/{ours}", plaza.base)),
        format!("{}/post/{ours}/context", plaza.base)
    );
    assert!(context_of(format!("{}/post/1", bob.base)).is_null());
}
