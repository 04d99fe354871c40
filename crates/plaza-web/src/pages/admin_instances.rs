//! The other instances (`/admin/instances`), for administrators: what each runs, how deliveries
//! to it fare (the ones it refused lately among them) and whether Plaza federates with it; the
//! block list and the allow-list, each with a form to add a domain and a button to take each one
//! off; and allow-list mode. The core drops what was waiting for a server Plaza stops federating
//! with.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::instances;
use plaza_db::delivery::RefusedDelivery;
use plaza_db::instance::{FederationPolicy, InstanceFilter, InstanceRow};
use serde::Deserialize;

use super::access::{Via, admin};
use super::forms::{PageForm, fixable};
use super::layout::{Layout, PageError, TimeView, render, respond, see_other};
use super::session::Visitor;
use crate::AppState;

/// An instance as the lists show it.
pub struct InstanceView {
    /// Its domain.
    pub domain: String,
    /// "Lemmy 0.19.3", when its NodeInfo told.
    pub software: Option<String>,
    /// Blocked.
    pub blocked: bool,
    /// On the allow-list.
    pub allowed: bool,
    /// Plaza federates with it now.
    pub federating: bool,
    /// How deliveries to it fare, in a few words.
    pub health: String,
    /// The last delivery that got through.
    pub last_success: Option<TimeView>,
    /// "3 deliveries refused, the last 2 hours ago", when it refused any.
    pub refusals: Option<String>,
}

impl InstanceView {
    fn new(r: &InstanceRow, policy: &FederationPolicy) -> Self {
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
            allowed: r.allowed,
            federating: policy.check_row(r).is_ok(),
            health,
            last_success: r.last_success_at.map(TimeView::new),
            refusals: (r.refusal_count > 0).then(|| {
                let count = match r.refusal_count {
                    1 => "1 delivery refused".to_owned(),
                    n => format!("{n} deliveries refused"),
                };
                match r.last_refusal_at {
                    Some(at) => format!("{count}, the last {}", TimeView::new(at).relative),
                    None => count,
                }
            }),
        }
    }
}

/// A delivery another server refused, as the page lists it.
pub struct RefusalView {
    /// When.
    pub when: TimeView,
    /// The receiving instance.
    pub domain: String,
    /// The inbox it was sent to.
    pub inbox: String,
    /// The activity's id.
    pub activity: String,
    /// The HTTP status it answered.
    pub status: String,
    /// The start of its answer (escaped when shown).
    pub answer: String,
}

impl From<RefusedDelivery> for RefusalView {
    fn from(r: RefusedDelivery) -> Self {
        Self {
            when: TimeView::new(r.refused_at),
            domain: r.domain,
            inbox: r.inbox_url,
            activity: r.activity_ap_id,
            status: r.status.map(|s| s.to_string()).unwrap_or_default(),
            answer: r.excerpt.unwrap_or_default(),
        }
    }
}

/// A domain typed in one of the two forms, and why it was refused.
#[derive(Default)]
pub struct DomainField {
    /// What was typed.
    pub value: String,
    /// Why it was refused.
    pub message: Option<String>,
}

/// The instances page.
#[derive(Template)]
#[template(path = "admin_instances.html")]
pub struct InstancesPage {
    /// The layout.
    pub layout: Layout,
    /// Allow-list mode is on.
    pub allowlist_mode: bool,
    /// The blocked ones, by domain.
    pub blocked: Vec<InstanceView>,
    /// The ones on the allow-list, by domain.
    pub allowed: Vec<InstanceView>,
    /// Every instance Plaza has met, by domain.
    pub known: Vec<InstanceView>,
    /// The deliveries other servers refused lately, newest first.
    pub refusals: Vec<RefusalView>,
    /// The block form.
    pub block: DomainField,
    /// The allow form.
    pub allow: DomainField,
}

impl InstancesPage {
    async fn new(state: &AppState, visitor: &Visitor) -> Result<Self, PageError> {
        let rows = instances::list(&state.ctx, InstanceFilter::All).await?;
        let policy = instances::policy(&state.ctx).await?;
        let layout = Layout::new(&state.ctx, visitor, "Other instances").await?;
        let view = |r: &InstanceRow| InstanceView::new(r, &policy);
        Ok(Self {
            layout,
            allowlist_mode: policy.allowlist,
            blocked: rows.iter().filter(|r| r.blocked).map(view).collect(),
            allowed: rows.iter().filter(|r| r.allowed).map(view).collect(),
            known: rows.iter().map(view).collect(),
            refusals: instances::recent_refusals(&state.ctx)
                .await?
                .into_iter()
                .map(RefusalView::from)
                .collect(),
            block: DomainField::default(),
            allow: DomainField::default(),
        })
    }
}

/// The field of the forms that name a domain.
#[derive(Debug, Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    domain: String,
}

/// The allow-list mode switch: `on` is `true` or `false`.
#[derive(Debug, Deserialize)]
pub struct ModeForm {
    #[serde(default)]
    on: String,
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

/// Which list a domain form changes.
#[derive(Debug, Clone, Copy)]
enum Change {
    Block,
    Unblock,
    Allow,
    Disallow,
}

async fn change(state: &AppState, form: PageForm<DomainForm>, change: Change) -> Response {
    let result = async {
        let PageForm { visitor, fields, .. } = form;
        let account = admin(&visitor, Via::Form)?;
        let ctx = &state.ctx;
        let done = match change {
            Change::Block => instances::block(ctx, &fields.domain).await.map(|o| {
                tracing::info!(domain = %o.domain, by = %account.name, dropped = o.dropped, "instance blocked");
            }),
            Change::Unblock => instances::unblock(ctx, &fields.domain).await.map(|(domain, _)| {
                tracing::info!(%domain, by = %account.name, "instance unblocked");
            }),
            Change::Allow => instances::allow(ctx, &fields.domain).await.map(|o| {
                tracing::info!(domain = %o.domain, by = %account.name, blocked = o.blocked, "instance allowed");
            }),
            Change::Disallow => instances::disallow(ctx, &fields.domain).await.map(|o| {
                tracing::info!(domain = %o.domain, by = %account.name, dropped = o.dropped, "instance disallowed");
            }),
        };
        match done {
            Ok(()) => Ok(see_other("/admin/instances")),
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = InstancesPage::new(state, &visitor).await?;
                let field = DomainField {
                    value: fields.domain,
                    message: Some(message),
                };
                match change {
                    Change::Allow | Change::Disallow => page.allow = field,
                    Change::Block | Change::Unblock => page.block = field,
                }
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /admin/instances/block`.
pub async fn block(State(state): State<AppState>, form: PageForm<DomainForm>) -> Response {
    change(&state, form, Change::Block).await
}

/// `POST /admin/instances/unblock`.
pub async fn unblock(State(state): State<AppState>, form: PageForm<DomainForm>) -> Response {
    change(&state, form, Change::Unblock).await
}

/// `POST /admin/instances/allow`.
pub async fn allow(State(state): State<AppState>, form: PageForm<DomainForm>) -> Response {
    change(&state, form, Change::Allow).await
}

/// `POST /admin/instances/disallow`.
pub async fn disallow(State(state): State<AppState>, form: PageForm<DomainForm>) -> Response {
    change(&state, form, Change::Disallow).await
}

/// `POST /admin/instances/allowlist`: switches allow-list mode on or off.
pub async fn allowlist(State(state): State<AppState>, form: PageForm<ModeForm>) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let account = admin(&visitor, Via::Form)?;
        let on = match fields.on.as_str() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(PageError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Not accepted",
                    "Allow-list mode is either on or off.",
                ));
            }
        };
        let outcome = instances::set_allowlist_mode(&state.ctx, on).await?;
        tracing::info!(
            on = outcome.on,
            allowed = outcome.allowed,
            dropped = outcome.dropped,
            by = %account.name,
            "allow-list mode switched"
        );
        Ok(see_other("/admin/instances"))
    }
    .await;
    respond(&state.ctx, result).await
}
