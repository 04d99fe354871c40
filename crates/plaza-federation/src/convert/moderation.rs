//! A moderator's action as the activity Lemmy sends for it: `Delete` with a `summary` (removal),
//! `Lock`, `Add`/`Remove` to the featured collection (pin) or to the moderators collection,
//! `Block` with the group as `target` (ban), and `Undo` of each.
//!
//! Lemmy tells a moderator's removal from an author's own deletion by the presence of `summary`
//! alone, so a removal (and the `Delete` inside its `Undo`) always carries one, empty when the
//! moderator gave no reason, as Lemmy itself sends it.

use serde_json::{Value, json};

use crate::protocol::PUBLIC;

/// What a moderation activity needs besides its id.
pub struct ModerationContext<'a> {
    /// The moderator's actor id.
    pub moderator: &'a str,
    /// The group's actor id.
    pub group: &'a str,
    /// The group's featured collection.
    pub featured: &'a str,
    /// The group's moderators collection.
    pub moderators: &'a str,
    /// The thread, comment or person acted on.
    pub object: &'a str,
    /// Why.
    pub reason: Option<&'a str>,
    /// A ban's end.
    pub expires: Option<&'a str>,
}

/// The activity for `action` (as the moderation log names it), with `id`; `None` for an action
/// that does not federate.
pub fn moderation_activity(action: &str, id: &str, cx: &ModerationContext<'_>) -> Option<Value> {
    let (undo, kind) = match action {
        "remove_post" | "remove_comment" => (false, "Delete"),
        "restore_post" | "restore_comment" => (true, "Delete"),
        "lock" => (false, "Lock"),
        "unlock" => (true, "Lock"),
        "pin" => (false, "Add"),
        "unpin" => (false, "Remove"),
        "add_moderator" => (false, "Add"),
        "remove_moderator" => (false, "Remove"),
        "ban" => (false, "Block"),
        "unban" => (true, "Block"),
        _ => return None,
    };
    let inner_id = if undo {
        format!("{id}#undone")
    } else {
        id.to_owned()
    };
    let mut inner = json!({
        "id": inner_id,
        "type": kind,
        "actor": cx.moderator,
        "to": [PUBLIC],
        "cc": [cx.group],
        "audience": cx.group,
        "object": cx.object,
    });
    if let Some(map) = inner.as_object_mut() {
        match kind {
            "Add" | "Remove" => {
                let target = if action.ends_with("_moderator") {
                    cx.moderators
                } else {
                    cx.featured
                };
                map.insert("target".into(), json!(target));
            }
            "Block" => {
                map.insert("target".into(), json!(cx.group));
                map.insert("removeData".into(), json!(false));
                if let Some(expires) = cx.expires {
                    map.insert("expires".into(), json!(expires));
                }
            }
            _ => {}
        }
        match (kind, cx.reason) {
            (_, Some(reason)) => {
                map.insert("summary".into(), json!(reason));
            }
            ("Delete", None) => {
                map.insert("summary".into(), json!(""));
            }
            _ => {}
        }
    }
    if !undo {
        return Some(inner);
    }
    Some(json!({
        "id": id,
        "type": "Undo",
        "actor": cx.moderator,
        "to": [PUBLIC],
        "cc": [cx.group],
        "audience": cx.group,
        "object": inner,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ban_is_a_block_targeting_the_group_and_an_unban_undoes_it() {
        let cx = ModerationContext {
            moderator: "https://b.example/u/mod",
            group: "https://b.example/g/support",
            featured: "https://b.example/g/support/featured",
            moderators: "https://b.example/g/support/moderators",
            object: "https://m.example/users/troll",
            reason: Some("spam"),
            expires: None,
        };
        let ban = moderation_activity("ban", "https://b.example/activities/1", &cx).unwrap();
        assert_eq!(ban["type"], "Block");
        assert_eq!(ban["target"], "https://b.example/g/support");
        assert_eq!(ban["summary"], "spam");
        let unban = moderation_activity("unban", "https://b.example/activities/2", &cx).unwrap();
        assert_eq!(unban["type"], "Undo");
        assert_eq!(unban["object"]["type"], "Block");
        let pin = moderation_activity("pin", "https://b.example/activities/3", &cx).unwrap();
        assert_eq!(pin["target"], "https://b.example/g/support/featured");
        let added = moderation_activity("add_moderator", "https://b.example/a/4", &cx).unwrap();
        assert_eq!(added["type"], "Add");
        assert_eq!(added["target"], "https://b.example/g/support/moderators");
    }

    #[test]
    fn a_removal_without_a_reason_still_carries_an_empty_summary() {
        let cx = ModerationContext {
            moderator: "https://b.example/u/mod",
            group: "https://b.example/g/support",
            featured: "https://b.example/g/support/featured",
            moderators: "https://b.example/g/support/moderators",
            object: "https://b.example/post/1",
            reason: None,
            expires: None,
        };
        let removal = moderation_activity("remove_post", "https://b.example/a/1", &cx).unwrap();
        assert_eq!(removal["summary"], "");
        let restore = moderation_activity("restore_post", "https://b.example/a/2", &cx).unwrap();
        assert_eq!(restore["object"]["summary"], "");
        let lock = moderation_activity("lock", "https://b.example/a/3", &cx).unwrap();
        assert!(lock.get("summary").is_none());
    }
}
