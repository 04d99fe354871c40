//! Replies: to a thread or to another reply, to any depth up to the documented limit.

use chrono::NaiveDateTime;
use plaza_db::attachment::Owner;
use plaza_db::comment::{CommentRow, NewComment};
use plaza_db::event::{EventKind, NewEvent};
use plaza_db::post::PostRow;
use plaza_db::{DbConn, comment, event, now, post};

use crate::limits::{COMMENT_BODY_MAX, COMMENT_DEPTH_MAX, check_body};
use crate::origin::{Origin, RemoteContent};
use crate::participation::{Participant, ensure_author, ensure_not_banned};
use crate::{Account, Context, CoreError, CoreResult, attachments, markdown};

async fn check_text(body: &str) -> CoreResult<(String, String)> {
    let body = check_body("body", body, COMMENT_BODY_MAX, true)?
        .ok_or_else(|| CoreError::invalid("body", "must not be empty"))?;
    let html = markdown::render("body", &body).await?;
    Ok((body, html))
}

/// Replies to a thread (`parent_id` none) or to one of its comments, with uploaded pictures.
pub async fn create(
    ctx: &Context,
    account: &Account,
    post_id: i64,
    parent_id: Option<i64>,
    body: &str,
    images: &[crate::media::ImageChoice],
) -> CoreResult<CommentRow> {
    crate::media::check_choices(images)?;
    let (body, body_html) = check_text(body).await?;
    crate::event_transaction!(ctx, |conn| {
        let place = place_reply(conn, account.into(), post_id, parent_id).await?;
        write_local(
            conn,
            ctx,
            account,
            &place,
            (&body, &body_html),
            images,
            false,
        )
        .await
    })
}

/// A reply by staff or a moderator to a thread, written by Plaza for them inside the caller's
/// transaction (an idea's new status): marked official, and allowed in a locked thread.
pub(crate) async fn official_reply(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    account: &Account,
    thread: &PostRow,
    body: &str,
) -> CoreResult<CommentRow> {
    let (body, body_html) = check_text(body).await?;
    let place = Place {
        thread: thread.clone(),
        parent_id: None,
        depth: 0,
    };
    write_local(conn, ctx, account, &place, (&body, &body_html), &[], true).await
}

/// Stores a local reply once its place is known, and tells whoever it concerns.
async fn write_local(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    account: &Account,
    place: &Place,
    (body, body_html): (&str, &str),
    images: &[crate::media::ImageChoice],
    official: bool,
) -> CoreResult<CommentRow> {
    let row = insert(
        conn,
        place,
        account.person_id,
        Some(body),
        body_html,
        None,
        now(),
    )
    .await?;
    let row = comment::set_ap_id(conn, row.id, &ctx.urls.comment(row.id)).await?;
    let pictures = crate::media::attachments_of(conn, account, images).await?;
    attachments::store(conn, Owner::Comment(row.id), &pictures).await?;
    let row = if official {
        comment::set_distinguished(conn, row.id, true).await?
    } else {
        row
    };
    post::count_reply(conn, place.thread.id, row.created_at).await?;
    record(
        conn,
        EventKind::CommentCreated,
        account.into(),
        &row,
        Origin::Local,
    )
    .await?;
    crate::notifications::replied(conn, ctx, &row, &place.thread).await?;
    Ok(row)
}

/// A reply written on another server to a thread or comment stored here.
#[derive(Debug, Clone)]
pub struct RemoteReply {
    /// The thread.
    pub post_id: i64,
    /// The comment it answers, if not the thread itself.
    pub parent_id: Option<i64>,
    /// Its body and author.
    pub content: RemoteContent,
}

/// Stores a reply received from another server under the same rules as a local one (bans,
/// locked threads, depth). Returns `None` if it was stored before.
pub async fn receive(
    ctx: &Context,
    reply: RemoteReply,
    origin: Origin<'_>,
) -> CoreResult<Option<CommentRow>> {
    let content = &reply.content;
    let body_html = markdown::sanitize("content", &content.html).await?;
    crate::event_transaction!(ctx, |conn| {
        if comment::find_by_ap_id(conn, &content.ap_id)
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let place = place_reply(conn, content.author, reply.post_id, reply.parent_id).await?;
        let published = content.published.map_or_else(now, |at| at.min(now()));
        let row = insert(
            conn,
            &place,
            content.author.person_id,
            content.source.as_deref(),
            &body_html,
            Some(&content.ap_id),
            published,
        )
        .await?;
        attachments::store(conn, Owner::Comment(row.id), &content.attachments).await?;
        post::count_reply(conn, reply.post_id, now()).await?;
        record(
            conn,
            EventKind::CommentCreated,
            content.author,
            &row,
            origin,
        )
        .await?;
        // A parent fetched to fill a gap is old news: nobody is told of it.
        if origin.records_event() {
            crate::notifications::replied(conn, ctx, &row, &place.thread).await?;
        }
        Ok(Some(row))
    })
}

/// Where a new reply goes: its thread, its parent and its depth, once the rules allow it.
struct Place {
    thread: PostRow,
    parent_id: Option<i64>,
    depth: i32,
}

async fn place_reply(
    conn: &mut DbConn<'_>,
    who: Participant,
    post_id: i64,
    parent_id: Option<i64>,
) -> CoreResult<Place> {
    let thread = post::find(conn, post_id)
        .await
        .map_err(|_| CoreError::NotFound("thread"))?;
    if thread.deleted || thread.removed {
        return Err(CoreError::Gone("the thread was deleted".into()));
    }
    if thread.locked {
        return Err(CoreError::Forbidden("the thread is locked".into()));
    }
    ensure_not_banned(conn, thread.group_id, who).await?;
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
    Ok(Place {
        thread,
        parent_id,
        depth,
    })
}

async fn insert(
    conn: &mut DbConn<'_>,
    place: &Place,
    author_id: i64,
    body_source: Option<&str>,
    body_html: &str,
    remote_ap_id: Option<&str>,
    created_at: NaiveDateTime,
) -> CoreResult<CommentRow> {
    let pending_id = crate::pending_ap_id();
    Ok(comment::insert(
        conn,
        &NewComment {
            ap_id: remote_ap_id.unwrap_or(&pending_id),
            post_id: place.thread.id,
            parent_id: place.parent_id,
            author_id,
            depth: place.depth,
            body_source,
            body_html,
            local: remote_ap_id.is_none(),
            created_at,
        },
    )
    .await?)
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
    who: Participant,
    row: &CommentRow,
    origin: Origin<'_>,
) -> CoreResult<()> {
    if !origin.records_event() {
        return Ok(());
    }
    let group_id = post::find(conn, row.post_id).await?.group_id;
    event::record(
        conn,
        kind,
        NewEvent {
            actor_id: Some(who.person_id),
            group_id: Some(group_id),
            post_id: Some(row.post_id),
            comment_id: Some(row.id),
            payload: origin.payload(serde_json::Value::Null),
        },
    )
    .await?;
    Ok(())
}

/// Edits a comment (author only).
pub async fn edit(ctx: &Context, account: &Account, id: i64, body: &str) -> CoreResult<CommentRow> {
    let (body, body_html) = check_text(body).await?;
    crate::event_transaction!(ctx, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, account.into(), "comment")?;
        let row = comment::update_content(conn, id, Some(&body), &body_html).await?;
        record(
            conn,
            EventKind::CommentUpdated,
            account.into(),
            &row,
            Origin::Local,
        )
        .await?;
        let thread = post::find(conn, row.post_id).await?;
        crate::notifications::comment_edited(conn, ctx, &row, &thread).await?;
        Ok(row)
    })
}

/// Marks one's own comment as an official answer (or not): brand staff, the group's moderators
/// and administrators may. Shown with a badge, and sent as Lemmy's `distinguished` flag in the
/// comment's `Update`.
pub async fn distinguish(
    ctx: &Context,
    account: &Account,
    id: i64,
    distinguished: bool,
) -> CoreResult<CommentRow> {
    crate::event_transaction!(ctx, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, account.into(), "comment")?;
        let group_id = post::find(conn, row.post_id).await?.group_id;
        let moderates = crate::participation::may_moderate(conn, group_id, account.into()).await?;
        if !crate::participation::answers_officially(account, moderates) {
            return Err(CoreError::Forbidden(
                "only staff and moderators give official answers".into(),
            ));
        }
        if row.distinguished == distinguished {
            return Ok(row);
        }
        let row = comment::set_distinguished(conn, id, distinguished).await?;
        record(
            conn,
            EventKind::CommentUpdated,
            account.into(),
            &row,
            Origin::Local,
        )
        .await?;
        Ok(row)
    })
}

/// Applies an edit made on another server by the comment's author. Returns `None` when the
/// comment is not stored here.
pub async fn receive_edit(
    ctx: &Context,
    content: RemoteContent,
    origin: Origin<'_>,
) -> CoreResult<Option<CommentRow>> {
    let body_html = markdown::sanitize("content", &content.html).await?;
    crate::event_transaction!(ctx, |conn| {
        let Some(row) = comment::find_by_ap_id(conn, &content.ap_id).await? else {
            return Ok(None);
        };
        if row.deleted || row.removed {
            return Err(CoreError::Gone("the comment was deleted".into()));
        }
        ensure_author(row.author_id, content.author, "comment")?;
        let row =
            comment::update_content(conn, row.id, content.source.as_deref(), &body_html).await?;
        attachments::store(conn, Owner::Comment(row.id), &content.attachments).await?;
        record(
            conn,
            EventKind::CommentUpdated,
            content.author,
            &row,
            origin,
        )
        .await?;
        if origin.records_event() {
            let thread = post::find(conn, row.post_id).await?;
            crate::notifications::comment_edited(conn, ctx, &row, &thread).await?;
        }
        Ok(Some(row))
    })
}

/// Deletes a comment (author only); replies to it stay in the tree.
pub async fn delete(ctx: &Context, account: &Account, id: i64) -> CoreResult<()> {
    take_down(ctx, account.into(), id, Origin::Local).await
}

/// Deletes a comment for its author, from here or from another server (a moderator's removal is
/// a [`crate::moderation::Action`]). Replies to it stay in the tree.
pub async fn take_down(
    ctx: &Context,
    who: Participant,
    id: i64,
    origin: Origin<'_>,
) -> CoreResult<()> {
    crate::event_transaction!(ctx, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, who, "comment")?;
        let row = comment::mark_deleted(conn, id).await?;
        record(conn, EventKind::CommentDeleted, who, &row, origin).await?;
        crate::answers::comment_gone(conn, id, who).await
    })
}
