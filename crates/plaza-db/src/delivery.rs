//! The durable delivery queue: outgoing activities, one delivery per target inbox, and per-host
//! health. Enqueued in the caller's transaction; claimed by workers with a lease, so several
//! processes can share the work and a crashed worker's claims are picked up again.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{deliveries, groups, instances, outgoing_activities, persons};
use crate::{DbConn, DbError, DbResult, instance, now, on_conn};

/// A delivery a worker has claimed, with everything needed to sign and send it.
#[derive(Debug, Clone, Queryable)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub inbox_url: String,
    pub instance_id: i64,
    pub attempts: i32,
    pub activity_ap_id: String,
    pub actor_ap_id: String,
    pub body: String,
    /// The request behind the activity, if one was.
    pub request_id: Option<String>,
}

impl ClaimedDelivery {
    /// The id of the request behind the activity, or "" (for log fields).
    pub fn request_id(&self) -> &str {
        self.request_id.as_deref().unwrap_or("")
    }
}

/// Stores an outgoing activity and one delivery per distinct inbox. An activity id that was
/// queued before is not queued again (the same change must not be sent twice). The activity
/// keeps the id of the request under way ([`crate::correlation`]).
pub async fn enqueue(
    conn: &mut DbConn<'_>,
    activity_ap_id: &str,
    actor_ap_id: &str,
    body: &str,
    inboxes: &[(String, String)],
) -> DbResult<usize> {
    let now = now();
    let activity_id: Option<i64> =
        on_conn!(conn, |c| diesel::insert_into(outgoing_activities::table)
            .values((
                outgoing_activities::ap_id.eq(activity_ap_id),
                outgoing_activities::actor_ap_id.eq(actor_ap_id),
                outgoing_activities::body.eq(body),
                outgoing_activities::created_at.eq(now),
                outgoing_activities::request_id.eq(crate::correlation::current()),
            ))
            .on_conflict_do_nothing()
            .returning(outgoing_activities::id)
            .get_result(c)
            .await
            .optional())?;
    let Some(activity_id) = activity_id else {
        return Ok(0);
    };
    // The activity is new, so none of its deliveries exists yet: with the inboxes made distinct
    // here, one multi-row insert on PostgreSQL queues them all, with no conflict clause.
    let mut distinct = std::collections::HashSet::new();
    let targets: Vec<&(String, String)> = inboxes
        .iter()
        .filter(|(inbox, _)| distinct.insert(inbox.as_str()))
        .collect();
    let domains = targets.iter().copied().map(|(_, domain)| domain.as_str());
    let hosts = instance_ids(conn, domains).await?;
    let mut queued = 0;
    for chunk in targets.chunks(INSERT_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(inbox, domain)| {
                (
                    deliveries::activity_id.eq(activity_id),
                    deliveries::inbox_url.eq(inbox.as_str()),
                    deliveries::instance_id.eq(hosts[domain.as_str()]),
                    deliveries::next_attempt_at.eq(now),
                    deliveries::created_at.eq(now),
                )
            })
            .collect();
        queued += match conn {
            // SQLite's multi-row insert is not offered through the async wrapper: a row at a
            // time, in the caller's transaction, as diesel's SQLite connection would run it.
            DbConn::Sqlite(c) => {
                let mut inserted = 0;
                for row in rows {
                    inserted += diesel::insert_into(deliveries::table)
                        .values(row)
                        .execute(&mut **c)
                        .await?;
                }
                inserted
            }
            DbConn::Pg(c) => {
                diesel::insert_into(deliveries::table)
                    .values(&rows)
                    .execute(&mut **c)
                    .await?
            }
        };
    }
    if queued > 0 {
        crate::notify::send(conn, crate::notify::DELIVERIES).await?;
    }
    Ok(queued)
}

/// Rows per multi-row insert: five values each, well under either backend's limit on bound
/// parameters.
const INSERT_CHUNK: usize = 500;

/// The instance id of each domain: the known ones in one read, the others created.
async fn instance_ids<'d>(
    conn: &mut DbConn<'_>,
    domains: impl Iterator<Item = &'d str>,
) -> DbResult<HashMap<&'d str, i64>> {
    let mut wanted: Vec<&str> = domains.collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for chunk in wanted.chunks(INSERT_CHUNK) {
        let known: Vec<(String, i64)> = on_conn!(conn, |c| instances::table
            .filter(instances::domain.eq_any(chunk))
            .select((instances::domain, instances::id))
            .load(c)
            .await)?;
        let known: HashMap<String, i64> = known.into_iter().collect();
        for domain in chunk {
            if let Some(&id) = known.get(*domain) {
                ids.insert(domain, id);
            }
        }
    }
    for domain in wanted {
        if !ids.contains_key(domain) {
            let host = instance::upsert(conn, domain).await?;
            ids.insert(domain, host.id);
        }
    }
    Ok(ids)
}

/// Claims up to `limit` due deliveries for `lease`; returns them. A claim that is not resolved
/// before the lease ends (the worker died) becomes due again.
pub async fn claim_due(
    conn: &mut DbConn<'_>,
    limit: i64,
    lease: TimeDelta,
) -> DbResult<Vec<ClaimedDelivery>> {
    let now = now();
    let due = deliveries::table
        .filter(deliveries::delivered_at.is_null())
        .filter(deliveries::failed_at.is_null())
        .filter(deliveries::next_attempt_at.le(now))
        .filter(
            deliveries::claimed_until
                .is_null()
                .or(deliveries::claimed_until.lt(now)),
        )
        .order((deliveries::next_attempt_at.asc(), deliveries::id.asc()))
        .select(deliveries::id)
        .limit(limit);
    // PostgreSQL: skip rows another process is claiming. SQLite: the caller's transaction
    // holds the write lock, so claims cannot overlap.
    let ids: Vec<i64> = match conn {
        DbConn::Sqlite(c) => due.load(&mut **c).await?,
        DbConn::Pg(c) => due.for_update().skip_locked().load(&mut **c).await?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let until = now + lease;
    on_conn!(conn, |c| {
        diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)))
            .set(deliveries::claimed_until.eq(until))
            .execute(c)
            .await?;
        Ok(deliveries::table
            .inner_join(outgoing_activities::table)
            .filter(deliveries::id.eq_any(&ids))
            .select((
                deliveries::id,
                deliveries::inbox_url,
                deliveries::instance_id,
                deliveries::attempts,
                outgoing_activities::ap_id,
                outgoing_activities::actor_ap_id,
                outgoing_activities::body,
                outgoing_activities::request_id,
            ))
            .load(c)
            .await?)
    })
}

/// What the receiving server answered to one attempt: its HTTP status and the first bytes of its
/// answer (what it says when it refuses is the only hint of why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: i32,
    pub excerpt: String,
}

/// Records a delivery that arrived, and that its host answers.
pub async fn mark_delivered(
    conn: &mut DbConn<'_>,
    id: i64,
    instance_id: i64,
    answer: Option<&Answer>,
) -> DbResult<()> {
    let now = now();
    let (status, excerpt) = answer_columns(answer);
    on_conn!(conn, |c| {
        diesel::update(deliveries::table.find(id))
            .set((
                deliveries::delivered_at.eq(now),
                deliveries::claimed_until.eq(None::<NaiveDateTime>),
                deliveries::last_status.eq(status),
                deliveries::last_response.eq(excerpt),
            ))
            .execute(c)
            .await?;
        // The host answers: one write for its success and its failure count.
        diesel::update(instances::table.find(instance_id))
            .set((
                instances::last_success_at.eq(now),
                instances::failure_count.eq(0),
            ))
            .execute(c)
            .await?;
        Ok::<_, DbError>(())
    })?;
    revive_if_dead(conn, instance_id).await
}

/// Records a delivery the receiver refused for good (a final 4xx): finished without arriving,
/// with its answer, and counted against the receiving instance's refusals (not its health: it
/// answers).
pub async fn mark_refused(
    conn: &mut DbConn<'_>,
    id: i64,
    instance_id: i64,
    answer: &Answer,
) -> DbResult<()> {
    let now = now();
    let error = format!("refused with status {}", answer.status);
    end_attempt(conn, id, &error, Some(answer), now, Some(now)).await?;
    on_conn!(conn, |c| {
        diesel::update(deliveries::table.find(id))
            .set(deliveries::refused_at.eq(now))
            .execute(c)
            .await?;
        diesel::update(instances::table.find(instance_id))
            .set((
                instances::refusal_count.eq(instances::refusal_count + 1),
                instances::last_refusal_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok::<_, DbError>(())
    })?;
    host_answers(conn, instance_id).await
}

/// Ends one attempt at a delivery: counts it, records what came of it and releases the claim.
async fn end_attempt(
    conn: &mut DbConn<'_>,
    id: i64,
    error: &str,
    answer: Option<&Answer>,
    next_attempt_at: NaiveDateTime,
    failed_at: Option<NaiveDateTime>,
) -> DbResult<()> {
    let error: String = error.chars().take(1000).collect();
    let (status, excerpt) = answer_columns(answer);
    on_conn!(conn, |c| {
        diesel::update(deliveries::table.find(id))
            .set((
                deliveries::attempts.eq(deliveries::attempts + 1),
                deliveries::next_attempt_at.eq(next_attempt_at),
                deliveries::failed_at.eq(failed_at),
                deliveries::last_error.eq(&error),
                deliveries::claimed_until.eq(None::<NaiveDateTime>),
                deliveries::last_status.eq(status),
                deliveries::last_response.eq(excerpt),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

fn answer_columns(answer: Option<&Answer>) -> (Option<i32>, Option<&str>) {
    (answer.map(|a| a.status), answer.map(|a| a.excerpt.as_str()))
}

/// The host answered: it is not failing. One that was dead is alive again, and its waiting
/// deliveries are due at once.
async fn host_answers(conn: &mut DbConn<'_>, instance_id: i64) -> DbResult<()> {
    on_conn!(conn, |c| {
        // Written only when it changes: most hosts that answer had no failures.
        diesel::update(
            instances::table
                .find(instance_id)
                .filter(instances::failure_count.ne(0)),
        )
        .set(instances::failure_count.eq(0))
        .execute(c)
        .await?;
        Ok::<_, DbError>(())
    })?;
    revive_if_dead(conn, instance_id).await
}

/// A host marked dead answered: it is alive again, and its waiting deliveries are due at once.
async fn revive_if_dead(conn: &mut DbConn<'_>, instance_id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        let was_dead = diesel::update(
            instances::table
                .find(instance_id)
                .filter(instances::dead_since.is_not_null()),
        )
        .set(instances::dead_since.eq(None::<NaiveDateTime>))
        .execute(c)
        .await?;
        if was_dead > 0 {
            diesel::update(
                deliveries::table
                    .filter(deliveries::instance_id.eq(instance_id))
                    .filter(deliveries::delivered_at.is_null())
                    .filter(deliveries::failed_at.is_null()),
            )
            .set(deliveries::next_attempt_at.eq(now))
            .execute(c)
            .await?;
        }
        Ok(())
    })
}

/// What a failed attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again at this time.
    At(NaiveDateTime),
    /// Give up on this delivery.
    GiveUp,
}

/// Gives a delivery up without counting it against its instance's health (it was never tried).
pub async fn mark_dropped(conn: &mut DbConn<'_>, id: i64, reason: &str) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(deliveries::table.find(id))
            .set((
                deliveries::failed_at.eq(Some(now)),
                deliveries::last_error.eq(reason),
                deliveries::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Records a failed attempt (with the receiver's answer, if it gave one) and counts it against
/// the host; returns the host's consecutive failures so the caller can decide whether the host is
/// dead.
pub async fn mark_failed(
    conn: &mut DbConn<'_>,
    id: i64,
    instance_id: i64,
    error: &str,
    answer: Option<&Answer>,
    retry: Retry,
) -> DbResult<i32> {
    let now = now();
    let (next, failed) = match retry {
        Retry::At(at) => (at, None),
        Retry::GiveUp => (now, Some(now)),
    };
    end_attempt(conn, id, error, answer, next, failed).await?;
    on_conn!(conn, |c| Ok(diesel::update(
        instances::table.find(instance_id)
    )
    .set(instances::failure_count.eq(instances::failure_count + 1))
    .returning(instances::failure_count)
    .get_result(c)
    .await?))
}

/// Marks a host dead (if it is not already) and postpones its waiting deliveries to `probe_at`:
/// until one of them gets through, the host costs one request per probe interval.
pub async fn mark_host_dead(
    conn: &mut DbConn<'_>,
    instance_id: i64,
    probe_at: NaiveDateTime,
) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(
            instances::table
                .find(instance_id)
                .filter(instances::dead_since.is_null()),
        )
        .set(instances::dead_since.eq(now))
        .execute(c)
        .await?;
        diesel::update(
            deliveries::table
                .filter(deliveries::instance_id.eq(instance_id))
                .filter(deliveries::delivered_at.is_null())
                .filter(deliveries::failed_at.is_null())
                .filter(deliveries::next_attempt_at.lt(probe_at)),
        )
        .set(deliveries::next_attempt_at.eq(probe_at))
        .execute(c)
        .await?;
        Ok(())
    })
}

/// Deletes the deliveries to an instance that have neither arrived nor been given up (when it is
/// blocked or leaves the allow-list); returns how many. A worker holding a claim on one of them
/// finds nothing to update. Their activities stay until pruning removes them with the other
/// finished ones.
pub async fn drop_pending(conn: &mut DbConn<'_>, instance_id: i64) -> DbResult<usize> {
    on_conn!(conn, |c| Ok(diesel::delete(
        deliveries::table
            .filter(deliveries::instance_id.eq(instance_id))
            .filter(deliveries::delivered_at.is_null())
            .filter(deliveries::failed_at.is_null()),
    )
    .execute(c)
    .await?))
}

/// Drops the pending deliveries to every instance Plaza no longer federates with (after the
/// allow-list changed); returns how many.
pub async fn drop_pending_refused(conn: &mut DbConn<'_>) -> DbResult<usize> {
    let waiting: Vec<i64> = on_conn!(conn, |c| deliveries::table
        .filter(deliveries::delivered_at.is_null())
        .filter(deliveries::failed_at.is_null())
        .select(deliveries::instance_id)
        .distinct()
        .load(c)
        .await)?;
    let mut dropped = 0;
    for instance_id in instance::refused(conn, &waiting).await?.into_keys() {
        dropped += drop_pending(conn, instance_id).await?;
    }
    Ok(dropped)
}

/// The private key of a local person or group, by actor id (the instance actor's is in the
/// core's `Context`).
pub async fn signing_key(conn: &mut DbConn<'_>, actor_ap_id: &str) -> DbResult<Option<String>> {
    on_conn!(conn, |c| {
        let person: Option<Option<String>> = persons::table
            .filter(persons::ap_id.eq(actor_ap_id))
            .filter(persons::local.eq(true))
            .select(persons::private_key)
            .first(c)
            .await
            .optional()?;
        if let Some(key) = person {
            return Ok(key);
        }
        let group: Option<Option<String>> = groups::table
            .filter(groups::ap_id.eq(actor_ap_id))
            .filter(groups::local.eq(true))
            .select(groups::private_key)
            .first(c)
            .await
            .optional()?;
        Ok(group.flatten())
    })
}

/// The body of an activity sent from here, by its id, while it is kept (see
/// `maintenance::Retention::deliveries`).
pub async fn sent_activity(conn: &mut DbConn<'_>, ap_id: &str) -> DbResult<Option<String>> {
    on_conn!(conn, |c| Ok(outgoing_activities::table
        .filter(outgoing_activities::ap_id.eq(ap_id))
        .select(outgoing_activities::body)
        .first(c)
        .await
        .optional()?))
}

/// A delivery the receiver refused, as administrators read it.
#[derive(Debug, Clone, Queryable)]
pub struct RefusedDelivery {
    pub refused_at: NaiveDateTime,
    pub domain: String,
    pub inbox_url: String,
    pub activity_ap_id: String,
    pub status: Option<i32>,
    pub excerpt: Option<String>,
}

/// The most recent refused deliveries, newest first (finished deliveries are pruned after a
/// while, so this is the recent past).
pub async fn recent_refusals(conn: &mut DbConn<'_>, limit: i64) -> DbResult<Vec<RefusedDelivery>> {
    on_conn!(conn, |c| Ok(deliveries::table
        .inner_join(outgoing_activities::table)
        .inner_join(instances::table)
        .filter(deliveries::refused_at.is_not_null())
        .order((deliveries::refused_at.desc(), deliveries::id.desc()))
        .select((
            deliveries::refused_at.assume_not_null(),
            instances::domain,
            deliveries::inbox_url,
            outgoing_activities::ap_id,
            deliveries::last_status,
            deliveries::last_response,
        ))
        .limit(limit)
        .load(c)
        .await?))
}

/// Counts of the queue, for tests and the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueCounts {
    pub pending: i64,
    pub delivered: i64,
    /// Given up, refused ones included.
    pub failed: i64,
    /// Refused by the receiver.
    pub refused: i64,
}

/// How many deliveries wait, arrived, or were given up.
pub async fn counts(conn: &mut DbConn<'_>) -> DbResult<QueueCounts> {
    on_conn!(conn, |c| {
        let delivered = deliveries::table
            .filter(deliveries::delivered_at.is_not_null())
            .count()
            .get_result(c)
            .await?;
        let failed = deliveries::table
            .filter(deliveries::failed_at.is_not_null())
            .count()
            .get_result(c)
            .await?;
        let pending = deliveries::table
            .filter(deliveries::delivered_at.is_null())
            .filter(deliveries::failed_at.is_null())
            .count()
            .get_result(c)
            .await?;
        let refused = deliveries::table
            .filter(deliveries::refused_at.is_not_null())
            .count()
            .get_result(c)
            .await?;
        Ok(QueueCounts {
            pending,
            delivered,
            failed,
            refused,
        })
    })
}
