//! The activity a local member's change is, as the member sends it to a group (and as a local
//! group wraps it in its Announce): Create, Update, Delete, Like/Dislike, or Undo of a vote.

use plaza_core::{Context, CoreResult};
use plaza_db::event::EventRow;
use plaza_db::group::GroupRow;
use plaza_db::{DbConn, comment, person, post};
use serde_json::Value;

use super::{to_core, to_json};
use crate::FederationError;
use crate::convert::activity;
use crate::convert::group::group_actor;
use crate::convert::moderation::{ModerationContext, moderation_activity};
use crate::endpoints::objects::{load_note, load_page};

/// A member's activity, ready to queue.
pub struct MemberActivity {
    pub id: String,
    /// The member, who signs it when it goes to a remote group.
    pub actor: String,
    pub body: Value,
}

/// What `e` is as the member's activity, if it federates. A thread or comment deleted before its
/// creation or edit went out gives `None`.
pub async fn activity(
    ctx: &Context,
    conn: &mut DbConn<'_>,
    e: &EventRow,
    payload: &Value,
    group: &GroupRow,
) -> CoreResult<Option<MemberActivity>> {
    let urls = &ctx.urls;
    let built = match (e.kind.as_str(), e.post_id, e.comment_id) {
        // A new accepted answer or idea status is a change of the thread's `Page`, sent in its
        // author's name.
        (
            "post_created" | "post_updated" | "answer_accepted" | "idea_status_changed",
            Some(id),
            _,
        ) => {
            match load_page(conn, id).await {
                Ok((page, author, _)) => {
                    let (verb, id) = write_id(ctx, e, &page.id);
                    let body = to_json(&activity::write(
                        verb,
                        id.clone(),
                        &author,
                        &group.ap_id,
                        page,
                    ))?;
                    Some((id, author, body))
                }
                Err(FederationError::Gone(_)) => None,
                // A thread from another server is its author's to update there; the answer chosen
                // here stays here (and reaches a remote asker as a mention).
                // Staff's reply that announces a status reaches everyone either way.
                Err(FederationError::NotFound(_))
                    if matches!(e.kind.as_str(), "answer_accepted" | "idea_status_changed") =>
                {
                    None
                }
                Err(err) => return Err(to_core(err)),
            }
        }
        ("comment_created" | "comment_updated", _, Some(id)) => match load_note(conn, id).await {
            Ok((note, author, _)) => {
                let (verb, id) = write_id(ctx, e, &note.id);
                let body = to_json(&activity::write(
                    verb,
                    id.clone(),
                    &author,
                    &group.ap_id,
                    note,
                ))?;
                Some((id, author, body))
            }
            Err(FederationError::Gone(_)) => None,
            Err(err) => return Err(to_core(err)),
        },
        ("post_deleted" | "comment_deleted", Some(post_id), comment_id) => {
            let object = target_ap_id(conn, post_id, comment_id).await?;
            let author = actor_ap_id(conn, e).await?;
            let id = urls.activity("delete", &object);
            let body = to_json(&activity::delete(
                id.clone(),
                &author,
                &group.ap_id,
                &object,
            ))?;
            Some((id, author, body))
        }
        ("vote_cast", Some(post_id), comment_id) => {
            let object = target_ap_id(conn, post_id, comment_id).await?;
            let voter = actor_ap_id(conn, e).await?;
            let (Some(id), Some(score)) = (text(payload, "vote"), number(payload, "score")) else {
                return Ok(None);
            };
            let body = to_json(&activity::vote(
                id.clone(),
                score,
                &voter,
                &group.ap_id,
                &object,
            ))?;
            Some((id, voter, body))
        }
        ("vote_removed", Some(post_id), comment_id) => {
            let object = target_ap_id(conn, post_id, comment_id).await?;
            let voter = actor_ap_id(conn, e).await?;
            let Some(id) = text(payload, "vote") else {
                return Ok(None);
            };
            // A vote from before votes had ids gets one now; peers undo by voter and object.
            let undone_id = text(payload, "undoes").unwrap_or_else(|| format!("{id}#undone"));
            let previous = number(payload, "previous").unwrap_or(1);
            let undone = activity::vote(undone_id, previous, &voter, &group.ap_id, &object);
            let body = to_json(&activity::undo(id.clone(), &voter, &group.ap_id, undone))?;
            Some((id, voter, body))
        }
        ("moderation", _, _) => moderation(ctx, conn, e, payload, group).await?,
        // A moderator changed the group's settings (Lemmy: `Update` of the group by them).
        ("group_updated", _, _) if group.local => {
            let moderator = actor_ap_id(conn, e).await?;
            let id = urls.activity("update", &format!("event/{}", e.id));
            let actor = to_json(&group_actor(urls, group))?;
            let body = serde_json::json!({
                "id": id, "type": "Update", "actor": moderator,
                "to": [crate::protocol::PUBLIC], "cc": [group.ap_id], "audience": group.ap_id,
                "object": actor,
            });
            Some((id, moderator, body))
        }
        // Reports go to the moderators of a group elsewhere, never to followers.
        ("reported", Some(post_id), comment_id) if !group.local => {
            let object = target_ap_id(conn, post_id, comment_id).await?;
            let reporter = actor_ap_id(conn, e).await?;
            let id = urls.activity("flag", &format!("event/{}", e.id));
            let body = serde_json::json!({
                "id": id, "type": "Flag", "actor": reporter, "to": [group.ap_id],
                "object": [object], "summary": text(payload, "reason"),
                "content": text(payload, "reason"),
            });
            Some((id, reporter, body))
        }
        _ => None,
    };
    Ok(built.map(|(id, actor, body)| MemberActivity { id, actor, body }))
}

/// A `Create` has the id its outbox entry shows; each `Update` gets its own.
fn write_id(ctx: &Context, e: &EventRow, object_id: &str) -> (&'static str, String) {
    if e.kind.ends_with("_created") {
        ("Create", ctx.urls.activity("create", object_id))
    } else {
        let update = ctx.urls.activity("update", object_id);
        ("Update", format!("{update}/{}", e.id))
    }
}

async fn target_ap_id(
    conn: &mut DbConn<'_>,
    post_id: i64,
    comment_id: Option<i64>,
) -> CoreResult<String> {
    Ok(match comment_id {
        Some(id) => comment::find(conn, id).await?.ap_id,
        None => post::find(conn, post_id).await?.ap_id,
    })
}

async fn actor_ap_id(conn: &mut DbConn<'_>, e: &EventRow) -> CoreResult<String> {
    let id = e
        .actor_id
        .ok_or_else(|| plaza_core::CoreError::Internal(format!("event {} has no actor", e.id)))?;
    Ok(person::find(conn, id).await?.ap_id)
}

fn text(payload: &Value, key: &str) -> Option<String> {
    payload.get(key)?.as_str().map(str::to_owned)
}

fn number(payload: &Value, key: &str) -> Option<i16> {
    i16::try_from(payload.get(key)?.as_i64()?).ok()
}

/// A moderator's action in a group of this instance. (In a group elsewhere a local administrator's
/// action stays local: only that group's moderators can act for it.)
async fn moderation(
    ctx: &Context,
    conn: &mut DbConn<'_>,
    e: &EventRow,
    payload: &Value,
    group: &GroupRow,
) -> CoreResult<Option<(String, String, Value)>> {
    if !group.local {
        return Ok(None);
    }
    let Some(action) = text(payload, "action") else {
        return Ok(None);
    };
    let object = match (action.as_str(), e.post_id, e.comment_id) {
        ("ban" | "unban" | "add_moderator" | "remove_moderator", _, _) => {
            let Some(person_id) = payload.get("person_id").and_then(Value::as_i64) else {
                return Ok(None);
            };
            person::find(conn, person_id).await?.ap_id
        }
        (_, Some(post_id), comment_id) => target_ap_id(conn, post_id, comment_id).await?,
        _ => return Ok(None),
    };
    let moderator = actor_ap_id(conn, e).await?;
    let id = ctx.urls.activity(&action, &format!("event/{}", e.id));
    let reason = text(payload, "reason");
    let expires = text(payload, "expires_at");
    let featured = ctx.urls.group_featured(&group.name);
    let moderators = ctx.urls.group_moderators(&group.name);
    let cx = ModerationContext {
        moderator: &moderator,
        group: &group.ap_id,
        featured: &featured,
        moderators: &moderators,
        object: &object,
        reason: reason.as_deref(),
        expires: expires.as_deref(),
    };
    Ok(moderation_activity(&action, &id, &cx).map(|body| (id, moderator, body)))
}
