//! Reports: anyone flags a thread or comment with a reason, here or from another server (`Flag`);
//! the group's moderators see the open ones and resolve them, which the log records.

use std::collections::HashMap;

use plaza_db::comment::CommentRow;
use plaza_db::event::{EventKind, NewEvent};
use plaza_db::mod_log::{self, NewModLog};
use plaza_db::person::PersonBrief;
use plaza_db::post::PostRow;
use plaza_db::report::{self, NewReport, ReportRow};
use plaza_db::{DbConn, Page, comment, event, post, transaction};

use crate::limits::{REASON_MAX, check_line};
use crate::origin::Origin;
use crate::participation::{Participant, ensure_moderator};
use crate::people::briefs;
use crate::{Account, Context, CoreError, CoreResult, Listing};

/// What is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// A thread.
    Post(i64),
    /// A comment.
    Comment(i64),
}

/// The group and thread of what is reported.
async fn place(conn: &mut DbConn<'_>, target: Reported) -> CoreResult<(i64, i64, Option<i64>)> {
    Ok(match target {
        Reported::Post(id) => {
            let row = post::find(conn, id)
                .await
                .map_err(|_| CoreError::NotFound("thread"))?;
            (row.group_id, id, None)
        }
        Reported::Comment(id) => {
            let row = comment::find(conn, id)
                .await
                .map_err(|_| CoreError::NotFound("comment"))?;
            let thread = post::find(conn, row.post_id).await?;
            (thread.group_id, row.post_id, Some(id))
        }
    })
}

/// A local person reports something.
pub async fn report(
    ctx: &Context,
    account: &Account,
    target: Reported,
    reason: &str,
) -> CoreResult<ReportRow> {
    let reason = check_line("reason", reason, REASON_MAX)?;
    let stored = store(ctx, account.into(), target, &reason, None, Origin::Local).await?;
    stored.ok_or_else(|| CoreError::Internal("a local report was not stored".into()))
}

/// A report from another server (`Flag`, whose id is `ap_id`). A repeated Flag is stored once.
pub async fn receive(
    ctx: &Context,
    who: Participant,
    target: Reported,
    reason: &str,
    ap_id: &str,
    origin: Origin<'_>,
) -> CoreResult<Option<ReportRow>> {
    let reason: String = reason.chars().take(REASON_MAX).collect();
    let reason = if reason.trim().is_empty() {
        "(no reason given)".to_owned()
    } else {
        reason
    };
    store(ctx, who, target, &reason, Some(ap_id), origin).await
}

async fn store(
    ctx: &Context,
    who: Participant,
    target: Reported,
    reason: &str,
    ap_id: Option<&str>,
    origin: Origin<'_>,
) -> CoreResult<Option<ReportRow>> {
    crate::event_transaction!(ctx, |conn| {
        let (group_id, post_id, comment_id) = place(conn, target).await?;
        let Some(row) = report::insert(
            conn,
            &NewReport {
                group_id,
                reporter_id: who.person_id,
                post_id: Some(post_id),
                comment_id,
                reason,
                ap_id,
            },
        )
        .await?
        else {
            return Ok(None);
        };
        crate::notifications::reported(conn, &row).await?;
        if origin.is_local() {
            // A report of content in a group elsewhere is sent to that group's moderators.
            event::record(
                conn,
                EventKind::Reported,
                NewEvent {
                    actor_id: Some(who.person_id),
                    group_id: Some(group_id),
                    post_id: Some(post_id),
                    comment_id,
                    payload: Some(serde_json::json!({ "reason": reason, "report_id": row.id })),
                },
            )
            .await?;
        }
        Ok(Some(row))
    })
}

/// An open report with what it names: the reporter, the thread, and the comment if one is
/// reported.
#[derive(Debug, Clone)]
pub struct OpenReport {
    /// The stored report.
    pub row: ReportRow,
    /// Who reported it.
    pub reporter: Option<PersonBrief>,
    /// The thread reported, or the one the reported comment is in.
    pub thread: Option<PostRow>,
    /// The comment reported.
    pub comment: Option<CommentRow>,
}

/// A group's open reports, oldest first, for its moderators.
pub async fn open(
    ctx: &Context,
    account: &Account,
    group_id: i64,
    page: Page,
) -> CoreResult<Listing<OpenReport>> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    ensure_moderator(
        conn,
        group_id,
        account.into(),
        "see and resolve its reports",
    )
    .await?;
    let rows = report::open(conn, group_id, page).await?;
    let people = briefs(conn, rows.iter().map(|r| r.reporter_id).collect()).await?;
    let post_ids: Vec<i64> = rows.iter().filter_map(|r| r.post_id).collect();
    let threads: HashMap<i64, PostRow> = post::find_many(conn, &post_ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let comment_ids: Vec<i64> = rows.iter().filter_map(|r| r.comment_id).collect();
    let comments: HashMap<i64, CommentRow> = comment::find_many(conn, &comment_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let items = rows
        .into_iter()
        .map(|row| OpenReport {
            reporter: people.get(&row.reporter_id).cloned(),
            thread: row.post_id.and_then(|id| threads.get(&id).cloned()),
            comment: row.comment_id.and_then(|id| comments.get(&id).cloned()),
            row,
        })
        .collect();
    Ok(Listing::from_rows(items, page))
}

/// Resolves a report (its group's moderators), recorded in the log.
pub async fn resolve(ctx: &Context, account: &Account, id: i64) -> CoreResult<ReportRow> {
    transaction!(&ctx.db, CoreError, |conn| {
        let row = report::find(conn, id)
            .await
            .map_err(|_| CoreError::NotFound("report"))?;
        ensure_moderator(
            conn,
            row.group_id,
            account.into(),
            "see and resolve its reports",
        )
        .await?;
        if row.resolved_at.is_some() {
            return Ok(row);
        }
        let row = report::resolve(conn, id, account.person_id).await?;
        mod_log::record(
            conn,
            &NewModLog {
                group_id: row.group_id,
                moderator_id: Some(account.person_id),
                action: "resolve_report",
                post_id: row.post_id,
                comment_id: row.comment_id,
                person_id: Some(row.reporter_id),
                reason: Some(&row.reason),
                expires_at: None,
            },
        )
        .await?;
        Ok(row)
    })
}
