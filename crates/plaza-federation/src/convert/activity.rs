//! Activities built around an object.

use plaza_core::Urls;

use crate::protocol::PUBLIC;
use crate::protocol::activity::{Announce, Create, Delete, Undo, Vote};

/// A member's `Create` or `Update` (`kind`) of an object in a group: public, addressed to the
/// group (FEP-1b12).
pub fn write<T>(
    kind: &str,
    id: String,
    author_ap_id: &str,
    group_ap_id: &str,
    object: T,
) -> Create<T> {
    Create {
        id,
        kind: kind.to_owned(),
        actor: author_ap_id.to_owned(),
        to: vec![PUBLIC.to_owned()],
        cc: vec![group_ap_id.to_owned()],
        audience: group_ap_id.to_owned(),
        object,
    }
}

/// A member's `Delete` of their thread or comment.
pub fn delete(id: String, author_ap_id: &str, group_ap_id: &str, object_ap_id: &str) -> Delete {
    Delete {
        id,
        kind: "Delete".to_owned(),
        actor: author_ap_id.to_owned(),
        to: vec![PUBLIC.to_owned()],
        cc: vec![group_ap_id.to_owned()],
        audience: group_ap_id.to_owned(),
        object: object_ap_id.to_owned(),
    }
}

/// A member's vote: `Like` for +1, `Dislike` for −1.
pub fn vote(
    id: String,
    score: i16,
    voter_ap_id: &str,
    group_ap_id: &str,
    object_ap_id: &str,
) -> Vote {
    Vote {
        id,
        kind: if score < 0 { "Dislike" } else { "Like" }.to_owned(),
        actor: voter_ap_id.to_owned(),
        object: object_ap_id.to_owned(),
        audience: group_ap_id.to_owned(),
    }
}

/// `Undo` of an earlier activity of the same actor.
pub fn undo<T>(id: String, actor_ap_id: &str, cc: &str, object: T) -> Undo<T> {
    Undo {
        id,
        kind: "Undo".to_owned(),
        actor: actor_ap_id.to_owned(),
        to: vec![PUBLIC.to_owned()],
        cc: vec![cc.to_owned()],
        object,
    }
}

/// A group passing `object` on to its followers (FEP-1b12).
pub fn announce<T>(
    urls: &Urls,
    id: String,
    group_ap_id: &str,
    group_name: &str,
    object: T,
) -> Announce<T> {
    Announce {
        id,
        kind: "Announce".to_owned(),
        actor: group_ap_id.to_owned(),
        to: vec![PUBLIC.to_owned()],
        cc: vec![urls.group_followers(group_name)],
        object,
    }
}

/// `Announce(Create(object))` by a local group, with ids derived from the object so they are the
/// same wherever the activity appears (collections, deliveries, retries).
pub fn announce_create<T>(
    urls: &Urls,
    author_ap_id: &str,
    group_ap_id: &str,
    group_name: &str,
    object_ap_id: &str,
    object: T,
) -> Announce<Create<T>> {
    let create = write(
        "Create",
        urls.activity("create", object_ap_id),
        author_ap_id,
        group_ap_id,
        object,
    );
    announce(
        urls,
        urls.activity("announce/create", object_ap_id),
        group_ap_id,
        group_name,
        create,
    )
}
