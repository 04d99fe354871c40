//! The transactional outbox: what happened, written in the same transaction as the change, for
//! federation (and anything else) to consume later.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::events;
use crate::{DbConn, DbResult, now, on_conn};

/// What kind of change an event records. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    GroupCreated,
    GroupUpdated,
    PostCreated,
    PostUpdated,
    PostDeleted,
    CommentCreated,
    CommentUpdated,
    CommentDeleted,
    VoteCast,
    VoteRemoved,
    Moderation,
    Reported,
    PersonUpdated,
    PersonDeleted,
    /// A thread's accepted answer was set, changed or withdrawn (`comment_id` is the new one).
    AnswerAccepted,
    /// An idea's status was set, changed or cleared.
    IdeaStatusChanged,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::GroupCreated => "group_created",
            EventKind::GroupUpdated => "group_updated",
            EventKind::PostCreated => "post_created",
            EventKind::PostUpdated => "post_updated",
            EventKind::PostDeleted => "post_deleted",
            EventKind::CommentCreated => "comment_created",
            EventKind::CommentUpdated => "comment_updated",
            EventKind::CommentDeleted => "comment_deleted",
            EventKind::VoteCast => "vote_cast",
            EventKind::VoteRemoved => "vote_removed",
            EventKind::Moderation => "moderation",
            EventKind::Reported => "reported",
            EventKind::PersonUpdated => "person_updated",
            EventKind::PersonDeleted => "person_deleted",
            EventKind::AnswerAccepted => "answer_accepted",
            EventKind::IdeaStatusChanged => "idea_status_changed",
        }
    }
}

/// A stored event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub group_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
    /// The request that caused the change, if one did.
    pub request_id: Option<String>,
}

/// What a change records; ids name the subjects, `payload` carries anything else as JSON.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub actor_id: Option<i64>,
    pub group_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub payload: Option<serde_json::Value>,
}

/// Appends an event (and, on PostgreSQL, wakes the publishers of every process at commit),
/// with the id of the request under way ([`crate::correlation`]).
pub async fn record(conn: &mut DbConn<'_>, kind: EventKind, event: NewEvent) -> DbResult<i64> {
    let now = now();
    let payload = event
        .payload
        .map_or_else(|| "{}".to_owned(), |p| p.to_string());
    let id = on_conn!(conn, |c| diesel::insert_into(events::table)
        .values((
            events::kind.eq(kind.as_str()),
            events::actor_id.eq(event.actor_id),
            events::group_id.eq(event.group_id),
            events::post_id.eq(event.post_id),
            events::comment_id.eq(event.comment_id),
            events::payload.eq(&payload),
            events::created_at.eq(now),
            events::request_id.eq(crate::correlation::current()),
        ))
        .returning(events::id)
        .get_result(c)
        .await)?;
    crate::notify::send(conn, crate::notify::EVENTS).await?;
    Ok(id)
}

/// The oldest events not yet processed, in order.
pub async fn pending(conn: &mut DbConn<'_>, limit: i64) -> DbResult<Vec<EventRow>> {
    on_conn!(conn, |c| Ok(events::table
        .filter(events::processed_at.is_null())
        .order(events::id.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(c)
        .await?))
}

/// Claims pending events of the given kinds, oldest first, inside the caller's transaction
/// (PostgreSQL: rows another process holds are skipped).
pub async fn claim_pending(
    conn: &mut DbConn<'_>,
    kinds: &[&str],
    limit: i64,
) -> DbResult<Vec<EventRow>> {
    let query = events::table
        .filter(events::processed_at.is_null())
        .filter(events::kind.eq_any(kinds))
        .order(events::id.asc())
        .limit(limit)
        .select(EventRow::as_select());
    Ok(match conn {
        DbConn::Sqlite(c) => query.load(&mut **c).await?,
        DbConn::Pg(c) => {
            events::table
                .filter(events::processed_at.is_null())
                .filter(events::kind.eq_any(kinds))
                .order(events::id.asc())
                .limit(limit)
                .select(EventRow::as_select())
                .for_update()
                .skip_locked()
                .load(&mut **c)
                .await?
        }
    })
}

/// Marks an event processed.
pub async fn mark_processed(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(events::table.find(id))
            .set(events::processed_at.eq(now))
            .execute(c)
            .await?;
        Ok(())
    })
}
