//! Known instances: ours and every remote one we have met, with their block/allow state.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use crate::schema::instances;
use crate::{DbConn, DbResult, now, on_conn};

/// A fediverse instance (a domain).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instances, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct InstanceRow {
    pub id: i64,
    pub domain: String,
    pub software: Option<String>,
    pub version: Option<String>,
    pub blocked: bool,
    pub allowed: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub failure_count: i32,
    pub dead_since: Option<NaiveDateTime>,
    pub last_success_at: Option<NaiveDateTime>,
}

/// Finds or creates the instance for `domain` (lower-cased host[:port]).
pub async fn upsert(conn: &mut DbConn<'_>, domain: &str) -> DbResult<InstanceRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(instances::table)
        .values((
            instances::domain.eq(domain),
            instances::created_at.eq(now),
            instances::updated_at.eq(now),
        ))
        .on_conflict(instances::domain)
        // A no-op update so RETURNING yields the existing row on both backends.
        .do_update()
        .set(instances::domain.eq(excluded(instances::domain)))
        .returning(InstanceRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds an instance by domain.
pub async fn find_by_domain(conn: &mut DbConn<'_>, domain: &str) -> DbResult<Option<InstanceRow>> {
    on_conn!(conn, |c| Ok(instances::table
        .filter(instances::domain.eq(domain))
        .select(InstanceRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Every known instance, or only the blocked ones, by domain.
pub async fn list(conn: &mut DbConn<'_>, only_blocked: bool) -> DbResult<Vec<InstanceRow>> {
    on_conn!(conn, |c| {
        let mut query = instances::table
            .select(InstanceRow::as_select())
            .order(instances::domain.asc())
            .into_boxed();
        if only_blocked {
            query = query.filter(instances::blocked.eq(true));
        }
        Ok(query.load(c).await?)
    })
}

/// Whether a domain is blocked (defederated).
pub async fn is_blocked(conn: &mut DbConn<'_>, domain: &str) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        instances::table
            .filter(instances::domain.eq(domain))
            .filter(instances::blocked.eq(true))
    ))
    .get_result(c)
    .await?))
}

/// Blocks or unblocks a domain.
pub async fn set_blocked(conn: &mut DbConn<'_>, domain: &str, blocked: bool) -> DbResult<()> {
    let row = upsert(conn, domain).await?;
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(instances::table.find(row.id))
            .set((
                instances::blocked.eq(blocked),
                instances::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Records the software an instance runs, as its NodeInfo reports it.
pub async fn set_software(
    conn: &mut DbConn<'_>,
    domain: &str,
    software: &str,
    version: Option<&str>,
) -> DbResult<()> {
    let row = upsert(conn, domain).await?;
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(instances::table.find(row.id))
            .set((
                instances::software.eq(software),
                instances::version.eq(version),
                instances::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}
