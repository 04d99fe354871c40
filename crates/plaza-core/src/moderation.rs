//! Moderation: what a group's moderators (and the instance's administrators) do to keep it
//! healthy — remove and restore content, lock and pin threads, ban people — each recorded in the
//! group's log and written as an event, so it federates the way Lemmy's moderation does.

use chrono::NaiveDateTime;
use plaza_db::event::{EventKind, NewEvent};
use plaza_db::group::GroupRow;
use plaza_db::mod_log::{self, NewModLog};
use plaza_db::{DbConn, comment, event, group, post};
use serde_json::json;

use crate::limits::{REASON_MAX, check_line};
use crate::origin::Origin;
use crate::participation::{Participant, may_moderate};
use crate::{Account, Context, CoreError, CoreResult};

/// A moderator's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Hide a thread (kept for review; can be restored).
    RemovePost(i64),
    /// Undo a removal.
    RestorePost(i64),
    /// Hide a comment.
    RemoveComment(i64),
    /// Undo a comment's removal.
    RestoreComment(i64),
    /// No more replies.
    Lock(i64),
    /// Replies again.
    Unlock(i64),
    /// Pin a thread at the top of its group (its `featured` collection).
    Pin(i64),
    /// Unpin.
    Unpin(i64),
    /// Ban a person from the group, until a time or for good.
    Ban {
        group_id: i64,
        person_id: i64,
        expires_at: Option<NaiveDateTime>,
    },
    /// Lift a ban.
    Unban { group_id: i64, person_id: i64 },
}

impl Action {
    /// The name in the log and in events.
    pub fn name(self) -> &'static str {
        match self {
            Action::RemovePost(_) => "remove_post",
            Action::RestorePost(_) => "restore_post",
            Action::RemoveComment(_) => "remove_comment",
            Action::RestoreComment(_) => "restore_comment",
            Action::Lock(_) => "lock",
            Action::Unlock(_) => "unlock",
            Action::Pin(_) => "pin",
            Action::Unpin(_) => "unpin",
            Action::Ban { .. } => "ban",
            Action::Unban { .. } => "unban",
        }
    }
}

/// What an action touches: its group and the thread, comment or person.
struct Subject {
    group: GroupRow,
    post_id: Option<i64>,
    comment_id: Option<i64>,
    person_id: Option<i64>,
}

async fn subject(conn: &mut DbConn<'_>, action: Action) -> CoreResult<Subject> {
    Ok(match action {
        Action::RemovePost(id)
        | Action::RestorePost(id)
        | Action::Lock(id)
        | Action::Unlock(id)
        | Action::Pin(id)
        | Action::Unpin(id) => {
            let row = post::find(conn, id)
                .await
                .map_err(|_| CoreError::NotFound("thread"))?;
            Subject {
                group: group::find(conn, row.group_id).await?,
                post_id: Some(id),
                comment_id: None,
                person_id: Some(row.author_id),
            }
        }
        Action::RemoveComment(id) | Action::RestoreComment(id) => {
            let row = comment::find(conn, id)
                .await
                .map_err(|_| CoreError::NotFound("comment"))?;
            let thread = post::find(conn, row.post_id).await?;
            Subject {
                group: group::find(conn, thread.group_id).await?,
                post_id: Some(row.post_id),
                comment_id: Some(id),
                person_id: Some(row.author_id),
            }
        }
        Action::Ban {
            group_id,
            person_id,
            ..
        }
        | Action::Unban {
            group_id,
            person_id,
        } => Subject {
            group: group::find(conn, group_id)
                .await
                .map_err(|_| CoreError::NotFound("group"))?,
            post_id: None,
            comment_id: None,
            person_id: Some(person_id),
        },
    })
}

/// Who may moderate a group from where: its moderators and this instance's administrators here;
/// from another server, its moderators known here, and in a group elsewhere whatever that group
/// itself passes on about itself (see `Origin::Announced`).
async fn ensure_may_moderate(
    conn: &mut DbConn<'_>,
    group: &GroupRow,
    who: Participant,
    origin: Origin<'_>,
) -> CoreResult<()> {
    let allowed = match origin {
        Origin::Announced { group_id, .. } if !group.local && group.id == group_id => true,
        _ => may_moderate(conn, group.id, who).await?,
    };
    if allowed {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only the group's moderators may do this".into(),
        ))
    }
}

/// Whether an account may moderate a group: its moderators and this instance's administrators
/// (pages offer the tools only to them; every action checks again).
pub async fn may_moderate_group(
    ctx: &Context,
    account: &Account,
    group_id: i64,
) -> CoreResult<bool> {
    let mut pooled = ctx.db.get().await?;
    may_moderate(&mut pooled.conn(), group_id, account.into()).await
}

/// A local moderator acts.
pub async fn act(
    ctx: &Context,
    account: &Account,
    action: Action,
    reason: Option<&str>,
) -> CoreResult<()> {
    let reason = reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| check_line("reason", r, REASON_MAX))
        .transpose()?;
    apply(
        ctx,
        account.into(),
        action,
        reason.as_deref(),
        Origin::Local,
    )
    .await
}

/// Applies a moderation action, from here or from another server, records it in the group's log
/// and writes its event. Repeating an action that is already in effect changes nothing.
pub async fn apply(
    ctx: &Context,
    who: Participant,
    action: Action,
    reason: Option<&str>,
    origin: Origin<'_>,
) -> CoreResult<()> {
    // Lemmy sends an empty `summary` on a removal without a reason: no reason either.
    let reason = reason.filter(|r| !r.trim().is_empty());
    crate::event_transaction!(ctx, |conn| {
        let subject = subject(conn, action).await?;
        ensure_may_moderate(conn, &subject.group, who, origin).await?;
        let changed = match action {
            Action::RemovePost(id) | Action::RestorePost(id) => {
                let removed = matches!(action, Action::RemovePost(_));
                let before = post::find(conn, id).await?.removed;
                post::set_removed(conn, id, removed).await?;
                before != removed
            }
            Action::RemoveComment(id) | Action::RestoreComment(id) => {
                let removed = matches!(action, Action::RemoveComment(_));
                let before = comment::find(conn, id).await?.removed;
                comment::set_removed(conn, id, removed).await?;
                if removed {
                    crate::answers::comment_gone(conn, id, who).await?;
                }
                before != removed
            }
            Action::Lock(id) | Action::Unlock(id) => {
                let locked = matches!(action, Action::Lock(_));
                let before = post::find(conn, id).await?.locked;
                post::set_locked(conn, id, locked).await?;
                before != locked
            }
            Action::Pin(id) | Action::Unpin(id) => {
                let pinned = matches!(action, Action::Pin(_));
                let before = post::find(conn, id).await?.pinned;
                post::set_pinned(conn, id, pinned).await?;
                before != pinned
            }
            Action::Ban {
                group_id,
                person_id,
                expires_at,
            } => {
                group::ban(
                    conn,
                    group_id,
                    person_id,
                    reason,
                    expires_at,
                    Some(who.person_id),
                )
                .await?;
                // As in Lemmy's own communities, a ban ends the person's follow: nothing more is
                // delivered to them and they no longer count as a follower.
                if subject.group.local {
                    group::remove_follower(conn, group_id, person_id).await?;
                }
                true
            }
            Action::Unban {
                group_id,
                person_id,
            } => group::unban(conn, group_id, person_id).await?,
        };
        if !changed {
            return Ok(());
        }
        let expires_at = match action {
            Action::Ban { expires_at, .. } => expires_at,
            _ => None,
        };
        let log_id = mod_log::record(
            conn,
            &NewModLog {
                group_id: subject.group.id,
                moderator_id: Some(who.person_id),
                action: action.name(),
                post_id: subject.post_id,
                comment_id: subject.comment_id,
                person_id: subject.person_id,
                reason,
                expires_at,
            },
        )
        .await?;
        crate::notifications::moderated(
            conn,
            &crate::notifications::Moderated {
                action,
                log_id,
                moderator_id: who.person_id,
                group_id: subject.group.id,
                post_id: subject.post_id,
                comment_id: subject.comment_id,
                person_id: subject.person_id,
                reason,
            },
        )
        .await?;
        if origin.records_event() {
            event::record(
                conn,
                EventKind::Moderation,
                NewEvent {
                    actor_id: Some(who.person_id),
                    group_id: Some(subject.group.id),
                    post_id: subject.post_id,
                    comment_id: subject.comment_id,
                    payload: origin.payload(json!({
                        "action": action.name(),
                        "person_id": subject.person_id,
                        "reason": reason,
                        "expires_at": expires_at.map(|t| t.and_utc().to_rfc3339()),
                    })),
                },
            )
            .await?;
        }
        Ok(())
    })
}
