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

/// This instance's name, domain and sign-up policy.
#[utoipa::path(get, path = "/instance", tag = "instance", responses((status = 200, body = InstanceJson)))]
pub async fn get(State(state): State<AppState>) -> Result<Json<InstanceJson>, ApiError> {
    let site = plaza_core::site::get(&state.ctx).await?;
    Ok(Json(InstanceJson {
        domain: site.domain,
        name: site.name,
        description: site.description,
        registrations_open: site.registrations_open,
        version: env!("CARGO_PKG_VERSION"),
    }))
}
