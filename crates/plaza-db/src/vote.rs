//! Votes: one per person and target, +1 or -1.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use crate::schema::{comment_votes, post_votes};
use crate::{DbConn, DbResult, now, on_conn};

/// What a vote is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteTarget {
    /// A thread's opening post.
    Post(i64),
    /// A comment.
    Comment(i64),
}

/// A person's current vote on a target, if any.
pub async fn get(
    conn: &mut DbConn<'_>,
    target: VoteTarget,
    person_id: i64,
) -> DbResult<Option<i16>> {
    on_conn!(conn, |c| Ok(match target {
        VoteTarget::Post(id) => post_votes::table
            .find((id, person_id))
            .select(post_votes::score)
            .first(c)
            .await
            .optional()?,
        VoteTarget::Comment(id) => comment_votes::table
            .find((id, person_id))
            .select(comment_votes::score)
            .first(c)
            .await
            .optional()?,
    }))
}

/// Sets a person's vote on a target, replacing any earlier one.
pub async fn set(
    conn: &mut DbConn<'_>,
    target: VoteTarget,
    person_id: i64,
    score: i16,
    activity_id: Option<&str>,
) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        match target {
            VoteTarget::Post(id) => {
                diesel::insert_into(post_votes::table)
                    .values((
                        post_votes::post_id.eq(id),
                        post_votes::person_id.eq(person_id),
                        post_votes::score.eq(score),
                        post_votes::activity_id.eq(activity_id),
                        post_votes::created_at.eq(now),
                    ))
                    .on_conflict((post_votes::post_id, post_votes::person_id))
                    .do_update()
                    .set((
                        post_votes::score.eq(excluded(post_votes::score)),
                        post_votes::activity_id.eq(excluded(post_votes::activity_id)),
                        post_votes::created_at.eq(excluded(post_votes::created_at)),
                    ))
                    .execute(c)
                    .await?
            }
            VoteTarget::Comment(id) => {
                diesel::insert_into(comment_votes::table)
                    .values((
                        comment_votes::comment_id.eq(id),
                        comment_votes::person_id.eq(person_id),
                        comment_votes::score.eq(score),
                        comment_votes::activity_id.eq(activity_id),
                        comment_votes::created_at.eq(now),
                    ))
                    .on_conflict((comment_votes::comment_id, comment_votes::person_id))
                    .do_update()
                    .set((
                        comment_votes::score.eq(excluded(comment_votes::score)),
                        comment_votes::activity_id.eq(excluded(comment_votes::activity_id)),
                        comment_votes::created_at.eq(excluded(comment_votes::created_at)),
                    ))
                    .execute(c)
                    .await?
            }
        };
        Ok(())
    })
}

/// A person's current vote on a target with the id of the activity that cast it.
pub async fn get_with_activity(
    conn: &mut DbConn<'_>,
    target: VoteTarget,
    person_id: i64,
) -> DbResult<Option<(i16, Option<String>)>> {
    on_conn!(conn, |c| Ok(match target {
        VoteTarget::Post(id) => post_votes::table
            .find((id, person_id))
            .select((post_votes::score, post_votes::activity_id))
            .first(c)
            .await
            .optional()?,
        VoteTarget::Comment(id) => comment_votes::table
            .find((id, person_id))
            .select((comment_votes::score, comment_votes::activity_id))
            .first(c)
            .await
            .optional()?,
    }))
}

/// Removes a person's vote on a target.
pub async fn remove(conn: &mut DbConn<'_>, target: VoteTarget, person_id: i64) -> DbResult<()> {
    on_conn!(conn, |c| {
        match target {
            VoteTarget::Post(id) => {
                diesel::delete(post_votes::table.find((id, person_id)))
                    .execute(c)
                    .await?
            }
            VoteTarget::Comment(id) => {
                diesel::delete(comment_votes::table.find((id, person_id)))
                    .execute(c)
                    .await?
            }
        };
        Ok(())
    })
}

/// A person's votes on some posts, as (post id, score).
pub async fn on_posts(
    conn: &mut DbConn<'_>,
    person_id: i64,
    post_ids: &[i64],
) -> DbResult<Vec<(i64, i16)>> {
    on_conn!(conn, |c| Ok(post_votes::table
        .filter(post_votes::person_id.eq(person_id))
        .filter(post_votes::post_id.eq_any(post_ids))
        .select((post_votes::post_id, post_votes::score))
        .load(c)
        .await?))
}

/// A person's votes on the comments of one thread, as (comment id, score).
pub async fn on_comments_of_post(
    conn: &mut DbConn<'_>,
    person_id: i64,
    post_id: i64,
) -> DbResult<Vec<(i64, i16)>> {
    use crate::schema::comments;
    on_conn!(conn, |c| Ok(comment_votes::table
        .inner_join(comments::table)
        .filter(comment_votes::person_id.eq(person_id))
        .filter(comments::post_id.eq(post_id))
        .select((comment_votes::comment_id, comment_votes::score))
        .load(c)
        .await?))
}
