//! The other instances (`/admin/instances`), for administrators: what each runs and how
//! deliveries to it fare, and the block list (defederation), with a form to block a domain and a
//! button to unblock each. The core drops what was waiting for a domain it blocks.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::instances;
use plaza_db::instance::{InstanceFilter, InstanceRow};
use serde::Deserialize;

use super::access::{Via, admin};
use super::forms::{PageForm, fixable};
use super::layout::{Layout, PageError, TimeView, render, respond, see_other};
use super::session::Visitor;
use crate::AppState;

/// An instance as the list shows it.
pub struct InstanceView {
    /// Its domain.
    pub domain: String,
    /// "Lemmy 0.19.3", when its NodeInfo told.
    pub software: Option<String>,
    /// Blocked.
    pub blocked: bool,
    /// How deliveries to it fare, in a few words.
    pub health: String,
    /// The last delivery that got through.
    pub last_success: Option<TimeView>,
}

impl From<&InstanceRow> for InstanceView {
    fn from(r: &InstanceRow) -> Self {
        let software = r.software.as_ref().map(|s| match &r.version {
            Some(v) => format!("{s} {v}"),
            None => s.clone(),
        });
        let health = if let Some(since) = r.dead_since {
            format!("unreachable since {}", TimeView::new(since).absolute)
        } else if r.failure_count > 0 {
            format!("{} failed deliveries in a row", r.failure_count)
        } else if r.last_success_at.is_some() {
            "reachable".to_owned()
        } else {
            "nothing delivered yet".to_owned()
        };
        Self {
            domain: r.domain.clone(),
            software,
            blocked: r.blocked,
            health,
            last_success: r.last_success_at.map(TimeView::new),
        }
    }
}

/// The instances page.
#[derive(Template)]
#[template(path = "admin_instances.html")]
pub struct InstancesPage {
    /// The layout.
    pub layout: Layout,
    /// The blocked ones, by domain.
    pub blocked: Vec<InstanceView>,
    /// The others Plaza has met, by domain.
    pub known: Vec<InstanceView>,
    /// The domain typed in the block form.
    pub domain: String,
    /// Why the block form was refused.
    pub message: Option<String>,
}

impl InstancesPage {
    async fn new(state: &AppState, visitor: &Visitor) -> Result<Self, PageError> {
        let rows = instances::list(&state.ctx, InstanceFilter::All).await?;
        let layout = Layout::new(&state.ctx, visitor, "Other instances").await?;
        let (blocked, known): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.blocked);
        Ok(Self {
            layout,
            blocked: blocked.into_iter().map(InstanceView::from).collect(),
            known: known.into_iter().map(InstanceView::from).collect(),
            domain: String::new(),
            message: None,
        })
    }
}

/// The block and unblock forms' field.
#[derive(Debug, Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    domain: String,
}

/// `GET /admin/instances`.
pub async fn page(State(state): State<AppState>, visitor: Visitor) -> Response {
    let result = async {
        admin(&visitor, Via::Page("/admin/instances"))?;
        let page = InstancesPage::new(&state, &visitor).await?;
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /admin/instances/block`.
pub async fn block(State(state): State<AppState>, form: PageForm<DomainForm>) -> Response {
    let result = async {
        let PageForm { visitor, fields } = form;
        let account = admin(&visitor, Via::Form)?;
        match instances::block(&state.ctx, &fields.domain).await {
            Ok(outcome) => {
                tracing::info!(domain = %outcome.domain, by = %account.name, dropped = outcome.dropped, "instance blocked");
                Ok(see_other("/admin/instances"))
            }
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = InstancesPage::new(&state, &visitor).await?;
                page.domain = fields.domain;
                page.message = Some(message);
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /admin/instances/unblock`.
pub async fn unblock(State(state): State<AppState>, form: PageForm<DomainForm>) -> Response {
    let result = async {
        let PageForm { visitor, fields } = form;
        let account = admin(&visitor, Via::Form)?;
        let (domain, _) = instances::unblock(&state.ctx, &fields.domain).await?;
        tracing::info!(%domain, by = %account.name, "instance unblocked");
        Ok(see_other("/admin/instances"))
    }
    .await;
    respond(&state.ctx, result).await
}
