//! Threads: starting one, editing or deleting it, and a group's thread list.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use plaza_db::attachment::Owner;
use plaza_db::event::{EventKind, NewEvent};
use plaza_db::group::GroupRow;
use plaza_db::person::PersonBrief;
use plaza_db::post::{NewPost, PostRow, ThreadFilter, ThreadSort};
use plaza_db::{DbConn, Page, event, group, now, post, vote};

use crate::limits::{POST_BODY_MAX, POST_TITLE_MAX, check_body, check_line, check_url};
use crate::origin::{Origin, RemoteContent};
use crate::participation::{Participant, ensure_author, ensure_may_start_thread};
use crate::{Account, Context, CoreError, CoreResult, Listing, attachments, markdown};

/// What a new thread or an edit carries.
#[derive(Debug, Clone, Default)]
pub struct ThreadInput {
    /// One-line title.
    pub title: String,
    /// Markdown body.
    pub body: Option<String>,
    /// An optional link the thread is about.
    pub url: Option<String>,
    /// The author asks a question (in a Q&A group every thread is one).
    pub question: bool,
    /// Uploaded pictures to attach, in order (a new thread only: an edit keeps its pictures).
    pub images: Vec<crate::media::ImageChoice>,
}

/// A thread in a list: the opening post, its author and the caller's vote.
#[derive(Debug, Clone)]
pub struct ThreadSummary {
    /// The post.
    pub post: PostRow,
    /// Its author.
    pub author: PersonBrief,
    /// The caller's vote, if signed in and voted.
    pub my_vote: Option<i16>,
    /// It asks a question (its own flag or its group's).
    pub question: bool,
    /// Its accepted answer, if it has a live one.
    pub accepted: Option<crate::answers::AcceptedAnswer>,
}

struct CheckedInput {
    title: String,
    body: Option<String>,
    body_html: String,
    url: Option<String>,
    question: bool,
}

async fn check_input(input: ThreadInput) -> CoreResult<CheckedInput> {
    let title = check_line("title", &input.title, POST_TITLE_MAX)?;
    let body = input
        .body
        .as_deref()
        .map(|b| check_body("body", b, POST_BODY_MAX, false))
        .transpose()?
        .flatten();
    let url = input
        .url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(|u| check_url("url", u))
        .transpose()?;
    let body_html = markdown::render_optional("body", body.as_deref())
        .await?
        .unwrap_or_default();
    Ok(CheckedInput {
        title,
        body,
        body_html,
        url,
        question: input.question,
    })
}

/// Starts a thread in a local group.
pub async fn create(
    ctx: &Context,
    account: &Account,
    group_name: &str,
    input: ThreadInput,
) -> CoreResult<PostRow> {
    crate::media::check_choices(&input.images)?;
    let images = input.images.clone();
    let input = check_input(input).await?;
    crate::event_transaction!(ctx, |conn| {
        let group = crate::groups::find_named(ctx, conn, group_name).await?;
        ensure_may_start_thread(conn, &group, account.into()).await?;
        let row = insert(conn, &group, account.person_id, &input, None, now()).await?;
        let row = post::set_ap_id(conn, row.id, &ctx.urls.post(row.id)).await?;
        let pictures = crate::media::attachments_of(conn, account, &images).await?;
        attachments::store(conn, Owner::Post(row.id), &pictures).await?;
        record(
            conn,
            EventKind::PostCreated,
            account.into(),
            &row,
            Origin::Local,
        )
        .await?;
        crate::notifications::started(conn, ctx, &row).await?;
        Ok(row)
    })
}

/// A thread started on another server, in a group of this instance.
#[derive(Debug, Clone)]
pub struct RemoteThread {
    /// The group it was posted to.
    pub group_id: i64,
    /// Its title; a long one is shortened, a missing one replaced.
    pub title: String,
    /// An optional link the thread is about (dropped if it is not a valid http(s) URL).
    pub url: Option<String>,
    /// Its body and author.
    pub content: RemoteContent,
}

/// Stores a thread received from another server under the same rules as a local one (bans,
/// "only moderators may start threads"). Returns `None` if it was stored before.
pub async fn receive(
    ctx: &Context,
    thread: RemoteThread,
    origin: Origin<'_>,
) -> CoreResult<Option<PostRow>> {
    let content = &thread.content;
    let input = CheckedInput {
        title: remote_title(&thread.title),
        body: content.source.clone(),
        body_html: markdown::sanitize("content", &content.html).await?,
        url: thread.url.as_deref().and_then(|u| check_url("url", u).ok()),
        question: false,
    };
    crate::event_transaction!(ctx, |conn| {
        if post::find_by_ap_id(conn, &content.ap_id).await?.is_some() {
            return Ok(None);
        }
        let group = group::find(conn, thread.group_id).await?;
        if group.local {
            ensure_may_start_thread(conn, &group, content.author).await?;
        } else if group.deleted {
            // Who may post in a group elsewhere is its own server's call.
            return Err(CoreError::Gone("the group was deleted".into()));
        }
        let published = content.published.map_or_else(now, |at| at.min(now()));
        let row = insert(
            conn,
            &group,
            content.author.person_id,
            &input,
            Some(&content.ap_id),
            published,
        )
        .await?;
        attachments::store(conn, Owner::Post(row.id), &content.attachments).await?;
        record(conn, EventKind::PostCreated, content.author, &row, origin).await?;
        if origin.records_event() {
            crate::notifications::started(conn, ctx, &row).await?;
        }
        Ok(Some(row))
    })
}

/// A title for a remote thread: its first line, shortened to the limit, or a stand-in.
fn remote_title(raw: &str) -> String {
    let line: String = raw
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if line.is_empty() {
        return "Untitled".to_owned();
    }
    if line.chars().count() <= POST_TITLE_MAX {
        return line;
    }
    let mut short: String = line.chars().take(POST_TITLE_MAX - 1).collect();
    short.truncate(short.trim_end().len());
    short.push('…');
    short
}

async fn insert(
    conn: &mut DbConn<'_>,
    group: &GroupRow,
    author_id: i64,
    input: &CheckedInput,
    remote_ap_id: Option<&str>,
    created_at: NaiveDateTime,
) -> CoreResult<PostRow> {
    let pending_id = crate::pending_ap_id();
    Ok(post::insert(
        conn,
        &NewPost {
            ap_id: remote_ap_id.unwrap_or(&pending_id),
            group_id: group.id,
            author_id,
            title: &input.title,
            body_source: input.body.as_deref(),
            body_html: &input.body_html,
            url: input.url.as_deref(),
            local: remote_ap_id.is_none(),
            created_at,
            last_activity_at: created_at,
            question: input.question || group.qa,
        },
    )
    .await?)
}

/// Writes the outbox event for a change to a thread.
async fn record(
    conn: &mut DbConn<'_>,
    kind: EventKind,
    who: Participant,
    row: &PostRow,
    origin: Origin<'_>,
) -> CoreResult<()> {
    if !origin.records_event() {
        return Ok(());
    }
    event::record(
        conn,
        kind,
        NewEvent {
            actor_id: Some(who.person_id),
            group_id: Some(row.group_id),
            post_id: Some(row.id),
            comment_id: None,
            payload: origin.payload(serde_json::Value::Null),
        },
    )
    .await?;
    Ok(())
}

/// Loads a post that is still there to change.
async fn find_live(conn: &mut DbConn<'_>, id: i64) -> CoreResult<PostRow> {
    let row = post::find(conn, id)
        .await
        .map_err(|_| CoreError::NotFound("thread"))?;
    if row.deleted || row.removed {
        return Err(CoreError::Gone("the thread was deleted".into()));
    }
    Ok(row)
}

/// An edit: fields left `None` keep their value; an empty body or link clears it.
#[derive(Debug, Clone, Default)]
pub struct ThreadPatch {
    /// New title.
    pub title: Option<String>,
    /// New Markdown body.
    pub body: Option<String>,
    /// New link.
    pub url: Option<String>,
    /// Whether the thread asks a question.
    pub question: Option<bool>,
}

/// Edits a thread's title, body and link (author only).
pub async fn edit(
    ctx: &Context,
    account: &Account,
    id: i64,
    patch: ThreadPatch,
) -> CoreResult<PostRow> {
    crate::event_transaction!(ctx, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, account.into(), "thread")?;
        let input = check_input(ThreadInput {
            title: patch.title.clone().unwrap_or_else(|| row.title.clone()),
            body: patch.body.clone().or_else(|| row.body_source.clone()),
            url: patch.url.clone().or_else(|| row.url.clone()),
            question: patch.question.unwrap_or(row.question),
            images: Vec::new(),
        })
        .await?;
        update(conn, ctx, account.into(), &row, &input, Origin::Local).await
    })
}

/// Applies an edit made on another server by the thread's author. Returns `None` when the thread
/// is not stored here.
pub async fn receive_edit(
    ctx: &Context,
    thread: RemoteThread,
    origin: Origin<'_>,
) -> CoreResult<Option<PostRow>> {
    let content = &thread.content;
    crate::event_transaction!(ctx, |conn| {
        let Some(row) = post::find_by_ap_id(conn, &content.ap_id).await? else {
            return Ok(None);
        };
        if row.deleted || row.removed {
            return Err(CoreError::Gone("the thread was deleted".into()));
        }
        ensure_author(row.author_id, content.author, "thread")?;
        let input = CheckedInput {
            title: remote_title(&thread.title),
            body: content.source.clone(),
            body_html: markdown::sanitize("content", &content.html).await?,
            url: thread.url.as_deref().and_then(|u| check_url("url", u).ok()),
            question: row.question,
        };
        attachments::store(conn, Owner::Post(row.id), &content.attachments).await?;
        Ok(Some(
            update(conn, ctx, content.author, &row, &input, origin).await?,
        ))
    })
}

async fn update(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    who: Participant,
    row: &PostRow,
    input: &CheckedInput,
    origin: Origin<'_>,
) -> CoreResult<PostRow> {
    let row = post::update_content(
        conn,
        row.id,
        &input.title,
        input.body.as_deref(),
        &input.body_html,
        input.url.as_deref(),
    )
    .await?;
    let row = if row.question == input.question {
        row
    } else {
        post::set_question(conn, row.id, input.question).await?
    };
    record(conn, EventKind::PostUpdated, who, &row, origin).await?;
    if origin.records_event() {
        crate::notifications::started(conn, ctx, &row).await?;
    }
    Ok(row)
}

/// Deletes a thread (author only). Its replies stay readable.
pub async fn delete(ctx: &Context, account: &Account, id: i64) -> CoreResult<()> {
    take_down(ctx, account.into(), id, Origin::Local).await
}

/// Deletes a thread for its author, from here or from another server (a moderator's removal is a
/// [`crate::moderation::Action`]). Its replies stay readable.
pub async fn take_down(
    ctx: &Context,
    who: Participant,
    id: i64,
    origin: Origin<'_>,
) -> CoreResult<()> {
    crate::event_transaction!(ctx, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, who, "thread")?;
        post::mark_deleted(conn, id).await?;
        record(conn, EventKind::PostDeleted, who, &row, origin).await?;
        Ok(())
    })
}

/// One page of a local group's threads.
pub async fn list(
    ctx: &Context,
    viewer: Option<&Account>,
    group_name: &str,
    filter: ThreadFilter,
    sort: ThreadSort,
    page: Page,
) -> CoreResult<Listing<ThreadSummary>> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let group = crate::groups::find_named(ctx, conn, group_name).await?;
    let rows = post::list_for_group(conn, group.id, group.qa, filter, sort, page).await?;
    let my_votes: HashMap<i64, i16> = match viewer {
        Some(account) => {
            let ids: Vec<i64> = rows.iter().map(|(p, _)| p.id).collect();
            vote::on_posts(conn, account.person_id, &ids)
                .await?
                .into_iter()
                .collect()
        }
        None => HashMap::new(),
    };
    let posts: Vec<PostRow> = rows.iter().map(|(p, _)| p.clone()).collect();
    let mut accepted = crate::answers::accepted_answers(conn, &posts).await?;
    let items = rows
        .into_iter()
        .map(|(post, author)| ThreadSummary {
            my_vote: my_votes.get(&post.id).copied(),
            question: crate::answers::is_question(&post, &group),
            accepted: accepted.remove(&post.id),
            post,
            author,
        })
        .collect();
    Ok(Listing::from_rows(items, page))
}

#[cfg(test)]
mod tests {
    use super::remote_title;

    #[test]
    fn a_remote_title_is_its_first_line_shortened_to_the_limit() {
        assert_eq!(remote_title("\n  Hello there \nsecond"), "Hello there");
        assert_eq!(remote_title("   "), "Untitled");
        let long = "é".repeat(300);
        let title = remote_title(&long);
        assert_eq!(title.chars().count(), 200);
        assert!(title.ends_with('…'));
    }
}
