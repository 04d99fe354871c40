//! Pictures other servers attached to posts and comments, served from this instance: a visitor's
//! browser then asks only this server, not every server a picture came from, and what is served
//! is checked to be a picture. Each is fetched once through the instance's outgoing client (public
//! addresses only, bounded size and time) and kept in a folder of bounded size, oldest dropped
//! first; without a folder, each request fetches anew.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use plaza_db::attachment::{self, AttachmentRow};
use plaza_db::{comment, post};
use plaza_federation::outgoing::FetchError;
use sha2::{Digest, Sha256};
use url::Url;

use crate::AppState;
use crate::extract::ApiPath;

/// Where the pictures are served: `/media/attachments/ID`.
pub const ATTACHMENT_PATH: &str = "/media/attachments";
/// Larger pictures are not fetched.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
/// Browsers may keep a picture this long: the one behind an id never changes.
const CACHE_CONTROL: &str = "public, max-age=604800, immutable";

/// The folder pictures are kept in, and its size limit.
#[derive(Debug, Clone, Default)]
pub struct MediaCache {
    dir: Option<PathBuf>,
    max_bytes: u64,
    /// Bytes in the folder as last counted, plus what was written since; `None` until counted.
    /// Shared by the copies of the configuration.
    used: Arc<Mutex<Option<u64>>>,
}

impl MediaCache {
    /// A cache in `dir` of at most `max_bytes`.
    pub fn new(dir: PathBuf, max_bytes: u64) -> Self {
        Self {
            dir: Some(dir),
            max_bytes,
            used: Arc::new(Mutex::new(None)),
        }
    }

    fn path(&self, url: &str) -> Option<PathBuf> {
        let key = hex::encode(Sha256::digest(url.as_bytes()));
        self.dir.as_ref().map(|dir| dir.join(key))
    }

    async fn read(&self, url: &str) -> Option<Vec<u8>> {
        tokio::fs::read(self.path(url)?).await.ok()
    }

    /// Keeps `body`: written beside its place and renamed, so no reader sees half a file.
    async fn write(&self, url: &str, body: &[u8]) {
        let (Some(dir), Some(path)) = (&self.dir, self.path(url)) else {
            return;
        };
        let partial = path.with_extension("part");
        let written = async {
            tokio::fs::create_dir_all(dir).await?;
            tokio::fs::write(&partial, body).await?;
            tokio::fs::rename(&partial, &path).await
        }
        .await;
        if let Err(error) = written {
            tracing::warn!(%error, dir = %dir.display(), "cannot keep a picture in the media cache");
            let _ = tokio::fs::remove_file(&partial).await;
            return;
        }
        let over = {
            let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
            match used.as_mut() {
                Some(used) => {
                    *used += body.len() as u64;
                    *used > self.max_bytes
                }
                // Not counted yet: the first trim counts.
                None => true,
            }
        };
        if over {
            let dir = dir.clone();
            let max = self.max_bytes;
            match tokio::task::spawn_blocking(move || trim(&dir, max)).await {
                Ok(Ok(left)) => {
                    *self.used.lock().unwrap_or_else(|e| e.into_inner()) = Some(left);
                }
                Ok(Err(error)) => tracing::warn!(%error, "cannot trim the media cache"),
                Err(error) => tracing::warn!(%error, "cannot trim the media cache"),
            }
        }
    }
}

/// Removes the least recently written files of `dir` until it holds at most 90 % of `max`
/// bytes; returns what it holds then.
fn trim(dir: &Path, max: u64) -> std::io::Result<u64> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_file() {
            files.push((meta.modified()?, meta.len(), entry.path()));
        }
    }
    let mut used: u64 = files.iter().map(|(_, len, _)| len).sum();
    if used <= max {
        return Ok(used);
    }
    files.sort();
    let target = max / 10 * 9;
    for (_, len, path) in files {
        if used <= target {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            used -= len;
        }
    }
    Ok(used)
}

/// The picture formats served, told by their first bytes, never by what the sender claims.
fn picture_type(body: &[u8]) -> Option<&'static str> {
    if body.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if body.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if body.starts_with(b"GIF87a") || body.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if body.len() >= 12 && &body[..4] == b"RIFF" && &body[8..12] == b"WEBP" {
        Some("image/webp")
    } else if body.len() >= 12
        && &body[4..8] == b"ftyp"
        && matches!(&body[8..12], b"avif" | b"avis")
    {
        Some("image/avif")
    } else {
        None
    }
}

/// Why a picture is not served.
#[derive(Debug)]
pub enum MediaError {
    NotFound,
    Unavailable(String),
    NotAPicture,
    Database(String),
}

impl IntoResponse for MediaError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            MediaError::NotFound => (StatusCode::NOT_FOUND, "no such picture".to_owned()),
            MediaError::Unavailable(why) => {
                tracing::info!(%why, "a remote picture could not be fetched");
                (
                    StatusCode::BAD_GATEWAY,
                    "the picture could not be fetched from its server".to_owned(),
                )
            }
            MediaError::NotAPicture => {
                tracing::info!("a remote attachment is not a picture this server shows");
                (
                    StatusCode::BAD_GATEWAY,
                    "the file is not a JPEG, PNG, GIF, WebP or AVIF picture".to_owned(),
                )
            }
            MediaError::Database(why) => {
                tracing::error!(%why, "cannot read an attachment");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "cannot read the attachment now".to_owned(),
                )
            }
        };
        (
            status,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            message,
        )
            .into_response()
    }
}

impl From<plaza_db::DbError> for MediaError {
    fn from(e: plaza_db::DbError) -> Self {
        MediaError::Database(e.to_string())
    }
}

/// Whether whoever may read the thread may see the attachment: what a moderator removed is not
/// served (moderators see its link on the page).
async fn visible(state: &AppState, row: &AttachmentRow) -> Result<bool, MediaError> {
    let mut pooled = state.ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let post_id = match (row.post_id, row.comment_id) {
        (Some(post_id), _) => post_id,
        (None, Some(comment_id)) => {
            let comment = comment::find(conn, comment_id).await?;
            if comment.removed || comment.deleted {
                return Ok(false);
            }
            comment.post_id
        }
        (None, None) => return Ok(false),
    };
    let post = post::find(conn, post_id).await?;
    Ok(!post.removed && !post.deleted)
}

/// `GET /media/attachments/{id}`: an attached picture.
pub async fn attachment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, MediaError> {
    let row = {
        let mut pooled = state.ctx.db.get().await?;
        attachment::find(&mut pooled.conn(), id).await?
    };
    let Some(row) = row.filter(|row| row.kind == "image") else {
        return Err(MediaError::NotFound);
    };
    if !visible(&state, &row).await? {
        return Err(MediaError::NotFound);
    }
    // A picture uploaded here is read from the uploads' folder: its thumbnail is what pages show.
    if let Some((hash, _)) = plaza_core::media::local_file(&state.ctx.urls, &row.url) {
        let upload = plaza_core::media::find(&state.ctx, hash)
            .await
            .map_err(|e| MediaError::Database(e.to_string()))?
            .ok_or(MediaError::NotFound)?;
        return Ok(crate::uploads::read(&state, &upload, true).await);
    }
    let cache = &state.config.media_cache;
    let body = match cache.read(&row.url).await {
        Some(body) => body,
        None => {
            let url = Url::parse(&row.url).map_err(|_| MediaError::NotFound)?;
            let body = state
                .federation
                .outgoing
                .get_bytes(&url, "image/*", MAX_BYTES, FETCH_TIMEOUT)
                .await
                .map_err(|e| match e {
                    FetchError::Refused(why) | FetchError::Failed(why) => {
                        MediaError::Unavailable(why)
                    }
                })?;
            if picture_type(&body).is_none() {
                return Err(MediaError::NotAPicture);
            }
            cache.write(&row.url, &body).await;
            body
        }
    };
    let content_type = picture_type(&body).ok_or(MediaError::NotAPicture)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
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
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_told_by_their_first_bytes() {
        assert_eq!(picture_type(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(picture_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(picture_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(picture_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(picture_type(b"\0\0\0\x1cftypavif"), Some("image/avif"));
        for other in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"[..],
            b"<!DOCTYPE html><html>",
            b"%PDF-1.7",
            b"",
            b"RIFF",
        ] {
            assert_eq!(picture_type(other), None);
        }
    }

    #[test]
    fn trimming_drops_the_oldest_files_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (n, name) in ["old", "middle", "new"].iter().enumerate() {
            let path = dir.path().join(name);
            std::fs::write(&path, vec![0u8; 400]).expect("write");
            let at =
                std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000 * (n as u64 + 1));
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(at))
                .expect("set time");
        }
        assert_eq!(trim(dir.path(), 1_000).expect("trim"), 800);
        assert!(!dir.path().join("old").exists());
        assert!(dir.path().join("new").exists());
        assert_eq!(trim(dir.path(), 1_000).expect("trim"), 800);
    }
}
