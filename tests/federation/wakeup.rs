//! The background tasks wake when there is work: a change reaches a remote follower at once, not
//! at the next idle poll (set to a minute here, so only a wake-up explains a prompt delivery).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use plaza_db::person::RemotePerson;
use plaza_db::reexports::diesel_async::SimpleAsyncConnection;
use plaza_db::{DbConn, DbError, DbPool, group, instance, person, transaction};
use plaza_tests::TestInstance;
use serde_json::Value;

/// Longer than any wait below: a delivery within the wait cannot come from the poll.
const IDLE_POLL: Duration = Duration::from_secs(60);
/// How long a test waits for what a wake-up should bring.
const PATIENCE: Duration = Duration::from_secs(10);

/// A remote server that records the activities posted to it.
struct Follower {
    base: String,
    domain: String,
    received: Arc<Mutex<Vec<Value>>>,
}

impl Follower {
    async fn start() -> Self {
        async fn receive(
            State(received): State<Arc<Mutex<Vec<Value>>>>,
            body: String,
        ) -> StatusCode {
            let activity = serde_json::from_str(&body).unwrap_or(Value::Null);
            received.lock().unwrap().push(activity);
            StatusCode::ACCEPTED
        }
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(received.clone());
        let (base, domain) = plaza_tests::serve_loopback(app).await;
        Self {
            base,
            domain,
            received,
        }
    }

    /// Makes this server's `alice` a follower of `group`, as the inbox stores one.
    async fn follow(&self, plaza: &TestInstance, group: &str) {
        let group = plaza.ctx.urls.group(group);
        let (base, domain) = (self.base.clone(), self.domain.clone());
        let stored = async {
            transaction!(&plaza.ctx.db, DbError, |conn| {
                let host = instance::upsert(conn, &domain).await?;
                let id = format!("{base}/users/alice");
                let inbox = format!("{base}/inbox");
                let alice = person::upsert_remote(
                    conn,
                    &RemotePerson {
                        ap_id: &id,
                        instance_id: host.id,
                        name: "alice",
                        display_name: None,
                        bio_html: None,
                        avatar_url: None,
                        inbox_url: &inbox,
                        shared_inbox_url: None,
                        public_key: "(not used for sending)",
                        bot: false,
                    },
                )
                .await?;
                let group = group::find_by_ap_id(conn, &group)
                    .await?
                    .ok_or(DbError::NotFound)?;
                group::add_follower(conn, group.id, alice.id, &format!("{id}/follows/1")).await
            })
        };
        stored.await.unwrap();
    }

    /// Waits (up to [`PATIENCE`]) for an activity of type `kind`.
    async fn wait_for(&self, kind: &str) -> bool {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while tokio::time::Instant::now() < deadline {
            if self
                .received
                .lock()
                .unwrap()
                .iter()
                .any(|a| a["type"] == kind)
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_thread_reaches_a_remote_follower_without_waiting_for_the_poll() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let follower = Follower::start().await;
    follower.follow(&plaza, "support").await;
    plaza.run_background(IDLE_POLL).await;
    // Let the tasks' first rounds (which find nothing) pass: from here on they sleep.
    tokio::time::sleep(Duration::from_millis(500)).await;

    admin.thread("support", "Printer on fire", "Again.").await;

    assert!(
        follower.wait_for("Announce").await,
        "no Announce within {PATIENCE:?}; received: {:?}",
        follower.received.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notify_from_another_connection_wakes_this_process() {
    let plaza = TestInstance::spawn().await;
    if !matches!(plaza.ctx.db, DbPool::Pg(_)) {
        return; // SQLite is single-process: there is no other connection to hear from.
    }
    let wakeup = plaza.ctx.wakeup.clone();
    tokio::spawn(plaza_federation::background::listen_for_wakeups(
        plaza.ctx.clone(),
        std::future::pending(),
    ));
    // The listener wakes everyone once it is connected (it may have missed something).
    tokio::time::timeout(PATIENCE, wakeup.deliveries().notified())
        .await
        .expect("the listener connects");

    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let DbConn::Pg(other) = pooled.conn() else {
        unreachable!("checked above")
    };
    other
        .batch_execute("NOTIFY plaza_deliveries")
        .await
        .unwrap();

    tokio::time::timeout(PATIENCE, wakeup.deliveries().notified())
        .await
        .expect("the NOTIFY reaches the delivery worker's wake-up");
}
