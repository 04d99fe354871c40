//! Instance-wide counts, for NodeInfo.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{comments, deliveries, events, instances, local_users, posts};
use crate::{DbConn, DbResult, on_conn};

/// What NodeInfo reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Local accounts.
    pub users: i64,
    /// Local accounts that posted or commented in the last 30 days.
    pub active_month: i64,
    /// Local accounts that posted or commented in the last 180 days.
    pub active_halfyear: i64,
    /// Threads started here and not deleted.
    pub local_posts: i64,
    /// Comments written here and not deleted.
    pub local_comments: i64,
}

async fn active_since(conn: &mut DbConn<'_>, since: NaiveDateTime) -> DbResult<i64> {
    let (post_authors, comment_authors): (Vec<i64>, Vec<i64>) = on_conn!(conn, |c| {
        let p = posts::table
            .filter(posts::local.eq(true))
            .filter(posts::created_at.gt(since))
            .select(posts::author_id)
            .distinct()
            .load(c)
            .await?;
        let m = comments::table
            .filter(comments::local.eq(true))
            .filter(comments::created_at.gt(since))
            .select(comments::author_id)
            .distinct()
            .load(c)
            .await?;
        Ok::<_, crate::DbError>((p, m))
    })?;
    let active: HashSet<i64> = post_authors.into_iter().chain(comment_authors).collect();
    Ok(i64::try_from(active.len()).unwrap_or(i64::MAX))
}

/// Counts for NodeInfo.
pub async fn usage(conn: &mut DbConn<'_>, now: NaiveDateTime) -> DbResult<Usage> {
    let (users, local_posts, local_comments): (i64, i64, i64) = on_conn!(conn, |c| {
        let users = local_users::table.count().get_result(c).await?;
        let local_posts = posts::table
            .filter(posts::local.eq(true))
            .filter(posts::deleted.eq(false))
            .count()
            .get_result(c)
            .await?;
        let local_comments = comments::table
            .filter(comments::local.eq(true))
            .filter(comments::deleted.eq(false))
            .count()
            .get_result(c)
            .await?;
        Ok::<_, crate::DbError>((users, local_posts, local_comments))
    })?;
    Ok(Usage {
        users,
        active_month: active_since(conn, now - chrono::TimeDelta::days(30)).await?,
        active_halfyear: active_since(conn, now - chrono::TimeDelta::days(180)).await?,
        local_posts,
        local_comments,
    })
}

/// The state of the background queues, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueGauges {
    /// Deliveries neither delivered nor given up.
    pub pending: i64,
    /// How long the oldest due delivery has been due, if one is.
    pub oldest_due_age: Option<std::time::Duration>,
    /// Instances marked dead.
    pub dead_hosts: i64,
    /// Events of the published kinds the publisher has not processed.
    pub events_waiting: i64,
}

/// Reads the queues' state; `published` are the event kinds the publisher handles (others
/// are never processed, and waiting for nothing).
pub async fn queue_gauges(
    conn: &mut DbConn<'_>,
    now: NaiveDateTime,
    published: &[&str],
) -> DbResult<QueueGauges> {
    on_conn!(conn, |c| {
        let pending = deliveries::table
            .filter(deliveries::delivered_at.is_null())
            .filter(deliveries::failed_at.is_null())
            .count()
            .get_result(c)
            .await?;
        let oldest_due: Option<NaiveDateTime> = deliveries::table
            .filter(deliveries::delivered_at.is_null())
            .filter(deliveries::failed_at.is_null())
            .filter(deliveries::next_attempt_at.le(now))
            .select(diesel::dsl::min(deliveries::next_attempt_at))
            .first(c)
            .await?;
        let dead_hosts = instances::table
            .filter(instances::dead_since.is_not_null())
            .count()
            .get_result(c)
            .await?;
        let events_waiting = events::table
            .filter(events::processed_at.is_null())
            .filter(events::kind.eq_any(published))
            .count()
            .get_result(c)
            .await?;
        Ok(QueueGauges {
            pending,
            oldest_due_age: oldest_due.map(|due| (now - due).to_std().unwrap_or_default()),
            dead_hosts,
            events_waiting,
        })
    })
}
