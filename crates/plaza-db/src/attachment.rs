//! Media attached to posts and comments by the servers they came from: where each file lives and
//! how to show it, in the order the author gave.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::attachments;
use crate::{DbConn, DbResult, on_conn};

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = attachments, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AttachmentRow {
    pub id: i64,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub position: i32,
    /// `image`, `video`, `audio` or `document`.
    pub kind: String,
    pub url: String,
    pub media_type: Option<String>,
    /// The description its author wrote for people who cannot see it.
    pub alt: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub blurhash: Option<String>,
}

/// An attachment to store; its owner and position are given where it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewAttachment {
    pub kind: String,
    pub url: String,
    pub media_type: Option<String>,
    pub alt: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub blurhash: Option<String>,
}

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Post(i64),
    Comment(i64),
}

/// Replaces the attachments of `owner` with `items`, in their order: an edit sends the whole
/// list again.
pub async fn replace(conn: &mut DbConn<'_>, owner: Owner, items: &[NewAttachment]) -> DbResult<()> {
    let (post_id, comment_id) = match owner {
        Owner::Post(id) => (Some(id), None),
        Owner::Comment(id) => (None, Some(id)),
    };
    let rows: Vec<_> = items
        .iter()
        .zip(0..)
        .map(|(item, position): (&NewAttachment, i32)| {
            (
                attachments::post_id.eq(post_id),
                attachments::comment_id.eq(comment_id),
                attachments::position.eq(position),
                attachments::kind.eq(&item.kind),
                attachments::url.eq(&item.url),
                attachments::media_type.eq(&item.media_type),
                attachments::alt.eq(&item.alt),
                attachments::width.eq(item.width),
                attachments::height.eq(item.height),
                attachments::blurhash.eq(&item.blurhash),
            )
        })
        .collect();
    on_conn!(conn, |c| {
        match owner {
            Owner::Post(id) => {
                diesel::delete(attachments::table.filter(attachments::post_id.eq(id)))
                    .execute(c)
                    .await?
            }
            Owner::Comment(id) => {
                diesel::delete(attachments::table.filter(attachments::comment_id.eq(id)))
                    .execute(c)
                    .await?
            }
        };
        // A row at a time: the same statement on both backends (SQLite's batch insert differs),
        // and an object carries a handful at most.
        for row in &rows {
            diesel::insert_into(attachments::table)
                .values(*row)
                .execute(c)
                .await?;
        }
        Ok(())
    })
}

/// The attachments of a post.
pub async fn of_post(conn: &mut DbConn<'_>, post_id: i64) -> DbResult<Vec<AttachmentRow>> {
    on_conn!(conn, |c| Ok(attachments::table
        .filter(attachments::post_id.eq(post_id))
        .order(attachments::position)
        .select(AttachmentRow::as_select())
        .load(c)
        .await?))
}

/// The attachments of every comment of a post, in each comment's order.
pub async fn of_comments_of_post(
    conn: &mut DbConn<'_>,
    post_id: i64,
) -> DbResult<Vec<AttachmentRow>> {
    use crate::schema::comments;
    on_conn!(conn, |c| Ok(attachments::table
        .inner_join(comments::table)
        .filter(comments::post_id.eq(post_id))
        .order((attachments::comment_id, attachments::position))
        .select(AttachmentRow::as_select())
        .load(c)
        .await?))
}

/// The attachments of one comment.
pub async fn of_comment(conn: &mut DbConn<'_>, comment_id: i64) -> DbResult<Vec<AttachmentRow>> {
    on_conn!(conn, |c| Ok(attachments::table
        .filter(attachments::comment_id.eq(comment_id))
        .order(attachments::position)
        .select(AttachmentRow::as_select())
        .load(c)
        .await?))
}

/// One attachment, by id.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<Option<AttachmentRow>> {
    on_conn!(conn, |c| Ok(attachments::table
        .find(id)
        .select(AttachmentRow::as_select())
        .first(c)
        .await
        .optional()?))
}
