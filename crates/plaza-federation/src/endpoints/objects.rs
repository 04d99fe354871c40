//! `/post/ID` and `/comment/ID`: content by its id, or a Tombstone once deleted.

use std::sync::Arc;

use axum::extract::{Path, State};
use plaza_core::Context;
use plaza_db::group::GroupRow;
use plaza_db::{DbConn, comment, group, person, post};

use crate::convert::comment::{CommentContext, comment_object};
use crate::convert::post::{PostContext, THREAD_TYPE, post_object};
use crate::convert::timestamp;
use crate::protocol::object::{Note, Page, Tombstone};
use crate::response::{ActivityJson, FederationError};

fn tombstone(
    id: &str,
    former_type: &str,
    deleted: Option<chrono::NaiveDateTime>,
) -> FederationError {
    FederationError::Gone(Tombstone {
        id: id.to_owned(),
        kind: "Tombstone".to_owned(),
        former_type: former_type.to_owned(),
        deleted: deleted.map(timestamp),
    })
}

/// A local thread's `Page`, with its author's id and its group (or a Tombstone once deleted).
pub async fn load_page(
    conn: &mut DbConn<'_>,
    id: i64,
) -> Result<(Page, String, GroupRow), FederationError> {
    let row = post::find(conn, id)
        .await
        .ok()
        .filter(|p| p.local)
        .ok_or(FederationError::NotFound("thread"))?;
    if row.deleted || row.removed {
        return Err(tombstone(&row.ap_id, THREAD_TYPE, row.updated_at));
    }
    let author = person::find(conn, row.author_id).await?;
    let group = group::view(conn, row.group_id).await?;
    let cx = PostContext {
        author_ap_id: &author.ap_id,
        group: &group.group,
        group_domain: &group.domain,
    };
    Ok((post_object(&row, &cx), author.ap_id, group.group))
}

/// A local comment's `Note`, with its author's id and its group (or a Tombstone once deleted).
pub async fn load_note(
    conn: &mut DbConn<'_>,
    id: i64,
) -> Result<(Note, String, GroupRow), FederationError> {
    let row = comment::find(conn, id)
        .await
        .ok()
        .filter(|c| c.local)
        .ok_or(FederationError::NotFound("comment"))?;
    if row.deleted || row.removed {
        return Err(tombstone(&row.ap_id, "Note", row.updated_at));
    }
    let author = person::find(conn, row.author_id).await?;
    let thread = post::find(conn, row.post_id).await?;
    let (in_reply_to, parent_author_id) = match row.parent_id {
        Some(parent) => {
            let parent = comment::find(conn, parent).await?;
            (parent.ap_id, parent.author_id)
        }
        None => (thread.ap_id.clone(), thread.author_id),
    };
    let parent_author = if parent_author_id == row.author_id {
        None
    } else {
        let person = person::find(conn, parent_author_id).await?;
        let domain = url::Url::parse(&person.ap_id)
            .ok()
            .and_then(|u| crate::domain_of(&u))
            .unwrap_or_default();
        Some((person.ap_id.clone(), format!("{}@{domain}", person.name)))
    };
    let group = group::view(conn, thread.group_id).await?;
    let cx = CommentContext {
        author_ap_id: &author.ap_id,
        in_reply_to: &in_reply_to,
        group_ap_id: &group.group.ap_id,
        group_handle: (&group.group.name, &group.domain),
        parent_author: parent_author
            .as_ref()
            .map(|(ap_id, handle)| (ap_id.as_str(), handle.clone())),
    };
    Ok((comment_object(&row, &cx), author.ap_id, group.group))
}

/// A thread's opening post.
pub async fn post(
    State(ctx): State<Arc<Context>>,
    Path(id): Path<i64>,
) -> Result<ActivityJson<Page>, FederationError> {
    let mut pooled = ctx.db.get().await?;
    let (page, _, _) = load_page(&mut pooled.conn(), id).await?;
    Ok(ActivityJson(page))
}

/// A comment.
pub async fn comment(
    State(ctx): State<Arc<Context>>,
    Path(id): Path<i64>,
) -> Result<ActivityJson<Note>, FederationError> {
    let mut pooled = ctx.db.get().await?;
    let (note, _, _) = load_note(&mut pooled.conn(), id).await?;
    Ok(ActivityJson(note))
}
