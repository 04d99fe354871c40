//! Votes on threads and comments: one per person and target; up, down, or withdrawn.

use plaza_db::event::{EventKind, NewEvent};
use plaza_db::vote::VoteTarget;
use plaza_db::{comment, event, post, vote};

use crate::origin::Origin;
use crate::participation::{Participant, ensure_not_banned};
use crate::{Account, Context, CoreError, CoreResult};

/// A target's counters after a vote, and the caller's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteTally {
    /// Up votes.
    pub upvotes: i64,
    /// Down votes.
    pub downvotes: i64,
    /// Up minus down.
    pub score: i64,
    /// The caller's vote now: +1, -1 or none.
    pub my_vote: Option<i16>,
}

/// What an old and a new vote change in the (up, down) counters.
fn counter_delta(old: Option<i16>, new: Option<i16>) -> (i64, i64) {
    let count = |v: Option<i16>| match v {
        Some(1) => (1, 0),
        Some(-1) => (0, 1),
        _ => (0, 0),
    };
    let (old_up, old_down) = count(old);
    let (new_up, new_down) = count(new);
    (new_up - old_up, new_down - old_down)
}

/// Casts (+1 / -1) or withdraws (0) the caller's vote. Repeating the same vote changes nothing.
pub async fn vote(
    ctx: &Context,
    account: &Account,
    target: VoteTarget,
    score: i16,
) -> CoreResult<VoteTally> {
    cast(ctx, account.into(), target, score, Origin::Local).await
}

/// Casts or withdraws a vote, from here or from another server (a `Like`, `Dislike` or their
/// `Undo`, whose id is kept with the vote).
pub async fn cast(
    ctx: &Context,
    who: Participant,
    target: VoteTarget,
    score: i16,
    origin: Origin<'_>,
) -> CoreResult<VoteTally> {
    let new = match score {
        1 | -1 => Some(score),
        0 => None,
        _ => return Err(CoreError::invalid("score", "must be 1, -1 or 0")),
    };
    // Each vote gets its own activity id, kept with the vote so that withdrawing it can name the
    // activity it undoes. Local ones are minted here: a peer ignores an id it has seen before,
    // so voting again after withdrawing needs a new one.
    let activity_id = match origin {
        Origin::Local => Some(ctx.urls.unique_activity("vote")),
        other => other
            .activity()
            .and_then(|a| a.get("id"))
            .and_then(|id| id.as_str())
            .map(str::to_owned),
    };
    crate::event_transaction!(ctx, |conn| {
        let (group_id, post_id, comment_id) = match target {
            VoteTarget::Post(id) => {
                let row = post::find_for_update(conn, id)
                    .await
                    .map_err(|_| CoreError::NotFound("thread"))?;
                if row.deleted || row.removed {
                    return Err(CoreError::Gone("the thread was deleted".into()));
                }
                (row.group_id, id, None)
            }
            VoteTarget::Comment(id) => {
                let row = comment::find_for_update(conn, id)
                    .await
                    .map_err(|_| CoreError::NotFound("comment"))?;
                if row.deleted || row.removed {
                    return Err(CoreError::Gone("the comment was deleted".into()));
                }
                let group_id = post::find(conn, row.post_id).await?.group_id;
                (group_id, row.post_id, Some(id))
            }
        };
        ensure_not_banned(conn, group_id, who).await?;
        let previous = vote::get_with_activity(conn, target, who.person_id).await?;
        let old = previous.as_ref().map(|(score, _)| *score);
        let (up, down) = counter_delta(old, new);
        match new {
            Some(score) if old == Some(score) => {}
            Some(score) => {
                vote::set(conn, target, who.person_id, score, activity_id.as_deref()).await?
            }
            None => vote::remove(conn, target, who.person_id).await?,
        }
        let (upvotes, downvotes, total) = match target {
            VoteTarget::Post(id) => {
                let row = post::add_votes(conn, id, up, down).await?;
                (row.upvotes, row.downvotes, row.score)
            }
            VoteTarget::Comment(id) => {
                let row = comment::add_votes(conn, id, up, down).await?;
                (row.upvotes, row.downvotes, row.score)
            }
        };
        if old != new {
            let kind = if new.is_some() {
                EventKind::VoteCast
            } else {
                EventKind::VoteRemoved
            };
            event::record(
                conn,
                kind,
                NewEvent {
                    actor_id: Some(who.person_id),
                    group_id: Some(group_id),
                    post_id: Some(post_id),
                    comment_id,
                    payload: origin.payload(serde_json::json!({
                        "score": new.unwrap_or(0),
                        "vote": activity_id,
                        "previous": old.unwrap_or(0),
                        "undoes": previous.and_then(|(_, id)| id),
                    })),
                },
            )
            .await?;
        }
        Ok(VoteTally {
            upvotes,
            downvotes,
            score: total,
            my_vote: new,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::counter_delta;

    #[test]
    fn changing_a_vote_moves_one_count_to_the_other() {
        assert_eq!(counter_delta(None, Some(1)), (1, 0));
        assert_eq!(counter_delta(Some(1), Some(-1)), (-1, 1));
        assert_eq!(counter_delta(Some(-1), None), (0, -1));
        assert_eq!(counter_delta(Some(1), Some(1)), (0, 0));
        assert_eq!(counter_delta(None, None), (0, 0));
    }
}
