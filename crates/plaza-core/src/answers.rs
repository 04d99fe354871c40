//! Questions and their accepted answers: which threads are questions, who may accept a reply as
//! the answer, and what happens to the choice when the reply goes.

use std::collections::HashMap;

use plaza_db::comment::CommentRow;
use plaza_db::event::{EventKind, NewEvent};
use plaza_db::group::GroupRow;
use plaza_db::person::PersonBrief;
use plaza_db::post::{Acceptance, PostRow, WaitingQuestion};
use plaza_db::{DbConn, Page, comment, event, group, now, person, post};
use serde_json::json;

use crate::origin::Origin;
use crate::participation::{Participant, may_moderate};
use crate::{Account, Context, CoreError, CoreResult, Listing};

/// Whether a thread is a question: its author said so, or its group is a Q&A group.
pub fn is_question(thread: &PostRow, group: &GroupRow) -> bool {
    thread.question || group.qa
}

/// Whether someone may accept, change or withdraw a thread's answer: the asker, the group's
/// moderators, and the instance's staff and administrators.
pub async fn may_accept(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
    account: &Account,
) -> CoreResult<bool> {
    Ok(thread.author_id == account.person_id
        || account.staff
        || may_moderate(conn, thread.group_id, account.into()).await?)
}

/// Whether the account may accept answers in this thread, for pages deciding to show the button.
pub async fn viewer_may_accept(
    ctx: &Context,
    thread: &PostRow,
    account: &Account,
) -> CoreResult<bool> {
    let mut pooled = ctx.db.get().await?;
    may_accept(&mut pooled.conn(), thread, account).await
}

async fn find_question(conn: &mut DbConn<'_>, id: i64) -> CoreResult<(PostRow, GroupRow)> {
    let thread = post::find(conn, id)
        .await
        .map_err(|_| CoreError::NotFound("thread"))?;
    if thread.deleted || thread.removed {
        return Err(CoreError::Gone("the thread was deleted".into()));
    }
    let group = group::find(conn, thread.group_id).await?;
    Ok((thread, group))
}

async fn ensure_may_accept(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
    account: &Account,
) -> CoreResult<()> {
    if may_accept(conn, thread, account).await? {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only the asker, the group's moderators and staff may accept an answer".into(),
        ))
    }
}

/// Checks that `comment_id` may be the answer of `thread`: a live reply in that very thread.
async fn answer_in(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
    comment_id: i64,
) -> CoreResult<CommentRow> {
    let answer = comment::find(conn, comment_id)
        .await
        .map_err(|_| CoreError::invalid("comment_id", "no such comment"))?;
    if answer.post_id != thread.id {
        return Err(CoreError::invalid(
            "comment_id",
            "the comment belongs to another thread",
        ));
    }
    if answer.deleted || answer.removed {
        return Err(CoreError::invalid("comment_id", "the comment was deleted"));
    }
    Ok(answer)
}

/// Accepts a reply as the thread's answer, replacing any earlier one.
pub async fn accept(
    ctx: &Context,
    account: &Account,
    thread_id: i64,
    comment_id: i64,
) -> CoreResult<PostRow> {
    crate::event_transaction!(ctx, |conn| {
        let (thread, group) = find_question(conn, thread_id).await?;
        ensure_may_accept(conn, &thread, account).await?;
        if !is_question(&thread, &group) {
            return Err(CoreError::invalid(
                "thread",
                "the thread is not a question; mark it as one first",
            ));
        }
        let answer = answer_in(conn, &thread, comment_id).await?;
        let officially =
            account.staff || may_moderate(conn, thread.group_id, account.into()).await?;
        if thread.accepted_comment_id == Some(answer.id) && thread.accepted_officially == officially
        {
            return Ok(thread);
        }
        let acceptance = Acceptance {
            comment_id: answer.id,
            by: Some(account.person_id),
            officially,
        };
        let row = post::set_accepted(conn, thread.id, Some(acceptance)).await?;
        record(conn, account.into(), &row, Origin::Local).await?;
        mark_changed(conn, account.into(), &thread, &row).await?;
        crate::notifications::answer_accepted(conn, &row, &answer, Some(account.person_id)).await?;
        Ok(row)
    })
}

/// Withdraws the thread's accepted answer; nothing changes when there is none.
pub async fn withdraw(ctx: &Context, account: &Account, thread_id: i64) -> CoreResult<PostRow> {
    crate::event_transaction!(ctx, |conn| {
        let (thread, _) = find_question(conn, thread_id).await?;
        ensure_may_accept(conn, &thread, account).await?;
        if thread.accepted_comment_id.is_none() {
            return Ok(thread);
        }
        let row = post::set_accepted(conn, thread.id, None).await?;
        record(conn, account.into(), &row, Origin::Local).await?;
        mark_changed(conn, account.into(), &thread, &row).await?;
        Ok(row)
    })
}

/// Applies the accepted answer another server states for one of its threads (the `Page` of an
/// `Update`): `answer` is the comment's ActivityPub id, or `None` for no answer. Only a stored,
/// live reply of that same thread counts; anything else leaves the thread as it was. Returns
/// whether the thread changed. It records no event of its own: the edit that carried it already
/// passes the activity on to the group's followers.
pub async fn receive(ctx: &Context, thread_ap_id: &str, answer: Option<&str>) -> CoreResult<bool> {
    crate::event_transaction!(ctx, |conn| {
        let Some(thread) = post::find_by_ap_id(conn, thread_ap_id).await? else {
            return Ok(false);
        };
        if thread.deleted || thread.removed {
            return Ok(false);
        }
        let answer = match answer {
            Some(ap_id) => match comment::find_by_ap_id(conn, ap_id).await? {
                Some(c) if c.post_id == thread.id && !c.deleted && !c.removed => Some(c),
                _ => return Ok(false),
            },
            None => None,
        };
        let wanted = answer.as_ref().map(|c| c.id);
        if thread.accepted_comment_id == wanted {
            return Ok(false);
        }
        // Who chose it on the other server is not said.
        let acceptance = wanted.map(|comment_id| Acceptance {
            comment_id,
            by: None,
            officially: false,
        });
        let row = post::set_accepted(conn, thread.id, acceptance).await?;
        if let Some(answer) = &answer {
            crate::notifications::answer_accepted(conn, &row, answer, None).await?;
        }
        Ok(true)
    })
}

/// Clears the accepted answer that a deleted or removed comment was, inside the caller's
/// transaction.
pub(crate) async fn comment_gone(
    conn: &mut DbConn<'_>,
    comment_id: i64,
    who: Participant,
) -> CoreResult<()> {
    if let Some(row) = post::clear_accepted_comment(conn, comment_id).await? {
        record(conn, who, &row, Origin::Local).await?;
    }
    Ok(())
}

/// The reply an official acceptance marks, as Lemmy's `distinguished` shows it.
fn official_answer(thread: &PostRow) -> Option<i64> {
    thread
        .accepted_comment_id
        .filter(|_| thread.accepted_officially)
}

/// Sends the `Update` of each local reply whose Lemmy `distinguished` flag the change turned on
/// or off (a reply already marked official by its author shows no change).
async fn mark_changed(
    conn: &mut DbConn<'_>,
    who: Participant,
    before: &PostRow,
    after: &PostRow,
) -> CoreResult<()> {
    let (was, is) = (official_answer(before), official_answer(after));
    if was == is {
        return Ok(());
    }
    for id in [was, is].into_iter().flatten() {
        let reply = comment::find(conn, id).await?;
        if !reply.local || reply.distinguished || reply.deleted || reply.removed {
            continue;
        }
        event::record(
            conn,
            EventKind::CommentUpdated,
            NewEvent {
                actor_id: Some(who.person_id),
                group_id: Some(after.group_id),
                post_id: Some(after.id),
                comment_id: Some(id),
                payload: None,
            },
        )
        .await?;
    }
    Ok(())
}

async fn record(
    conn: &mut DbConn<'_>,
    who: Participant,
    row: &PostRow,
    origin: Origin<'_>,
) -> CoreResult<()> {
    if !origin.records_event() {
        return Ok(());
    }
    event::record(
        conn,
        EventKind::AnswerAccepted,
        NewEvent {
            actor_id: Some(who.person_id),
            group_id: Some(row.group_id),
            post_id: Some(row.id),
            comment_id: row.accepted_comment_id,
            payload: origin.payload(json!({ "accepted": row.accepted_comment_id })),
        },
    )
    .await?;
    Ok(())
}

/// A thread's accepted answer as shown: the reply, its author, and who accepted it.
#[derive(Debug, Clone)]
pub struct AcceptedAnswer {
    /// The reply.
    pub comment: CommentRow,
    /// Its author.
    pub author: PersonBrief,
    /// Who accepted it, when known (not for a choice made on another server).
    pub accepted_by: Option<PersonBrief>,
}

/// The accepted answer of a thread, if it has a live one.
pub async fn accepted_answer(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
) -> CoreResult<Option<AcceptedAnswer>> {
    Ok(accepted_answers(conn, std::slice::from_ref(thread))
        .await?
        .remove(&thread.id))
}

/// The live accepted answers of some threads, by thread id.
pub async fn accepted_answers(
    conn: &mut DbConn<'_>,
    threads: &[PostRow],
) -> CoreResult<HashMap<i64, AcceptedAnswer>> {
    let ids: Vec<i64> = threads
        .iter()
        .filter_map(|t| t.accepted_comment_id)
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let comments: Vec<CommentRow> = comment::find_many(conn, &ids)
        .await?
        .into_iter()
        .filter(|c| !c.deleted && !c.removed)
        .collect();
    let people: Vec<i64> = comments
        .iter()
        .map(|c| c.author_id)
        .chain(threads.iter().filter_map(|t| t.accepted_by))
        .collect();
    let people: HashMap<i64, PersonBrief> = person::briefs(conn, &people)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut by_comment: HashMap<i64, CommentRow> =
        comments.into_iter().map(|c| (c.id, c)).collect();
    let mut answers = HashMap::new();
    for thread in threads {
        let Some(comment) = thread
            .accepted_comment_id
            .and_then(|id| by_comment.remove(&id))
        else {
            continue;
        };
        let Some(author) = people.get(&comment.author_id).cloned() else {
            continue;
        };
        let accepted_by = thread.accepted_by.and_then(|id| people.get(&id).cloned());
        answers.insert(
            thread.id,
            AcceptedAnswer {
                comment,
                author,
                accepted_by,
            },
        );
    }
    Ok(answers)
}

/// A question waiting for its first reply, and for how long.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// The question, its author and group.
    pub question: WaitingQuestion,
    /// Seconds since it was asked.
    pub waiting_seconds: i64,
}

/// Questions nobody has replied to, across all groups, oldest first (staff and administrators).
pub async fn unanswered(
    ctx: &Context,
    account: &Account,
    page: Page,
) -> CoreResult<Listing<Waiting>> {
    if !account.staff && !account.admin {
        return Err(CoreError::Forbidden(
            "only staff and administrators see the unanswered questions".into(),
        ));
    }
    let mut pooled = ctx.db.get().await?;
    let rows = post::unanswered_questions(&mut pooled.conn(), page).await?;
    let now = now();
    let items = rows
        .into_iter()
        .map(|question| Waiting {
            waiting_seconds: (now - question.post.created_at).num_seconds().max(0),
            question,
        })
        .collect();
    Ok(Listing::from_rows(items, page))
}
