//! The instance's settings (`/admin`), for its administrators: the name shown everywhere, the
//! brand's logo and the description on the home page, and whether anyone may sign up.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::limits::{SITE_DESCRIPTION_MAX, SITE_NAME_MAX};
use plaza_core::site::{self, SitePatch};
use serde::Deserialize;

use super::access::{Via, admin};
use super::forms::{PageForm, SavedQuery, fixable};
use super::layout::{Layout, PageError, render, respond, see_other};
use super::session::Visitor;
use crate::AppState;

/// The settings page.
#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    /// The layout.
    pub layout: Layout,
    /// The name in the form.
    pub name: String,
    /// The description in the form.
    pub description: String,
    /// The logo's URL in the form.
    pub icon_url: String,
    /// Sign-ups are open.
    pub registrations_open: bool,
    /// The settings were saved.
    pub saved: bool,
    /// Why the form was refused.
    pub message: Option<String>,
    /// Longest name.
    pub name_max: usize,
    /// Longest description.
    pub description_max: usize,
}

impl AdminPage {
    async fn new(state: &AppState, visitor: &Visitor) -> Result<Self, PageError> {
        let row = site::get(&state.ctx).await?;
        let layout = Layout::for_site(&state.ctx, visitor, &row, "Instance settings").await?;
        Ok(Self {
            layout,
            name: row.name,
            description: row.description.unwrap_or_default(),
            icon_url: row.icon_url.unwrap_or_default(),
            registrations_open: row.registrations_open,
            saved: false,
            message: None,
            name_max: SITE_NAME_MAX,
            description_max: SITE_DESCRIPTION_MAX,
        })
    }
}

/// The settings form's fields; an unticked box is not sent at all.
#[derive(Debug, Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    icon_url: String,
    registrations_open: Option<String>,
}

/// `GET /admin`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SavedQuery>,
) -> Response {
    let result = async {
        admin(&visitor, Via::Page("/admin"))?;
        let mut page = AdminPage::new(&state, &visitor).await?;
        page.saved = query.saved.is_some();
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /admin`.
pub async fn save(State(state): State<AppState>, form: PageForm<SiteForm>) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let account = admin(&visitor, Via::Form)?;
        let patch = SitePatch {
            name: Some(fields.name.clone()),
            description: Some(fields.description.clone()),
            icon_url: Some(fields.icon_url.clone()),
            registrations_open: Some(fields.registrations_open.is_some()),
        };
        match site::update(&state.ctx, account, patch).await {
            Ok(_) => {
                tracing::info!(by = %account.name, "instance settings changed");
                Ok(see_other("/admin?saved=1"))
            }
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = AdminPage::new(&state, &visitor).await?;
                page.name = fields.name;
                page.description = fields.description;
                page.icon_url = fields.icon_url;
                page.registrations_open = fields.registrations_open.is_some();
                page.message = Some(message);
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}
