//! The one row describing this instance: its domain and its public face.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::site;
use crate::{DbConn, DbResult, now, on_conn};

/// The instance's own settings.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = site, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SiteRow {
    pub id: i64,
    pub domain: String,
    pub name: String,
    pub description: Option<String>,
    pub registrations_open: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The instance actor's public key (PEM).
    pub public_key: Option<String>,
    /// The instance actor's private key (PEM): never render this.
    pub private_key: Option<String>,
}

/// Reads the site row, if the instance was set up.
pub async fn get(conn: &mut DbConn<'_>) -> DbResult<Option<SiteRow>> {
    on_conn!(conn, |c| Ok(site::table
        .find(1_i64)
        .select(SiteRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Creates the site row on first start; when another process created it first, returns theirs.
pub async fn create(conn: &mut DbConn<'_>, domain: &str, name: &str) -> DbResult<SiteRow> {
    let now = now();
    on_conn!(conn, |c| diesel::insert_into(site::table)
        .values((
            site::id.eq(1_i64),
            site::domain.eq(domain),
            site::name.eq(name),
            site::created_at.eq(now),
            site::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c)
        .await)?;
    get(conn).await?.ok_or(crate::DbError::NotFound)
}

/// Stores the instance actor's key pair unless one is stored already (two processes starting
/// together must end up with the same key); returns the row as it is afterwards.
pub async fn set_keys_once(
    conn: &mut DbConn<'_>,
    public_key: &str,
    private_key: &str,
) -> DbResult<SiteRow> {
    let now = now();
    on_conn!(conn, |c| diesel::update(
        site::table.find(1_i64).filter(site::public_key.is_null())
    )
    .set((
        site::public_key.eq(public_key),
        site::private_key.eq(private_key),
        site::updated_at.eq(now),
    ))
    .execute(c)
    .await)?;
    get(conn).await?.ok_or(crate::DbError::NotFound)
}

/// Replaces the instance's name, description and sign-up policy.
pub async fn update_settings(
    conn: &mut DbConn<'_>,
    name: &str,
    description: Option<&str>,
    registrations_open: bool,
) -> DbResult<SiteRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(site::table.find(1_i64))
        .set((
            site::name.eq(name),
            site::description.eq(description),
            site::registrations_open.eq(registrations_open),
            site::updated_at.eq(now),
        ))
        .returning(SiteRow::as_returning())
        .get_result(c)
        .await?))
}
