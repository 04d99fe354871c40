//! Ideas and feedback: in a group that collects ideas, staff and moderators tell the community
//! what became of each idea. A new status is also written as an official reply, so that every
//! server (and every follower's timeline) sees the decision as a normal comment.

use plaza_db::event::{EventKind, NewEvent};
use plaza_db::post::PostRow;
use plaza_db::{event, group, post};

use crate::limits::check_body;
use crate::participation::may_moderate;
use crate::{Account, Context, CoreError, CoreResult};

/// Longest note, in characters.
pub const IDEA_NOTE_MAX: usize = 2_000;

/// What the brand decided about an idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdeaStatus {
    UnderReview,
    Planned,
    InProgress,
    Done,
    Declined,
}

impl IdeaStatus {
    /// Every status, in the order an idea usually moves through them.
    pub const ALL: [IdeaStatus; 5] = [
        IdeaStatus::UnderReview,
        IdeaStatus::Planned,
        IdeaStatus::InProgress,
        IdeaStatus::Done,
        IdeaStatus::Declined,
    ];

    /// The stored and federated name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdeaStatus::UnderReview => "under_review",
            IdeaStatus::Planned => "planned",
            IdeaStatus::InProgress => "in_progress",
            IdeaStatus::Done => "done",
            IdeaStatus::Declined => "declined",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            IdeaStatus::UnderReview => "Under review",
            IdeaStatus::Planned => "Planned",
            IdeaStatus::InProgress => "In progress",
            IdeaStatus::Done => "Done",
            IdeaStatus::Declined => "Declined",
        }
    }

    /// The status a stored or typed name stands for.
    pub fn parse(name: &str) -> Option<IdeaStatus> {
        IdeaStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The text of the official reply that announces a change.
fn announcement(status: Option<IdeaStatus>, note: Option<&str>) -> String {
    let head = match status {
        Some(s) => format!("**Status: {}**", s.label()),
        None => "**Status withdrawn**".to_owned(),
    };
    match note {
        Some(note) => format!("{head}\n\n{note}"),
        None => head,
    }
}

/// Sets, changes or (with `None`) clears a thread's idea status, with an optional note: the
/// group's moderators, staff and administrators may, in a group that collects ideas. The same
/// status and note again change nothing. Returns the thread.
pub async fn set_status(
    ctx: &Context,
    account: &Account,
    thread_id: i64,
    status: Option<IdeaStatus>,
    note: Option<&str>,
) -> CoreResult<PostRow> {
    let note = match note {
        Some(n) => check_body("note", n, IDEA_NOTE_MAX, false)?,
        None => None,
    };
    crate::event_transaction!(ctx, |conn| {
        let thread = post::find(conn, thread_id)
            .await
            .map_err(|_| CoreError::NotFound("thread"))?;
        if thread.deleted || thread.removed {
            return Err(CoreError::Gone("the thread was deleted".into()));
        }
        if !(account.staff || may_moderate(conn, thread.group_id, account.into()).await?) {
            return Err(CoreError::Forbidden(
                "only staff and the group's moderators set an idea's status".into(),
            ));
        }
        if !group::find(conn, thread.group_id).await?.ideas {
            return Err(CoreError::invalid(
                "thread",
                "the group does not collect ideas: its moderators can turn that on",
            ));
        }
        let wanted = status.map(IdeaStatus::as_str);
        let note = note.as_deref().filter(|_| status.is_some());
        if thread.idea_status.as_deref() == wanted && thread.idea_note.as_deref() == note {
            return Ok(thread);
        }
        let row = post::set_idea_status(
            conn,
            thread.id,
            wanted.map(|w| (w, note)),
            account.person_id,
        )
        .await?;
        event::record(
            conn,
            EventKind::IdeaStatusChanged,
            NewEvent {
                actor_id: Some(account.person_id),
                group_id: Some(row.group_id),
                post_id: Some(row.id),
                payload: Some(serde_json::json!({ "status": wanted })),
                ..NewEvent::default()
            },
        )
        .await?;
        let reply =
            crate::comments::official_reply(conn, ctx, account, &row, &announcement(status, note))
                .await?;
        let label = status.map_or("Status withdrawn", IdeaStatus::label);
        crate::notifications::idea_status(conn, &row, &reply, label).await?;
        // The reply counted itself into the thread: read the row as it is now.
        Ok(post::find(conn, row.id).await?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in IdeaStatus::ALL {
            assert_eq!(IdeaStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(IdeaStatus::parse("Planned"), None);
        assert_eq!(IdeaStatus::parse(""), None);
    }

    #[test]
    fn the_announcement_names_the_status_and_carries_the_note() {
        assert_eq!(
            announcement(Some(IdeaStatus::Planned), Some("In the spring release.")),
            "**Status: Planned**\n\nIn the spring release."
        );
        assert_eq!(announcement(None, None), "**Status withdrawn**");
    }
}
