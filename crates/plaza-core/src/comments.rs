//! Replies: to a thread or to another reply, to any depth up to the documented limit.

use plaza_db::comment::{CommentRow, NewComment};
use plaza_db::event::{EventKind, NewEvent};
use plaza_db::{DbConn, comment, event, now, post, transaction};

use crate::limits::{COMMENT_BODY_MAX, COMMENT_DEPTH_MAX, check_body};
use crate::participation::{ensure_author, ensure_not_banned};
use crate::{Account, Context, CoreError, CoreResult, markdown};

fn check_text(body: &str) -> CoreResult<(String, String)> {
    let body = check_body("body", body, COMMENT_BODY_MAX, true)?
        .ok_or_else(|| CoreError::invalid("body", "must not be empty"))?;
    let html = markdown::render(&body);
    Ok((body, html))
}

/// Replies to a thread (`parent_id` none) or to one of its comments.
pub async fn create(
    ctx: &Context,
    account: &Account,
    post_id: i64,
    parent_id: Option<i64>,
    body: &str,
) -> CoreResult<CommentRow> {
    let (body, body_html) = check_text(body)?;
    transaction!(&ctx.db, CoreError, |conn| {
        let thread = post::find(conn, post_id)
            .await
            .map_err(|_| CoreError::NotFound("thread"))?;
        if thread.deleted || thread.removed {
            return Err(CoreError::Gone("the thread was deleted".into()));
        }
        if thread.locked {
            return Err(CoreError::Forbidden("the thread is locked".into()));
        }
        ensure_not_banned(conn, thread.group_id, account).await?;
        let depth = match parent_id {
            None => 0,
            Some(parent_id) => {
                let parent = comment::find(conn, parent_id)
                    .await
                    .map_err(|_| CoreError::NotFound("parent comment"))?;
                if parent.post_id != post_id {
                    return Err(CoreError::invalid(
                        "parent_id",
                        "the comment belongs to another thread",
                    ));
                }
                if parent.deleted || parent.removed {
                    return Err(CoreError::Gone("the comment was deleted".into()));
                }
                if parent.depth >= COMMENT_DEPTH_MAX {
                    return Err(CoreError::invalid(
                        "parent_id",
                        format!("replies nest at most {COMMENT_DEPTH_MAX} levels deep"),
                    ));
                }
                parent.depth + 1
            }
        };
        let now = now();
        let row = comment::insert(
            conn,
            &NewComment {
                ap_id: &crate::pending_ap_id(),
                post_id,
                parent_id,
                author_id: account.person_id,
                depth,
                body_source: Some(&body),
                body_html: &body_html,
                local: true,
                created_at: now,
            },
        )
        .await?;
        let row = comment::set_ap_id(conn, row.id, &ctx.urls.comment(row.id)).await?;
        post::count_reply(conn, post_id, now).await?;
        event::record(
            conn,
            EventKind::CommentCreated,
            NewEvent {
                actor_id: Some(account.person_id),
                group_id: Some(thread.group_id),
                post_id: Some(post_id),
                comment_id: Some(row.id),
                ..NewEvent::default()
            },
        )
        .await?;
        Ok(row)
    })
}

async fn find_live(conn: &mut DbConn<'_>, id: i64) -> CoreResult<CommentRow> {
    let row = comment::find(conn, id)
        .await
        .map_err(|_| CoreError::NotFound("comment"))?;
    if row.deleted || row.removed {
        return Err(CoreError::Gone("the comment was deleted".into()));
    }
    Ok(row)
}

async fn record(
    conn: &mut DbConn<'_>,
    kind: EventKind,
    account: &Account,
    row: &CommentRow,
) -> CoreResult<()> {
    let group_id = post::find(conn, row.post_id).await?.group_id;
    event::record(
        conn,
        kind,
        NewEvent {
            actor_id: Some(account.person_id),
            group_id: Some(group_id),
            post_id: Some(row.post_id),
            comment_id: Some(row.id),
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}

/// Edits a comment (author only).
pub async fn edit(ctx: &Context, account: &Account, id: i64, body: &str) -> CoreResult<CommentRow> {
    let (body, body_html) = check_text(body)?;
    transaction!(&ctx.db, CoreError, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, account, "comment")?;
        let row = comment::update_content(conn, id, Some(&body), &body_html).await?;
        record(conn, EventKind::CommentUpdated, account, &row).await?;
        Ok(row)
    })
}

/// Deletes a comment (author only); replies to it stay in the tree.
pub async fn delete(ctx: &Context, account: &Account, id: i64) -> CoreResult<()> {
    transaction!(&ctx.db, CoreError, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, account, "comment")?;
        let row = comment::mark_deleted(conn, id).await?;
        record(conn, EventKind::CommentDeleted, account, &row).await?;
        Ok(())
    })
}
