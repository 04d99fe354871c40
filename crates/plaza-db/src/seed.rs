//! Rows written with the times given rather than the current time: for filling a demonstration
//! instance with months of history, and for tests that need a known past. Counters on threads
//! and comments are kept as the ordinary writes keep them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{comment_votes, group_follows, post_votes, posts, reports};
use crate::{DbConn, DbResult, comment, on_conn, post};

/// An accepted follow of a group, made at `at` (an existing one keeps its time).
pub async fn follow(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
    at: NaiveDateTime,
) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::insert_into(group_follows::table)
            .values((
                group_follows::group_id.eq(group_id),
                group_follows::person_id.eq(person_id),
                group_follows::pending.eq(false),
                group_follows::created_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await?;
        Ok(())
    })
}

/// A person's first vote on a thread, cast at `at`; returns whether it was new.
pub async fn vote_thread(
    conn: &mut DbConn<'_>,
    post_id: i64,
    person_id: i64,
    score: i16,
    at: NaiveDateTime,
) -> DbResult<bool> {
    let inserted = on_conn!(conn, |c| DbResult::Ok(
        diesel::insert_into(post_votes::table)
            .values((
                post_votes::post_id.eq(post_id),
                post_votes::person_id.eq(person_id),
                post_votes::score.eq(score),
                post_votes::created_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await?
    ))?;
    if inserted > 0 {
        let (up, down) = if score > 0 { (1, 0) } else { (0, 1) };
        post::add_votes(conn, post_id, up, down).await?;
    }
    Ok(inserted > 0)
}

/// A person's first vote on a comment, cast at `at`; returns whether it was new.
pub async fn vote_comment(
    conn: &mut DbConn<'_>,
    comment_id: i64,
    person_id: i64,
    score: i16,
    at: NaiveDateTime,
) -> DbResult<bool> {
    let inserted = on_conn!(conn, |c| DbResult::Ok(
        diesel::insert_into(comment_votes::table)
            .values((
                comment_votes::comment_id.eq(comment_id),
                comment_votes::person_id.eq(person_id),
                comment_votes::score.eq(score),
                comment_votes::created_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await?
    ))?;
    if inserted > 0 {
        let (up, down) = if score > 0 { (1, 0) } else { (0, 1) };
        comment::add_votes(conn, comment_id, up, down).await?;
    }
    Ok(inserted > 0)
}

/// Marks a reply as the question's accepted answer, chosen at `at` by the asker.
pub async fn accept(
    conn: &mut DbConn<'_>,
    post_id: i64,
    comment_id: i64,
    by: i64,
    at: NaiveDateTime,
) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::update(posts::table.find(post_id))
            .set((
                posts::accepted_comment_id.eq(comment_id),
                posts::accepted_by.eq(by),
                posts::accepted_at.eq(at),
                posts::accepted_officially.eq(false),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// A report about a thread (`comment_id` `None`) or one of its comments, made at `at`.
pub async fn report(
    conn: &mut DbConn<'_>,
    group_id: i64,
    reporter_id: i64,
    post_id: i64,
    comment_id: Option<i64>,
    at: NaiveDateTime,
) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::insert_into(reports::table)
            .values((
                reports::group_id.eq(group_id),
                reports::reporter_id.eq(reporter_id),
                reports::post_id.eq(Some(post_id)),
                reports::comment_id.eq(comment_id),
                reports::reason.eq("seeded report"),
                reports::created_at.eq(at),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}
