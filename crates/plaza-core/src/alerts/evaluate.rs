//! The evaluator: reads the event stream from its cursor, checks each event against the rules of
//! its kind (one or two indexed counts per event and rule), opens the incidents that fired, with
//! their notifications, mail and webhook calls, and moves the cursor, all in one transaction. A
//! crash before the commit leaves everything to the next round; the incident key makes a second
//! evaluation of the same event open nothing. One process evaluates at a time (an advisory lock
//! on PostgreSQL, the write lock on SQLite). A sweep finds the questions left unanswered, which
//! no event announces.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DurationRound, NaiveDateTime, TimeDelta};
use plaza_db::alert::{self, AlertRuleRow, NewIncident};
use plaza_db::event::{EventKind, EventRow};
use plaza_db::{DbConn, DbError, group, local_user, now, post, transaction};
use serde_json::json;

use super::webhook::{IncidentJson, LinkJson, RuleJson, WebhookBody, time};
use super::{RuleKind, words};
use crate::{Context, CoreError, CoreResult};

/// How the evaluator runs.
#[derive(Debug, Clone)]
pub struct EvaluatorSettings {
    /// Events read per round.
    pub batch: i64,
    /// The fallback poll when nothing wakes the evaluator.
    pub idle_poll: Duration,
    /// How often unanswered questions are looked for.
    pub sweep_every: Duration,
    /// How long a hole in the event ids is waited for. On PostgreSQL ids are handed out before
    /// commit, so an event may become visible after a later one; one still missing after this
    /// long was rolled back.
    pub gap_wait: Duration,
}

impl Default for EvaluatorSettings {
    fn default() -> Self {
        Self {
            batch: 500,
            idle_poll: Duration::from_secs(30),
            sweep_every: Duration::from_secs(60),
            gap_wait: Duration::from_secs(30),
        }
    }
}

/// What one round did; `None` parts mean another process held the lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Events evaluated.
    pub events: usize,
    /// Incidents opened.
    pub opened: usize,
}

/// Evaluates alert rules.
pub struct Evaluator {
    ctx: Arc<Context>,
    settings: EvaluatorSettings,
}

/// A rule that fired, before its incident is opened.
struct Fired<'a> {
    rule: &'a AlertRuleRow,
    kind: RuleKind,
    key: String,
    group_id: Option<i64>,
    post_id: Option<i64>,
    summary: String,
    evidence: serde_json::Value,
}

impl Evaluator {
    /// An evaluator for the instance.
    pub fn new(ctx: Arc<Context>, settings: EvaluatorSettings) -> Self {
        Self { ctx, settings }
    }

    /// Evaluates until `shutdown` resolves: at each wake-up (events committed) or idle poll,
    /// and sweeps for unanswered questions every `sweep_every`.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut last_sweep: Option<tokio::time::Instant> = None;
        loop {
            if last_sweep.is_none_or(|at| at.elapsed() >= self.settings.sweep_every) {
                last_sweep = Some(tokio::time::Instant::now());
                if let Err(e) = self.sweep(now()).await {
                    tracing::warn!(error = %e, task = "alerts", "sweeping for unanswered questions failed");
                }
            }
            let busy = match self.events(now()).await {
                Ok(round) => round.events as i64 >= self.settings.batch,
                Err(e) => {
                    tracing::error!(error = %e, task = "alerts", "background round failed");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.ctx.wakeup.alerts().notified() => {}
                () = tokio::time::sleep(self.settings.idle_poll) => {}
            }
        }
        tracing::info!(task = "alerts", "stopped");
    }

    /// Evaluates the events after the cursor and sweeps, as of `at`.
    pub async fn run_once(&self, at: NaiveDateTime) -> CoreResult<Round> {
        let events = self.events(at).await?;
        let swept = self.sweep(at).await?;
        Ok(Round {
            events: events.events,
            opened: events.opened + swept.opened,
        })
    }

    /// Evaluates one batch of events after the cursor.
    pub async fn events(&self, at: NaiveDateTime) -> CoreResult<Round> {
        let ctx = &*self.ctx;
        let gap_wait = TimeDelta::from_std(self.settings.gap_wait)
            .map_err(|e| CoreError::Config(format!("alert gap wait: {e}")))?;
        let round = transaction!(&ctx.db, CoreError, |conn| {
            if !alert::lock_evaluation(conn).await? {
                return Ok(Round::default());
            }
            let state = alert::state(conn).await?;
            let batch =
                alert::events_after(conn, state.events_through, self.settings.batch).await?;
            let rules: Vec<AlertRuleRow> = alert::rules(conn)
                .await?
                .into_iter()
                .filter(|r| r.enabled)
                .collect();
            let mut through = state.events_through;
            let mut round = Round::default();
            for event in &batch {
                let hole = event.id != through + 1;
                if hole && matches!(conn, DbConn::Pg(_)) && at - event.created_at < gap_wait {
                    break;
                }
                for fired in fire(conn, &rules, event).await? {
                    round.opened += usize::from(open(conn, ctx, &state, fired, at).await?);
                }
                through = event.id;
                round.events += 1;
            }
            if through != state.events_through {
                alert::set_events_through(conn, through).await?;
            }
            Ok(round)
        })?;
        self.opened(round);
        Ok(round)
    }

    /// Opens incidents for the questions left without a reply too long, as of `at`.
    pub async fn sweep(&self, at: NaiveDateTime) -> CoreResult<Round> {
        let ctx = &*self.ctx;
        let round = transaction!(&ctx.db, CoreError, |conn| {
            if !alert::lock_evaluation(conn).await? {
                return Ok(Round::default());
            }
            let state = alert::state(conn).await?;
            let rules: Vec<AlertRuleRow> = alert::rules(conn)
                .await?
                .into_iter()
                .filter(|r| r.enabled && r.kind == RuleKind::Unanswered.as_str())
                .collect();
            let mut round = Round::default();
            for rule in &rules {
                let hours = TimeDelta::hours(i64::from(rule.threshold));
                // Questions already overdue when the rule was made are history, not news.
                let from = rule.created_at - hours;
                let asked = alert::unanswered_questions(
                    conn,
                    rule.id,
                    rule.group_id,
                    from,
                    at - hours,
                    100,
                )
                .await?;
                for q in asked {
                    let fired = Fired {
                        rule,
                        kind: RuleKind::Unanswered,
                        key: format!("thread:{}", q.id),
                        group_id: Some(q.group_id),
                        post_id: Some(q.id),
                        summary: format!(
                            "The question “{}” has had no reply for {} hours",
                            one_line(&q.title),
                            rule.threshold
                        ),
                        evidence: json!({
                            "asked_at": time(q.created_at),
                            "hours": rule.threshold,
                        }),
                    };
                    round.opened += usize::from(open(conn, ctx, &state, fired, at).await?);
                }
            }
            Ok(round)
        })?;
        self.opened(round);
        Ok(round)
    }

    fn opened(&self, round: Round) {
        if round.opened > 0 {
            tracing::info!(
                opened = round.opened,
                task = "alerts",
                "alert incidents opened"
            );
            self.ctx.wakeup.mails_queued();
            self.ctx.wakeup.webhooks_queued();
        }
    }
}

/// Whether a rule watches what happened in `group_id`.
fn in_scope(rule: &AlertRuleRow, group_id: Option<i64>) -> bool {
    rule.group_id.is_none() || rule.group_id == group_id
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 120 {
        format!("{}…", line.chars().take(119).collect::<String>())
    } else {
        line
    }
}

/// The rules `event` makes fire.
async fn fire<'a>(
    conn: &mut DbConn<'_>,
    rules: &'a [AlertRuleRow],
    event: &EventRow,
) -> CoreResult<Vec<Fired<'a>>> {
    let watched = match event.kind.as_str() {
        k if k == EventKind::Reported.as_str() => RuleKind::Reports,
        k if k == EventKind::VoteCast.as_str() => RuleKind::Downvotes,
        k if k == EventKind::CommentCreated.as_str() => RuleKind::Replies,
        k if k == EventKind::PostCreated.as_str() => RuleKind::WatchWords,
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for rule in rules
        .iter()
        .filter(|r| r.kind == watched.as_str() && in_scope(r, event.group_id))
    {
        let fired = match watched {
            RuleKind::Reports => reports(conn, rule, event).await?,
            RuleKind::Downvotes => downvotes(conn, rule, event).await?,
            RuleKind::Replies => replies(conn, rule, event).await?,
            RuleKind::WatchWords => watch_words(conn, rule, event).await?,
            RuleKind::Unanswered => None,
        };
        out.extend(fired);
    }
    Ok(out)
}

/// Rows are stamped a moment apart from their event in the same transaction: counts reach a
/// little past the event so its own row is in them.
const SLACK: TimeDelta = TimeDelta::minutes(1);

async fn reports<'a>(
    conn: &mut DbConn<'_>,
    rule: &'a AlertRuleRow,
    event: &EventRow,
) -> CoreResult<Option<Fired<'a>>> {
    let hour = event
        .created_at
        .duration_trunc(TimeDelta::hours(1))
        .map_err(|e| CoreError::Internal(format!("hour of an event: {e}")))?;
    let end = hour + TimeDelta::hours(1) - TimeDelta::microseconds(1);
    let (count, ids) = alert::reports_between(conn, rule.group_id, hour, end, 50).await?;
    if count < i64::from(rule.threshold) {
        return Ok(None);
    }
    let place = if rule.group_id.is_some() {
        "in this group"
    } else {
        "across the instance"
    };
    Ok(Some(Fired {
        rule,
        kind: RuleKind::Reports,
        key: format!("hour:{}", hour.format("%Y-%m-%dT%H")),
        group_id: rule.group_id.or(event.group_id),
        post_id: None,
        summary: format!(
            "{count} reports {place} since {} UTC",
            hour.format("%Y-%m-%d %H:00")
        ),
        evidence: json!({
            "reports": count,
            "window_start": time(hour),
            "window_end": time(hour + TimeDelta::hours(1)),
            "report_ids": ids,
        }),
    }))
}

/// A thread's incident key: while one of the rule's incidents about the thread is open, none
/// more; after staff resolved it, the next crossing opens the next one.
async fn thread_key(
    conn: &mut DbConn<'_>,
    rule: &AlertRuleRow,
    post_id: i64,
) -> CoreResult<Option<String>> {
    let (count, open) = alert::thread_incidents(conn, rule.id, post_id).await?;
    Ok((!open).then(|| format!("thread:{post_id}:{count}")))
}

async fn thread_title(conn: &mut DbConn<'_>, post_id: i64) -> CoreResult<Option<String>> {
    match post::find(conn, post_id).await {
        Ok(p) => Ok(Some(one_line(&p.title))),
        Err(DbError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn downvotes<'a>(
    conn: &mut DbConn<'_>,
    rule: &'a AlertRuleRow,
    event: &EventRow,
) -> CoreResult<Option<Fired<'a>>> {
    let score = serde_json::from_str::<serde_json::Value>(&event.payload)
        .ok()
        .and_then(|p| p.get("score").and_then(serde_json::Value::as_i64))
        .unwrap_or(0);
    let (Some(post_id), None, true) = (event.post_id, event.comment_id, score < 0) else {
        return Ok(None);
    };
    let from = event.created_at - TimeDelta::hours(1);
    let count =
        alert::thread_downvotes_between(conn, post_id, from, event.created_at + SLACK).await?;
    thread_rate(
        conn,
        rule,
        RuleKind::Downvotes,
        event,
        post_id,
        count,
        "downvotes",
    )
    .await
}

async fn replies<'a>(
    conn: &mut DbConn<'_>,
    rule: &'a AlertRuleRow,
    event: &EventRow,
) -> CoreResult<Option<Fired<'a>>> {
    let Some(post_id) = event.post_id else {
        return Ok(None);
    };
    let from = event.created_at - TimeDelta::hours(1);
    let count =
        alert::thread_replies_between(conn, post_id, from, event.created_at + SLACK).await?;
    thread_rate(
        conn,
        rule,
        RuleKind::Replies,
        event,
        post_id,
        count,
        "replies",
    )
    .await
}

/// The incident of a rate rule (`what` per hour on one thread, counted from an hour before
/// `event`), when `count` reached the rule's threshold and no incident of it is open.
async fn thread_rate<'a>(
    conn: &mut DbConn<'_>,
    rule: &'a AlertRuleRow,
    kind: RuleKind,
    event: &EventRow,
    post_id: i64,
    count: i64,
    what: &str,
) -> CoreResult<Option<Fired<'a>>> {
    if count < i64::from(rule.threshold) {
        return Ok(None);
    }
    let Some(key) = thread_key(conn, rule, post_id).await? else {
        return Ok(None);
    };
    let Some(title) = thread_title(conn, post_id).await? else {
        return Ok(None);
    };
    let from = event.created_at - TimeDelta::hours(1);
    Ok(Some(Fired {
        rule,
        kind,
        key,
        group_id: event.group_id,
        post_id: Some(post_id),
        summary: format!("“{title}” got {count} {what} within an hour"),
        evidence: json!({ what: count, "since": time(from) }),
    }))
}

async fn watch_words<'a>(
    conn: &mut DbConn<'_>,
    rule: &'a AlertRuleRow,
    event: &EventRow,
) -> CoreResult<Option<Fired<'a>>> {
    let Some(post_id) = event.post_id else {
        return Ok(None);
    };
    let thread = match post::find(conn, post_id).await {
        Ok(p) if !p.removed && !p.deleted => p,
        Ok(_) | Err(DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let body = thread
        .body_source
        .clone()
        .unwrap_or_else(|| crate::search::html_to_text(&thread.body_html));
    let found = words::found(
        &words::parse(&rule.words),
        &format!("{}\n{body}", thread.title),
    );
    if found.is_empty() {
        return Ok(None);
    }
    Ok(Some(Fired {
        rule,
        kind: RuleKind::WatchWords,
        key: format!("thread:{post_id}"),
        group_id: Some(thread.group_id),
        post_id: Some(post_id),
        summary: format!(
            "The new thread “{}” names {}",
            one_line(&thread.title),
            found.join(", ")
        ),
        evidence: json!({ "words": found }),
    }))
}

/// Opens the incident of `fired` unless it is open already; on opening, tells the staff (and
/// the group's moderators for a group's rule) and queues the webhook call. Returns whether it
/// opened.
async fn open(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    state: &alert::AlertStateRow,
    fired: Fired<'_>,
    at: NaiveDateTime,
) -> CoreResult<bool> {
    let evidence = fired.evidence.to_string();
    let Some(id) = alert::open_incident(
        conn,
        &NewIncident {
            rule_id: fired.rule.id,
            incident_key: &fired.key,
            group_id: fired.group_id,
            post_id: fired.post_id,
            summary: &fired.summary,
            evidence: &evidence,
            opened_at: at,
        },
    )
    .await?
    else {
        return Ok(false);
    };
    tracing::info!(incident = id, rule = fired.rule.id, kind = fired.kind.as_str(),
        key = %fired.key, "alert incident opened");
    let group = match fired.group_id {
        Some(g) => Some(group::find(conn, g).await?),
        None => None,
    };
    if let Some(group) = &group {
        let mut recipients = local_user::staff_person_ids(conn).await?;
        if fired.rule.group_id.is_some() {
            recipients.extend(group::moderator_ids(conn, group.id).await?);
        }
        crate::notifications::alerted(
            conn,
            &recipients,
            id,
            group.id,
            fired.post_id,
            &fired.summary,
        )
        .await?;
    }
    if let (Some(url), Some(_)) = (&state.webhook_url, &state.webhook_secret) {
        let thread = match fired.post_id {
            Some(p) => thread_title(conn, p).await?.map(|name| LinkJson {
                id: p,
                name,
                url: ctx.urls.post(p),
            }),
            None => None,
        };
        let mut evidence = fired.evidence.clone();
        if let (Some(g), serde_json::Value::Object(map)) = (&group, &mut evidence)
            && fired.kind == RuleKind::Reports
            && g.local
        {
            let queue = format!("{}/reports", ctx.urls.group(&g.name));
            map.insert("reports_url".into(), queue.into());
        }
        let body = WebhookBody {
            kind: "plaza.alert".into(),
            instance: ctx.urls.domain().to_owned(),
            incident: IncidentJson {
                id,
                key: fired.key.clone(),
                summary: fired.summary.clone(),
                opened_at: time(at),
                url: format!(
                    "{}/admin/alerts#incident-{id}",
                    ctx.urls.base().as_str().trim_end_matches('/')
                ),
            },
            rule: RuleJson {
                id: fired.rule.id,
                kind: fired.kind.as_str().into(),
                threshold: fired.rule.threshold,
                description: fired.kind.describe(fired.rule.threshold),
            },
            group: group.as_ref().map(|g| LinkJson {
                id: g.id,
                name: g.name.clone(),
                url: if g.local {
                    ctx.urls.group(&g.name)
                } else {
                    g.ap_id.clone()
                },
            }),
            thread,
            evidence,
        };
        let body = serde_json::to_string(&body)
            .map_err(|e| CoreError::Internal(format!("webhook body: {e}")))?;
        alert::enqueue_webhook(conn, id, url, &body).await?;
    }
    Ok(true)
}
