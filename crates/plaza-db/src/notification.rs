//! Notifications of local people: what happened that concerns them, kept until read and after.
//! Each is written in the transaction of the change that causes it; a unique index on
//! (recipient, kind, subject) makes a repeated change (a replayed activity) a no-op.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{groups, instances, notifications};
use crate::{DbConn, DbResult, Page, now, on_conn};

/// A stored notification.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct NotificationRow {
    pub id: i64,
    pub recipient_id: i64,
    pub kind: String,
    /// The row it is about, by kind (see the migration): with `kind`, which change this is.
    pub subject_id: i64,
    pub actor_id: Option<i64>,
    pub group_id: i64,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// The group a notification is in, as far as a list of them shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct NotifiedGroup {
    pub id: i64,
    pub ap_id: String,
    pub name: String,
    pub title: String,
    pub local: bool,
    #[diesel(select_expression = instances::domain)]
    pub domain: String,
}

/// A new notification.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification<'a> {
    pub recipient_id: i64,
    pub kind: &'a str,
    pub subject_id: i64,
    pub actor_id: Option<i64>,
    pub group_id: i64,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub reason: Option<&'a str>,
}

/// Stores a notification unless the recipient already has one of this kind about this subject;
/// returns whether it was stored.
pub async fn insert(conn: &mut DbConn<'_>, new: &NewNotification<'_>) -> DbResult<bool> {
    Ok(insert_new(conn, new).await?.is_some())
}

/// As [`insert`], returning the new notification's id (`None` when it existed already).
pub async fn insert_new(conn: &mut DbConn<'_>, new: &NewNotification<'_>) -> DbResult<Option<i64>> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(notifications::table)
        .values((new, notifications::created_at.eq(now)))
        .on_conflict((
            notifications::recipient_id,
            notifications::kind,
            notifications::subject_id,
        ))
        .do_nothing()
        .returning(notifications::id)
        .get_result(c)
        .await
        .optional()?))
}

/// A notification by id.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<Option<NotificationRow>> {
    on_conn!(conn, |c| Ok(notifications::table
        .find(id)
        .select(NotificationRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// A person's unread notifications of these kinds created after `after` up to `upto`, oldest
/// first (what a digest lists).
pub async fn unread_between(
    conn: &mut DbConn<'_>,
    recipient_id: i64,
    kinds: &[&str],
    after: NaiveDateTime,
    upto: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<NotificationRow>> {
    on_conn!(conn, |c| Ok(notifications::table
        .filter(notifications::recipient_id.eq(recipient_id))
        .filter(notifications::kind.eq_any(kinds))
        .filter(notifications::read_at.is_null())
        .filter(notifications::created_at.gt(after))
        .filter(notifications::created_at.le(upto))
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .select(NotificationRow::as_select())
        .limit(limit)
        .load(c)
        .await?))
}

/// One page of a person's notifications (all, or only the unread ones), newest first, each with
/// its group.
pub async fn list(
    conn: &mut DbConn<'_>,
    recipient_id: i64,
    unread_only: bool,
    page: Page,
) -> DbResult<Vec<(NotificationRow, NotifiedGroup)>> {
    on_conn!(conn, |c| {
        let mut query = notifications::table
            .inner_join(groups::table.inner_join(instances::table))
            .filter(notifications::recipient_id.eq(recipient_id))
            .select((NotificationRow::as_select(), NotifiedGroup::as_select()))
            .order((notifications::created_at.desc(), notifications::id.desc()))
            .limit(page.fetch_limit())
            .offset(page.offset())
            .into_boxed();
        if unread_only {
            query = query.filter(notifications::read_at.is_null());
        }
        Ok(query.load(c).await?)
    })
}

/// How many notifications a person has not read (the partial index `notifications_unread`).
pub async fn unread_count(conn: &mut DbConn<'_>, recipient_id: i64) -> DbResult<i64> {
    on_conn!(conn, |c| Ok(notifications::table
        .filter(notifications::recipient_id.eq(recipient_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(c)
        .await?))
}

/// Marks some of a person's notifications read; ids of anyone else's are passed over. Returns
/// how many changed.
pub async fn mark_read(conn: &mut DbConn<'_>, recipient_id: i64, ids: &[i64]) -> DbResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(
        notifications::table
            .filter(notifications::recipient_id.eq(recipient_id))
            .filter(notifications::id.eq_any(ids))
            .filter(notifications::read_at.is_null())
    )
    .set(notifications::read_at.eq(Some(now)))
    .execute(c)
    .await?))
}

/// Marks all of a person's notifications read. Returns how many changed.
pub async fn mark_all_read(conn: &mut DbConn<'_>, recipient_id: i64) -> DbResult<usize> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(
        notifications::table
            .filter(notifications::recipient_id.eq(recipient_id))
            .filter(notifications::read_at.is_null())
    )
    .set(notifications::read_at.eq(Some(now)))
    .execute(c)
    .await?))
}
