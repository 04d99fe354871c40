//! What Mastodon-like servers get from a local group: each new thread once, boosted by the group
//! as a `Note` they show in full (title in bold, then link and body), the boost withdrawn when the
//! thread is deleted or removed, and the group's own profile updates. Comments, edits and votes are not sent to them: their
//! timelines would show each one as a boost.

use plaza_core::{Context, CoreResult};
use plaza_db::event::EventRow;
use plaza_db::group::GroupRow;
use plaza_db::{DbConn, post};
use serde_json::{Value, json};

use super::{to_core, to_json};
use crate::FederationError;
use crate::convert::activity::{announce, undo};
use crate::convert::group::group_actor;
use crate::convert::post::thread_as_note;
use crate::endpoints::objects::load_page;

/// The activity, and its id, that `e` is for microblog followers, if any.
pub async fn activity(
    ctx: &Context,
    conn: &mut DbConn<'_>,
    e: &EventRow,
    payload: &Value,
    received: Option<&Value>,
    group: &GroupRow,
) -> CoreResult<Option<(String, Value)>> {
    let urls = &ctx.urls;
    if e.kind == "group_updated" {
        // The group's own profile changed: Mastodon updates an account when it sends `Update`.
        let id = urls.activity("update", &format!("event/{}", e.id));
        let update = json!({
            "id": id, "type": "Update", "actor": group.ap_id,
            "to": [crate::protocol::PUBLIC], "object": to_json(&group_actor(urls, group))?,
        });
        return Ok(Some((id, update)));
    }
    let (Some(post_id), None) = (e.post_id, e.comment_id) else {
        return Ok(None);
    };
    // Named after our copy of the thread, so the withdrawal can name the boost it undoes.
    let boost_id = urls.activity("announce/note", &urls.post(post_id));
    let removed = e.kind == "moderation"
        && payload.get("action").and_then(Value::as_str) == Some("remove_post");
    match e.kind.as_str() {
        "post_created" => {
            let object = match received {
                // A thread from another server: they fetch it from its home.
                Some(_) => Value::String(post::find(conn, post_id).await?.ap_id),
                None => match load_page(conn, post_id).await {
                    Ok((page, _, _)) => to_json(&thread_as_note(page))?,
                    Err(FederationError::Gone(_)) => return Ok(None),
                    Err(err) => return Err(to_core(err)),
                },
            };
            let boost = announce(urls, boost_id.clone(), &group.ap_id, &group.name, object);
            Ok(Some((boost_id, to_json(&boost)?)))
        }
        "post_deleted" | "moderation" if e.kind == "post_deleted" || removed => {
            let thread = post::find(conn, post_id).await?;
            let boost = json!({
                "id": boost_id,
                "type": "Announce",
                "actor": group.ap_id,
                "object": thread.ap_id,
            });
            let id = urls.activity("undo/announce/note", &urls.post(post_id));
            let followers = urls.group_followers(&group.name);
            Ok(Some((
                id.clone(),
                to_json(&undo(id, &group.ap_id, &followers, boost))?,
            )))
        }
        _ => Ok(None),
    }
}
