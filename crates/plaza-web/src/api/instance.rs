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
    pub description: Option<String>,
    pub registrations_open: bool,
    /// Plaza's version.
    pub version: &'static str,
}

impl From<plaza_db::site::SiteRow> for InstanceJson {
    fn from(site: plaza_db::site::SiteRow) -> Self {
        Self {
            domain: site.domain,
            name: site.name,
            description: site.description,
            registrations_open: site.registrations_open,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// This instance's name, domain and sign-up policy.
#[utoipa::path(get, path = "/instance", tag = "instance", responses((status = 200, body = InstanceJson)))]
pub async fn get(State(state): State<AppState>) -> Result<Json<InstanceJson>, ApiError> {
    Ok(Json(plaza_core::site::get(&state.ctx).await?.into()))
}
