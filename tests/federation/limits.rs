//! The work one inbox request can cause is bounded: hostile HTML is refused before it is parsed,
//! and off the workers that answer pages; a chain of slow parents is cut at the request's
//! deadline and finished in the background; a body naming too many addressees is refused before
//! anything is built from it.

use std::time::Duration;

use plaza_federation::config::FederationSettings;
use plaza_federation::deadline::InboxLimits;
use plaza_tests::TestInstance;
use serde_json::json;

use crate::remote::FakeRemote;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

#[tokio::test(flavor = "multi_thread")]
async fn deeply_nested_html_is_refused_and_the_home_page_answers_meanwhile() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let thread = admin.thread("support", "Printer on fire", "").await;
    let bob = FakeRemote::start().await;
    // 480 KB of nested tags, the body that once took 46 s to answer.
    let hostile = "<div>".repeat(96_000);
    let senders = (1..=4).map(|n| bob.send_reply(&plaza, "support", thread, n, &hostile));
    let visitor = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        plaza.browse("/").await
    };
    // The bound only keeps a broken build from hanging; docs/benchmarks.md has the timings.
    let (answers, home) = tokio::time::timeout(
        Duration::from_secs(60),
        futures::future::join(futures::future::join_all(senders), visitor),
    )
    .await
    .expect("the hostile bodies or the home page took over a minute");
    assert_eq!(home.status, 200);
    for (status, body) in answers {
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid", "{body}");
    }
    let read = admin.get(&format!("/threads/{thread}")).await;
    assert_eq!(read.at("/comments").as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_activity_naming_thousands_of_addressees_is_refused_before_it_is_read() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start().await;
    let crowd: Vec<String> = (0..10_000)
        .map(|n| format!("https://x.example/{n}"))
        .collect();
    let create = json!({
        "id": format!("{}/activities/crowd", bob.base), "type": "Create",
        "actor": bob.bob, "to": [PUBLIC], "cc": crowd,
        "object": {
            "id": format!("{}/notes/crowd", bob.base), "type": "Note",
            "attributedTo": bob.bob, "to": [PUBLIC], "cc": [format!("{}/g/support", plaza.base)],
            "content": "hello"
        }
    });
    let (status, body) = bob.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "too_many_addressees");
    // Refused before the sender's actor was even looked up.
    assert_eq!(bob.fetches("/users/bob"), 0);
}

/// Serves bob's notes `/notes/1` … `/notes/{depth}`, each answering the one before and the first
/// answering `thread` on `plaza`, each after `delay`; returns the Create of a reply to the last.
fn slow_chain(
    plaza: &TestInstance,
    bob: &FakeRemote,
    thread: i64,
    depth: usize,
    delay: Duration,
) -> serde_json::Value {
    let group = format!("{}/g/support", plaza.base);
    let note = |n: usize| format!("{}/notes/{n}", bob.base);
    for n in 1..=depth {
        let parent = if n == 1 {
            format!("{}/post/{thread}", plaza.base)
        } else {
            note(n - 1)
        };
        bob.serve(
            &format!("/notes/{n}"),
            json!({
                "id": note(n), "type": "Note", "attributedTo": bob.bob,
                "to": [PUBLIC], "cc": [group], "inReplyTo": parent,
                "content": format!("<p>level {n}</p>")
            }),
        );
    }
    bob.answer_slowly("/notes/", delay);
    json!({
        "id": format!("{}/activities/create/last", bob.base), "type": "Create",
        "actor": bob.bob, "to": [PUBLIC], "cc": [group],
        "object": {
            "id": note(depth + 1), "type": "Note", "attributedTo": bob.bob,
            "to": [PUBLIC], "cc": [group], "inReplyTo": note(depth),
            "content": "<p>the reply</p>"
        }
    })
}

fn with_deadline(deadline: Duration, background_slots: usize) -> FederationSettings {
    FederationSettings {
        dev_mode: true,
        inbox: InboxLimits::new(deadline, background_slots, Duration::from_secs(60)),
    }
}

fn chain_fetches(bob: &FakeRemote) -> usize {
    bob.captured()
        .iter()
        .filter(|c| c.path.starts_with("/notes/"))
        .count()
}

/// An instance whose inbox has a deadline of 1 s and `background_slots`, with a thread, and a
/// remote server with a chain of four slow parents under it; returns them with the Create of a
/// reply to the last parent.
async fn slow_chain_setup(
    background_slots: usize,
) -> (
    TestInstance,
    plaza_tests::Client,
    i64,
    FakeRemote,
    serde_json::Value,
) {
    let deadline = with_deadline(Duration::from_secs(1), background_slots);
    let plaza = TestInstance::spawn_federating(deadline).await;
    let admin = plaza.with_group("support").await;
    let thread = admin.thread("support", "Printer on fire", "").await;
    let bob = FakeRemote::start().await;
    let create = slow_chain(&plaza, &bob, thread, 4, Duration::from_millis(800));
    (plaza, admin, thread, bob, create)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_chain_of_parents_is_answered_at_the_deadline_and_finished_in_the_background() {
    let (plaza, admin, thread, bob, create) = slow_chain_setup(4).await;
    let (status, body) = bob.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    assert!(
        chain_fetches(&bob) < 4,
        "the inbox answered only after fetching the whole chain"
    );
    // The rest arrives in the background: the reply and its four ancestors.
    let mut stored = 0;
    for _ in 0..100 {
        let read = admin.get(&format!("/threads/{thread}")).await;
        stored = read.body.to_string().matches("the reply").count();
        if stored > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(stored, 1, "the reply was not stored in the background");
    assert_eq!(chain_fetches(&bob), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_deadline_with_no_background_slot_free_an_activity_is_dropped() {
    let (plaza, _, _, bob, create) = slow_chain_setup(0).await;
    let (status, body) = bob.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "busy");
    // Not recorded as applied: the sender's retry is processed again.
    let (status, _) = bob.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 503);
}
