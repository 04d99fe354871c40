//! Groups: list, read, create.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use plaza_core::groups::{self, GroupDetails, NewGroupInput};
use plaza_core::limits::check_page;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::views::{GroupJson, PageJson};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// Paging of a listing.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1–50 (default 20).
    pub limit: Option<u32>,
}

/// A new group.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateGroupRequest {
    /// 1–30 of a-z, 0-9, _: the handle and URL.
    pub name: String,
    /// Up to 100 characters.
    pub title: String,
    /// Markdown, up to 10,000 characters.
    pub description: Option<String>,
    /// Only moderators may start threads.
    #[serde(default)]
    pub posting_restricted_to_mods: bool,
}

fn details_json(details: GroupDetails) -> GroupJson {
    GroupJson::new(details.view, Some(details.moderators))
}

/// The instance's groups, by name.
#[utoipa::path(get, path = "/groups", tag = "groups", params(PageQuery),
    responses((status = 200, body = PageJson<GroupJson>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageJson<GroupJson>>, ApiError> {
    let page = check_page(query.page, query.limit)?;
    let listing = groups::list(&state.ctx, page).await?;
    Ok(Json(PageJson::from_listing(listing, |g| {
        GroupJson::new(g, None)
    })))
}

/// One group with its moderators.
#[utoipa::path(get, path = "/groups/{name}", tag = "groups",
    params(("name" = String, Path, description = "The group's name")),
    responses((status = 200, body = GroupJson), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<GroupJson>, ApiError> {
    Ok(Json(details_json(groups::get(&state.ctx, &name).await?)))
}

/// Creates a group (administrators only); the creator moderates it.
#[utoipa::path(post, path = "/groups", tag = "groups", security(("bearer" = [])),
    request_body = CreateGroupRequest,
    responses((status = 201, body = GroupJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateGroupRequest>,
) -> Result<(StatusCode, Json<GroupJson>), ApiError> {
    let details = groups::create_by(
        &state.ctx,
        &auth.account,
        NewGroupInput {
            name: req.name,
            title: req.title,
            description: req.description,
            posting_restricted_to_mods: req.posting_restricted_to_mods,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(details_json(details))))
}
