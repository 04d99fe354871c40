//! Following a group elsewhere fills in its latest threads from its outbox, and their comments
//! from each thread's conversation where the group's server offers one; only threads addressed to
//! the group, each as its own server has it.

use std::time::Duration;

use plaza_tests::{Client, TestInstance, settle};
use serde_json::{Value, json};

use crate::remote::FakeRemote;
use crate::reply_contexts::{followed_by_ada, stored_group};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// `Announce(Create(Page))` of a thread in `group`, as Lemmy lists it in an outbox.
fn announced(group: &str, page: Value) -> Value {
    let id = page["id"].as_str().unwrap();
    json!({
        "id": format!("{id}/announce"), "type": "Announce", "actor": group, "to": [PUBLIC],
        "object": {
            "id": format!("{id}/create"), "type": "Create", "actor": page["attributedTo"],
            "to": [PUBLIC], "cc": [group], "object": page
        }
    })
}

fn page(id: &str, author: &str, to: &str, title: &str) -> Value {
    json!({
        "id": id, "type": "Page", "attributedTo": author, "to": [to, PUBLIC], "audience": to,
        "name": title, "content": format!("<p>{title}</p>")
    })
}

/// The titles of the threads `client` lists in `group`, once `ready` holds of them, waiting up to
/// ten seconds (filling in runs in the background).
async fn threads_once(
    client: &Client,
    group: &str,
    ready: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..200 {
        let answer = client.get(&format!("/groups/{group}/threads")).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let items = answer.at("/items").as_array().cloned().unwrap_or_default();
        if ready(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the group was not filled in");
}

fn titles(items: &[Value]) -> Vec<&str> {
    let mut titles: Vec<&str> = items.iter().map(|t| t["title"].as_str().unwrap()).collect();
    titles.sort_unstable();
    titles
}

#[tokio::test(flavor = "multi_thread")]
async fn following_a_lemmy_community_fills_in_its_latest_threads() {
    let (plaza, community, dora) = followed_by_ada(false).await;
    let group = community.bob.clone();
    let outbox: Vec<Value> = (1..=3)
        .map(|n| {
            let id = format!("{}/post/{n}", community.base);
            announced(&group, page(&id, &dora, &group, &format!("Thread {n}")))
        })
        .collect();
    community.serve(
        "/c/main/outbox",
        json!({
            "id": format!("{group}/outbox"), "type": "OrderedCollection",
            "totalItems": 3, "orderedItems": outbox
        }),
    );

    community.accept_follow(&plaza).await;
    let handle = format!("main@{}", community.domain());
    let items = threads_once(&plaza.anonymous(), &handle, |items| items.len() >= 3).await;
    assert_eq!(titles(&items), ["Thread 1", "Thread 2", "Thread 3"]);
    assert_eq!(
        items[0]["author"]["handle"],
        format!("dora@{}", community.domain())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn filling_in_keeps_to_the_groups_own_threads_as_their_servers_have_them() {
    // The follow is accepted while the outbox is not served yet, so the filling in the Accept
    // starts finds nothing; the test then runs it itself, to the end.
    let (plaza, community, dora) = followed_by_ada(true).await;
    let group = community.bob.clone();
    let third = FakeRemote::start().await;
    for _ in 0..200 {
        if community.fetches("/c/main/outbox") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(community.fetches("/c/main/outbox"), 1);

    let base = &community.base;
    let own = page(&format!("{base}/post/1"), &dora, &group, "Ours");
    // A thread from a third server, which the outbox misquotes.
    let elsewhere = format!("{}/statuses/2", third.bob);
    third.serve(
        "/users/bob/statuses/2",
        page(&elsewhere, &third.bob, &group, "As bob wrote it"),
    );
    let misquoted = page(&elsewhere, &third.bob, &group, "Misquoted");
    // A thread of another group, and a reply: not threads of this group.
    let other_group = page(
        &format!("{base}/post/3"),
        &dora,
        &format!("{base}/c/other"),
        "Other",
    );
    let mut reply = page(&format!("{base}/post/4"), &dora, &group, "A reply");
    reply["inReplyTo"] = json!(format!("{base}/post/1"));
    // A vote passed on by the group, which names a thread but is none.
    let vote = json!({
        "id": format!("{group}/announce/like"), "type": "Announce", "actor": group,
        "object": {"id": format!("{base}/like/1"), "type": "Like", "actor": dora,
                   "object": format!("{base}/post/1")}
    });
    let items = vec![
        announced(&group, own),
        announced(&group, misquoted),
        announced(&group, other_group),
        announced(&group, reply),
        vote,
    ];
    community.serve(
        "/c/main/outbox",
        json!({"id": format!("{group}/outbox"), "type": "OrderedCollection", "orderedItems": items}),
    );

    let data = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap()
        .to_request_data();
    let row = stored_group(&plaza, &group).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let stored = plaza_federation::backfill::fill_group(&data, &row, deadline)
        .await
        .unwrap();
    assert_eq!(stored, 2);
    let handle = format!("main@{}", community.domain());
    let listed = plaza
        .anonymous()
        .get(&format!("/groups/{handle}/threads"))
        .await;
    let items = listed.at("/items").as_array().unwrap().clone();
    assert_eq!(titles(&items), ["As bob wrote it", "Ours"]);
    assert_eq!(third.fetches("/users/bob/statuses/2"), 1);

    // Filling in again stores nothing twice.
    let again = plaza_federation::backfill::fill_group(&data, &row, deadline)
        .await
        .unwrap();
    assert_eq!(again, 0);
}

fn domain(instance: &TestInstance) -> String {
    instance.base.trim_start_matches("http://").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn following_a_plaza_group_brings_its_threads_with_their_replies() {
    let a = TestInstance::spawn().await;
    let b = TestInstance::spawn().await;
    let admin = a.with_group("support").await;
    let ada = a.member("ada").await;
    let printer = ada.thread("support", "Printer on fire", "Help").await;
    let unplug = admin.reply(printer, None, "Unplug it").await;
    ada.reply(printer, Some(unplug), "It worked").await;
    let scanner = ada
        .thread("support", "Scanner stops", "After two pages")
        .await;
    admin.reply(scanner, None, "Which model?").await;

    let bea = b.member("bea").await;
    let group = format!("support@{}", domain(&a));
    let answer = bea
        .post(&format!("/groups/{group}/follow"), &Value::Null)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    settle(&[&a, &b]).await;

    let comments = |items: &[Value]| -> i64 {
        items
            .iter()
            .filter_map(|t| t["comment_count"].as_i64())
            .sum()
    };
    let items = threads_once(&b.anonymous(), &group, |items| {
        items.len() == 2 && comments(items) == 3
    })
    .await;
    assert_eq!(titles(&items), ["Printer on fire", "Scanner stops"]);
    let on_b = items
        .iter()
        .find(|t| t["title"] == "Printer on fire")
        .unwrap();
    let thread = b
        .anonymous()
        .get(&format!("/threads/{}", on_b["id"].as_i64().unwrap()))
        .await;
    assert_eq!(thread.status, 200, "{}", thread.body);
    assert_eq!(thread.at("/thread/comment_count"), 2, "{}", thread.body);
    let top = thread.at("/comments/0");
    assert_eq!(top["body"], "<p>Unplug it</p>\n", "{}", thread.body);
    assert_eq!(top["author"]["handle"], format!("admin@{}", domain(&a)));
    assert_eq!(
        top["replies"][0]["body"], "<p>It worked</p>\n",
        "{}",
        thread.body
    );
}
