//! Pictures people upload here: taking them in (checked, stripped of metadata, written anew,
//! with a thumbnail), where they are kept and under what URL, attaching them to threads and
//! comments, and removing those nothing shows any more.

pub mod store;

pub use plaza_media as picture;
pub use store::{S3Settings, Store, StoreSettings};

use std::path::PathBuf;

use chrono::{NaiveDateTime, TimeDelta};
use plaza_db::DbConn;
use plaza_db::attachment::NewAttachment;
use plaza_db::upload::{self, NewUpload, UploadRow};
use sha2::{Digest, Sha256};

use crate::{Account, Context, CoreError, CoreResult, Urls};

/// The folder uploads are kept in unless configured otherwise.
pub const DEFAULT_DIR: &str = "data/media";
/// Where uploads are served: `/media/uploads/NAME`.
pub const UPLOADS_PATH: &str = "/media/uploads";
/// Mastodon's limit for a description.
pub const ALT_CHARS: usize = 1_500;
/// Pictures one thread or comment may carry (Mastodon's limit too).
pub const MOST_IMAGES: usize = 4;
/// How long an upload nothing shows is kept: time to attach a fresh upload, and to undo.
pub const GRACE: TimeDelta = TimeDelta::days(1);

/// Where uploads are kept and what is taken.
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// A folder (by default `data/media`) or a bucket.
    pub store: StoreSettings,
    /// The largest file taken, in bytes.
    pub max_bytes: usize,
    /// The most pixels a picture may have (width × height).
    pub max_pixels: u64,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            store: StoreSettings::Folder(PathBuf::from(DEFAULT_DIR)),
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
        }
    }
}

/// A stored file's name: the hash of the full picture, `.thumb` for its thumbnail, and the
/// extension of its type.
pub fn file_name(hash: &str, extension: &str, thumbnail: bool) -> String {
    if thumbnail {
        format!("{hash}.thumb.{extension}")
    } else {
        format!("{hash}.{extension}")
    }
}

/// The extension of a stored type.
pub fn extension(media_type: &str) -> Option<&'static str> {
    match media_type {
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/webp" => Some("webp"),
        _ => None,
    }
}

/// A stored file's name taken apart: `(hash, extension, thumbnail)`. Anything else (a path, a
/// name with other characters) is `None`, so no name from a URL reaches the file system
/// unchecked.
pub fn parse_file_name(name: &str) -> Option<(&str, &str, bool)> {
    let (stem, extension) = name.rsplit_once('.')?;
    let (hash, thumbnail) = match stem.strip_suffix(".thumb") {
        Some(hash) => (hash, true),
        None => (stem, false),
    };
    let hex = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (hex && matches!(extension, "jpg" | "png" | "webp")).then_some((hash, extension, thumbnail))
}

/// The path of an upload's file, full or thumbnail.
pub fn path(row: &UploadRow, thumbnail: bool) -> String {
    let extension = extension(&row.media_type).unwrap_or("bin");
    format!(
        "{UPLOADS_PATH}/{}",
        file_name(&row.hash, extension, thumbnail)
    )
}

/// The hash and extension of the upload `url` names, when it is one of this instance's
/// uploads.
pub fn local_file<'u>(urls: &Urls, url: &'u str) -> Option<(&'u str, &'u str)> {
    let base = urls.base().as_str().trim_end_matches('/');
    let name = url
        .strip_prefix(base)?
        .strip_prefix(UPLOADS_PATH)?
        .strip_prefix('/')?;
    match parse_file_name(name)? {
        (hash, extension, false) => Some((hash, extension)),
        (_, _, true) => None,
    }
}

/// Takes in an uploaded file for `account`: refused unless it is a JPEG, PNG, WebP or GIF
/// picture within the size and pixel limits; stored written anew, with a thumbnail. The same
/// picture uploaded twice is one upload.
pub async fn upload(ctx: &Context, account: &Account, bytes: Vec<u8>) -> CoreResult<UploadRow> {
    let settings = &ctx.settings.media;
    let size = bytes.len();
    let result = async {
        if size > settings.max_bytes {
            return Err(CoreError::TooLarge(format!(
                "the file has {size} bytes; at most {} are taken",
                settings.max_bytes
            )));
        }
        if size == 0 {
            return Err(CoreError::invalid("file", "is empty"));
        }
        let max_pixels = settings.max_pixels;
        let done = tokio::task::spawn_blocking(move || picture::process(&bytes, max_pixels))
            .await?
            .map_err(refusal)?;
        store(ctx, account, &done).await
    }
    .await;
    if let Err(e) = &result {
        tracing::info!(person = account.person_id, bytes = size, reason = %e, "upload refused");
    }
    result
}

/// A picture refused, in the terms of the API: the kind of file (415), its size (422), its
/// state (422).
fn refusal(error: picture::PictureError) -> CoreError {
    use picture::PictureError as P;
    match error {
        P::NotAPicture | P::Unsupported(_) => CoreError::Unsupported(error.to_string()),
        P::TooLarge(reason) => CoreError::invalid("file", reason),
        P::Unreadable(_) => CoreError::invalid("file", error.to_string()),
        P::Encoding(e) => CoreError::Internal(format!("cannot write a picture: {e}")),
    }
}

async fn store(
    ctx: &Context,
    account: &Account,
    done: &picture::Processed,
) -> CoreResult<UploadRow> {
    let hash = hex::encode(Sha256::digest(&done.full));
    let store = &ctx.media_store;
    let written = async {
        store
            .put(&file_name(&hash, done.extension, true), &done.thumbnail)
            .await?;
        store
            .put(&file_name(&hash, done.extension, false), &done.full)
            .await
    }
    .await;
    written.map_err(|e| {
        CoreError::Internal(format!(
            "cannot write an upload to {}: {e}",
            store.describe()
        ))
    })?;
    let url = ctx.urls.base().join(&format!(
        "{UPLOADS_PATH}/{}",
        file_name(&hash, done.extension, false)
    ));
    let url = url
        .map_err(|e| CoreError::Internal(format!("cannot make an upload's URL: {e}")))?
        .to_string();
    let new = NewUpload {
        hash: &hash,
        url: &url,
        media_type: done.media_type,
        width: i32::try_from(done.width).unwrap_or(i32::MAX),
        height: i32::try_from(done.height).unwrap_or(i32::MAX),
        bytes: i64::try_from(done.full.len()).unwrap_or(i64::MAX),
        uploader_id: account.person_id,
    };
    let row = plaza_db::transaction!(&ctx.db, CoreError, |conn| Ok(upload::insert(
        conn,
        &new,
        plaza_db::now()
    )
    .await?))?;
    tracing::info!(hash = %row.hash, media_type = %row.media_type, width = row.width, height = row.height, "picture uploaded");
    Ok(row)
}

/// A picture to attach: an upload, by its hash, and its description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageChoice {
    /// The upload's hash.
    pub upload: String,
    /// What it shows, for people who cannot see it.
    pub alt: Option<String>,
}

/// Checks the pictures chosen for a thread or comment before anything is written: how many,
/// and the length of each description.
pub fn check_choices(choices: &[ImageChoice]) -> CoreResult<()> {
    if choices.len() > MOST_IMAGES {
        return Err(CoreError::invalid(
            "images",
            format!("may be at most {MOST_IMAGES}"),
        ));
    }
    for choice in choices {
        if choice
            .alt
            .as_ref()
            .is_some_and(|a| a.trim().chars().count() > ALT_CHARS)
        {
            return Err(CoreError::invalid(
                "alt",
                format!("must be at most {ALT_CHARS} characters long"),
            ));
        }
    }
    Ok(())
}

/// The attachments the chosen uploads make, in their order, for `account` to show: an upload not
/// stored here is a mistake of the caller's, and one uploaded by someone else is not theirs to use.
pub async fn attachments_of(
    conn: &mut DbConn<'_>,
    account: &Account,
    choices: &[ImageChoice],
) -> CoreResult<Vec<NewAttachment>> {
    let mut items = Vec::with_capacity(choices.len());
    for choice in choices {
        let row = usable(conn, account, "images", choice.upload.trim()).await?;
        items.push(NewAttachment {
            kind: "image".to_owned(),
            url: row.url,
            media_type: Some(row.media_type),
            alt: choice
                .alt
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            width: Some(row.width),
            height: Some(row.height),
            blurhash: None,
        });
    }
    Ok(items)
}

/// The upload `field` names by its hash, as the URL to store for `account`: `None` when the
/// field is absent (keep what is there), `Some(None)` when it is empty (no picture).
pub async fn picture_url(
    conn: &mut DbConn<'_>,
    account: &Account,
    field: &'static str,
    hash: Option<&str>,
) -> CoreResult<Option<Option<String>>> {
    let Some(hash) = hash.map(str::trim) else {
        return Ok(None);
    };
    if hash.is_empty() {
        return Ok(Some(None));
    }
    let row = usable(conn, account, field, hash).await?;
    Ok(Some(Some(row.url)))
}

/// Whether `account` may show uploads others made: staff and administrators may, to put a
/// member's picture in an announcement or fix a group's icon.
fn may_use_any_upload(account: &Account) -> bool {
    account.staff || account.admin
}

/// The upload `hash` names, when `account` may show it: only the people who uploaded a picture
/// may attach it, so that knowing a picture's address is not enough to put it under one's name.
async fn usable(
    conn: &mut DbConn<'_>,
    account: &Account,
    field: &'static str,
    hash: &str,
) -> CoreResult<UploadRow> {
    let row = upload::find(conn, hash)
        .await?
        .ok_or_else(|| CoreError::invalid(field, "names an upload that is not stored here"))?;
    if may_use_any_upload(account) || upload::is_owner(conn, row.id, account.person_id).await? {
        return Ok(row);
    }
    tracing::info!(person = account.person_id, hash = %row.hash, field, "use of another's upload refused");
    Err(CoreError::Forbidden(format!(
        "{field}: the upload {hash} was uploaded by someone else; upload the picture yourself to use it"
    )))
}

/// The upload stored under `hash`.
pub async fn find(ctx: &Context, hash: &str) -> CoreResult<Option<UploadRow>> {
    let mut pooled = ctx.db.get().await?;
    Ok(upload::find(&mut pooled.conn(), hash).await?)
}

/// What a pruning pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Uploads found unused for the first time.
    pub marked: usize,
    /// Uploads removed, files and row.
    pub removed: usize,
}

/// Marks the uploads nothing shows any more, and removes, files and row, those unused for
/// longer than [`GRACE`]: a deleted thread's pictures, an avatar replaced, an upload never
/// attached.
pub async fn prune(ctx: &Context, now: NaiveDateTime) -> CoreResult<Pruned> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let marked = upload::mark_unused(conn, now).await?;
    let gone = upload::take_unused(conn, now - GRACE).await?;
    for row in &gone {
        let extension = extension(&row.media_type).unwrap_or("bin");
        for thumbnail in [false, true] {
            if let Err(e) = ctx
                .media_store
                .remove(&file_name(&row.hash, extension, thumbnail))
                .await
            {
                tracing::warn!(error = %e, hash = %row.hash, "cannot remove an unused upload");
            }
        }
    }
    Ok(Pruned {
        marked,
        removed: gone.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_stored_files_are_taken_apart() {
        let hash = "a".repeat(64);
        assert_eq!(
            parse_file_name(&format!("{hash}.jpg")),
            Some((hash.as_str(), "jpg", false))
        );
        assert_eq!(
            parse_file_name(&format!("{hash}.thumb.png")),
            Some((hash.as_str(), "png", true))
        );
        for bad in [
            format!("{hash}.svg"),
            format!("{hash}.html"),
            format!("../{hash}.jpg"),
            format!("{}.jpg", "A".repeat(64)),
            format!("{}.jpg", "a".repeat(63)),
            format!("{hash}.thumb.thumb.jpg"),
            hash.clone(),
            String::new(),
        ] {
            assert_eq!(parse_file_name(&bad), None, "{bad}");
        }
    }

    #[test]
    fn too_many_pictures_or_too_long_a_description_are_refused() {
        let one = ImageChoice {
            upload: "a".repeat(64),
            alt: Some("A router".into()),
        };
        assert!(check_choices(&vec![one.clone(); MOST_IMAGES]).is_ok());
        assert!(check_choices(&vec![one.clone(); MOST_IMAGES + 1]).is_err());
        let long = ImageChoice {
            alt: Some("x".repeat(ALT_CHARS + 1)),
            ..one
        };
        assert!(check_choices(&[long]).is_err());
    }
}
