//! Replies: comments on a thread or on another comment, to any depth.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::person::PersonBrief;
use crate::schema::{comments, instances, persons};
use crate::{DbConn, DbResult, now, on_conn};

/// A comment as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CommentRow {
    pub id: i64,
    pub ap_id: String,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub depth: i32,
    pub body_source: Option<String>,
    pub body_html: String,
    pub local: bool,
    pub distinguished: bool,
    pub removed: bool,
    pub deleted: bool,
    pub upvotes: i64,
    pub downvotes: i64,
    pub score: i64,
    pub created_at: NaiveDateTime,
    /// Any change of the row (an edit, a deletion, an official mark).
    pub updated_at: Option<NaiveDateTime>,
    pub fetched_at: Option<NaiveDateTime>,
    /// The last edit of its text: what "edited" means.
    pub edited_at: Option<NaiveDateTime>,
}

/// A new comment (local ones get their `ap_id` set after the insert, as posts do).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment<'a> {
    pub ap_id: &'a str,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub depth: i32,
    pub body_source: Option<&'a str>,
    pub body_html: &'a str,
    pub local: bool,
    pub created_at: NaiveDateTime,
}

/// Inserts a comment.
pub async fn insert(conn: &mut DbConn<'_>, new: &NewComment<'_>) -> DbResult<CommentRow> {
    on_conn!(conn, |c| Ok(diesel::insert_into(comments::table)
        .values(new)
        .returning(CommentRow::as_returning())
        .get_result(c)
        .await?))
}

/// Sets a comment's public id.
pub async fn set_ap_id(conn: &mut DbConn<'_>, id: i64, ap_id: &str) -> DbResult<CommentRow> {
    on_conn!(conn, |c| Ok(diesel::update(comments::table.find(id))
        .set(comments::ap_id.eq(ap_id))
        .returning(CommentRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a comment by id.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<CommentRow> {
    on_conn!(conn, |c| Ok(comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(c)
        .await?))
}

/// Some comments by id (in no particular order; unknown ids are left out).
pub async fn find_many(conn: &mut DbConn<'_>, ids: &[i64]) -> DbResult<Vec<CommentRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_conn!(conn, |c| Ok(comments::table
        .filter(comments::id.eq_any(ids))
        .select(CommentRow::as_select())
        .load(c)
        .await?))
}

/// Finds a comment with its author.
pub async fn find_with_author(
    conn: &mut DbConn<'_>,
    id: i64,
) -> DbResult<(CommentRow, PersonBrief)> {
    on_conn!(conn, |c| Ok(comments::table
        .inner_join(persons::table.inner_join(instances::table))
        .filter(comments::id.eq(id))
        .select((CommentRow::as_select(), PersonBrief::as_select()))
        .first(c)
        .await?))
}

/// Every comment of a thread with its author, oldest first (the tree is built by the caller).
pub async fn list_for_post(
    conn: &mut DbConn<'_>,
    post_id: i64,
) -> DbResult<Vec<(CommentRow, PersonBrief)>> {
    slice_of_post(conn, post_id, 0, i64::MAX).await
}

/// A slice of a thread's comments with their authors, oldest first, deleted and removed ones
/// included (the thread's conversation collection shows them as tombstones).
pub async fn slice_of_post(
    conn: &mut DbConn<'_>,
    post_id: i64,
    offset: i64,
    limit: i64,
) -> DbResult<Vec<(CommentRow, PersonBrief)>> {
    on_conn!(conn, |c| Ok(comments::table
        .inner_join(persons::table.inner_join(instances::table))
        .filter(comments::post_id.eq(post_id))
        .order((comments::created_at.asc(), comments::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((CommentRow::as_select(), PersonBrief::as_select()))
        .load(c)
        .await?))
}

/// How many comments a thread has, deleted and removed ones included.
pub async fn count_of_post(conn: &mut DbConn<'_>, post_id: i64) -> DbResult<i64> {
    on_conn!(conn, |c| Ok(comments::table
        .filter(comments::post_id.eq(post_id))
        .count()
        .get_result(c)
        .await?))
}

/// Replaces a comment's body.
pub async fn update_content(
    conn: &mut DbConn<'_>,
    id: i64,
    body_source: Option<&str>,
    body_html: &str,
) -> DbResult<CommentRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(comments::table.find(id))
        .set((
            comments::body_source.eq(body_source),
            comments::body_html.eq(body_html),
            comments::updated_at.eq(now),
            comments::edited_at.eq(now),
        ))
        .returning(CommentRow::as_returning())
        .get_result(c)
        .await?))
}

/// Marks a comment deleted by its author and erases its body; the node stays so replies keep
/// their place in the tree.
pub async fn mark_deleted(conn: &mut DbConn<'_>, id: i64) -> DbResult<CommentRow> {
    // Its media go with its text.
    crate::attachment::replace(conn, crate::attachment::Owner::Comment(id), &[]).await?;
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(comments::table.find(id))
        .set((
            comments::deleted.eq(true),
            comments::body_source.eq(None::<String>),
            comments::body_html.eq(""),
            comments::updated_at.eq(now),
        ))
        .returning(CommentRow::as_returning())
        .get_result(c)
        .await?))
}

/// Marks a comment as an official answer, or not.
pub async fn set_distinguished(
    conn: &mut DbConn<'_>,
    id: i64,
    distinguished: bool,
) -> DbResult<CommentRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(comments::table.find(id))
        .set((
            comments::distinguished.eq(distinguished),
            comments::updated_at.eq(now),
        ))
        .returning(CommentRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a comment by its ActivityPub id.
pub async fn find_by_ap_id(conn: &mut DbConn<'_>, ap_id: &str) -> DbResult<Option<CommentRow>> {
    on_conn!(conn, |c| Ok(comments::table
        .filter(comments::ap_id.eq(ap_id))
        .select(CommentRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Sets or clears a moderator's removal. Unlike a deletion it keeps the content, so a removal
/// can be undone.
pub async fn set_removed(conn: &mut DbConn<'_>, id: i64, removed: bool) -> DbResult<CommentRow> {
    on_conn!(conn, |c| Ok(diesel::update(comments::table.find(id))
        .set(comments::removed.eq(removed))
        .returning(CommentRow::as_returning())
        .get_result(c)
        .await?))
}

/// Adds to a comment's vote counters (deltas may be negative).
pub async fn add_votes(conn: &mut DbConn<'_>, id: i64, up: i64, down: i64) -> DbResult<CommentRow> {
    on_conn!(conn, |c| Ok(diesel::update(comments::table.find(id))
        .set((
            comments::upvotes.eq(comments::upvotes + up),
            comments::downvotes.eq(comments::downvotes + down),
            comments::score.eq(comments::score + (up - down)),
        ))
        .returning(CommentRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a comment and, on PostgreSQL, locks its row until the transaction ends (see
/// [`crate::post::find_for_update`]).
pub async fn find_for_update(conn: &mut DbConn<'_>, id: i64) -> DbResult<CommentRow> {
    Ok(match conn {
        DbConn::Sqlite(c) => {
            comments::table
                .find(id)
                .select(CommentRow::as_select())
                .first(&mut **c)
                .await?
        }
        DbConn::Pg(c) => {
            comments::table
                .find(id)
                .select(CommentRow::as_select())
                .for_update()
                .first(&mut **c)
                .await?
        }
    })
}
