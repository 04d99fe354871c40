//! `/post/ID` and `/comment/ID`: content by its id, or a Tombstone once deleted.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use plaza_core::Context;
use plaza_db::attachment::AttachmentRow;
use plaza_db::comment::CommentRow;
use plaza_db::group::{GroupRow, GroupView};
use plaza_db::person::PersonBrief;
use plaza_db::post::PostRow;
use plaza_db::{DbConn, attachment, comment, group, person, post};

use crate::convert::comment::{CommentContext, comment_object};
use crate::convert::post::{PostContext, THREAD_TYPE, post_object, thread_context};
use crate::convert::timestamp;
use crate::protocol::object::{Note, Page, Tombstone};
use crate::response::{ActivityJson, FederationError};

/// What is left of something deleted: its id and what it was.
pub fn gone(id: &str, former_type: &str, deleted: Option<chrono::NaiveDateTime>) -> Tombstone {
    Tombstone {
        id: id.to_owned(),
        kind: "Tombstone".to_owned(),
        former_type: former_type.to_owned(),
        deleted: deleted.map(timestamp),
    }
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
        return Err(FederationError::Gone(gone(
            &row.ap_id,
            THREAD_TYPE,
            row.updated_at,
        )));
    }
    let group = group::view(conn, row.group_id).await?;
    let (page, author) = page_of(conn, &row, &group).await?;
    Ok((page, author, group.group))
}

/// A thread's `Page` in its group, with its author's id.
pub async fn page_of(
    conn: &mut DbConn<'_>,
    row: &PostRow,
    group: &GroupView,
) -> Result<(Page, String), FederationError> {
    let author = person::find(conn, row.author_id).await?;
    let accepted = match row.accepted_comment_id {
        Some(id) => comment::find(conn, id)
            .await
            .ok()
            .filter(|c| !c.deleted && !c.removed)
            .map(|c| c.ap_id),
        None => None,
    };
    let attachments = attachment::of_post(conn, row.id).await?;
    let cx = PostContext {
        author_ap_id: &author.ap_id,
        group: &group.group,
        group_domain: &group.domain,
        accepted_answer: accepted.as_deref(),
        attachments: &attachments,
    };
    Ok((post_object(row, &cx), author.ap_id))
}

/// A local comment's `Note`, with its author's id and its group (or a Tombstone once deleted).
pub async fn load_note(
    conn: &mut DbConn<'_>,
    id: i64,
) -> Result<(Note, String, GroupRow), FederationError> {
    let comment = comment::find_with_author(conn, id)
        .await
        .ok()
        .filter(|(c, _)| c.local)
        .ok_or(FederationError::NotFound("comment"))?;
    let thread = post::find(conn, comment.0.post_id).await?;
    let group = group::view(conn, thread.group_id).await?;
    let author = comment.1.ap_id.clone();
    let note = notes(conn, &thread, &group, std::slice::from_ref(&comment))
        .await?
        .pop()
        .ok_or(FederationError::NotFound("comment"))?
        .map_err(FederationError::Gone)?;
    Ok((note, author, group.group))
}

/// Comments of one thread as `Note`s, each with what it answers (the thread or its parent
/// comment) and whom; a deleted or removed one as its `Tombstone`. Parents and their authors are
/// read once for all of them.
pub async fn notes(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
    group: &GroupView,
    comments: &[(CommentRow, PersonBrief)],
) -> Result<Vec<Result<Note, Tombstone>>, FederationError> {
    let parent_ids: Vec<i64> = comments.iter().filter_map(|(c, _)| c.parent_id).collect();
    let parents: HashMap<i64, CommentRow> = comment::find_many(conn, &parent_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut answered: Vec<i64> = parents.values().map(|p| p.author_id).collect();
    answered.push(thread.author_id);
    let people: HashMap<i64, PersonBrief> = person::briefs(conn, &answered)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let context = thread_context(thread);
    let mut attached: HashMap<i64, Vec<AttachmentRow>> = HashMap::new();
    for row in attachment::of_comments_of_post(conn, thread.id).await? {
        if let Some(id) = row.comment_id {
            attached.entry(id).or_default().push(row);
        }
    }
    comments
        .iter()
        .map(|(row, author)| {
            if row.deleted || row.removed {
                return Ok(Err(gone(&row.ap_id, "Note", row.updated_at)));
            }
            let (in_reply_to, parent_author_id) = match row.parent_id {
                Some(parent) => {
                    let parent = parents
                        .get(&parent)
                        .ok_or(FederationError::NotFound("parent comment"))?;
                    (parent.ap_id.as_str(), parent.author_id)
                }
                None => (thread.ap_id.as_str(), thread.author_id),
            };
            let parent_author = people
                .get(&parent_author_id)
                .filter(|p| p.id != row.author_id)
                .map(|p| (p.ap_id.as_str(), format!("{}@{}", p.name, p.domain)));
            let cx = CommentContext {
                author_ap_id: &author.ap_id,
                in_reply_to,
                group_ap_id: &group.group.ap_id,
                context: context.clone(),
                group_handle: (&group.group.name, &group.domain),
                parent_author,
                attachments: attached.get(&row.id).map_or(&[], Vec::as_slice),
            };
            let mut note = comment_object(row, &cx);
            // Lemmy shows an answer a moderator or staff accepted as one of theirs.
            note.distinguished |=
                thread.accepted_officially && thread.accepted_comment_id == Some(row.id);
            Ok(Ok(note))
        })
        .collect()
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
