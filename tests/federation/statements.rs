//! Statements per inbox activity, counted on the instance's own database connections (diesel's
//! instrumentation), on whichever backend the tests run: a budget that keeps the common paths
//! cheap. The load generator's figures in docs/benchmarks.md come from the same paths.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};

use plaza_db::reexports::diesel::connection::{
    Instrumentation, InstrumentationEvent, set_default_instrumentation,
};
use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::remote::{FakeRemote, delivery_worker};

/// Statements run by the connections to each database, by the URL they connected with.
fn counters() -> &'static Mutex<HashMap<String, Arc<AtomicUsize>>> {
    static COUNTERS: OnceLock<Mutex<HashMap<String, Arc<AtomicUsize>>>> = OnceLock::new();
    COUNTERS.get_or_init(Mutex::default)
}

fn counter(url: &str) -> Arc<AtomicUsize> {
    counters()
        .lock()
        .unwrap()
        .entry(url.to_owned())
        .or_default()
        .clone()
}

/// Counts the statements of one connection into its database's counter.
#[derive(Default)]
struct Counting(Option<Arc<AtomicUsize>>);

impl Instrumentation for Counting {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                self.0 = Some(counter(url));
            }
            InstrumentationEvent::StartQuery { .. } => {
                if let Some(count) = &self.0 {
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    }
}

/// Every connection opened from now on counts its statements (other tests' included, each into
/// its own database's counter).
fn count_statements() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        set_default_instrumentation(|| Some(Box::new(Counting::default())))
            .expect("install the statement counter");
    });
}

/// Runs `step` and returns how many statements it ran on `plaza`'s database.
async fn statements_of<F: Future<Output = ()>>(plaza: &TestInstance, step: F) -> usize {
    let count = counter(&plaza.database_url());
    let before = count.load(Ordering::Relaxed);
    step.await;
    count.load(Ordering::Relaxed) - before
}

fn activity(remote: &FakeRemote, actor: &str, kind: &str, n: u32, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{kind}/{n}", remote.base), "type": kind,
        "actor": actor, "object": object,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn inbox_activities_stay_within_their_statement_budgets() {
    count_statements();
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let thread = admin.thread("support", "Printers", "Which one?").await;
    let remote = FakeRemote::start().await;
    let group = format!("{}/g/support", plaza.base);
    let post = format!("{}/post/{thread}", plaza.base);
    let send = async |body: Value| {
        let (status, answer) = remote.send(&plaza, "/inbox", &body).await;
        assert_eq!(status, 202, "{answer}");
    };

    // A Follow from an actor Plaza has never met: it is fetched, stored, its server's software
    // asked, the follow stored and the Accept queued.
    let follow = activity(&remote, &remote.bob, "Follow", 1, json!(group));
    let cold_follow = statements_of(&plaza, send(follow.clone())).await;
    let worker = delivery_worker(&plaza).await;
    let accept = statements_of(&plaza, async {
        assert_eq!(worker.run_once().await.unwrap(), 1);
    })
    .await;
    let undo = activity(&remote, &remote.bob, "Undo", 2, follow);
    let undo = statements_of(&plaza, send(undo)).await;
    let like = activity(&remote, &remote.bob, "Like", 3, json!(post));
    let like = statements_of(&plaza, send(like)).await;
    let note = json!({
        "id": format!("{}/notes/4", remote.base), "type": "Note", "attributedTo": remote.bob,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [group],
        "inReplyTo": post, "content": "<p>The small one.</p>", "mediaType": "text/html",
    });
    let create = activity(&remote, &remote.bob, "Create", 4, note);
    let create = statements_of(&plaza, send(create)).await;

    let counted = [
        ("Follow, actor unknown", cold_follow, 25),
        ("its Accept, sent by the delivery worker", accept, 14),
        ("Undo(Follow), actor cached", undo, 10),
        ("Like, actor cached", like, 18),
        ("Create(Note), actor cached", create, 30),
    ];
    for (what, statements, _) in counted {
        eprintln!("{what}: {statements} statements");
    }
    for (what, statements, budget) in counted {
        assert!(
            statements <= budget,
            "{what} ran {statements} statements; its budget is {budget}"
        );
        assert!(statements > 0, "{what}: nothing was counted");
    }
}
