//! Alert storage: the rules staff set, the incidents they opened, the evaluator's place in the
//! event stream and the webhook queue. An incident is unique per rule and incident key, so an
//! event evaluated twice opens nothing twice; the cursor moves in the transaction that opens the
//! incidents, so a crash loses nothing either.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::event::EventRow;
use crate::schema::{
    alert_incidents, alert_rules, alert_state, alert_webhooks, comments, events, post_votes, posts,
    reports,
};
use crate::{DbConn, DbResult, now, on_conn};

/// The PostgreSQL advisory lock key of alert evaluation ("plaza-alrt" folded into 64 bits):
/// one process evaluates at a time, the others skip their turn.
const EVALUATE_LOCK: i64 = 0x706c_617a_615f_616c;

diesel::define_sql_function! {
    /// Takes a transaction-scoped advisory lock if it is free; false when another session has it.
    fn pg_try_advisory_xact_lock(key: diesel::sql_types::BigInt) -> diesel::sql_types::Bool;
}

/// A rule.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = alert_rules, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AlertRuleRow {
    pub id: i64,
    pub kind: String,
    pub group_id: Option<i64>,
    pub enabled: bool,
    pub threshold: i32,
    pub words: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A rule's settings, to add or change one.
#[derive(Debug, Clone)]
pub struct RuleFields<'a> {
    pub kind: &'a str,
    pub group_id: Option<i64>,
    pub enabled: bool,
    pub threshold: i32,
    pub words: &'a str,
}

/// Every rule, oldest first.
pub async fn rules(conn: &mut DbConn<'_>) -> DbResult<Vec<AlertRuleRow>> {
    on_conn!(conn, |c| Ok(alert_rules::table
        .order(alert_rules::id.asc())
        .select(AlertRuleRow::as_select())
        .load(c)
        .await?))
}

/// One rule.
pub async fn rule(conn: &mut DbConn<'_>, id: i64) -> DbResult<Option<AlertRuleRow>> {
    on_conn!(conn, |c| Ok(alert_rules::table
        .find(id)
        .select(AlertRuleRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Adds a rule.
pub async fn insert_rule(conn: &mut DbConn<'_>, fields: &RuleFields<'_>) -> DbResult<i64> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(alert_rules::table)
        .values((
            alert_rules::kind.eq(fields.kind),
            alert_rules::group_id.eq(fields.group_id),
            alert_rules::enabled.eq(fields.enabled),
            alert_rules::threshold.eq(fields.threshold),
            alert_rules::words.eq(fields.words),
            alert_rules::created_at.eq(now),
            alert_rules::updated_at.eq(now),
        ))
        .returning(alert_rules::id)
        .get_result(c)
        .await?))
}

/// Changes a rule (its kind stays); false when there is no such rule.
pub async fn update_rule(
    conn: &mut DbConn<'_>,
    id: i64,
    fields: &RuleFields<'_>,
) -> DbResult<bool> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(alert_rules::table.find(id))
        .set((
            alert_rules::group_id.eq(fields.group_id),
            alert_rules::enabled.eq(fields.enabled),
            alert_rules::threshold.eq(fields.threshold),
            alert_rules::words.eq(fields.words),
            alert_rules::updated_at.eq(now),
        ))
        .execute(c)
        .await?
        > 0))
}

/// Deletes a rule with its incidents; false when there is no such rule.
pub async fn delete_rule(conn: &mut DbConn<'_>, id: i64) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::delete(alert_rules::table.find(id))
        .execute(c)
        .await?
        > 0))
}

/// The evaluator's state and the webhook settings.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alert_state, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AlertStateRow {
    pub id: i64,
    pub events_through: i64,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// The one state row (the migration writes it).
pub async fn state(conn: &mut DbConn<'_>) -> DbResult<AlertStateRow> {
    on_conn!(conn, |c| Ok(alert_state::table
        .find(1_i64)
        .select(AlertStateRow::as_select())
        .first(c)
        .await?))
}

/// Takes the evaluation lock for the caller's transaction: false when another process holds
/// it (PostgreSQL). SQLite's write transaction already keeps evaluations apart.
pub async fn lock_evaluation(conn: &mut DbConn<'_>) -> DbResult<bool> {
    match conn {
        DbConn::Sqlite(_) => Ok(true),
        DbConn::Pg(c) => Ok(diesel::select(pg_try_advisory_xact_lock(EVALUATE_LOCK))
            .get_result::<bool>(&mut **c)
            .await?),
    }
}

/// Records the last event evaluated.
pub async fn set_events_through(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(alert_state::table.find(1_i64))
            .set((
                alert_state::events_through.eq(id),
                alert_state::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Sets where the webhook goes, and its secret (`None`: no webhook).
pub async fn set_webhook(
    conn: &mut DbConn<'_>,
    url: Option<&str>,
    secret: Option<&str>,
) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(alert_state::table.find(1_i64))
            .set((
                alert_state::webhook_url.eq(url),
                alert_state::webhook_secret.eq(secret),
                alert_state::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Events after `id`, in order.
pub async fn events_after(conn: &mut DbConn<'_>, id: i64, limit: i64) -> DbResult<Vec<EventRow>> {
    on_conn!(conn, |c| Ok(events::table
        .filter(events::id.gt(id))
        .order(events::id.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(c)
        .await?))
}

/// The reports made in `[from, to]`, in one group or everywhere, newest first (at most
/// `limit` ids), and how many there were.
pub async fn reports_between(
    conn: &mut DbConn<'_>,
    group_id: Option<i64>,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> DbResult<(i64, Vec<i64>)> {
    on_conn!(conn, |c| {
        let mut count = reports::table
            .filter(reports::created_at.between(from, to))
            .count()
            .into_boxed();
        let mut ids = reports::table
            .filter(reports::created_at.between(from, to))
            .order(reports::id.desc())
            .select(reports::id)
            .limit(limit)
            .into_boxed();
        if let Some(g) = group_id {
            count = count.filter(reports::group_id.eq(g));
            ids = ids.filter(reports::group_id.eq(g));
        }
        let count: i64 = count.get_result(c).await?;
        Ok((count, ids.load(c).await?))
    })
}

/// Downvotes cast on a thread in `[from, to]`.
pub async fn thread_downvotes_between(
    conn: &mut DbConn<'_>,
    post_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<i64> {
    on_conn!(conn, |c| Ok(post_votes::table
        .filter(post_votes::post_id.eq(post_id))
        .filter(post_votes::score.lt(0))
        .filter(post_votes::created_at.between(from, to))
        .count()
        .get_result(c)
        .await?))
}

/// Comments written in a thread in `[from, to]`.
pub async fn thread_replies_between(
    conn: &mut DbConn<'_>,
    post_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<i64> {
    on_conn!(conn, |c| Ok(comments::table
        .filter(comments::post_id.eq(post_id))
        .filter(comments::created_at.between(from, to))
        .count()
        .get_result(c)
        .await?))
}

/// A question nobody replied to.
#[derive(Debug, Clone, Queryable)]
pub struct Unanswered {
    pub id: i64,
    pub group_id: i64,
    pub title: String,
    pub created_at: NaiveDateTime,
}

/// Questions asked in `[from, to]`, in one group or everywhere, still without a live reply
/// (and neither removed nor deleted), that `rule_id` has not opened an incident for, oldest first.
pub async fn unanswered_questions(
    conn: &mut DbConn<'_>,
    rule_id: i64,
    group_id: Option<i64>,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<Unanswered>> {
    on_conn!(conn, |c| {
        let mut query = posts::table
            .filter(posts::question.eq(true))
            .filter(crate::post::unanswered())
            .filter(posts::created_at.between(from, to))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                alert_incidents::table
                    .filter(alert_incidents::rule_id.eq(rule_id))
                    .filter(alert_incidents::post_id.eq(posts::id.nullable())),
            )))
            .order(posts::created_at.asc())
            .select((posts::id, posts::group_id, posts::title, posts::created_at))
            .limit(limit)
            .into_boxed();
        if let Some(g) = group_id {
            query = query.filter(posts::group_id.eq(g));
        }
        Ok(query.load(c).await?)
    })
}

/// How many incidents a rule opened about a thread, and whether one of them is still open.
pub async fn thread_incidents(
    conn: &mut DbConn<'_>,
    rule_id: i64,
    post_id: i64,
) -> DbResult<(i64, bool)> {
    on_conn!(conn, |c| {
        let resolved: Vec<Option<NaiveDateTime>> = alert_incidents::table
            .filter(alert_incidents::rule_id.eq(rule_id))
            .filter(alert_incidents::post_id.eq(post_id))
            .select(alert_incidents::resolved_at)
            .load(c)
            .await?;
        let count = i64::try_from(resolved.len()).unwrap_or(i64::MAX);
        Ok((count, resolved.iter().any(Option::is_none)))
    })
}

/// An incident.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alert_incidents, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AlertIncidentRow {
    pub id: i64,
    pub rule_id: i64,
    pub incident_key: String,
    pub group_id: Option<i64>,
    pub post_id: Option<i64>,
    pub summary: String,
    pub evidence: String,
    pub opened_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<i64>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<i64>,
}

/// An incident to open.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    pub rule_id: i64,
    pub incident_key: &'a str,
    pub group_id: Option<i64>,
    pub post_id: Option<i64>,
    pub summary: &'a str,
    pub evidence: &'a str,
    pub opened_at: NaiveDateTime,
}

/// Opens an incident unless its rule already has one with the same key; the new id, or `None`.
pub async fn open_incident(conn: &mut DbConn<'_>, new: &NewIncident<'_>) -> DbResult<Option<i64>> {
    on_conn!(conn, |c| Ok(diesel::insert_into(alert_incidents::table)
        .values((
            alert_incidents::rule_id.eq(new.rule_id),
            alert_incidents::incident_key.eq(new.incident_key),
            alert_incidents::group_id.eq(new.group_id),
            alert_incidents::post_id.eq(new.post_id),
            alert_incidents::summary.eq(new.summary),
            alert_incidents::evidence.eq(new.evidence),
            alert_incidents::opened_at.eq(new.opened_at),
        ))
        .on_conflict((alert_incidents::rule_id, alert_incidents::incident_key))
        .do_nothing()
        .returning(alert_incidents::id)
        .get_result(c)
        .await
        .optional()?))
}

/// Incidents, newest first: only the unresolved ones when `open_only`.
pub async fn incidents(
    conn: &mut DbConn<'_>,
    open_only: bool,
    limit: i64,
) -> DbResult<Vec<(AlertIncidentRow, AlertRuleRow)>> {
    on_conn!(conn, |c| {
        let mut query = alert_incidents::table
            .inner_join(alert_rules::table)
            .order((
                alert_incidents::opened_at.desc(),
                alert_incidents::id.desc(),
            ))
            .select((AlertIncidentRow::as_select(), AlertRuleRow::as_select()))
            .limit(limit)
            .into_boxed();
        if open_only {
            query = query.filter(alert_incidents::resolved_at.is_null());
        }
        Ok(query.load(c).await?)
    })
}

/// One incident with its rule.
pub async fn incident(
    conn: &mut DbConn<'_>,
    id: i64,
) -> DbResult<Option<(AlertIncidentRow, AlertRuleRow)>> {
    on_conn!(conn, |c| Ok(alert_incidents::table
        .inner_join(alert_rules::table)
        .filter(alert_incidents::id.eq(id))
        .select((AlertIncidentRow::as_select(), AlertRuleRow::as_select()))
        .first(c)
        .await
        .optional()?))
}

/// Marks an incident seen by `by`, unless it already was.
pub async fn acknowledge(conn: &mut DbConn<'_>, id: i64, by: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(
            alert_incidents::table
                .find(id)
                .filter(alert_incidents::acknowledged_at.is_null()),
        )
        .set((
            alert_incidents::acknowledged_at.eq(now),
            alert_incidents::acknowledged_by.eq(by),
        ))
        .execute(c)
        .await?;
        Ok(())
    })
}

/// Closes an incident (acknowledging it too, if nobody had), unless it already was.
pub async fn resolve(conn: &mut DbConn<'_>, id: i64, by: i64) -> DbResult<()> {
    acknowledge(conn, id, by).await?;
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(
            alert_incidents::table
                .find(id)
                .filter(alert_incidents::resolved_at.is_null()),
        )
        .set((
            alert_incidents::resolved_at.eq(now),
            alert_incidents::resolved_by.eq(by),
        ))
        .execute(c)
        .await?;
        Ok(())
    })
}

/// Queues the webhook call of an incident, due at once (a second call for the same incident and
/// URL is ignored).
pub async fn enqueue_webhook(
    conn: &mut DbConn<'_>,
    incident_id: i64,
    url: &str,
    body: &str,
) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::insert_into(alert_webhooks::table)
            .values((
                alert_webhooks::incident_id.eq(incident_id),
                alert_webhooks::url.eq(url),
                alert_webhooks::body.eq(body),
                alert_webhooks::created_at.eq(now),
                alert_webhooks::next_attempt_at.eq(now),
            ))
            .on_conflict((alert_webhooks::incident_id, alert_webhooks::url))
            .do_nothing()
            .execute(c)
            .await?;
        Ok(())
    })
}

/// A queued webhook call.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alert_webhooks, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct WebhookRow {
    pub id: i64,
    pub incident_id: i64,
    pub url: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub sent_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// The webhook calls of an incident.
pub async fn webhooks_of(conn: &mut DbConn<'_>, incident_id: i64) -> DbResult<Vec<WebhookRow>> {
    on_conn!(conn, |c| Ok(alert_webhooks::table
        .filter(alert_webhooks::incident_id.eq(incident_id))
        .order(alert_webhooks::id.asc())
        .select(WebhookRow::as_select())
        .load(c)
        .await?))
}

/// Claims up to `limit` due webhook calls for `lease`; a claim left unresolved when the lease
/// ends (the worker died) is due again.
pub async fn claim_webhooks(
    conn: &mut DbConn<'_>,
    limit: i64,
    lease: TimeDelta,
) -> DbResult<Vec<WebhookRow>> {
    let now = now();
    let due = alert_webhooks::table
        .filter(alert_webhooks::sent_at.is_null())
        .filter(alert_webhooks::failed_at.is_null())
        .filter(alert_webhooks::next_attempt_at.le(now))
        .filter(
            alert_webhooks::claimed_until
                .is_null()
                .or(alert_webhooks::claimed_until.lt(now)),
        )
        .order((
            alert_webhooks::next_attempt_at.asc(),
            alert_webhooks::id.asc(),
        ))
        .select(alert_webhooks::id)
        .limit(limit);
    // As mail: PostgreSQL skips rows another process is claiming; SQLite's write lock keeps
    // claims apart.
    let ids: Vec<i64> = match conn {
        DbConn::Sqlite(c) => due.load(&mut **c).await?,
        DbConn::Pg(c) => due.for_update().skip_locked().load(&mut **c).await?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let until = now + lease;
    on_conn!(conn, |c| {
        diesel::update(alert_webhooks::table.filter(alert_webhooks::id.eq_any(&ids)))
            .set(alert_webhooks::claimed_until.eq(until))
            .execute(c)
            .await?;
        Ok(alert_webhooks::table
            .filter(alert_webhooks::id.eq_any(&ids))
            .order(alert_webhooks::id.asc())
            .select(WebhookRow::as_select())
            .load(c)
            .await?)
    })
}

/// Records a call the receiver accepted.
pub async fn webhook_sent(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(alert_webhooks::table.find(id))
            .set((
                alert_webhooks::sent_at.eq(now),
                alert_webhooks::attempts.eq(alert_webhooks::attempts + 1),
                alert_webhooks::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Ends a failed call: tried again at `retry_at`, or given up when `None`.
pub async fn webhook_failed(
    conn: &mut DbConn<'_>,
    id: i64,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> DbResult<()> {
    let now = now();
    let error: String = error.chars().take(1000).collect();
    on_conn!(conn, |c| {
        diesel::update(alert_webhooks::table.find(id))
            .set((
                alert_webhooks::attempts.eq(alert_webhooks::attempts + 1),
                alert_webhooks::next_attempt_at.eq(retry_at.unwrap_or(now)),
                alert_webhooks::failed_at.eq(retry_at.is_none().then_some(now)),
                alert_webhooks::last_error.eq(&error),
                alert_webhooks::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}
