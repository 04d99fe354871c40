//! Threads and comments named by their ActivityPub id: found in storage, or fetched from their
//! server when a reply arrives before its parent (bounded, so a hostile chain cannot keep us
//! fetching). Such a reply first brings its thread's conversation, where it names one
//! (`context`).

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_domains_match;
use plaza_core::comments::RemoteReply;
use plaza_core::{Origin, Participant, comments, threads};
use plaza_db::DbConn;
use plaza_db::comment::{self, CommentRow};
use plaza_db::group::{self, GroupRow};
use plaza_db::post::{self, PostRow};
use url::Url;

use crate::AppData;
use crate::convert::received::{content, thread};
use crate::inbox_error::InboxError;
use crate::objects::person::ApubPerson;
use crate::protocol::received::ReceivedObject;

/// How many missing ancestors of one reply are fetched before giving up on it.
pub const MAX_FETCHED_PARENTS: u32 = 10;

/// The object types stored as threads or comments. An `Event` (Mobilizon) becomes a thread with
/// its time and place in the body (`convert::event`).
pub const CONTENT_TYPES: [&str; 5] = ["Page", "Article", "Note", "Question", "Event"];

/// A thread or comment stored here.
#[derive(Debug, Clone)]
pub enum Stored {
    /// A thread's opening post.
    Post(PostRow),
    /// A comment.
    Comment(CommentRow),
}

impl Stored {
    /// The thread it belongs to.
    pub fn post_id(&self) -> i64 {
        match self {
            Stored::Post(p) => p.id,
            Stored::Comment(c) => c.post_id,
        }
    }

    /// The comment a reply to it hangs under (none for the thread itself).
    pub fn comment_id(&self) -> Option<i64> {
        match self {
            Stored::Post(_) => None,
            Stored::Comment(c) => Some(c.id),
        }
    }
}

/// The stored thread or comment with this id, if any.
pub async fn find(conn: &mut DbConn<'_>, ap_id: &str) -> Result<Option<Stored>, InboxError> {
    if let Some(p) = post::find_by_ap_id(conn, ap_id).await? {
        return Ok(Some(Stored::Post(p)));
    }
    Ok(comment::find_by_ap_id(conn, ap_id)
        .await?
        .map(Stored::Comment))
}

/// The first group among the object's addressees and mentions that content may land in here:
/// one of ours, or one elsewhere that someone here follows.
pub async fn addressed_group(
    data: &Data<AppData>,
    object: &ReceivedObject,
) -> Result<Option<GroupRow>, InboxError> {
    let mut pooled = data.db.get().await?;
    let conn = &mut pooled.conn();
    for candidate in object.addressees() {
        let Some(g) = group::find_by_ap_id(conn, candidate).await? else {
            continue;
        };
        if g.deleted {
            continue;
        }
        if g.local || group::has_local_followers(conn, g.id).await? {
            return Ok(Some(g));
        }
    }
    Ok(None)
}

/// Whether a URL is one of ours. What it names is stored here or does not exist, so it is never
/// fetched, and what others say of it (a group announcing our own comment back) changes nothing.
pub fn is_local(data: &Data<AppData>, url: &Url) -> bool {
    crate::domain_of(url).as_deref() == Some(data.urls.domain())
}

/// The stored thread or comment `id` names. An unknown one on another server is fetched and
/// stored, with its own missing ancestors, up to [`MAX_FETCHED_PARENTS`] levels up; a parent
/// that cannot be placed in a group of ours gives `None`.
pub async fn resolve(
    data: &Data<AppData>,
    id: &Url,
    fetched: u32,
) -> Result<Option<Stored>, InboxError> {
    {
        let mut pooled = data.db.get().await?;
        if let Some(found) = find(&mut pooled.conn(), id.as_str()).await? {
            return Ok(Some(found));
        }
    }
    if is_local(data, id) || fetched >= MAX_FETCHED_PARENTS {
        return Ok(None);
    }
    let object: ReceivedObject = match fetch_object_http(id, data).await {
        Ok(response) => response.object,
        Err(e) => {
            tracing::info!(%id, error = %e, "could not fetch a missing parent");
            return Ok(None);
        }
    };
    store_fetched(data, &object, fetched).await
}

/// Stores content fetched from its own server (a missing parent, an item of a conversation): it
/// must be public and its author on its host. Nobody sent it to us, so nothing is passed on.
pub async fn store_fetched(
    data: &Data<AppData>,
    object: &ReceivedObject,
    fetched: u32,
) -> Result<Option<Stored>, InboxError> {
    if !CONTENT_TYPES.contains(&object.kind.as_str()) || !object.is_public() {
        return Ok(None);
    }
    let Some(author_id) = object
        .attributed_to
        .first()
        .and_then(|a| Url::parse(a).ok())
    else {
        return Ok(None);
    };
    verify_domains_match(&author_id, &object.id)?;
    let author = ObjectId::<ApubPerson>::from(author_id)
        .dereference(data)
        .await?;
    let who = Participant::remote(author.row.id);
    store(data, object, who, Origin::Fetched, fetched).await
}

/// The stored parent of a reply. When the reply arrived here (`fetched` is 0) and its parent is
/// missing, the conversation it names is read first (`context`), which brings the parent with
/// its thread; what is still missing is fetched up the `inReplyTo` chain.
pub async fn parent_of(
    data: &Data<AppData>,
    reply: &ReceivedObject,
    parent_id: &Url,
    fetched: u32,
) -> Result<Option<Stored>, InboxError> {
    if fetched == 0 {
        // Boxed: reading the conversation stores its items, which come back here.
        Box::pin(super::context::fill_before_reply(data, reply, parent_id)).await;
    }
    Box::pin(resolve(data, parent_id, fetched + 1)).await
}

/// Stores a received or fetched object as a reply (when its parent resolves) or as a new thread
/// (when it is addressed to one of our groups). Returns what it now is here, `None` if it has no
/// place here.
pub async fn store(
    data: &Data<AppData>,
    object: &ReceivedObject,
    who: Participant,
    origin: Origin<'_>,
    fetched: u32,
) -> Result<Option<Stored>, InboxError> {
    if let Some(parent_id) = &object.in_reply_to {
        let Some(parent) = parent_of(data, object, parent_id, fetched).await? else {
            tracing::info!(id = %object.id, parent = %parent_id, "ignoring a reply to something not here");
            return Ok(None);
        };
        let reply = RemoteReply {
            post_id: parent.post_id(),
            parent_id: parent.comment_id(),
            content: content(object, who),
        };
        if let Some(row) = comments::receive(data.app_data(), reply, origin).await? {
            return Ok(Some(Stored::Comment(row)));
        }
    } else {
        let Some(group) = addressed_group(data, object).await? else {
            tracing::info!(id = %object.id, "ignoring an object addressed to no group here");
            return Ok(None);
        };
        let new = thread(object, &group, who);
        if let Some(row) = threads::receive(data.app_data(), new, origin).await? {
            return Ok(Some(Stored::Post(row)));
        }
    }
    // Stored before (a retry, or the same object through an announce).
    let mut pooled = data.db.get().await?;
    find(&mut pooled.conn(), object.id.as_str()).await
}
