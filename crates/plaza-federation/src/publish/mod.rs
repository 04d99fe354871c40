//! Local changes to activities. The publisher reads the core's event outbox and, for each change
//! that federates, queues the group's activity for the inboxes of the group's remote followers.
//! Converting an event and queueing its deliveries happen in one transaction, so each change is
//! published exactly once, even with several processes.

use std::sync::Arc;
use std::time::Duration;

use plaza_core::{Context, CoreError, CoreResult};
use plaza_db::event::{self, EventRow};
use plaza_db::{DbConn, group, person, transaction};

use serde_json::Value;

use crate::FederationError;
use crate::convert::activity::announce;
use crate::delivery;
use readers::{Reader, reader};

mod member;
mod microblog;
pub mod readers;
mod solved;

/// The event kinds that federate.
pub const PUBLISHED_KINDS: [&str; 15] = [
    "post_created",
    "post_updated",
    "post_deleted",
    "comment_created",
    "comment_updated",
    "comment_deleted",
    "vote_cast",
    "vote_removed",
    "moderation",
    "reported",
    "group_updated",
    "person_updated",
    "person_deleted",
    "answer_accepted",
    "idea_status_changed",
];

/// Turns events into queued deliveries.
#[derive(Clone)]
pub struct Publisher {
    ctx: Arc<Context>,
    batch: i64,
    idle_poll: Duration,
}

impl Publisher {
    /// A publisher for one instance.
    pub fn new(ctx: Arc<Context>) -> Self {
        Self {
            ctx,
            batch: 100,
            idle_poll: Duration::from_millis(500),
        }
    }

    /// How long to wait for work when no wake-up comes (the fallback for a lost one).
    pub fn with_idle_poll(mut self, idle_poll: Duration) -> Self {
        self.idle_poll = idle_poll;
        self
    }

    /// Publishes pending events until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let wake = self.ctx.wakeup.events();
        crate::background::run_rounds("publish", self.idle_poll, wake, shutdown, || {
            self.run_once()
        })
        .await;
    }

    /// Publishes one batch of pending events; returns how many were handled.
    pub async fn run_once(&self) -> CoreResult<usize> {
        let ctx = &self.ctx;
        let batch = self.batch;
        let handled = transaction!(&ctx.db, CoreError, |conn| {
            let events = event::claim_pending(conn, &PUBLISHED_KINDS, batch).await?;
            for e in &events {
                // The activities keep the id of the request that caused the change.
                plaza_db::correlation::scope(e.request_id.clone(), publish(ctx, conn, e)).await?;
                event::mark_processed(conn, e.id).await?;
            }
            Ok(events.len())
        })?;
        if handled > 0 {
            // Committed: the worker can claim what these events queued.
            ctx.wakeup.deliveries_queued();
        }
        Ok(handled)
    }
}

fn to_core(err: FederationError) -> CoreError {
    match err {
        FederationError::Core(e) => e,
        other => CoreError::Internal(other.to_string()),
    }
}

fn to_json<T: serde::Serialize>(activity: &T) -> CoreResult<Value> {
    serde_json::to_value(activity).map_err(|err| CoreError::Internal(err.to_string()))
}

/// The inboxes of the remote people a member's activity addresses (besides the group).
async fn answered_inboxes(
    conn: &mut DbConn<'_>,
    activity: &Value,
    group_ap_id: &str,
) -> CoreResult<Vec<String>> {
    let mut inboxes = Vec::new();
    let addressed = activity
        .pointer("/object/cc")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|id| *id != group_ap_id);
    for id in addressed {
        if let Some(p) = person::find_by_ap_id(conn, id).await?.filter(|p| !p.local) {
            inboxes.push(p.shared_inbox_url.unwrap_or(p.inbox_url));
        }
    }
    Ok(inboxes)
}

/// The inbox of the remote person a ban (or its undo) names. A ban ends their follow, so their
/// server is no longer among the followers, yet it is the one that must learn of the ban.
async fn banned_inbox(
    conn: &mut DbConn<'_>,
    e: &EventRow,
    payload: &Value,
) -> CoreResult<Option<String>> {
    let action = payload.get("action").and_then(Value::as_str);
    if e.kind != "moderation" || !matches!(action, Some("ban" | "unban")) {
        return Ok(None);
    }
    let Some(person_id) = payload.get("person_id").and_then(Value::as_i64) else {
        return Ok(None);
    };
    let banned = person::find(conn, person_id).await?;
    Ok((!banned.local).then(|| banned.shared_inbox_url.unwrap_or(banned.inbox_url)))
}

/// A local person changed their profile: `Update(Person)` by them, to every server that may show
/// them (see [`group::person_audience`]).
async fn publish_profile(ctx: &Context, conn: &mut DbConn<'_>, e: &EventRow) -> CoreResult<()> {
    let Some(person_id) = e.actor_id else {
        return Ok(());
    };
    let row = person::find(conn, person_id).await?;
    if !row.local || row.deleted {
        return Ok(());
    }
    let inboxes = group::person_audience(conn, person_id).await?;
    let id = ctx.urls.activity("update", &format!("event/{}", e.id));
    let actor = to_json(&crate::convert::person::person_actor(&ctx.urls, &row))?;
    let body = serde_json::json!({
        "id": id, "type": "Update", "actor": row.ap_id,
        "to": [crate::protocol::PUBLIC], "object": actor,
    });
    send_as_person(conn, &row.ap_id, &id, &body, inboxes).await
}

/// Queues a person's own activity (about themselves) for `inboxes`, if there are any.
async fn send_as_person(
    conn: &mut DbConn<'_>,
    person_ap_id: &str,
    id: &str,
    body: &Value,
    inboxes: Vec<String>,
) -> CoreResult<()> {
    if !inboxes.is_empty() {
        delivery::enqueue(conn, id, person_ap_id, body, inboxes)
            .await
            .map_err(to_core)?;
    }
    Ok(())
}

/// A local person deleted their account: `Delete {actor: person, object: person}` to the servers
/// that could show them, as read when the account was deleted (its follows end with it).
async fn publish_deletion(ctx: &Context, conn: &mut DbConn<'_>, e: &EventRow) -> CoreResult<()> {
    let Some(person_id) = e.actor_id else {
        return Ok(());
    };
    let row = person::find(conn, person_id).await?;
    let payload: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
    let inboxes: Vec<String> = payload
        .get("inboxes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if !row.local {
        return Ok(());
    }
    let id = ctx.urls.activity("delete", &format!("event/{}", e.id));
    let body = serde_json::json!({
        "id": id, "type": "Delete", "actor": row.ap_id,
        "to": [crate::protocol::PUBLIC], "object": row.ap_id,
    });
    send_as_person(conn, &row.ap_id, &id, &body, inboxes).await
}

/// Queues what one event federates, if anything.
///
/// In a local group the group passes each change on to its followers: forum servers get the
/// member's activity wrapped in an `Announce` (an activity received from another server is
/// passed on as it came), microblog servers get what [`microblog`] sends them. In a group on
/// another server, a local member's activity goes to that group, which passes it on itself.
async fn publish(ctx: &Context, conn: &mut DbConn<'_>, e: &EventRow) -> CoreResult<()> {
    if e.kind == "person_updated" {
        return publish_profile(ctx, conn, e).await;
    }
    if e.kind == "person_deleted" {
        return publish_deletion(ctx, conn, e).await;
    }
    let Some(group_id) = e.group_id else {
        return Ok(());
    };
    let group = group::find(conn, group_id).await?;
    let payload: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
    let received = payload.get("activity").filter(|a| a.is_object());
    if !group.local {
        // What came from the group's side needs no sending back.
        if received.is_some() {
            return Ok(());
        }
        if let Some(m) = member::activity(ctx, conn, e, &payload, &group).await? {
            let inbox = group
                .shared_inbox_url
                .clone()
                .unwrap_or(group.inbox_url.clone());
            delivery::enqueue(conn, &m.id, &m.actor, &m.body, [inbox])
                .await
                .map_err(to_core)?;
        }
        return Ok(());
    }
    let (forums, microblogs): (Vec<_>, Vec<_>) = group::follower_audience(conn, group.id)
        .await?
        .into_iter()
        .partition(|(_, software)| reader(software.as_deref()) == Reader::Forum);
    let forums: Vec<String> = forums.into_iter().map(|(inbox, _)| inbox).collect();
    let banned = banned_inbox(conn, e, &payload).await?;
    let member = match received {
        Some(_) => None,
        // Reports stay with this group's moderators.
        None if e.kind == "reported" => None,
        None => member::activity(ctx, conn, e, &payload, &group).await?,
    };
    let announce_to: Vec<String> = forums.iter().cloned().chain(banned).collect();
    if !announce_to.is_empty() {
        let announced = match (received, &member) {
            (Some(activity), _) => {
                let id = ctx.urls.activity("announce", &format!("event/{}", e.id));
                Some(announce(
                    &ctx.urls,
                    id,
                    &group.ap_id,
                    &group.name,
                    activity.clone(),
                ))
            }
            (None, Some(m)) => {
                let id = if e.kind.ends_with("_created") {
                    let object = m.body.pointer("/object/id").and_then(Value::as_str);
                    ctx.urls
                        .activity("announce/create", object.unwrap_or(&m.id))
                } else {
                    ctx.urls.activity("announce", &format!("event/{}", e.id))
                };
                Some(announce(
                    &ctx.urls,
                    id,
                    &group.ap_id,
                    &group.name,
                    m.body.clone(),
                ))
            }
            (None, None) => None,
        };
        if let Some(a) = announced {
            delivery::enqueue(conn, &a.id, &group.ap_id, &a, announce_to)
                .await
                .map_err(to_core)?;
        }
    }
    // Whoever a new comment answers hears of it, wherever they are: Mastodon-like servers get no
    // comment announces, so the comment itself goes to the person's server (it mentions them).
    if e.kind == "comment_created"
        && let Some(m) = &member
    {
        let inboxes = answered_inboxes(conn, &m.body, &group.ap_id).await?;
        let missing: Vec<String> = inboxes
            .into_iter()
            .filter(|i| !forums.contains(i))
            .collect();
        if !missing.is_empty() {
            delivery::enqueue(conn, &m.id, &m.actor, &m.body, missing)
                .await
                .map_err(to_core)?;
        }
    }
    if e.kind == "answer_accepted" {
        solved::notify_asker(ctx, conn, e, &group).await?;
    }
    if !microblogs.is_empty()
        && let Some((id, body)) =
            microblog::activity(ctx, conn, e, &payload, received, &group).await?
    {
        let inboxes = microblogs.into_iter().map(|(inbox, _)| inbox);
        delivery::enqueue(conn, &id, &group.ap_id, &body, inboxes)
            .await
            .map_err(to_core)?;
    }
    Ok(())
}
