//! Administration: the instance's settings and its block list (defederation).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use plaza_core::site::{self, SitePatch};
use plaza_core::{CoreError, instances};
use plaza_db::instance::InstanceRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::instance::InstanceJson;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// A change of the instance's settings; omitted fields stay.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InstancePatch {
    /// Up to 100 characters.
    pub name: Option<String>,
    /// Up to 10,000 characters; empty clears it.
    pub description: Option<String>,
    /// Whether anyone may sign up.
    pub registrations_open: Option<bool>,
}

/// Changes the instance's settings.
#[utoipa::path(patch, path = "/instance", tag = "admin", security(("bearer" = [])),
    request_body = InstancePatch,
    responses((status = 200, body = InstanceJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_instance(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<InstancePatch>,
) -> Result<Json<InstanceJson>, ApiError> {
    let patch = SitePatch {
        name: req.name,
        description: req.description,
        registrations_open: req.registrations_open,
    };
    Ok(Json(
        site::update(&state.ctx, &auth.account, patch).await?.into(),
    ))
}

/// Another instance as the administrator sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct KnownInstanceJson {
    pub domain: String,
    /// From its NodeInfo, when known.
    pub software: Option<String>,
    pub version: Option<String>,
    pub blocked: bool,
    /// Failed deliveries in a row.
    pub failure_count: i32,
    pub dead_since: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

impl From<InstanceRow> for KnownInstanceJson {
    fn from(r: InstanceRow) -> Self {
        Self {
            domain: r.domain,
            software: r.software,
            version: r.version,
            blocked: r.blocked,
            failure_count: r.failure_count,
            dead_since: r.dead_since.map(|t| t.and_utc()),
            last_success_at: r.last_success_at.map(|t| t.and_utc()),
        }
    }
}

/// Which instances to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InstancesQuery {
    /// Only the blocked ones.
    #[serde(default)]
    pub blocked: bool,
}

/// What blocking did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockJson {
    pub domain: String,
    pub blocked: bool,
    /// It was blocked before this request.
    pub was_blocked: bool,
    /// Pending deliveries to it that were dropped.
    pub dropped_deliveries: usize,
}

fn ensure_admin(auth: &Auth) -> Result<(), ApiError> {
    if auth.account.admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden("only administrators can do this".into()).into())
    }
}

/// The other instances Plaza knows, by domain.
#[utoipa::path(get, path = "/admin/instances", tag = "admin", security(("bearer" = [])),
    params(InstancesQuery),
    responses((status = 200, body = Vec<KnownInstanceJson>), (status = 403, body = ErrorBody)))]
pub async fn list_instances(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<InstancesQuery>,
) -> Result<Json<Vec<KnownInstanceJson>>, ApiError> {
    ensure_admin(&auth)?;
    let rows = instances::list(&state.ctx, query.blocked).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Blocks an instance: its activities are refused, nothing is fetched from it or sent to it, and
/// pending deliveries to it are dropped.
#[utoipa::path(put, path = "/admin/instances/{domain}/block", tag = "admin", security(("bearer" = [])),
    params(("domain" = String, Path, description = "host[:port]")),
    responses((status = 200, body = BlockJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn block(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(domain): ApiPath<String>,
) -> Result<Json<BlockJson>, ApiError> {
    ensure_admin(&auth)?;
    let outcome = instances::block(&state.ctx, &domain).await?;
    tracing::info!(domain = %outcome.domain, by = %auth.account.name, "instance blocked");
    Ok(Json(BlockJson {
        domain: outcome.domain,
        blocked: true,
        was_blocked: outcome.was_blocked,
        dropped_deliveries: outcome.dropped,
    }))
}

/// Unblocks an instance.
#[utoipa::path(delete, path = "/admin/instances/{domain}/block", tag = "admin", security(("bearer" = [])),
    params(("domain" = String, Path, description = "host[:port]")),
    responses((status = 200, body = BlockJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unblock(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(domain): ApiPath<String>,
) -> Result<Json<BlockJson>, ApiError> {
    ensure_admin(&auth)?;
    let (domain, was_blocked) = instances::unblock(&state.ctx, &domain).await?;
    tracing::info!(%domain, by = %auth.account.name, "instance unblocked");
    Ok(Json(BlockJson {
        domain,
        blocked: false,
        was_blocked,
        dropped_deliveries: 0,
    }))
}
