//! Notifications of local people: who is told about a change, written in the change's own
//! transaction (so none is lost with a crash and none outlives a rolled-back change), and the
//! reading side for the API and the pages.
//!
//! The rules: the author of a thread or comment hears of a reply to it; people mentioned in a new
//! thread or comment hear of it; an author hears of the removal or restoration of their content,
//! and a person of their ban or unban, with the reason; a group's moderators (and, for a group
//! here, the administrators) hear of a new report. Nobody hears of their own action, and one
//! change tells one person once (the storage refuses a second notification of the same kind
//! about the same subject, which is what makes a replayed activity harmless).

use std::collections::HashMap;

use plaza_db::comment::CommentRow;
use plaza_db::notification::{self, NewNotification, NotificationRow, NotifiedGroup};
use plaza_db::person::PersonBrief;
use plaza_db::post::PostRow;
use plaza_db::report::ReportRow;
use plaza_db::{DbConn, Page, comment, group, local_user, person, post, transaction};

use crate::moderation::Action;
use crate::people::briefs;
use crate::{Account, Context, CoreError, CoreResult, Listing, mentions};

/// Most notifications marked read by one request.
pub const MARK_READ_MAX: usize = 100;

/// What a notification tells of. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A reply to one's thread (subject: the reply).
    PostReply,
    /// A reply to one's comment (subject: the reply).
    CommentReply,
    /// A mention in a new thread (subject: the thread).
    PostMention,
    /// A mention in a new comment (subject: the comment).
    CommentMention,
    /// One's thread removed by a moderator (subject: the log entry).
    PostRemoved,
    /// One's thread restored.
    PostRestored,
    /// One's comment removed.
    CommentRemoved,
    /// One's comment restored.
    CommentRestored,
    /// Banned from a group.
    Banned,
    /// A ban lifted.
    Unbanned,
    /// A new report in a group one moderates (subject: the report).
    Report,
    /// One's question got an accepted answer (subject: the answer).
    QuestionSolved,
    /// One's reply was accepted as a question's answer (subject: the answer).
    AnswerAccepted,
    /// An idea one started, voted on or commented on has a new status (subject: staff's reply
    /// that announced it; the reason is the status).
    IdeaStatus,
    /// An alert rule opened an incident (subject: the incident; the reason is its summary), for
    /// staff and administrators, and a group's moderators when the rule watches their group.
    Alert,
}

impl Kind {
    /// Every kind, for parsing.
    pub const ALL: [Kind; 15] = [
        Kind::PostReply,
        Kind::CommentReply,
        Kind::PostMention,
        Kind::CommentMention,
        Kind::PostRemoved,
        Kind::PostRestored,
        Kind::CommentRemoved,
        Kind::CommentRestored,
        Kind::Banned,
        Kind::Unbanned,
        Kind::Report,
        Kind::QuestionSolved,
        Kind::AnswerAccepted,
        Kind::IdeaStatus,
        Kind::Alert,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PostReply => "post_reply",
            Kind::CommentReply => "comment_reply",
            Kind::PostMention => "post_mention",
            Kind::CommentMention => "comment_mention",
            Kind::PostRemoved => "post_removed",
            Kind::PostRestored => "post_restored",
            Kind::CommentRemoved => "comment_removed",
            Kind::CommentRestored => "comment_restored",
            Kind::Banned => "banned",
            Kind::Unbanned => "unbanned",
            Kind::Report => "report",
            Kind::QuestionSolved => "question_solved",
            Kind::AnswerAccepted => "answer_accepted",
            Kind::IdeaStatus => "idea_status",
            Kind::Alert => "alert",
        }
    }

    /// The kind of a stored name.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One notification to several people.
struct Notice<'a> {
    kind: Kind,
    subject_id: i64,
    actor_id: Option<i64>,
    group_id: i64,
    post_id: Option<i64>,
    comment_id: Option<i64>,
    reason: Option<&'a str>,
}

/// Writes `notice` for each of `recipients` who has an account here, except the one who acted.
/// Returns who was notified (or had been before), so a later notice of the same change can
/// leave them out.
async fn send(
    conn: &mut DbConn<'_>,
    recipients: &[i64],
    notice: &Notice<'_>,
) -> CoreResult<Vec<i64>> {
    let mut wanted: Vec<i64> = recipients
        .iter()
        .copied()
        .filter(|&id| Some(id) != notice.actor_id)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let recipients = local_user::with_account(conn, &wanted).await?;
    for &recipient_id in &recipients {
        let stored = notification::insert_new(
            conn,
            &NewNotification {
                recipient_id,
                kind: notice.kind.as_str(),
                subject_id: notice.subject_id,
                actor_id: notice.actor_id,
                group_id: notice.group_id,
                post_id: notice.post_id,
                comment_id: notice.comment_id,
                reason: notice.reason,
            },
        )
        .await?;
        if let Some(id) = stored {
            crate::mail::notified(conn, recipient_id, id, notice.kind).await?;
        }
    }
    Ok(recipients)
}

/// The local people a body mentions: from Markdown written here, or from the HTML of another
/// server (see [`mentions`]).
async fn mentioned(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    source: Option<&str>,
    html: &str,
    local: bool,
) -> CoreResult<Vec<i64>> {
    let domain = ctx.urls.domain();
    let mut names = match (local, source) {
        (true, Some(source)) => mentions::handles(source, domain, true),
        _ => {
            let mut names = mentions::linked(html, &ctx.urls.person(""));
            let text = crate::search::html_to_text(html);
            names.extend(mentions::handles(&text, domain, false));
            names
        }
    };
    names.sort_unstable();
    names.dedup();
    names.truncate(mentions::MENTIONS_MAX);
    Ok(person::local_ids_named(conn, &names).await?)
}

/// A question's answer was accepted: the asker hears their question is solved (unless they chose
/// it themselves), and the answer's author that their reply was accepted.
pub(crate) async fn answer_accepted(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
    answer: &CommentRow,
    accepted_by: Option<i64>,
) -> CoreResult<()> {
    let notice = |kind| Notice {
        kind,
        subject_id: answer.id,
        actor_id: accepted_by,
        group_id: thread.group_id,
        post_id: Some(thread.id),
        comment_id: Some(answer.id),
        reason: None,
    };
    send(conn, &[thread.author_id], &notice(Kind::QuestionSolved)).await?;
    send(conn, &[answer.author_id], &notice(Kind::AnswerAccepted)).await?;
    Ok(())
}

/// An idea's status changed: who started it, voted on it or commented on it hears of it, with
/// the new status as the reason. `reply` is staff's reply that announced the change.
pub(crate) async fn idea_status(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
    reply: &CommentRow,
    label: &str,
) -> CoreResult<()> {
    let mut people = plaza_db::post::participants(conn, thread.id).await?;
    people.push(thread.author_id);
    send(
        conn,
        &people,
        &Notice {
            kind: Kind::IdeaStatus,
            subject_id: reply.id,
            actor_id: Some(reply.author_id),
            group_id: thread.group_id,
            post_id: Some(thread.id),
            comment_id: Some(reply.id),
            reason: Some(label),
        },
    )
    .await?;
    Ok(())
}

/// A new reply: its parent's author hears of it, and whoever it mentions.
pub(crate) async fn replied(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    reply: &CommentRow,
    thread: &PostRow,
) -> CoreResult<()> {
    let (notice, parent_author) = reply_notice(conn, reply, thread).await?;
    send(conn, &[parent_author], &notice).await?;
    comment_mentions(conn, ctx, reply, thread, parent_author).await
}

/// An edited comment: whoever it mentions now and did not before hears of it (the earlier ones
/// were told already: one notification per person and comment).
pub(crate) async fn comment_edited(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    reply: &CommentRow,
    thread: &PostRow,
) -> CoreResult<()> {
    let (_, parent_author) = reply_notice(conn, reply, thread).await?;
    comment_mentions(conn, ctx, reply, thread, parent_author).await
}

/// The notice a reply gives its parent's author, and who that is.
async fn reply_notice(
    conn: &mut DbConn<'_>,
    reply: &CommentRow,
    thread: &PostRow,
) -> CoreResult<(Notice<'static>, i64)> {
    let (kind, parent_author) = match reply.parent_id {
        None => (Kind::PostReply, thread.author_id),
        Some(parent_id) => (
            Kind::CommentReply,
            comment::find(conn, parent_id).await?.author_id,
        ),
    };
    Ok((
        Notice {
            kind,
            subject_id: reply.id,
            actor_id: Some(reply.author_id),
            group_id: thread.group_id,
            post_id: Some(thread.id),
            comment_id: Some(reply.id),
            reason: None,
        },
        parent_author,
    ))
}

/// The people a comment mentions hear of it, except its parent's author, who hears of the reply
/// itself: one change, one notification each.
async fn comment_mentions(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    reply: &CommentRow,
    thread: &PostRow,
    parent_author: i64,
) -> CoreResult<()> {
    let mut people = mentioned(
        conn,
        ctx,
        reply.body_source.as_deref(),
        &reply.body_html,
        reply.local,
    )
    .await?;
    people.retain(|&id| id != parent_author);
    send(
        conn,
        &people,
        &Notice {
            kind: Kind::CommentMention,
            subject_id: reply.id,
            actor_id: Some(reply.author_id),
            group_id: thread.group_id,
            post_id: Some(thread.id),
            comment_id: Some(reply.id),
            reason: None,
        },
    )
    .await?;
    Ok(())
}

/// A new or edited thread: whoever it mentions hears of it, once per person and thread (an edit
/// reaches only those it newly mentions).
pub(crate) async fn started(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    thread: &PostRow,
) -> CoreResult<()> {
    let people = mentioned(
        conn,
        ctx,
        thread.body_source.as_deref(),
        &thread.body_html,
        thread.local,
    )
    .await?;
    send(
        conn,
        &people,
        &Notice {
            kind: Kind::PostMention,
            subject_id: thread.id,
            actor_id: Some(thread.author_id),
            group_id: thread.group_id,
            post_id: Some(thread.id),
            comment_id: None,
            reason: None,
        },
    )
    .await?;
    Ok(())
}

/// What a moderation action did, as the log recorded it.
pub(crate) struct Moderated<'a> {
    pub action: Action,
    /// The mod_log entry.
    pub log_id: i64,
    pub moderator_id: i64,
    pub group_id: i64,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    /// The author of the content, or the person banned.
    pub person_id: Option<i64>,
    pub reason: Option<&'a str>,
}

/// A moderation action: the author of removed or restored content, or the person banned or
/// unbanned, hears of it with the reason. Locking and pinning tell nobody.
pub(crate) async fn moderated(conn: &mut DbConn<'_>, done: &Moderated<'_>) -> CoreResult<()> {
    let kind = match done.action {
        Action::RemovePost(_) => Kind::PostRemoved,
        Action::RestorePost(_) => Kind::PostRestored,
        Action::RemoveComment(_) => Kind::CommentRemoved,
        Action::RestoreComment(_) => Kind::CommentRestored,
        Action::Ban { .. } => Kind::Banned,
        Action::Unban { .. } => Kind::Unbanned,
        Action::Lock(_) | Action::Unlock(_) | Action::Pin(_) | Action::Unpin(_) => return Ok(()),
    };
    let Some(person_id) = done.person_id else {
        return Ok(());
    };
    send(
        conn,
        &[person_id],
        &Notice {
            kind,
            subject_id: done.log_id,
            actor_id: Some(done.moderator_id),
            group_id: done.group_id,
            post_id: done.post_id,
            comment_id: done.comment_id,
            reason: done.reason,
        },
    )
    .await?;
    Ok(())
}

/// A new report: the group's moderators hear of it, and the administrators when the group is
/// here (they may moderate every group here).
pub(crate) async fn reported(conn: &mut DbConn<'_>, report: &ReportRow) -> CoreResult<()> {
    let mut recipients = group::moderator_ids(conn, report.group_id).await?;
    if group::find(conn, report.group_id).await?.local {
        recipients.extend(local_user::admin_person_ids(conn).await?);
    }
    send(
        conn,
        &recipients,
        &Notice {
            kind: Kind::Report,
            subject_id: report.id,
            actor_id: Some(report.reporter_id),
            group_id: report.group_id,
            post_id: report.post_id,
            comment_id: report.comment_id,
            reason: Some(&report.reason),
        },
    )
    .await?;
    Ok(())
}

/// An alert incident opened: `recipients` (staff, and moderators) hear of it.
pub(crate) async fn alerted(
    conn: &mut DbConn<'_>,
    recipients: &[i64],
    incident_id: i64,
    group_id: i64,
    post_id: Option<i64>,
    summary: &str,
) -> CoreResult<()> {
    send(
        conn,
        recipients,
        &Notice {
            kind: Kind::Alert,
            subject_id: incident_id,
            actor_id: None,
            group_id,
            post_id,
            comment_id: None,
            reason: Some(summary),
        },
    )
    .await?;
    Ok(())
}

/// A notification with what it names, for reading.
#[derive(Debug, Clone)]
pub struct NotificationView {
    /// The stored notification.
    pub row: NotificationRow,
    /// What it tells of (`None` for a kind this version does not know).
    pub kind: Option<Kind>,
    /// Who acted, if known.
    pub actor: Option<PersonBrief>,
    /// The group it happened in.
    pub group: NotifiedGroup,
    /// The thread it concerns, if any.
    pub thread: Option<PostRow>,
    /// The comment it concerns, if any.
    pub comment: Option<CommentRow>,
}

/// One page of the account's notifications, newest first; only the unread ones when asked.
pub async fn list(
    ctx: &Context,
    account: &Account,
    unread_only: bool,
    page: Page,
) -> CoreResult<Listing<NotificationView>> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let rows = notification::list(conn, account.person_id, unread_only, page).await?;
    let people = briefs(conn, rows.iter().filter_map(|(n, _)| n.actor_id).collect()).await?;
    let post_ids: Vec<i64> = rows.iter().filter_map(|(n, _)| n.post_id).collect();
    let threads: HashMap<i64, PostRow> = post::find_many(conn, &post_ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let comment_ids: Vec<i64> = rows.iter().filter_map(|(n, _)| n.comment_id).collect();
    let comments: HashMap<i64, CommentRow> = comment::find_many(conn, &comment_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let items = rows
        .into_iter()
        .map(|(row, group)| NotificationView {
            kind: Kind::parse(&row.kind),
            actor: row.actor_id.and_then(|id| people.get(&id).cloned()),
            thread: row.post_id.and_then(|id| threads.get(&id).cloned()),
            comment: row.comment_id.and_then(|id| comments.get(&id).cloned()),
            group,
            row,
        })
        .collect();
    Ok(Listing::from_rows(items, page))
}

/// How many notifications the account has not read: one indexed count, cheap enough for the
/// header of every page.
pub async fn unread_count(ctx: &Context, account: &Account) -> CoreResult<i64> {
    let mut pooled = ctx.db.get().await?;
    Ok(notification::unread_count(&mut pooled.conn(), account.person_id).await?)
}

/// Marks some of the account's notifications read; ids that are not its own are passed over,
/// so nothing tells whether they exist. Returns how many changed.
pub async fn mark_read(ctx: &Context, account: &Account, ids: &[i64]) -> CoreResult<usize> {
    if ids.is_empty() {
        return Err(CoreError::invalid(
            "ids",
            "must name at least one notification",
        ));
    }
    if ids.len() > MARK_READ_MAX {
        return Err(CoreError::invalid(
            "ids",
            format!("may name at most {MARK_READ_MAX} notifications"),
        ));
    }
    transaction!(&ctx.db, CoreError, |conn| {
        Ok(notification::mark_read(conn, account.person_id, ids).await?)
    })
}

/// Marks all of the account's notifications read. Returns how many changed.
pub async fn mark_all_read(ctx: &Context, account: &Account) -> CoreResult<usize> {
    transaction!(&ctx.db, CoreError, |conn| {
        Ok(notification::mark_all_read(conn, account.person_id).await?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("nonsense"), None);
    }
}
