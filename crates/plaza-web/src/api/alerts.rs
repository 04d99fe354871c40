//! Alerts for staff and administrators: the rules, the incidents they opened (acknowledge,
//! resolve), and the webhook settings (administrators).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use plaza_core::alerts::{self, Handling, IncidentView, RuleInput, RuleView};
use plaza_db::alert::AlertStateRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// A rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertRuleJson {
    pub id: i64,
    /// reports, downvotes, replies, unanswered or watch_words.
    pub kind: String,
    /// The group it watches; null for every group.
    pub group: Option<String>,
    pub enabled: bool,
    /// The count per hour (reports, downvotes, replies), or the hours (unanswered).
    pub threshold: i32,
    /// Watch words (watch_words rules).
    pub words: Vec<String>,
    /// What it watches, for people.
    pub description: String,
    pub updated_at: DateTime<Utc>,
}

impl From<RuleView> for AlertRuleJson {
    fn from(v: RuleView) -> Self {
        Self {
            description: v.description(),
            id: v.row.id,
            kind: v.row.kind,
            group: v.group,
            enabled: v.row.enabled,
            threshold: v.row.threshold,
            words: v
                .row
                .words
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            updated_at: v.row.updated_at.and_utc(),
        }
    }
}

/// A new rule, or a change of one (omitted fields stay, or take the kind's default).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AlertRuleInput {
    /// reports, downvotes, replies, unanswered or watch_words; required for a new rule, and a
    /// rule's kind cannot change.
    pub kind: Option<String>,
    /// A local group's name; empty for every group.
    pub group: Option<String>,
    pub enabled: Option<bool>,
    /// 1 to 100000.
    pub threshold: Option<i32>,
    /// Watch words: whole words or phrases, matched in any case; at most 100.
    pub words: Option<Vec<String>>,
}

impl From<AlertRuleInput> for RuleInput {
    fn from(r: AlertRuleInput) -> Self {
        Self {
            kind: r.kind,
            group: r.group,
            enabled: r.enabled,
            threshold: r.threshold,
            words: r.words.map(|w| w.join("\n")),
        }
    }
}

/// The rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertRulesJson {
    pub rules: Vec<AlertRuleJson>,
}

/// An incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentJson {
    pub id: i64,
    pub rule: AlertRuleJson,
    /// What makes it one incident (`hour:…` for reports, `thread:…` for the others).
    pub key: String,
    pub summary: String,
    pub group: Option<String>,
    pub thread_id: Option<i64>,
    /// Counts and ids that made the rule fire.
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<IncidentView> for IncidentJson {
    fn from(v: IncidentView) -> Self {
        Self {
            id: v.row.id,
            rule: v.rule.into(),
            key: v.row.incident_key,
            summary: v.row.summary,
            group: v.group,
            thread_id: v.row.post_id,
            evidence: v.evidence,
            opened_at: v.row.opened_at.and_utc(),
            acknowledged_at: v.row.acknowledged_at.map(|t| t.and_utc()),
            resolved_at: v.row.resolved_at.map(|t| t.and_utc()),
        }
    }
}

/// Incidents, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentsJson {
    pub incidents: Vec<IncidentJson>,
}

/// Which incidents to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IncidentsQuery {
    /// `open` (the default) or `all`.
    pub state: Option<String>,
}

/// The rules (staff and administrators).
#[utoipa::path(get, path = "/admin/alerts/rules", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = AlertRulesJson), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list_rules(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<AlertRulesJson>, ApiError> {
    let rules = alerts::rules(&state.ctx, &auth.account).await?;
    Ok(Json(AlertRulesJson {
        rules: rules.into_iter().map(Into::into).collect(),
    }))
}

/// Adds a rule (staff and administrators).
#[utoipa::path(post, path = "/admin/alerts/rules", tag = "admin", security(("bearer" = [])),
    request_body = AlertRuleInput,
    responses((status = 201, body = AlertRuleJson), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_rule(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<AlertRuleInput>,
) -> Result<(StatusCode, Json<AlertRuleJson>), ApiError> {
    let rule = alerts::add_rule(&state.ctx, &auth.account, &req.into()).await?;
    tracing::info!(by = %auth.account.name, rule = rule.row.id, kind = %rule.row.kind, "alert rule added");
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// Changes a rule (staff and administrators).
#[utoipa::path(patch, path = "/admin/alerts/rules/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AlertRuleInput,
    responses((status = 200, body = AlertRuleJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit_rule(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AlertRuleInput>,
) -> Result<Json<AlertRuleJson>, ApiError> {
    let rule = alerts::update_rule(&state.ctx, &auth.account, id, &req.into()).await?;
    tracing::info!(by = %auth.account.name, rule = id, "alert rule changed");
    Ok(Json(rule.into()))
}

/// Deletes a rule with its incidents (staff and administrators).
#[utoipa::path(delete, path = "/admin/alerts/rules/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_rule(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    alerts::delete_rule(&state.ctx, &auth.account, id).await?;
    tracing::info!(by = %auth.account.name, rule = id, "alert rule deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Incidents, newest first: the open ones, or all with `state=all` (staff and administrators).
#[utoipa::path(get, path = "/admin/alerts/incidents", tag = "admin", security(("bearer" = [])),
    params(IncidentsQuery),
    responses((status = 200, body = IncidentsJson), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_incidents(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<IncidentsQuery>,
) -> Result<Json<IncidentsJson>, ApiError> {
    let open_only = match query.state.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(_) => {
            return Err(plaza_core::CoreError::invalid("state", "must be open or all").into());
        }
    };
    let incidents = alerts::incidents(&state.ctx, &auth.account, open_only).await?;
    Ok(Json(IncidentsJson {
        incidents: incidents.into_iter().map(Into::into).collect(),
    }))
}

/// Acknowledges an incident (staff and administrators).
#[utoipa::path(post, path = "/admin/alerts/incidents/{id}/acknowledge", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = IncidentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<IncidentJson>, ApiError> {
    let incident = alerts::handle(&state.ctx, &auth.account, id, Handling::Acknowledge).await?;
    Ok(Json(incident.into()))
}

/// Resolves an incident (staff and administrators).
#[utoipa::path(post, path = "/admin/alerts/incidents/{id}/resolve", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = IncidentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<IncidentJson>, ApiError> {
    let incident = alerts::handle(&state.ctx, &auth.account, id, Handling::Resolve).await?;
    tracing::info!(by = %auth.account.name, incident = id, "alert incident resolved");
    Ok(Json(incident.into()))
}

/// Where incidents are POSTed, and the secret that signs them.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookJson {
    /// Null when there is no webhook.
    pub url: Option<String>,
    /// The HMAC-SHA256 key of `X-Plaza-Signature`.
    pub secret: Option<String>,
}

impl From<AlertStateRow> for WebhookJson {
    fn from(r: AlertStateRow) -> Self {
        Self {
            url: r.webhook_url,
            secret: r.webhook_secret,
        }
    }
}

/// A webhook to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookInput {
    /// http(s) URL; a public address unless in development mode; empty removes the webhook.
    pub url: String,
    /// At least 16 characters; omitted keeps the current one or makes one.
    pub secret: Option<String>,
}

/// The webhook settings (administrators).
#[utoipa::path(get, path = "/admin/alerts/webhook", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = WebhookJson), (status = 403, body = ErrorBody)))]
pub async fn get_webhook(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<WebhookJson>, ApiError> {
    Ok(Json(
        alerts::webhook_settings(&state.ctx, &auth.account)
            .await?
            .into(),
    ))
}

/// Sets or removes the webhook (administrators).
#[utoipa::path(put, path = "/admin/alerts/webhook", tag = "admin", security(("bearer" = [])),
    request_body = WebhookInput,
    responses((status = 200, body = WebhookJson), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_webhook(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<WebhookInput>,
) -> Result<Json<WebhookJson>, ApiError> {
    let outgoing = state.federation.outgoing.clone();
    let row = alerts::set_webhook(
        &state.ctx,
        &auth.account,
        &req.url,
        req.secret.as_deref(),
        |url| outgoing.check(url).map_err(|e| e.to_string()),
    )
    .await?;
    Ok(Json(row.into()))
}
