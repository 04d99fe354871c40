//! Serving the pictures uploaded here, at `/media/uploads/NAME`. A name is the content hash of
//! the picture, so what it names never changes and browsers may keep it for good. The type sent
//! is the one recorded when the picture was written (JPEG, PNG or WebP), never guessed, and
//! browsers are told not to guess either.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use plaza_core::media;

use crate::AppState;

/// A year, and never revalidated: the bytes behind a name cannot change.
const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The answer for a picture's bytes, with the headers every served picture carries.
pub fn picture_response(media_type: &str, body: Vec<u8>) -> Response {
    // Only the stored picture types are ever named; anything else would be a bug, and is sent
    // as bytes no browser renders.
    let content_type = match media_type {
        "image/jpeg" | "image/png" | "image/webp" => HeaderValue::from_str(media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        _ => HeaderValue::from_static("application/octet-stream"),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
        ],
        body,
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        "no such picture",
    )
        .into_response()
}

/// `GET /media/uploads/{name}`: an uploaded picture or its thumbnail.
pub async fn file(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let Some((hash, extension, thumbnail)) = media::parse_file_name(&name) else {
        return not_found();
    };
    let row = match media::find(&state.ctx, hash).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read an upload's row");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
                "cannot read the picture now",
            )
                .into_response();
        }
    };
    if media::extension(&row.media_type) != Some(extension) {
        return not_found();
    }
    read(&state, &row, thumbnail).await
}

/// The file of an upload, full or thumbnail.
pub async fn read(
    state: &AppState,
    row: &plaza_db::upload::UploadRow,
    thumbnail: bool,
) -> Response {
    let Some(extension) = media::extension(&row.media_type) else {
        return not_found();
    };
    let name = media::file_name(&row.hash, extension, thumbnail);
    match state.ctx.media_store.get(&name).await {
        Ok(Some(body)) => picture_response(&row.media_type, body),
        Ok(None) => {
            tracing::warn!(%name, "an upload's file is missing");
            not_found()
        }
        Err(e) => {
            tracing::error!(error = %e, %name, store = %state.ctx.media_store.describe(), "cannot read an upload's file");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
                "cannot read the picture",
            )
                .into_response()
        }
    }
}
