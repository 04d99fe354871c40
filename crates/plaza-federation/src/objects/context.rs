//! A thread's conversation read from its server (FEP-7888). An object's `context` may name a
//! collection of every post of its thread, opening post first; reading it brings a whole thread
//! in a few requests, where walking `inReplyTo` brings one ancestor per request and none of the
//! siblings. It is read when a reply arrives whose parent is unknown here, and when the threads of
//! a newly followed group are filled in.
//!
//! The collection's server is trusted for nothing but the list: every item passes the checks any
//! fetched content passes (public, its author on its host), and an item that is not on the
//! collection's own server is fetched from its id. Items belong to one conversation: one opening
//! post, and replies to what is stored of it. Bounded by pages, items and a deadline.

use std::collections::HashMap;
use std::time::Duration;

use activitypub_federation::config::Data;
use serde_json::Value;
use tokio::time::Instant;
use url::Url;

use super::collection::{self, Bounds};
use super::content::{Stored, find, is_local, store_fetched};
use super::origin::fetch_exact;
use crate::AppData;
use crate::domain_of;
use crate::inbox_error::InboxError;
use crate::protocol::received::{ReceivedObject, carried_object, item_id};

/// How much of a conversation is read.
pub const BOUNDS: Bounds = Bounds {
    pages: 5,
    items: 200,
};

/// How long a reply waits for its conversation before its parent is fetched the usual way.
pub const REPLY_DEADLINE: Duration = Duration::from_secs(10);

/// What reading a conversation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    /// Items stored now.
    pub stored: usize,
    /// Items found here already.
    pub known: usize,
    /// Items left out (unreadable, refused, outside the conversation, past the deadline).
    pub skipped: usize,
}

/// Before a reply whose parent is unknown here is placed: reads the conversation the reply
/// names, when it is on the reply's or the parent's server. Failures are logged; the parent is
/// then fetched up the `inReplyTo` chain as without a context.
pub async fn fill_before_reply(data: &Data<AppData>, reply: &ReceivedObject, parent: &Url) {
    let Some(context) = &reply.context else {
        return;
    };
    let host = domain_of(context);
    if is_local(data, context)
        || host.is_none()
        || (host != domain_of(&reply.id) && host != domain_of(parent))
    {
        tracing::info!(reply = %reply.id, %context, "not reading a conversation outside the reply's and its parent's servers");
        return;
    }
    match known(data, parent).await {
        Ok(Some(_)) => return,
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(reply = %reply.id, error = %e, "cannot look a parent up");
            return;
        }
    }
    match fill(data, context, Instant::now() + REPLY_DEADLINE).await {
        Ok(filled) => {
            tracing::info!(reply = %reply.id, %context, ?filled, "read a reply's conversation");
        }
        Err(e) => {
            tracing::info!(reply = %reply.id, %context, error = %e, "could not read a reply's conversation");
        }
    }
}

/// Reads the conversation at `context` and stores what is missing here, parents before their
/// replies. Items are left out once `deadline` has passed.
pub async fn fill(
    data: &Data<AppData>,
    context: &Url,
    deadline: Instant,
) -> Result<Filled, InboxError> {
    let items = collection::read(data, context, BOUNDS).await?;
    let home = domain_of(context);
    let mut filled = Filled::default();
    // The thread the conversation is about, once an item of it is found or stored here.
    let mut thread = None;
    let mut missing = Vec::new();
    for item in items {
        let item = carried_object(item);
        let Some(id) = item_id(&item) else {
            filled.skipped += 1;
            continue;
        };
        match known(data, &id).await? {
            Some(found) => {
                filled.known += 1;
                thread.get_or_insert(found.post_id());
            }
            None if Instant::now() < deadline => {
                match object_of(data, item, &id, home.as_deref()).await {
                    Some(object) => missing.push(object),
                    None => filled.skipped += 1,
                }
            }
            None => filled.skipped += 1,
        }
    }
    for object in parents_first(missing) {
        if Instant::now() >= deadline {
            filled.skipped += 1;
            continue;
        }
        match place(data, &object, &mut thread).await {
            Ok(true) => filled.stored += 1,
            Ok(false) => filled.skipped += 1,
            Err(e) => {
                tracing::info!(id = %object.id, %context, error = %e, "left an item of a conversation out");
                filled.skipped += 1;
            }
        }
    }
    Ok(filled)
}

/// The object an item stands for: as embedded, when it comes from the collection's own server
/// (`home`), else fetched from its id, since the collection's server does not speak for others.
pub async fn object_of(
    data: &Data<AppData>,
    item: Value,
    id: &Url,
    home: Option<&str>,
) -> Option<ReceivedObject> {
    if item.is_object() && domain_of(id).as_deref() == home {
        return serde_json::from_value(item)
            .inspect_err(|e| tracing::info!(%id, error = %e, "an embedded item does not parse"))
            .ok();
    }
    fetch_exact(&data.reset_request_count(), id).await
}

/// Stores one item of the conversation about `thread`: the opening post when none is known yet,
/// a reply when its parent is stored in that thread. Returns whether it was stored.
async fn place(
    data: &Data<AppData>,
    object: &ReceivedObject,
    thread: &mut Option<i64>,
) -> Result<bool, InboxError> {
    match &object.in_reply_to {
        None if thread.is_some() => return Ok(false),
        None => {}
        Some(parent) => {
            // A reply under something left out, or in another thread, is left out too.
            let Some(found) = known(data, parent).await? else {
                return Ok(false);
            };
            if *thread.get_or_insert(found.post_id()) != found.post_id() {
                return Ok(false);
            }
        }
    }
    let data = data.reset_request_count();
    let Some(stored) = store_fetched(&data, object, 1).await? else {
        return Ok(false);
    };
    thread.get_or_insert(stored.post_id());
    Ok(true)
}

async fn known(data: &Data<AppData>, id: &Url) -> Result<Option<Stored>, InboxError> {
    let mut pooled = data.db.get().await?;
    find(&mut pooled.conn(), id.as_str()).await
}

/// The objects in their order, except that each comes after its parent when both are there.
fn parents_first(objects: Vec<ReceivedObject>) -> Vec<ReceivedObject> {
    let index: HashMap<&str, usize> = objects
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.as_str(), i))
        .collect();
    let mut placed = vec![false; objects.len()];
    let mut order = Vec::with_capacity(objects.len());
    for start in 0..objects.len() {
        let mut chain = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            // A cycle ends the chain where it closes.
            if placed[i] || chain.contains(&i) {
                break;
            }
            chain.push(i);
            at = objects[i]
                .in_reply_to
                .as_ref()
                .and_then(|parent| index.get(parent.as_str()).copied());
        }
        for i in chain.into_iter().rev() {
            placed[i] = true;
            order.push(i);
        }
    }
    let mut slots: Vec<Option<ReceivedObject>> = objects.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(id: &str, parent: Option<&str>) -> ReceivedObject {
        serde_json::from_value(json!({
            "id": format!("https://a.example/{id}"), "type": "Note",
            "inReplyTo": parent.map(|p| format!("https://a.example/{p}")),
        }))
        .unwrap()
    }

    fn ids(objects: &[ReceivedObject]) -> Vec<&str> {
        objects
            .iter()
            .map(|o| o.id.path().trim_start_matches('/'))
            .collect()
    }

    #[test]
    fn replies_listed_before_their_parents_are_stored_after_them() {
        let listed = vec![
            object("c2", Some("c1")),
            object("t", None),
            object("c1", Some("t")),
            object("c3", Some("elsewhere")),
        ];
        assert_eq!(ids(&parents_first(listed)), ["t", "c1", "c2", "c3"]);
    }

    #[test]
    fn a_cycle_of_replies_is_ordered_without_looping() {
        let listed = vec![object("a", Some("b")), object("b", Some("a"))];
        assert_eq!(parents_first(listed).len(), 2);
    }
}
