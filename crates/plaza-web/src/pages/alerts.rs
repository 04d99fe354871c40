//! The alerts page (`/admin/alerts`), for staff and administrators: open incidents with their
//! evidence and the buttons to acknowledge or resolve them, past incidents on request, the rules
//! with a form each, a form to add one, and (administrators) the webhook.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::alerts::{self, Handling, IncidentView, RuleInput, RuleKind, RuleView};
use plaza_core::{Account, CoreError};
use serde::Deserialize;

use super::access::{Via, insight_viewer};
use super::forms::{NoFields, PageForm, fixable};
use super::layout::{Layout, PageError, TimeView, render, respond, see_other};
use super::session::Visitor;
use crate::AppState;

/// An incident as the page shows it.
pub struct IncidentItem {
    /// Its id (the anchor `incident-ID`).
    pub id: i64,
    /// One line.
    pub summary: String,
    /// The rule, for people.
    pub rule: String,
    /// The group's name.
    pub group: Option<String>,
    /// Links to what made it fire: (text, href).
    pub evidence: Vec<(String, String)>,
    /// Opened.
    pub opened: TimeView,
    /// Acknowledged.
    pub acknowledged: Option<TimeView>,
    /// Resolved.
    pub resolved: Option<TimeView>,
}

impl From<&IncidentView> for IncidentItem {
    fn from(v: &IncidentView) -> Self {
        let mut evidence = Vec::new();
        if let Some(post) = v.row.post_id {
            evidence.push(("The thread".to_owned(), format!("/post/{post}")));
        }
        if v.rule.kind == Some(RuleKind::Reports)
            && let Some(group) = &v.group
        {
            evidence.push((
                format!("Reports in {group}"),
                format!("/g/{}/reports", urlencoding(group)),
            ));
        }
        Self {
            id: v.row.id,
            summary: v.row.summary.clone(),
            rule: v.rule.description(),
            group: v.group.clone(),
            evidence,
            opened: TimeView::new(v.row.opened_at),
            acknowledged: v.row.acknowledged_at.map(TimeView::new),
            resolved: v.row.resolved_at.map(TimeView::new),
        }
    }
}

fn urlencoding(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// A rule as its form shows it.
pub struct RuleItem {
    /// Its id.
    pub id: i64,
    /// What it watches.
    pub description: String,
    /// Its kind's name.
    pub kind: String,
    /// It takes watch words.
    pub has_words: bool,
    /// The threshold's label.
    pub threshold_label: &'static str,
    /// On.
    pub enabled: bool,
    /// The threshold.
    pub threshold: i32,
    /// The group's name; empty for every group.
    pub group: String,
    /// Watch words, one per line.
    pub words: String,
}

impl From<&RuleView> for RuleItem {
    fn from(v: &RuleView) -> Self {
        Self {
            id: v.row.id,
            description: v.description(),
            kind: v.row.kind.clone(),
            has_words: v.kind == Some(RuleKind::WatchWords),
            threshold_label: threshold_label(v.kind),
            enabled: v.row.enabled,
            threshold: v.row.threshold,
            group: v.group.clone().unwrap_or_default(),
            words: v.row.words.clone(),
        }
    }
}

fn threshold_label(kind: Option<RuleKind>) -> &'static str {
    match kind {
        Some(RuleKind::Unanswered) => "Hours",
        Some(RuleKind::WatchWords) => "Threshold (unused)",
        _ => "Per hour",
    }
}

/// The alerts page.
#[derive(Template)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    /// The layout.
    pub layout: Layout,
    /// Incidents shown.
    pub incidents: Vec<IncidentItem>,
    /// Past incidents are listed too.
    pub past: bool,
    /// The rules.
    pub rules: Vec<RuleItem>,
    /// The kinds a new rule may have: (name, description).
    pub kinds: Vec<(&'static str, String)>,
    /// The viewer is an administrator (sees the webhook).
    pub admin: bool,
    /// The webhook's URL.
    pub webhook_url: String,
    /// The webhook's secret.
    pub webhook_secret: String,
    /// Something was saved.
    pub saved: bool,
    /// Why a form was refused.
    pub message: Option<String>,
}

impl AlertsPage {
    async fn new(
        state: &AppState,
        visitor: &Visitor,
        account: &Account,
        past: bool,
    ) -> Result<Self, PageError> {
        let incidents = alerts::incidents(&state.ctx, account, !past).await?;
        let rules = alerts::rules(&state.ctx, account).await?;
        let (webhook_url, webhook_secret) = if account.admin {
            let row = alerts::webhook_settings(&state.ctx, account).await?;
            (
                row.webhook_url.unwrap_or_default(),
                row.webhook_secret.unwrap_or_default(),
            )
        } else {
            (String::new(), String::new())
        };
        Ok(Self {
            layout: Layout::new(&state.ctx, visitor, "Alerts".to_owned()).await?,
            incidents: incidents.iter().map(IncidentItem::from).collect(),
            past,
            rules: rules.iter().map(RuleItem::from).collect(),
            kinds: RuleKind::ALL
                .into_iter()
                .map(|k| (k.as_str(), k.describe(0).replace(" 0 ", " N ")))
                .collect(),
            admin: account.admin,
            webhook_url,
            webhook_secret,
            saved: false,
            message: None,
        })
    }
}

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub struct AlertsQuery {
    past: Option<String>,
    saved: Option<String>,
}

/// `GET /admin/alerts`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<AlertsQuery>,
) -> Response {
    let result = async {
        let account = insight_viewer(&visitor, Via::Page("/admin/alerts"))?;
        let mut page = AlertsPage::new(&state, &visitor, account, query.past.is_some()).await?;
        page.saved = query.saved.is_some();
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    respond(&state.ctx, result).await
}

/// Shows the page again with why a form was refused.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    account: &Account,
    error: CoreError,
) -> Result<Response, PageError> {
    let (status, message) = fixable(error)?;
    let mut page = AlertsPage::new(state, visitor, account, false).await?;
    page.message = Some(message);
    Ok(render(status, &page))
}

/// `POST /admin/alerts/incidents/{id}/{acknowledge|resolve}`.
pub async fn handle(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    form: PageForm<NoFields>,
) -> Response {
    let result = async {
        let visitor = form.visitor;
        let account = insight_viewer(&visitor, Via::Form)?;
        let handling = match action.as_str() {
            "acknowledge" => Handling::Acknowledge,
            "resolve" => Handling::Resolve,
            _ => return Err(CoreError::NotFound("action").into()),
        };
        match alerts::handle(&state.ctx, account, id, handling).await {
            Ok(_) => Ok(see_other(&format!("/admin/alerts#incident-{id}"))),
            Err(e) => refused(&state, &visitor, account, e).await,
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// A rule's form; an unticked box is not sent at all.
#[derive(Debug, Deserialize)]
pub struct RuleForm {
    kind: Option<String>,
    enabled: Option<String>,
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    group: String,
    words: Option<String>,
}

impl RuleForm {
    fn input(&self) -> Result<RuleInput, CoreError> {
        let threshold = match self.threshold.trim() {
            "" => None,
            t => Some(
                t.parse::<i32>()
                    .map_err(|_| CoreError::invalid("threshold", "must be a whole number"))?,
            ),
        };
        Ok(RuleInput {
            kind: self.kind.clone(),
            group: Some(self.group.clone()),
            enabled: Some(self.enabled.is_some()),
            threshold,
            words: self.words.clone(),
        })
    }
}

/// `POST /admin/alerts/rules`: adds a rule.
pub async fn add_rule(State(state): State<AppState>, form: PageForm<RuleForm>) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let account = insight_viewer(&visitor, Via::Form)?;
        let added = async { alerts::add_rule(&state.ctx, account, &fields.input()?).await }.await;
        match added {
            Ok(rule) => {
                tracing::info!(by = %account.name, rule = rule.row.id, "alert rule added");
                Ok(see_other("/admin/alerts?saved=1"))
            }
            Err(e) => refused(&state, &visitor, account, e).await,
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /admin/alerts/rules/{id}`: changes a rule.
pub async fn edit_rule(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: PageForm<RuleForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let account = insight_viewer(&visitor, Via::Form)?;
        let changed =
            async { alerts::update_rule(&state.ctx, account, id, &fields.input()?).await }.await;
        match changed {
            Ok(_) => {
                tracing::info!(by = %account.name, rule = id, "alert rule changed");
                Ok(see_other("/admin/alerts?saved=1"))
            }
            Err(e) => refused(&state, &visitor, account, e).await,
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// The webhook form.
#[derive(Debug, Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    secret: String,
}

/// `POST /admin/alerts/webhook` (administrators).
pub async fn set_webhook(State(state): State<AppState>, form: PageForm<WebhookForm>) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let account = insight_viewer(&visitor, Via::Form)?;
        let outgoing = state.federation.outgoing.clone();
        let set = alerts::set_webhook(
            &state.ctx,
            account,
            &fields.url,
            Some(&fields.secret),
            |url| outgoing.check(url).map_err(|e| e.to_string()),
        )
        .await;
        match set {
            Ok(_) => Ok(see_other("/admin/alerts?saved=1#webhook")),
            Err(e) => refused(&state, &visitor, account, e).await,
        }
    }
    .await;
    respond(&state.ctx, result).await
}
