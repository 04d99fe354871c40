//! Pruning of rows that have served their purpose, so a long-running instance does not grow
//! without bound.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{deliveries, events, outgoing_activities, received_activities};
use crate::{DbConn, DbError, DbPool, DbResult, on_conn, transaction};

/// The PostgreSQL advisory lock key of housekeeping ("plaza-prune" in ASCII, folded into 64 bits):
/// any number works, as long as every Plaza process uses the same one and nothing else does.
const PRUNE_LOCK: i64 = 0x706c_617a_615f_7072;

/// How long each kind of row is kept once it is finished.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Delivered or given-up deliveries (and activities left without deliveries).
    pub deliveries: TimeDelta,
    /// Ids of received activities: longer than any signature stays valid.
    pub received_activities: TimeDelta,
    /// Processed events.
    pub events: TimeDelta,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            deliveries: TimeDelta::days(7),
            received_activities: TimeDelta::days(2),
            events: TimeDelta::days(30),
        }
    }
}

/// What a pruning pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub deliveries: usize,
    pub activities: usize,
    pub received_activities: usize,
    pub events: usize,
}

/// Prunes as [`prune`] does, unless another process is pruning the same database right now:
/// workers on one PostgreSQL database would otherwise all run the same deletes every hour and
/// wait on each other's row locks. The lock is a transaction-scoped advisory lock, so it ends
/// with the transaction, even when the process dies. SQLite serves one process, which needs no
/// lock. `None` when another process held it.
pub async fn prune_once(
    pool: &DbPool,
    now: NaiveDateTime,
    keep: Retention,
) -> DbResult<Option<Pruned>> {
    transaction!(pool, DbError, |conn| {
        if let DbConn::Pg(c) = conn {
            let locked = diesel::select(pg_try_advisory_xact_lock(PRUNE_LOCK))
                .get_result::<bool>(&mut **c)
                .await?;
            if !locked {
                return Ok(None);
            }
        }
        prune(conn, now, keep).await.map(Some)
    })
}

diesel::define_sql_function! {
    /// Takes a transaction-scoped advisory lock if it is free; false when another session has it.
    fn pg_try_advisory_xact_lock(key: diesel::sql_types::BigInt) -> diesel::sql_types::Bool;
}

/// Deletes finished rows older than their retention, measured from `now`.
pub async fn prune(conn: &mut DbConn<'_>, now: NaiveDateTime, keep: Retention) -> DbResult<Pruned> {
    let deliveries_before = now - keep.deliveries;
    let received_before = now - keep.received_activities;
    let events_before = now - keep.events;
    on_conn!(conn, |c| {
        let deliveries = diesel::delete(
            deliveries::table.filter(
                deliveries::delivered_at
                    .lt(deliveries_before)
                    .or(deliveries::failed_at.lt(deliveries_before)),
            ),
        )
        .execute(c)
        .await?;
        let activities = diesel::delete(
            outgoing_activities::table
                .filter(outgoing_activities::created_at.lt(deliveries_before))
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    deliveries::table.filter(deliveries::activity_id.eq(outgoing_activities::id)),
                ))),
        )
        .execute(c)
        .await?;
        let received_activities = diesel::delete(
            received_activities::table.filter(received_activities::received_at.lt(received_before)),
        )
        .execute(c)
        .await?;
        let events = diesel::delete(events::table.filter(events::processed_at.lt(events_before)))
            .execute(c)
            .await?;
        Ok(Pruned {
            deliveries,
            activities,
            received_activities,
            events,
        })
    })
}
