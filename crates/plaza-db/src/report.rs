//! Reports of threads and comments, by local people or other servers, until a moderator
//! resolves them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::reports;
use crate::{DbConn, DbResult, Page, now, on_conn};

/// A stored report.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReportRow {
    pub id: i64,
    pub group_id: i64,
    pub reporter_id: i64,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub reason: String,
    pub ap_id: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A new report.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reports)]
pub struct NewReport<'a> {
    pub group_id: i64,
    pub reporter_id: i64,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub reason: &'a str,
    pub ap_id: Option<&'a str>,
}

/// Stores a report; a report with an `ap_id` stored before is not stored again (returns `None`).
pub async fn insert(conn: &mut DbConn<'_>, new: &NewReport<'_>) -> DbResult<Option<ReportRow>> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(reports::table)
        .values((new, reports::created_at.eq(now)))
        .on_conflict(reports::ap_id)
        .do_nothing()
        .returning(ReportRow::as_returning())
        .get_result(c)
        .await
        .optional()?))
}

/// A group's open reports, oldest first.
pub async fn open(conn: &mut DbConn<'_>, group_id: i64, page: Page) -> DbResult<Vec<ReportRow>> {
    on_conn!(conn, |c| Ok(reports::table
        .filter(reports::group_id.eq(group_id))
        .filter(reports::resolved_at.is_null())
        .order((reports::created_at.asc(), reports::id.asc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .select(ReportRow::as_select())
        .load(c)
        .await?))
}

/// Finds a report.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<ReportRow> {
    on_conn!(conn, |c| Ok(reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(c)
        .await?))
}

/// Marks a report resolved by a moderator.
pub async fn resolve(conn: &mut DbConn<'_>, id: i64, moderator_id: i64) -> DbResult<ReportRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(reports::table.find(id))
        .set((
            reports::resolved_by.eq(Some(moderator_id)),
            reports::resolved_at.eq(Some(now)),
        ))
        .returning(ReportRow::as_returning())
        .get_result(c)
        .await?))
}
