//! API bearer tokens, stored only as hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::local_user::LocalUserRow;
use crate::person::PersonRow;
use crate::schema::{api_tokens, local_users, persons};
use crate::{DbConn, DbResult, now, on_conn};

/// A stored token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ApiTokenRow {
    pub id: i64,
    pub local_user_id: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

/// Stores a new token hash.
pub async fn insert(
    conn: &mut DbConn<'_>,
    local_user_id: i64,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> DbResult<ApiTokenRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::local_user_id.eq(local_user_id),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(expires_at),
        ))
        .returning(ApiTokenRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a token by hash with its account and person, expired or not.
pub async fn find(
    conn: &mut DbConn<'_>,
    token_hash: &str,
) -> DbResult<Option<(ApiTokenRow, LocalUserRow, PersonRow)>> {
    on_conn!(conn, |c| Ok(api_tokens::table
        .inner_join(local_users::table.inner_join(persons::table))
        .filter(api_tokens::token_hash.eq(token_hash))
        .select((
            ApiTokenRow::as_select(),
            LocalUserRow::as_select(),
            PersonRow::as_select(),
        ))
        .first(c)
        .await
        .optional()?))
}

/// Notes that a token was used (for the account's session list).
pub async fn touch(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Revokes a token.
pub async fn delete(conn: &mut DbConn<'_>, token_hash: &str) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::delete(
        api_tokens::table.filter(api_tokens::token_hash.eq(token_hash))
    )
    .execute(c)
    .await?
        > 0))
}
