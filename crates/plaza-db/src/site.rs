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
    /// The brand's logo: an absolute URL, checked when it was set.
    pub icon_url: Option<String>,
    /// Allow-list mode: federate only with the instances marked allowed.
    pub federation_allowlist: bool,
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

/// The instance's public settings, as an administrator sets them.
#[derive(Debug, Clone, Copy)]
pub struct SiteSettings<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub icon_url: Option<&'a str>,
    pub registrations_open: bool,
}

/// Replaces the instance's name, description, logo and sign-up policy.
pub async fn update_settings(conn: &mut DbConn<'_>, s: SiteSettings<'_>) -> DbResult<SiteRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(site::table.find(1_i64))
        .set((
            site::name.eq(s.name),
            site::description.eq(s.description),
            site::icon_url.eq(s.icon_url),
            site::registrations_open.eq(s.registrations_open),
            site::updated_at.eq(now),
        ))
        .returning(SiteRow::as_returning())
        .get_result(c)
        .await?))
}

/// Switches allow-list mode; returns whether it was on before.
pub async fn set_federation_allowlist(conn: &mut DbConn<'_>, on: bool) -> DbResult<bool> {
    let before = get(conn)
        .await?
        .ok_or(crate::DbError::NotFound)?
        .federation_allowlist;
    let now = now();
    on_conn!(conn, |c| diesel::update(site::table.find(1_i64))
        .set((site::federation_allowlist.eq(on), site::updated_at.eq(now),))
        .execute(c)
        .await)?;
    Ok(before)
}
