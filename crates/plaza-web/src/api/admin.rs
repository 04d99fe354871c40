//! Administration: the instance's settings, its block list and its allow-list (defederation).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use plaza_core::site::{self, SitePatch};
use plaza_core::{CoreError, instances};
use plaza_db::instance::{FederationPolicy, InstanceFilter, InstanceRow};
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
    /// Markdown, up to 10,000 characters; empty clears it.
    pub description: Option<String>,
    /// The brand's logo: an absolute https URL (http only on an instance served over http);
    /// empty clears it.
    pub icon_url: Option<String>,
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
        icon_url: req.icon_url,
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
    /// On the allow-list.
    pub allowed: bool,
    /// Whether this instance federates with it now: not blocked and, in allow-list mode,
    /// allowed.
    pub federating: bool,
    /// Failed deliveries in a row.
    pub failure_count: i32,
    pub dead_since: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Deliveries it refused (answered with a 4xx that a retry would not change).
    pub refused_deliveries: i32,
    pub last_refusal_at: Option<DateTime<Utc>>,
}

impl KnownInstanceJson {
    fn new(r: InstanceRow, policy: &FederationPolicy) -> Self {
        Self {
            federating: policy.check_row(&r).is_ok(),
            domain: r.domain,
            software: r.software,
            version: r.version,
            blocked: r.blocked,
            allowed: r.allowed,
            failure_count: r.failure_count,
            dead_since: r.dead_since.map(|t| t.and_utc()),
            last_success_at: r.last_success_at.map(|t| t.and_utc()),
            refused_deliveries: r.refusal_count,
            last_refusal_at: r.last_refusal_at.map(|t| t.and_utc()),
        }
    }
}

/// Which instances to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InstancesQuery {
    /// Only the blocked ones.
    #[serde(default)]
    pub blocked: bool,
    /// Only the ones on the allow-list.
    #[serde(default)]
    pub allowed: bool,
}

impl InstancesQuery {
    fn filter(&self) -> Result<InstanceFilter, CoreError> {
        match (self.blocked, self.allowed) {
            (false, false) => Ok(InstanceFilter::All),
            (true, false) => Ok(InstanceFilter::Blocked),
            (false, true) => Ok(InstanceFilter::Allowed),
            (true, true) => Err(CoreError::invalid(
                "allowed",
                "cannot be combined with blocked: list one or the other",
            )),
        }
    }
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
    responses((status = 200, body = Vec<KnownInstanceJson>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_instances(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<InstancesQuery>,
) -> Result<Json<Vec<KnownInstanceJson>>, ApiError> {
    ensure_admin(&auth)?;
    let rows = instances::list(&state.ctx, query.filter()?).await?;
    let policy = instances::policy(&state.ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| KnownInstanceJson::new(r, &policy))
            .collect(),
    ))
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

/// What a change of the allow-list did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllowJson {
    pub domain: String,
    pub allowed: bool,
    /// It was on the allow-list before this request.
    pub was_allowed: bool,
    /// It is blocked, and a block wins over an allow: it stays cut off until unblocked.
    pub blocked: bool,
    /// Pending deliveries dropped because it left the allow-list (in allow-list mode).
    pub dropped_deliveries: usize,
}

/// Puts an instance on the allow-list: in allow-list mode, this instance federates with it
/// (unless it is blocked).
#[utoipa::path(put, path = "/admin/instances/{domain}/allow", tag = "admin", security(("bearer" = [])),
    params(("domain" = String, Path, description = "host[:port]")),
    responses((status = 200, body = AllowJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn allow(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(domain): ApiPath<String>,
) -> Result<Json<AllowJson>, ApiError> {
    ensure_admin(&auth)?;
    let outcome = instances::allow(&state.ctx, &domain).await?;
    tracing::info!(domain = %outcome.domain, by = %auth.account.name, "instance allowed");
    Ok(Json(AllowJson {
        domain: outcome.domain,
        allowed: true,
        was_allowed: outcome.was_allowed,
        blocked: outcome.blocked,
        dropped_deliveries: 0,
    }))
}

/// Takes an instance off the allow-list: in allow-list mode it is then treated as a blocked one,
/// and pending deliveries to it are dropped.
#[utoipa::path(delete, path = "/admin/instances/{domain}/allow", tag = "admin", security(("bearer" = [])),
    params(("domain" = String, Path, description = "host[:port]")),
    responses((status = 200, body = AllowJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disallow(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(domain): ApiPath<String>,
) -> Result<Json<AllowJson>, ApiError> {
    ensure_admin(&auth)?;
    let outcome = instances::disallow(&state.ctx, &domain).await?;
    tracing::info!(domain = %outcome.domain, by = %auth.account.name, "instance disallowed");
    Ok(Json(AllowJson {
        domain: outcome.domain,
        allowed: false,
        was_allowed: outcome.was_allowed,
        blocked: outcome.blocked,
        dropped_deliveries: outcome.dropped,
    }))
}

/// What switching allow-list mode did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllowlistModeJson {
    /// Allow-list mode is on.
    pub allowlist: bool,
    /// It was on before this request.
    pub was_on: bool,
    /// Instances on the allow-list.
    pub allowed_instances: usize,
    /// Pending deliveries to instances not on the list that were dropped.
    pub dropped_deliveries: usize,
}

/// Turns allow-list mode on: this instance federates only with the instances on the allow-list
/// (never with a blocked one); the others are treated as blocked, and pending deliveries to them
/// are dropped.
#[utoipa::path(put, path = "/admin/federation/allowlist", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = AllowlistModeJson), (status = 403, body = ErrorBody)))]
pub async fn allowlist_on(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<AllowlistModeJson>, ApiError> {
    switch_allowlist(&state, &auth, true).await
}

/// Turns allow-list mode off: this instance federates with every instance that is not blocked.
#[utoipa::path(delete, path = "/admin/federation/allowlist", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = AllowlistModeJson), (status = 403, body = ErrorBody)))]
pub async fn allowlist_off(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<AllowlistModeJson>, ApiError> {
    switch_allowlist(&state, &auth, false).await
}

async fn switch_allowlist(
    state: &AppState,
    auth: &Auth,
    on: bool,
) -> Result<Json<AllowlistModeJson>, ApiError> {
    ensure_admin(auth)?;
    let outcome = instances::set_allowlist_mode(&state.ctx, on).await?;
    tracing::info!(
        on,
        allowed = outcome.allowed,
        dropped = outcome.dropped,
        by = %auth.account.name,
        "allow-list mode switched"
    );
    Ok(Json(AllowlistModeJson {
        allowlist: outcome.on,
        was_on: outcome.was_on,
        allowed_instances: outcome.allowed,
        dropped_deliveries: outcome.dropped,
    }))
}
