//! Threads: starting one, editing or deleting it, and a group's thread list.

use std::collections::HashMap;

use plaza_db::event::{EventKind, NewEvent};
use plaza_db::person::PersonBrief;
use plaza_db::post::{NewPost, PostRow, ThreadSort};
use plaza_db::{Page, event, group, now, post, transaction, vote};

use crate::limits::{POST_BODY_MAX, POST_TITLE_MAX, check_body, check_line, check_url};
use crate::participation::{ensure_author, ensure_may_start_thread};
use crate::{Account, Context, CoreError, CoreResult, Listing, markdown};

/// What a new thread or an edit carries.
#[derive(Debug, Clone, Default)]
pub struct ThreadInput {
    /// One-line title.
    pub title: String,
    /// Markdown body.
    pub body: Option<String>,
    /// An optional link the thread is about.
    pub url: Option<String>,
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
}

struct CheckedInput {
    title: String,
    body: Option<String>,
    body_html: String,
    url: Option<String>,
}

fn check_input(input: ThreadInput) -> CoreResult<CheckedInput> {
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
    let body_html = body.as_deref().map(markdown::render).unwrap_or_default();
    Ok(CheckedInput {
        title,
        body,
        body_html,
        url,
    })
}

/// Starts a thread in a local group.
pub async fn create(
    ctx: &Context,
    account: &Account,
    group_name: &str,
    input: ThreadInput,
) -> CoreResult<PostRow> {
    let input = check_input(input)?;
    transaction!(&ctx.db, CoreError, |conn| {
        let group = group::find_local(conn, group_name)
            .await?
            .ok_or(CoreError::NotFound("group"))?;
        ensure_may_start_thread(conn, &group, account).await?;
        let now = now();
        let pending_id = crate::pending_ap_id();
        let row = post::insert(
            conn,
            &NewPost {
                ap_id: &pending_id,
                group_id: group.id,
                author_id: account.person_id,
                title: &input.title,
                body_source: input.body.as_deref(),
                body_html: &input.body_html,
                url: input.url.as_deref(),
                local: true,
                created_at: now,
                last_activity_at: now,
            },
        )
        .await?;
        let row = post::set_ap_id(conn, row.id, &ctx.urls.post(row.id)).await?;
        record(conn, EventKind::PostCreated, account, &row).await?;
        Ok(row)
    })
}

/// Writes the outbox event for a change to a thread.
async fn record(
    conn: &mut plaza_db::DbConn<'_>,
    kind: EventKind,
    account: &Account,
    row: &PostRow,
) -> CoreResult<()> {
    event::record(
        conn,
        kind,
        NewEvent {
            actor_id: Some(account.person_id),
            group_id: Some(row.group_id),
            post_id: Some(row.id),
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}

/// Loads a post that is still there to change.
async fn find_live(conn: &mut plaza_db::DbConn<'_>, id: i64) -> CoreResult<PostRow> {
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
}

/// Edits a thread's title, body and link (author only).
pub async fn edit(
    ctx: &Context,
    account: &Account,
    id: i64,
    patch: ThreadPatch,
) -> CoreResult<PostRow> {
    transaction!(&ctx.db, CoreError, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, account, "thread")?;
        let input = check_input(ThreadInput {
            title: patch.title.clone().unwrap_or_else(|| row.title.clone()),
            body: patch.body.clone().or_else(|| row.body_source.clone()),
            url: patch.url.clone().or_else(|| row.url.clone()),
        })?;
        let row = post::update_content(
            conn,
            id,
            &input.title,
            input.body.as_deref(),
            &input.body_html,
            input.url.as_deref(),
        )
        .await?;
        record(conn, EventKind::PostUpdated, account, &row).await?;
        Ok(row)
    })
}

/// Deletes a thread (author only). Its replies stay readable.
pub async fn delete(ctx: &Context, account: &Account, id: i64) -> CoreResult<()> {
    transaction!(&ctx.db, CoreError, |conn| {
        let row = find_live(conn, id).await?;
        ensure_author(row.author_id, account, "thread")?;
        post::mark_deleted(conn, id).await?;
        record(conn, EventKind::PostDeleted, account, &row).await?;
        Ok(())
    })
}

/// One page of a local group's threads.
pub async fn list(
    ctx: &Context,
    viewer: Option<&Account>,
    group_name: &str,
    sort: ThreadSort,
    page: Page,
) -> CoreResult<Listing<ThreadSummary>> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let group = group::find_local(conn, group_name)
        .await?
        .filter(|g| !g.deleted)
        .ok_or(CoreError::NotFound("group"))?;
    let rows = post::list_for_group(conn, group.id, sort, page).await?;
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
    let items = rows
        .into_iter()
        .map(|(post, author)| ThreadSummary {
            my_vote: my_votes.get(&post.id).copied(),
            post,
            author,
        })
        .collect();
    Ok(Listing::from_rows(items, page))
}
