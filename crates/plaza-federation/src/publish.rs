//! Local changes to activities. The publisher reads the core's event outbox and, for each change
//! that federates, queues the group's activity for the inboxes of the group's remote followers.
//! Converting an event and queueing its deliveries happen in one transaction, so each change is
//! published exactly once, even with several processes.

use std::sync::Arc;
use std::time::Duration;

use plaza_core::{Context, CoreError, CoreResult};
use plaza_db::event::{self, EventRow};
use plaza_db::{DbConn, group, transaction};

use crate::FederationError;
use crate::convert::activity::announce_create;
use crate::delivery;
use crate::endpoints::objects::{load_note, load_page};

/// The event kinds published today: new threads and new comments.
pub const PUBLISHED_KINDS: [&str; 2] = ["post_created", "comment_created"];

/// Turns events into queued deliveries.
#[derive(Clone)]
pub struct Publisher {
    ctx: Arc<Context>,
    batch: i64,
}

impl Publisher {
    /// A publisher for one instance.
    pub fn new(ctx: Arc<Context>) -> Self {
        Self { ctx, batch: 100 }
    }

    /// Publishes pending events until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let idle = Duration::from_millis(500);
        crate::background::run_rounds("publish", idle, shutdown, || self.run_once()).await;
    }

    /// Publishes one batch of pending events; returns how many were handled.
    pub async fn run_once(&self) -> CoreResult<usize> {
        let ctx = &self.ctx;
        let batch = self.batch;
        transaction!(&ctx.db, CoreError, |conn| {
            let events = event::claim_pending(conn, &PUBLISHED_KINDS, batch).await?;
            for e in &events {
                publish(ctx, conn, e).await?;
                event::mark_processed(conn, e.id).await?;
            }
            Ok(events.len())
        })
    }
}

fn to_core(err: FederationError) -> CoreError {
    match err {
        FederationError::Core(e) => e,
        other => CoreError::Internal(other.to_string()),
    }
}

fn to_json<T: serde::Serialize>(activity: &T) -> CoreResult<serde_json::Value> {
    serde_json::to_value(activity).map_err(|err| CoreError::Internal(err.to_string()))
}

/// Queues what one event federates, if anything. A thread or comment deleted before it was
/// published (a Tombstone now) is skipped.
async fn publish(ctx: &Context, conn: &mut DbConn<'_>, e: &EventRow) -> CoreResult<()> {
    let loaded = match (e.kind.as_str(), e.post_id, e.comment_id) {
        ("post_created", Some(post_id), _) => match load_page(conn, post_id).await {
            Ok((page, author, group)) => {
                let id = page.id.clone();
                let activity =
                    announce_create(&ctx.urls, &author, &group.ap_id, &group.name, &id, page);
                Some((to_json(&activity)?, activity.id, group))
            }
            Err(FederationError::Gone(_)) => None,
            Err(err) => return Err(to_core(err)),
        },
        ("comment_created", _, Some(comment_id)) => match load_note(conn, comment_id).await {
            Ok((note, author, group)) => {
                let id = note.id.clone();
                let activity =
                    announce_create(&ctx.urls, &author, &group.ap_id, &group.name, &id, note);
                Some((to_json(&activity)?, activity.id, group))
            }
            Err(FederationError::Gone(_)) => None,
            Err(err) => return Err(to_core(err)),
        },
        _ => None,
    };
    let Some((activity, activity_id, group)) = loaded else {
        return Ok(());
    };
    if !group.local {
        return Ok(());
    }
    let inboxes = group::follower_inboxes(conn, group.id).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    delivery::enqueue(conn, &activity_id, &group.ap_id, &activity, inboxes)
        .await
        .map_err(to_core)?;
    Ok(())
}
