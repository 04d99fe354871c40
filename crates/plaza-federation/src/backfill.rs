//! Filling in a group elsewhere once someone here follows it: its latest threads are read from
//! its outbox (Lemmy and Plaza list `Announce(Create(Page))` there), and each thread's comments
//! from its conversation (`context`) where the thread names one. Otherwise our copy of the group
//! would show only what it announces from now on.
//!
//! It runs in the background, so the group's `Accept` is answered at once, and it is bounded:
//! [`MAX_THREADS`] threads from at most [`OUTBOX_BOUNDS`] of the outbox, a few threads at a time,
//! within [`DEADLINE`]. The trust rules are those of the group's announces: a thread must be
//! addressed to the group (and to no group here before it), its author on its host, and a thread
//! from another server than the group's is fetched from its own id.

use std::collections::HashSet;
use std::time::Duration;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use futures::StreamExt;
use plaza_db::group::GroupRow;
use serde_json::Value;
use tokio::time::Instant;
use url::Url;

use crate::AppData;
use crate::domain_of;
use crate::inbox_error::InboxError;
use crate::objects::collection::{self, Bounds};
use crate::objects::content::{Stored, addressed_group, find, store_fetched};
use crate::objects::context::{self as conversation, object_of};
use crate::protocol::received::{ActorCollections, ReceivedObject, carried_object, item_id};

/// Threads filled in.
pub const MAX_THREADS: usize = 20;
/// How much of the outbox is read: Lemmy and Plaza serve it whole, Mastodon-style servers in pages.
pub const OUTBOX_BOUNDS: Bounds = Bounds {
    pages: 2,
    items: 50,
};
/// Threads (each with its conversation) read at once.
pub const CONCURRENCY: usize = 4;
/// When filling in stops, wherever it is.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// Starts filling in `group` in the background; failures are logged.
pub fn spawn(data: &Data<AppData>, group: GroupRow) {
    let data = data.reset_request_count();
    tokio::spawn(async move {
        match fill_group(&data, &group, Instant::now() + DEADLINE).await {
            Ok(stored) => {
                tracing::info!(group = %group.ap_id, threads = stored, "filled in a followed group");
            }
            Err(e) => {
                tracing::warn!(group = %group.ap_id, error = %e, "could not fill in a followed group");
            }
        }
    });
}

/// Reads `group`'s outbox and stores its latest threads that are not here yet, with their
/// conversations. Returns how many threads it stored.
pub async fn fill_group(
    data: &Data<AppData>,
    group: &GroupRow,
    deadline: Instant,
) -> Result<usize, InboxError> {
    if group.local {
        return Ok(0);
    }
    let group_id =
        Url::parse(&group.ap_id).map_err(|e| InboxError::Refused(format!("group id: {e}")))?;
    let home = domain_of(&group_id);
    let actor: ActorCollections = fetch_object_http(&group_id, &data.reset_request_count())
        .await?
        .object;
    let outbox = actor
        .outbox
        .filter(|outbox| domain_of(outbox) == home)
        .ok_or_else(|| InboxError::Refused("the group has no outbox on its server".into()))?;
    let mut seen = HashSet::new();
    let threads: Vec<(Url, Value)> = collection::read(data, &outbox, OUTBOX_BOUNDS)
        .await?
        .into_iter()
        .map(carried_object)
        .filter_map(|item| Some((item_id(&item)?, item)))
        .filter(|(id, _)| seen.insert(id.clone()))
        .take(MAX_THREADS)
        .collect();
    let home = home.as_deref();
    let stored = futures::stream::iter(threads)
        .map(|(id, item)| async move {
            match fill_thread(data, group, &id, item, home, deadline).await {
                Ok(stored) => stored,
                Err(e) => {
                    tracing::info!(group = %group.ap_id, thread = %id, error = %e, "left a thread of a followed group out");
                    false
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .filter(|stored| std::future::ready(*stored))
        .count()
        .await;
    Ok(stored)
}

/// Stores one thread of the outbox, unless it is here already, then reads its conversation.
/// Returns whether it stored the thread.
async fn fill_thread(
    data: &Data<AppData>,
    group: &GroupRow,
    id: &Url,
    item: Value,
    home: Option<&str>,
    deadline: Instant,
) -> Result<bool, InboxError> {
    if Instant::now() >= deadline {
        return Ok(false);
    }
    {
        let mut pooled = data.db.get().await?;
        if find(&mut pooled.conn(), id.as_str()).await?.is_some() {
            return Ok(false);
        }
    }
    let Some(object) = object_of(data, item, id, home).await else {
        return Ok(false);
    };
    if object.in_reply_to.is_some() || !addressed_to(data, &object, group).await? {
        tracing::info!(group = %group.ap_id, thread = %object.id, "left out an outbox item that is no thread of the group");
        return Ok(false);
    }
    let data = data.reset_request_count();
    let Some(Stored::Post(_)) = store_fetched(&data, &object, 1).await? else {
        return Ok(false);
    };
    if let Some(context) = &object.context {
        let host = domain_of(context);
        if host == domain_of(&object.id) || host.as_deref() == home {
            match conversation::fill(&data, context, deadline).await {
                Ok(filled) => {
                    tracing::info!(thread = %object.id, ?filled, "read a thread's conversation");
                }
                Err(e) => {
                    tracing::info!(thread = %object.id, error = %e, "could not read a thread's conversation");
                }
            }
        }
    }
    Ok(true)
}

/// Whether `object` is addressed to `group`, and to no other group here before it (the rule for
/// what a group's announces may bring).
async fn addressed_to(
    data: &Data<AppData>,
    object: &ReceivedObject,
    group: &GroupRow,
) -> Result<bool, InboxError> {
    Ok(addressed_group(data, object)
        .await?
        .is_some_and(|g| g.id == group.id))
}
