//! The moderation log: what moderators did in a group, local or received from other servers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::mod_log;
use crate::{DbConn, DbResult, Page, now, on_conn};

/// One logged action.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mod_log, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ModLogRow {
    pub id: i64,
    pub group_id: i64,
    pub moderator_id: Option<i64>,
    pub action: String,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub person_id: Option<i64>,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A new log entry.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = mod_log)]
pub struct NewModLog<'a> {
    pub group_id: i64,
    pub moderator_id: Option<i64>,
    pub action: &'a str,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub person_id: Option<i64>,
    pub reason: Option<&'a str>,
    pub expires_at: Option<NaiveDateTime>,
}

/// Appends an entry; returns its id.
pub async fn record(conn: &mut DbConn<'_>, entry: &NewModLog<'_>) -> DbResult<i64> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(mod_log::table)
        .values((entry, mod_log::created_at.eq(now)))
        .returning(mod_log::id)
        .get_result(c)
        .await?))
}

/// A group's log, newest first.
pub async fn list(conn: &mut DbConn<'_>, group_id: i64, page: Page) -> DbResult<Vec<ModLogRow>> {
    on_conn!(conn, |c| Ok(mod_log::table
        .filter(mod_log::group_id.eq(group_id))
        .order((mod_log::created_at.desc(), mod_log::id.desc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .select(ModLogRow::as_select())
        .load(c)
        .await?))
}
