//! E-mail storage: what each account wants by mail, single-use links (kept as hashes), and the
//! durable queue of outgoing mail. Mail is queued in the caller's transaction and claimed by
//! workers with a lease, like deliveries, so a crashed worker's claims are picked up again and a
//! mail marked sent is never sent again.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::local_user::LocalUserRow;
use crate::schema::{local_users, mail_preferences, mail_tokens, outgoing_mails, persons};
use crate::{DbConn, DbResult, now, on_conn};

/// What an account wants by mail, per category (`off`, `instant` or `digest`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mail_preferences, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MailPreferencesRow {
    pub local_user_id: i64,
    pub replies: String,
    pub mentions: String,
    pub moderation: String,
    pub reports: String,
    pub answers: String,
    pub digest_through: NaiveDateTime,
}

/// An account's preferences, if it ever chose any.
pub async fn preferences(
    conn: &mut DbConn<'_>,
    local_user_id: i64,
) -> DbResult<Option<MailPreferencesRow>> {
    on_conn!(conn, |c| Ok(mail_preferences::table
        .find(local_user_id)
        .select(MailPreferencesRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// The preferences of the account a person has, if any.
pub async fn preferences_of_person(
    conn: &mut DbConn<'_>,
    person_id: i64,
) -> DbResult<Option<(MailPreferencesRow, LocalUserRow)>> {
    on_conn!(conn, |c| Ok(mail_preferences::table
        .inner_join(local_users::table)
        .filter(local_users::person_id.eq(person_id))
        .select((MailPreferencesRow::as_select(), LocalUserRow::as_select()))
        .first(c)
        .await
        .optional()?))
}

/// Stores an account's preferences (keeping when its last digest was, if it had one).
pub async fn save_preferences(conn: &mut DbConn<'_>, row: &MailPreferencesRow) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::insert_into(mail_preferences::table)
            .values(row)
            .on_conflict(mail_preferences::local_user_id)
            .do_update()
            .set((
                mail_preferences::replies.eq(&row.replies),
                mail_preferences::mentions.eq(&row.mentions),
                mail_preferences::moderation.eq(&row.moderation),
                mail_preferences::reports.eq(&row.reports),
                mail_preferences::answers.eq(&row.answers),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Accounts with a verified address that chose a digest for something and whose last digest
/// covered nothing after `cutoff`: the ones due for a digest.
pub async fn digests_due(
    conn: &mut DbConn<'_>,
    cutoff: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<(MailPreferencesRow, LocalUserRow)>> {
    on_conn!(conn, |c| Ok(mail_preferences::table
        .inner_join(local_users::table.inner_join(persons::table))
        .filter(mail_preferences::digest_through.le(cutoff))
        .filter(
            mail_preferences::replies
                .eq("digest")
                .or(mail_preferences::mentions.eq("digest"))
                .or(mail_preferences::moderation.eq("digest"))
                .or(mail_preferences::reports.eq("digest"))
                .or(mail_preferences::answers.eq("digest")),
        )
        .filter(local_users::email_verified_at.is_not_null())
        .filter(persons::deleted.eq(false))
        .order(mail_preferences::digest_through.asc())
        .select((MailPreferencesRow::as_select(), LocalUserRow::as_select()))
        .limit(limit)
        .load(c)
        .await?))
}

/// Moves an account's digest mark from `from` to `to`, unless another process moved it first;
/// returns whether this call did.
pub async fn advance_digest(
    conn: &mut DbConn<'_>,
    local_user_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::update(
        mail_preferences::table
            .find(local_user_id)
            .filter(mail_preferences::digest_through.eq(from))
    )
    .set(mail_preferences::digest_through.eq(to))
    .execute(c)
    .await?
        > 0))
}

/// A link sent by mail.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_tokens, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MailTokenRow {
    pub id: i64,
    pub local_user_id: i64,
    pub purpose: String,
    pub token_hash: String,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// Stores a link's token hash.
pub async fn insert_token(
    conn: &mut DbConn<'_>,
    local_user_id: i64,
    purpose: &str,
    token_hash: &str,
    email: Option<&str>,
    expires_at: NaiveDateTime,
) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::insert_into(mail_tokens::table)
            .values((
                mail_tokens::local_user_id.eq(local_user_id),
                mail_tokens::purpose.eq(purpose),
                mail_tokens::token_hash.eq(token_hash),
                mail_tokens::email.eq(email),
                mail_tokens::created_at.eq(now),
                mail_tokens::expires_at.eq(expires_at),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// A link's token that is still good: for `purpose`, not used and not expired.
pub async fn live_token(
    conn: &mut DbConn<'_>,
    token_hash: &str,
    purpose: &str,
) -> DbResult<Option<MailTokenRow>> {
    let now = now();
    on_conn!(conn, |c| Ok(mail_tokens::table
        .filter(mail_tokens::token_hash.eq(token_hash))
        .filter(mail_tokens::purpose.eq(purpose))
        .filter(mail_tokens::used_at.is_null())
        .filter(mail_tokens::expires_at.gt(now))
        .select(MailTokenRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Uses up every live link of an account for `purpose` (one used link voids its siblings);
/// returns how many.
pub async fn use_tokens(
    conn: &mut DbConn<'_>,
    local_user_id: i64,
    purpose: &str,
) -> DbResult<usize> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(
        mail_tokens::table
            .filter(mail_tokens::local_user_id.eq(local_user_id))
            .filter(mail_tokens::purpose.eq(purpose))
            .filter(mail_tokens::used_at.is_null())
    )
    .set(mail_tokens::used_at.eq(now))
    .execute(c)
    .await?))
}

/// A mail to queue.
#[derive(Debug, Clone, Default)]
pub struct NewMail<'a> {
    pub local_user_id: i64,
    pub kind: &'a str,
    pub to_address: &'a str,
    pub notification_id: Option<i64>,
    pub period_start: Option<NaiveDateTime>,
    pub period_end: Option<NaiveDateTime>,
}

/// Queues a mail, due at once.
pub async fn enqueue(conn: &mut DbConn<'_>, new: &NewMail<'_>) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::insert_into(outgoing_mails::table)
            .values((
                outgoing_mails::local_user_id.eq(new.local_user_id),
                outgoing_mails::kind.eq(new.kind),
                outgoing_mails::to_address.eq(new.to_address),
                outgoing_mails::notification_id.eq(new.notification_id),
                outgoing_mails::period_start.eq(new.period_start),
                outgoing_mails::period_end.eq(new.period_end),
                outgoing_mails::created_at.eq(now),
                outgoing_mails::next_attempt_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok::<_, crate::DbError>(())
    })?;
    crate::notify::send(conn, crate::notify::MAILS).await
}

/// Whether an account has a mail of this kind waiting to be sent.
pub async fn waiting(conn: &mut DbConn<'_>, local_user_id: i64, kind: &str) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        outgoing_mails::table
            .filter(outgoing_mails::local_user_id.eq(local_user_id))
            .filter(outgoing_mails::kind.eq(kind))
            .filter(outgoing_mails::sent_at.is_null())
            .filter(outgoing_mails::failed_at.is_null())
    ))
    .get_result(c)
    .await?))
}

/// Drops an account's unsent mail (its address changed, or the account was deleted).
pub async fn drop_unsent(conn: &mut DbConn<'_>, local_user_id: i64) -> DbResult<usize> {
    on_conn!(conn, |c| Ok(diesel::delete(
        outgoing_mails::table
            .filter(outgoing_mails::local_user_id.eq(local_user_id))
            .filter(outgoing_mails::sent_at.is_null())
    )
    .execute(c)
    .await?))
}

/// A queued mail a worker has claimed.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outgoing_mails, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MailRow {
    pub id: i64,
    pub local_user_id: i64,
    pub kind: String,
    pub to_address: String,
    pub notification_id: Option<i64>,
    pub period_start: Option<NaiveDateTime>,
    pub period_end: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
}

/// Claims up to `limit` due mails for `lease`. A claim not resolved before the lease ends (the
/// worker died) becomes due again.
pub async fn claim_due(
    conn: &mut DbConn<'_>,
    limit: i64,
    lease: TimeDelta,
) -> DbResult<Vec<MailRow>> {
    let now = now();
    let due = outgoing_mails::table
        .filter(outgoing_mails::sent_at.is_null())
        .filter(outgoing_mails::failed_at.is_null())
        .filter(outgoing_mails::next_attempt_at.le(now))
        .filter(
            outgoing_mails::claimed_until
                .is_null()
                .or(outgoing_mails::claimed_until.lt(now)),
        )
        .order((
            outgoing_mails::next_attempt_at.asc(),
            outgoing_mails::id.asc(),
        ))
        .select(outgoing_mails::id)
        .limit(limit);
    // PostgreSQL: skip rows another process is claiming. SQLite: the caller's transaction holds
    // the write lock, so claims cannot overlap.
    let ids: Vec<i64> = match conn {
        DbConn::Sqlite(c) => due.load(&mut **c).await?,
        DbConn::Pg(c) => due.for_update().skip_locked().load(&mut **c).await?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let until = now + lease;
    on_conn!(conn, |c| {
        diesel::update(outgoing_mails::table.filter(outgoing_mails::id.eq_any(&ids)))
            .set(outgoing_mails::claimed_until.eq(until))
            .execute(c)
            .await?;
        Ok(outgoing_mails::table
            .filter(outgoing_mails::id.eq_any(&ids))
            .order(outgoing_mails::id.asc())
            .select(MailRow::as_select())
            .load(c)
            .await?)
    })
}

/// Records a mail the server took.
pub async fn mark_sent(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(outgoing_mails::table.find(id))
            .set((
                outgoing_mails::sent_at.eq(now),
                outgoing_mails::attempts.eq(outgoing_mails::attempts + 1),
                outgoing_mails::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Ends a failed attempt: tried again at `retry_at`, or given up for good when `None`.
pub async fn mark_failed(
    conn: &mut DbConn<'_>,
    id: i64,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> DbResult<()> {
    let now = now();
    let error: String = error.chars().take(1000).collect();
    on_conn!(conn, |c| {
        diesel::update(outgoing_mails::table.find(id))
            .set((
                outgoing_mails::attempts.eq(outgoing_mails::attempts + 1),
                outgoing_mails::next_attempt_at.eq(retry_at.unwrap_or(now)),
                outgoing_mails::failed_at.eq(retry_at.is_none().then_some(now)),
                outgoing_mails::last_error.eq(&error),
                outgoing_mails::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}
