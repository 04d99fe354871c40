//! A picture chosen in a page's form: taken in as an upload as soon as the form is posted (a
//! preview included), then carried by its hash in a hidden field, since a browser does not send
//! a chosen file twice.

use axum::body::Bytes;
use plaza_core::{Account, CoreError, media};
use plaza_db::upload::UploadRow;

use crate::AppState;

/// A chosen picture as the form shows it.
pub struct PictureView {
    /// The upload's hash, sent back in the hidden field.
    pub upload: String,
    /// Its thumbnail's path.
    pub thumbnail: String,
}

impl PictureView {
    /// The view of a stored upload.
    pub fn new(row: &UploadRow) -> Self {
        Self {
            upload: row.hash.clone(),
            thumbnail: media::path(row, true),
        }
    }
}

/// The picture of the form: a file chosen in `field` now, else the upload named in the hidden
/// field (`kept`), else none.
pub async fn chosen(
    state: &AppState,
    account: &Account,
    files: &[(String, Bytes)],
    field: &str,
    kept: &str,
) -> Result<Option<UploadRow>, CoreError> {
    if let Some((_, bytes)) = files.iter().find(|(name, _)| name == field) {
        return media::upload(&state.ctx, account, bytes.to_vec())
            .await
            .map(Some);
    }
    let kept = kept.trim();
    if kept.is_empty() {
        return Ok(None);
    }
    media::find(&state.ctx, kept)
        .await?
        .map(Some)
        .ok_or_else(|| CoreError::invalid("picture", "is no longer stored here: choose it again"))
}
