//! Early-warning alerts ("fire management"): rules staff set per group or for the whole
//! instance, evaluated in the background from the event stream (and, for questions left alone,
//! by a periodic sweep). A rule that fires opens an incident once; its staff hear of it by
//! notification (and mail, with their report mail), and a webhook gets a signed JSON call.
//!
//! Re-arming: a reports rule opens at most one incident per clock hour; a downvotes or replies
//! rule at most one per thread until staff resolve it, after which the next crossing opens a
//! new one; unanswered-question and watch-word rules at most one per thread, ever.

pub mod evaluate;
pub mod signature;
pub mod webhook;
pub mod words;

use plaza_db::alert::{self, AlertIncidentRow, AlertRuleRow, AlertStateRow, RuleFields};
use plaza_db::{group, transaction};

use crate::{Account, Context, CoreError, CoreResult};

/// Incidents listed at most.
pub const INCIDENTS_MAX: i64 = 200;
/// The largest threshold a rule takes.
pub const THRESHOLD_MAX: i32 = 100_000;

/// What a rule watches. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// Reports in one clock hour reach the threshold.
    Reports,
    /// A thread gets the threshold's number of downvotes within an hour.
    Downvotes,
    /// A thread gets the threshold's number of comments within an hour.
    Replies,
    /// A question has no reply after the threshold's number of hours.
    Unanswered,
    /// A new thread names one of the watch words.
    WatchWords,
}

impl RuleKind {
    /// Every kind.
    pub const ALL: [RuleKind; 5] = [
        RuleKind::Reports,
        RuleKind::Downvotes,
        RuleKind::Replies,
        RuleKind::Unanswered,
        RuleKind::WatchWords,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Reports => "reports",
            RuleKind::Downvotes => "downvotes",
            RuleKind::Replies => "replies",
            RuleKind::Unanswered => "unanswered",
            RuleKind::WatchWords => "watch_words",
        }
    }

    /// The kind of a stored or typed name.
    pub fn parse(name: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What it watches, for people, with `n` the threshold.
    pub fn describe(self, n: i32) -> String {
        match self {
            RuleKind::Reports => format!("{n} or more reports within a clock hour"),
            RuleKind::Downvotes => format!("a thread gets {n} or more downvotes within an hour"),
            RuleKind::Replies => format!("a thread gets {n} or more replies within an hour"),
            RuleKind::Unanswered => format!("a question has no reply after {n} hours"),
            RuleKind::WatchWords => "a new thread names a watch word".to_owned(),
        }
    }
}

/// Who may see and handle alerts: staff and administrators.
pub fn may_see(account: &Account) -> bool {
    account.staff || account.admin
}

fn require_staff(account: &Account) -> CoreResult<()> {
    if may_see(account) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only staff and administrators handle alerts".into(),
        ))
    }
}

/// A rule with the name of its group.
#[derive(Debug, Clone)]
pub struct RuleView {
    /// The stored rule.
    pub row: AlertRuleRow,
    /// Its kind (`None` for a name this version does not know).
    pub kind: Option<RuleKind>,
    /// The group it watches; `None` for every group.
    pub group: Option<String>,
}

impl RuleView {
    /// What it watches, for people.
    pub fn description(&self) -> String {
        self.kind
            .map_or_else(|| self.row.kind.clone(), |k| k.describe(self.row.threshold))
    }
}

/// An incident with its rule and group.
#[derive(Debug, Clone)]
pub struct IncidentView {
    /// The stored incident.
    pub row: AlertIncidentRow,
    /// The rule that opened it.
    pub rule: RuleView,
    /// The group it happened in, if any.
    pub group: Option<String>,
    /// The evidence, as stored.
    pub evidence: serde_json::Value,
}

async fn group_name(
    conn: &mut plaza_db::DbConn<'_>,
    id: Option<i64>,
) -> CoreResult<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    match group::find(conn, id).await {
        Ok(g) => Ok(Some(g.name)),
        Err(plaza_db::DbError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn rule_view(conn: &mut plaza_db::DbConn<'_>, row: AlertRuleRow) -> CoreResult<RuleView> {
    let group = group_name(conn, row.group_id).await?;
    Ok(RuleView {
        kind: RuleKind::parse(&row.kind),
        group,
        row,
    })
}

/// Every rule.
pub async fn rules(ctx: &Context, account: &Account) -> CoreResult<Vec<RuleView>> {
    require_staff(account)?;
    let mut pooled = ctx.db.get().await?;
    let mut conn = pooled.conn();
    let mut out = Vec::new();
    for row in alert::rules(&mut conn).await? {
        out.push(rule_view(&mut conn, row).await?);
    }
    Ok(out)
}

/// A rule as staff type it.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    /// `reports`, `downvotes`, `replies`, `unanswered` or `watch_words` (new rules only).
    pub kind: Option<String>,
    /// A local group's name; empty or `None` for every group.
    pub group: Option<String>,
    /// On or off.
    pub enabled: Option<bool>,
    /// The count per hour, or the hours.
    pub threshold: Option<i32>,
    /// Watch words, one per line or separated by commas.
    pub words: Option<String>,
}

async fn checked_fields(
    conn: &mut plaza_db::DbConn<'_>,
    kind: RuleKind,
    input: &RuleInput,
    base: Option<&AlertRuleRow>,
) -> CoreResult<(Option<i64>, bool, i32, String)> {
    let group_id = match &input.group {
        None => base.and_then(|b| b.group_id),
        Some(name) if name.trim().is_empty() => None,
        Some(name) => Some(
            group::find_local(conn, name.trim())
                .await?
                .ok_or_else(|| {
                    CoreError::invalid("group", format!("no group here named '{}'", name.trim()))
                })?
                .id,
        ),
    };
    let enabled = input.enabled.or(base.map(|b| b.enabled)).unwrap_or(true);
    let threshold = input
        .threshold
        .or(base.map(|b| b.threshold))
        .unwrap_or(match kind {
            RuleKind::Reports => 3,
            RuleKind::Downvotes => 10,
            RuleKind::Replies => 50,
            RuleKind::Unanswered => 24,
            RuleKind::WatchWords => 1,
        });
    if !(1..=THRESHOLD_MAX).contains(&threshold) {
        return Err(CoreError::invalid(
            "threshold",
            format!("must be between 1 and {THRESHOLD_MAX}"),
        ));
    }
    let words = match &input.words {
        Some(w) => words::normalize(w).map_err(|e| CoreError::invalid("words", e))?,
        None => base.map(|b| b.words.clone()).unwrap_or_default(),
    };
    if kind == RuleKind::WatchWords && enabled && words.is_empty() {
        return Err(CoreError::invalid(
            "words",
            "a watch-word rule that is on needs at least one word",
        ));
    }
    Ok((group_id, enabled, threshold, words))
}

/// Adds a rule.
pub async fn add_rule(ctx: &Context, account: &Account, input: &RuleInput) -> CoreResult<RuleView> {
    require_staff(account)?;
    let kind = input
        .kind
        .as_deref()
        .and_then(RuleKind::parse)
        .ok_or_else(|| {
            CoreError::invalid(
                "kind",
                "must be reports, downvotes, replies, unanswered or watch_words",
            )
        })?;
    transaction!(&ctx.db, CoreError, |conn| {
        let (group_id, enabled, threshold, words) = checked_fields(conn, kind, input, None).await?;
        let id = alert::insert_rule(
            conn,
            &RuleFields {
                kind: kind.as_str(),
                group_id,
                enabled,
                threshold,
                words: &words,
            },
        )
        .await?;
        let row = alert::rule(conn, id)
            .await?
            .ok_or(CoreError::NotFound("rule"))?;
        rule_view(conn, row).await
    })
}

/// Changes a rule: what `input` names, keeping the rest (the kind stays).
pub async fn update_rule(
    ctx: &Context,
    account: &Account,
    id: i64,
    input: &RuleInput,
) -> CoreResult<RuleView> {
    require_staff(account)?;
    transaction!(&ctx.db, CoreError, |conn| {
        let base = alert::rule(conn, id)
            .await?
            .ok_or(CoreError::NotFound("rule"))?;
        let kind = RuleKind::parse(&base.kind).ok_or(CoreError::NotFound("rule"))?;
        if input.kind.as_deref().is_some_and(|k| k != base.kind) {
            return Err(CoreError::invalid("kind", "a rule's kind cannot change"));
        }
        let (group_id, enabled, threshold, words) =
            checked_fields(conn, kind, input, Some(&base)).await?;
        alert::update_rule(
            conn,
            id,
            &RuleFields {
                kind: kind.as_str(),
                group_id,
                enabled,
                threshold,
                words: &words,
            },
        )
        .await?;
        let row = alert::rule(conn, id)
            .await?
            .ok_or(CoreError::NotFound("rule"))?;
        rule_view(conn, row).await
    })
}

/// Deletes a rule and its incidents.
pub async fn delete_rule(ctx: &Context, account: &Account, id: i64) -> CoreResult<()> {
    require_staff(account)?;
    let mut pooled = ctx.db.get().await?;
    if alert::delete_rule(&mut pooled.conn(), id).await? {
        Ok(())
    } else {
        Err(CoreError::NotFound("rule"))
    }
}

async fn incident_view(
    conn: &mut plaza_db::DbConn<'_>,
    row: AlertIncidentRow,
    rule: AlertRuleRow,
) -> CoreResult<IncidentView> {
    let group = group_name(conn, row.group_id).await?;
    let evidence = serde_json::from_str(&row.evidence).unwrap_or(serde_json::Value::Null);
    Ok(IncidentView {
        rule: rule_view(conn, rule).await?,
        group,
        evidence,
        row,
    })
}

/// Incidents, newest first: the open ones only, or all.
pub async fn incidents(
    ctx: &Context,
    account: &Account,
    open_only: bool,
) -> CoreResult<Vec<IncidentView>> {
    require_staff(account)?;
    let mut pooled = ctx.db.get().await?;
    let mut conn = pooled.conn();
    let mut out = Vec::new();
    for (row, rule) in alert::incidents(&mut conn, open_only, INCIDENTS_MAX).await? {
        out.push(incident_view(&mut conn, row, rule).await?);
    }
    Ok(out)
}

/// What staff do with an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Seen; someone is on it.
    Acknowledge,
    /// Over.
    Resolve,
}

/// Acknowledges or resolves an incident (doing it again changes nothing).
pub async fn handle(
    ctx: &Context,
    account: &Account,
    id: i64,
    handling: Handling,
) -> CoreResult<IncidentView> {
    require_staff(account)?;
    transaction!(&ctx.db, CoreError, |conn| {
        if alert::incident(conn, id).await?.is_none() {
            return Err(CoreError::NotFound("incident"));
        }
        match handling {
            Handling::Acknowledge => alert::acknowledge(conn, id, account.person_id).await?,
            Handling::Resolve => alert::resolve(conn, id, account.person_id).await?,
        }
        let (row, rule) = alert::incident(conn, id)
            .await?
            .ok_or(CoreError::NotFound("incident"))?;
        incident_view(conn, row, rule).await
    })
}

/// The webhook settings (administrators).
pub async fn webhook_settings(ctx: &Context, account: &Account) -> CoreResult<AlertStateRow> {
    require_admin(account)?;
    let mut pooled = ctx.db.get().await?;
    Ok(alert::state(&mut pooled.conn()).await?)
}

fn require_admin(account: &Account) -> CoreResult<()> {
    if account.admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only administrators set the alert webhook".into(),
        ))
    }
}

/// Sets the webhook's URL (empty: none). `reachable` says whether the instance may call it
/// (http or https, and a public address outside development mode). A new secret is made when
/// the URL is set and none was given or kept.
pub async fn set_webhook(
    ctx: &Context,
    account: &Account,
    url: &str,
    secret: Option<&str>,
    reachable: impl Fn(&url::Url) -> Result<(), String>,
) -> CoreResult<AlertStateRow> {
    require_admin(account)?;
    let url = url.trim();
    let mut pooled = ctx.db.get().await?;
    let mut conn = pooled.conn();
    if url.is_empty() {
        alert::set_webhook(&mut conn, None, None).await?;
        tracing::info!(by = %account.name, "alert webhook removed");
        return Ok(alert::state(&mut conn).await?);
    }
    let parsed = url::Url::parse(url).map_err(|e| CoreError::invalid("url", e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CoreError::invalid(
            "url",
            "must start with https:// (or http://)",
        ));
    }
    reachable(&parsed).map_err(|e| CoreError::invalid("url", e))?;
    let current = alert::state(&mut conn).await?;
    let secret = match secret.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.len() < 16 => {
            return Err(CoreError::invalid(
                "secret",
                "must be at least 16 characters",
            ));
        }
        Some(s) => s.to_owned(),
        None => current
            .webhook_secret
            .clone()
            .unwrap_or_else(crate::random_token),
    };
    alert::set_webhook(&mut conn, Some(parsed.as_str()), Some(&secret)).await?;
    tracing::info!(by = %account.name, url = %parsed, "alert webhook set");
    Ok(alert::state(&mut conn).await?)
}
