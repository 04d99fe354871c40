//! The instance's public description.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{ApiError, AppState};

/// What this instance is.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceJson {
    /// `host[:port]`, the part after `@` in handles.
    pub domain: String,
    pub name: String,
    /// Markdown.
    pub description: Option<String>,
    /// The brand's logo (an absolute URL).
    pub icon_url: Option<String>,
    pub registrations_open: bool,
    /// Allow-list mode: this instance federates only with the instances its administrators
    /// allowed.
    pub federation_allowlist: bool,
    /// Plaza's version.
    pub version: &'static str,
}

impl From<plaza_db::site::SiteRow> for InstanceJson {
    fn from(site: plaza_db::site::SiteRow) -> Self {
        Self {
            domain: site.domain,
            name: site.name,
            description: site.description,
            icon_url: site.icon_url,
            registrations_open: site.registrations_open,
            federation_allowlist: site.federation_allowlist,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// This instance's name, domain, logo, sign-up policy and federation mode.
#[utoipa::path(get, path = "/instance", tag = "instance", responses((status = 200, body = InstanceJson)))]
pub async fn get(State(state): State<AppState>) -> Result<Json<InstanceJson>, ApiError> {
    Ok(Json(plaza_core::site::get(&state.ctx).await?.into()))
}
