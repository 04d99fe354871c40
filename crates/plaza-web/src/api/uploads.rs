//! Uploading a picture: `POST /uploads` with the file in a `multipart/form-data` field named
//! `file`. The answer names the upload by its hash, which threads, comments, avatars and group
//! icons then refer to.

use axum::Json;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use plaza_core::media;
use plaza_db::upload::UploadRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::Auth;
use crate::{ApiError, AppState, ErrorBody};

/// A stored picture.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadJson {
    /// Its content hash: how threads, comments, avatars and group icons name it.
    pub id: String,
    /// The picture, as written here (no metadata).
    pub url: String,
    /// A copy at most 640 pixels a side.
    pub thumbnail_url: String,
    /// `image/jpeg` or `image/png`, whatever was sent.
    pub media_type: String,
    pub width: i32,
    pub height: i32,
}

impl UploadJson {
    /// The JSON of a stored upload, with URLs on `base`.
    pub fn new(row: UploadRow, base: &url::Url) -> Self {
        let thumbnail_url = base
            .join(&media::path(&row, true))
            .map(String::from)
            .unwrap_or_default();
        Self {
            id: row.hash,
            url: row.url,
            thumbnail_url,
            media_type: row.media_type,
            width: row.width,
            height: row.height,
        }
    }
}

/// A picture chosen for a thread or a comment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ImageRequest {
    /// The upload's `id`: one the caller uploaded (staff may name any).
    pub upload: String,
    /// What the picture shows, for people who cannot see it (up to 1,500 characters).
    pub alt: Option<String>,
}

impl From<ImageRequest> for media::ImageChoice {
    fn from(r: ImageRequest) -> Self {
        media::ImageChoice {
            upload: r.upload,
            alt: r.alt,
        }
    }
}

fn unreadable(status: StatusCode, message: String) -> ApiError {
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ => "bad_request",
    };
    tracing::info!(%status, %message, "upload refused");
    ApiError::new(status, code, message)
}

fn field_error(e: MultipartError) -> ApiError {
    unreadable(e.status(), e.body_text())
}

/// Uploads a picture: JPEG, PNG, WebP or GIF, within the size and pixel limits. It is decoded
/// and written anew without its metadata (EXIF, GPS position), with a thumbnail. Only the people
/// who uploaded a picture may then use its `id` (staff may use any).
#[utoipa::path(post, path = "/uploads", tag = "uploads", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "The picture, in a field named `file`."),
    responses(
        (status = 201, body = UploadJson),
        (status = 401, body = ErrorBody),
        (status = 413, description = "larger than the instance takes", body = ErrorBody),
        (status = 415, description = "not a JPEG, PNG, WebP or GIF picture", body = ErrorBody),
        (status = 422, description = "damaged or cut short, or too many pixels", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<UploadJson>), ApiError> {
    let mut multipart = multipart.map_err(|e| {
        unreadable(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send the picture as multipart/form-data in a field named file ({e})"),
        )
    })?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(field_error)? {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(field_error)?);
            break;
        }
    }
    let file = file.ok_or_else(|| {
        ApiError::from(plaza_core::CoreError::invalid(
            "file",
            "is missing: send the picture in a field named file",
        ))
    })?;
    let row = media::upload(&state.ctx, &auth.account, file.to_vec()).await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadJson::new(row, state.ctx.urls.base())),
    ))
}
