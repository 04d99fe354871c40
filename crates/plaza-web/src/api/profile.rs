//! The caller's own profile: what others see of them here and on other servers.

use axum::Json;
use axum::extract::State;
use plaza_core::profiles::{self, ProfilePatch};
use plaza_db::person::PersonRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{ApiJson, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// A profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileJson {
    /// ActivityPub id and page URL.
    pub url: String,
    pub name: String,
    pub display_name: Option<String>,
    /// Sanitized HTML rendered from `bio_source`.
    pub bio: Option<String>,
    /// Markdown.
    pub bio_source: Option<String>,
    pub avatar_url: Option<String>,
}

impl From<PersonRow> for ProfileJson {
    fn from(p: PersonRow) -> Self {
        Self {
            url: p.ap_id,
            name: p.name,
            display_name: p.display_name,
            bio: p.bio_html,
            bio_source: p.bio_source,
            avatar_url: p.avatar_url,
        }
    }
}

/// A change of one's profile: fields left out keep their value, an empty string clears one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileRequest {
    /// Up to 100 characters, one line.
    pub display_name: Option<String>,
    /// Markdown, up to 5,000 characters.
    pub bio: Option<String>,
    /// An http(s) URL of a picture.
    pub avatar_url: Option<String>,
    /// A picture the caller uploaded here, by its `id` (empty for none); wins over `avatar_url`.
    pub avatar_upload: Option<String>,
}

/// The caller's profile.
#[utoipa::path(get, path = "/me/profile", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = ProfileJson), (status = 401, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, auth: Auth) -> Result<Json<ProfileJson>, ApiError> {
    Ok(Json(profiles::get(&state.ctx, &auth.account).await?.into()))
}

/// Changes the caller's profile; other servers get it as `Update(Person)`.
#[utoipa::path(patch, path = "/me/profile", tag = "accounts", security(("bearer" = [])),
    request_body = ProfileRequest,
    responses((status = 200, body = ProfileJson), (status = 401, body = ErrorBody), (status = 403, description = "`avatar_upload` names a picture someone else uploaded", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> Result<Json<ProfileJson>, ApiError> {
    let patch = ProfilePatch {
        display_name: req.display_name,
        bio: req.bio,
        avatar_url: req.avatar_url,
        avatar_upload: req.avatar_upload,
    };
    Ok(Json(
        profiles::edit(&state.ctx, &auth.account, patch)
            .await?
            .into(),
    ))
}
