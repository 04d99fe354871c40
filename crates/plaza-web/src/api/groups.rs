//! Groups: list, read, create, follow.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use plaza_core::groups::{self, GroupDetails, GroupPatch, NewGroupInput};
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

/// Where the caller's follow of a group stands.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct FollowJson {
    /// The group.
    pub group: GroupJson,
    /// Asked, and not yet accepted by the group's server.
    pub pending: bool,
}

/// Follows a group: one here (`name`), or one on another server (`name@domain`, looked up by
/// WebFinger the first time). A group elsewhere is sent a Follow; `pending` is true until it
/// accepts.
#[utoipa::path(post, path = "/groups/{name}/follow", tag = "groups", security(("bearer" = [])),
    params(("name" = String, Path, description = "`name` or `name@domain`")),
    responses((status = 200, body = FollowJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn follow(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<FollowJson>, ApiError> {
    let data = state.federation.to_request_data();
    let followed = plaza_federation::following::follow(&data, &auth.account, &name).await?;
    let group = groups::get(&state.ctx, &handle_of(&followed.group, &state)).await?;
    Ok(Json(FollowJson {
        group: details_json(group),
        pending: followed.pending,
    }))
}

/// Stops following a group.
#[utoipa::path(delete, path = "/groups/{name}/follow", tag = "groups", security(("bearer" = [])),
    params(("name" = String, Path, description = "`name` or `name@domain`")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unfollow(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let data = state.federation.to_request_data();
    plaza_federation::following::unfollow(&data, &auth.account, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How the core names a group: `name` here, `name@domain` elsewhere.
fn handle_of(group: &plaza_db::group::GroupRow, state: &AppState) -> String {
    if group.local {
        return group.name.clone();
    }
    let domain = url::Url::parse(&group.ap_id)
        .ok()
        .and_then(|u| plaza_federation::domain_of(&u))
        .unwrap_or_else(|| state.ctx.urls.domain().to_owned());
    format!("{}@{domain}", group.name)
}

/// A change of a group's settings; omitted fields stay.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditGroupRequest {
    /// Up to 100 characters.
    pub title: Option<String>,
    /// Markdown, up to 10,000 characters (the rules go here); empty clears it.
    pub description: Option<String>,
    /// Only moderators may start threads (remote threads are refused too).
    pub posting_restricted_to_mods: Option<bool>,
    /// A Q&A group: every new thread is a question, whose asker, moderators and staff may
    /// accept an answer.
    pub qa: Option<bool>,
    /// The group collects ideas: its staff and moderators give threads a status (under review,
    /// planned, in progress, done, declined).
    pub ideas: Option<bool>,
    /// The group's icon: the `id` of an upload of the caller's (see `POST /uploads`), empty for
    /// none.
    pub icon_upload: Option<String>,
    /// The group's banner: the `id` of an upload of the caller's, empty for none.
    pub banner_upload: Option<String>,
}

/// Changes a group's settings (its moderators and administrators); federates as the group's
/// `Update`.
#[utoipa::path(patch, path = "/groups/{name}", tag = "groups", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name")),
    request_body = EditGroupRequest,
    responses((status = 200, body = GroupJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<EditGroupRequest>,
) -> Result<Json<GroupJson>, ApiError> {
    let patch = GroupPatch {
        title: req.title,
        description: req.description,
        posting_restricted_to_mods: req.posting_restricted_to_mods,
        qa: req.qa,
        ideas: req.ideas,
        icon_upload: req.icon_upload,
        banner_upload: req.banner_upload,
    };
    Ok(Json(details_json(
        groups::update(&state.ctx, &auth.account, &name, patch).await?,
    )))
}

/// Makes a person (`name` here or `name@domain`) a moderator of the group.
#[utoipa::path(put, path = "/groups/{name}/moderators/{person}", tag = "moderation", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name"), ("person" = String, Path, description = "`name` or `name@domain`")),
    responses((status = 200, body = GroupJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_moderator(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((name, person)): ApiPath<(String, String)>,
) -> Result<Json<GroupJson>, ApiError> {
    let person_id = plaza_core::people::by_handle(&state.ctx, &person).await?;
    let details = groups::set_moderator(&state.ctx, &auth.account, &name, person_id, true).await?;
    Ok(Json(details_json(details)))
}

/// Removes a moderator (a group keeps at least one).
#[utoipa::path(delete, path = "/groups/{name}/moderators/{person}", tag = "moderation", security(("bearer" = [])),
    params(("name" = String, Path, description = "The group's name"), ("person" = String, Path, description = "`name` or `name@domain`")),
    responses((status = 200, body = GroupJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_moderator(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((name, person)): ApiPath<(String, String)>,
) -> Result<Json<GroupJson>, ApiError> {
    let person_id = plaza_core::people::by_handle(&state.ctx, &person).await?;
    let details = groups::set_moderator(&state.ctx, &auth.account, &name, person_id, false).await?;
    Ok(Json(details_json(details)))
}
