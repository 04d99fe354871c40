//! Local accounts: credentials and roles, apart from the public person row.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::person::PersonRow;
use crate::schema::{local_users, persons};
use crate::{DbConn, DbResult, now, on_conn};

/// A local account. Holds the password hash: never render this.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = local_users, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct LocalUserRow {
    pub id: i64,
    pub person_id: i64,
    pub email: Option<String>,
    pub password_hash: String,
    pub admin: bool,
    pub staff: bool,
    pub created_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
    /// When the current address was verified; `None` while it is not.
    pub email_verified_at: Option<NaiveDateTime>,
}

/// A new local account.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = local_users)]
pub struct NewLocalUser<'a> {
    pub person_id: i64,
    pub email: Option<&'a str>,
    pub password_hash: &'a str,
    pub admin: bool,
    pub staff: bool,
    pub created_at: NaiveDateTime,
}

/// Inserts a local account.
pub async fn insert(conn: &mut DbConn<'_>, new: &NewLocalUser<'_>) -> DbResult<LocalUserRow> {
    on_conn!(conn, |c| Ok(diesel::insert_into(local_users::table)
        .values(new)
        .returning(LocalUserRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds an account and its person by the person's name.
pub async fn find_by_name(
    conn: &mut DbConn<'_>,
    name: &str,
) -> DbResult<Option<(LocalUserRow, PersonRow)>> {
    on_conn!(conn, |c| Ok(local_users::table
        .inner_join(persons::table)
        .filter(persons::name.eq(name))
        .filter(persons::local.eq(true))
        .select((LocalUserRow::as_select(), PersonRow::as_select()))
        .first(c)
        .await
        .optional()?))
}

/// Finds a live account (not deleted) by its name or its e-mail address.
pub async fn find_by_name_or_email(
    conn: &mut DbConn<'_>,
    name_or_email: &str,
) -> DbResult<Option<(LocalUserRow, PersonRow)>> {
    on_conn!(conn, |c| Ok(local_users::table
        .inner_join(persons::table)
        .filter(persons::local.eq(true))
        .filter(persons::deleted.eq(false))
        .filter(
            persons::name
                .eq(name_or_email)
                .or(local_users::email.eq(name_or_email)),
        )
        .select((LocalUserRow::as_select(), PersonRow::as_select()))
        .first(c)
        .await
        .optional()?))
}

/// An account by id.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<Option<LocalUserRow>> {
    on_conn!(conn, |c| Ok(local_users::table
        .find(id)
        .select(LocalUserRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Sets (or clears) an account's e-mail address; a new address is not verified yet.
pub async fn set_email(conn: &mut DbConn<'_>, id: i64, email: Option<&str>) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::update(local_users::table.find(id))
            .set((
                local_users::email.eq(email),
                local_users::email_verified_at.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Marks an account's address verified, if it is still `email`; returns whether it was.
pub async fn mark_email_verified(conn: &mut DbConn<'_>, id: i64, email: &str) -> DbResult<bool> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(
        local_users::table
            .find(id)
            .filter(local_users::email.eq(email))
    )
    .set(local_users::email_verified_at.eq(now))
    .execute(c)
    .await?
        > 0))
}

/// Replaces an account's password hash and revokes every token it has: whoever held one must
/// log in with the new password. Reset links not yet used stop working too; mail settings and
/// queued mail stay.
pub async fn set_password(conn: &mut DbConn<'_>, id: i64, password_hash: &str) -> DbResult<()> {
    use crate::schema::api_tokens;
    on_conn!(conn, |c| {
        diesel::update(local_users::table.find(id))
            .set(local_users::password_hash.eq(password_hash))
            .execute(c)
            .await?;
        diesel::delete(api_tokens::table.filter(api_tokens::local_user_id.eq(id)))
            .execute(c)
            .await?;
        diesel::delete(
            crate::schema::mail_tokens::table
                .filter(crate::schema::mail_tokens::local_user_id.eq(id))
                .filter(crate::schema::mail_tokens::purpose.eq("reset"))
                .filter(crate::schema::mail_tokens::used_at.is_null()),
        )
        .execute(c)
        .await?;
        Ok(())
    })
}

/// Whether an e-mail address is already used by an account.
pub async fn email_taken(conn: &mut DbConn<'_>, email: &str) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        local_users::table.filter(local_users::email.eq(email))
    ))
    .get_result(c)
    .await?))
}

/// Records a successful log-in.
pub async fn touch_login(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(local_users::table.find(id))
            .set(local_users::last_login_at.eq(now))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Marks an account as brand staff, or not.
pub async fn set_staff(conn: &mut DbConn<'_>, id: i64, staff: bool) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::update(local_users::table.find(id))
            .set(local_users::staff.eq(staff))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Which of these people have an account here (deleted people left out): the ones that can be
/// notified.
pub async fn with_account(conn: &mut DbConn<'_>, person_ids: &[i64]) -> DbResult<Vec<i64>> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    on_conn!(conn, |c| Ok(local_users::table
        .inner_join(persons::table)
        .filter(local_users::person_id.eq_any(person_ids))
        .filter(persons::deleted.eq(false))
        .select(local_users::person_id)
        .load(c)
        .await?))
}

/// The person ids of the instance's administrators.
pub async fn admin_person_ids(conn: &mut DbConn<'_>) -> DbResult<Vec<i64>> {
    on_conn!(conn, |c| Ok(local_users::table
        .filter(local_users::admin.eq(true))
        .select(local_users::person_id)
        .load(c)
        .await?))
}

/// The person ids of the instance's administrators and staff whose accounts are not deleted.
pub async fn staff_person_ids(conn: &mut DbConn<'_>) -> DbResult<Vec<i64>> {
    on_conn!(conn, |c| Ok(local_users::table
        .inner_join(persons::table)
        .filter(local_users::admin.eq(true).or(local_users::staff.eq(true)))
        .filter(persons::deleted.eq(false))
        .select(local_users::person_id)
        .load(c)
        .await?))
}

/// Erases what an account kept of its owner when they delete it: the e-mail address and the
/// password hash (an empty hash matches no password), with its roles and every token.
pub async fn erase(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    use crate::schema::api_tokens;
    on_conn!(conn, |c| {
        diesel::update(local_users::table.find(id))
            .set((
                local_users::email.eq(None::<String>),
                local_users::email_verified_at.eq(None::<NaiveDateTime>),
                local_users::password_hash.eq(""),
                local_users::admin.eq(false),
                local_users::staff.eq(false),
            ))
            .execute(c)
            .await?;
        diesel::delete(api_tokens::table.filter(api_tokens::local_user_id.eq(id)))
            .execute(c)
            .await?;
        diesel::delete(
            crate::schema::mail_preferences::table
                .filter(crate::schema::mail_preferences::local_user_id.eq(id)),
        )
        .execute(c)
        .await?;
        diesel::delete(
            crate::schema::mail_tokens::table
                .filter(crate::schema::mail_tokens::local_user_id.eq(id)),
        )
        .execute(c)
        .await?;
        diesel::delete(
            crate::schema::outgoing_mails::table
                .filter(crate::schema::outgoing_mails::local_user_id.eq(id))
                .filter(crate::schema::outgoing_mails::sent_at.is_null()),
        )
        .execute(c)
        .await?;
        Ok(())
    })
}
