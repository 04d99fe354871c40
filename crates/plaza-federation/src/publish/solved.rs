//! Telling an asker on another server that their question was solved: a direct `Note` from the
//! group, addressed to them alone. Mastodon and its kin show it as a private mention; the
//! accepted answer itself reaches forum servers in the thread's `Update`.

use plaza_core::{Context, CoreResult};
use plaza_db::event::EventRow;
use plaza_db::group::GroupRow;
use plaza_db::{DbConn, comment, person, post};
use serde_json::{Value, json};

use super::to_core;
use crate::convert::{escape_html, timestamp};
use crate::delivery;

/// Queues the mention for a newly accepted answer when the asker is elsewhere.
pub async fn notify_asker(
    ctx: &Context,
    conn: &mut DbConn<'_>,
    e: &EventRow,
    group: &GroupRow,
) -> CoreResult<()> {
    let (Some(post_id), Some(comment_id)) = (e.post_id, e.comment_id) else {
        return Ok(());
    };
    let thread = post::find(conn, post_id).await?;
    let asker = person::find(conn, thread.author_id).await?;
    if asker.local || thread.accepted_comment_id != Some(comment_id) {
        return Ok(());
    }
    let answer = comment::find(conn, comment_id).await?;
    let domain = url::Url::parse(&asker.ap_id)
        .ok()
        .and_then(|u| crate::domain_of(&u))
        .unwrap_or_default();
    let mention = format!("@{}@{domain}", asker.name);
    let content = format!(
        "<p><span class=\"h-card\"><a href=\"{asker}\" class=\"u-url mention\">@{name}</a></span> \
         Your question <a href=\"{thread_url}\">{title}</a> has an accepted answer: \
         <a href=\"{answer_url}\">{answer_url}</a></p>",
        asker = escape_html(&asker.ap_id),
        name = escape_html(&asker.name),
        thread_url = escape_html(&thread.ap_id),
        title = escape_html(&thread.title),
        answer_url = escape_html(&answer.ap_id),
    );
    let event = format!("event/{}", e.id);
    let note_id = ctx.urls.activity("solved", &event);
    let id = ctx.urls.activity("create/solved", &event);
    let body: Value = json!({
        "id": id,
        "type": "Create",
        "actor": group.ap_id,
        "to": [asker.ap_id],
        "cc": [],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": group.ap_id,
            "to": [asker.ap_id],
            "cc": [],
            "inReplyTo": thread.ap_id,
            "content": content,
            "mediaType": "text/html",
            "tag": [{"type": "Mention", "href": asker.ap_id, "name": mention}],
            "published": timestamp(e.created_at),
        },
    });
    delivery::enqueue(conn, &id, &group.ap_id, &body, [asker.inbox_url])
        .await
        .map_err(to_core)?;
    Ok(())
}
