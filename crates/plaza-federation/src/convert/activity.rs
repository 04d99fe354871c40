//! Activities built around an object.

use plaza_core::Urls;

use crate::protocol::PUBLIC;
use crate::protocol::activity::{Announce, Create};

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
    let create = Create {
        id: urls.activity("create", object_ap_id),
        kind: "Create".to_owned(),
        actor: author_ap_id.to_owned(),
        to: vec![PUBLIC.to_owned()],
        cc: vec![group_ap_id.to_owned()],
        audience: group_ap_id.to_owned(),
        object,
    };
    Announce {
        id: urls.activity("announce/create", object_ap_id),
        kind: "Announce".to_owned(),
        actor: group_ap_id.to_owned(),
        to: vec![PUBLIC.to_owned()],
        cc: vec![urls.group_followers(group_name)],
        object: create,
    }
}
