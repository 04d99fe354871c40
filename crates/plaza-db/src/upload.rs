//! Pictures uploaded here: one row per stored file, named by the SHA-256 of its bytes. Rows that
//! show an upload (attachments, avatars, group icons and banners, the site's logo) name it by its
//! public URL, so whether an upload is still used is a question of URLs.

use chrono::NaiveDateTime;
use diesel::dsl::not;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{attachments, groups, persons, site, upload_owners, uploads};
use crate::{DbConn, DbResult, on_conn};

/// One stored upload.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = uploads, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UploadRow {
    pub id: i64,
    /// SHA-256 of the stored file, in lower-case hex.
    pub hash: String,
    /// Its public URL, as other rows name it.
    pub url: String,
    /// `image/jpeg`, `image/png` or `image/webp`: what was written, not what was sent.
    pub media_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub uploader_id: Option<i64>,
    pub created_at: NaiveDateTime,
    /// When housekeeping first found nothing showing it.
    pub unused_since: Option<NaiveDateTime>,
}

/// An upload to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload<'a> {
    pub hash: &'a str,
    pub url: &'a str,
    pub media_type: &'a str,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub uploader_id: i64,
}

/// Whether some row shows the upload. Each list leaves out NULLs, without which `NOT IN` would
/// never be true.
macro_rules! referenced {
    () => {
        uploads::url
            .eq_any(attachments::table.select(attachments::url))
            .or(uploads::url.nullable().eq_any(
                persons::table
                    .filter(persons::avatar_url.is_not_null())
                    .select(persons::avatar_url),
            ))
            .or(uploads::url.nullable().eq_any(
                groups::table
                    .filter(groups::icon_url.is_not_null())
                    .select(groups::icon_url),
            ))
            .or(uploads::url.nullable().eq_any(
                groups::table
                    .filter(groups::banner_url.is_not_null())
                    .select(groups::banner_url),
            ))
            .or(uploads::url.nullable().eq_any(
                site::table
                    .filter(site::icon_url.is_not_null())
                    .select(site::icon_url),
            ))
    };
}

/// Records an upload and its uploader among its owners; the same file uploaded again (same hash)
/// is the row already there, used again if housekeeping had marked it unused. Two statements:
/// run it in a transaction.
pub async fn insert(
    conn: &mut DbConn<'_>,
    new: &NewUpload<'_>,
    now: NaiveDateTime,
) -> DbResult<UploadRow> {
    on_conn!(conn, |c| {
        let row = diesel::insert_into(uploads::table)
            .values((
                uploads::hash.eq(new.hash),
                uploads::url.eq(new.url),
                uploads::media_type.eq(new.media_type),
                uploads::width.eq(new.width),
                uploads::height.eq(new.height),
                uploads::bytes.eq(new.bytes),
                uploads::uploader_id.eq(Some(new.uploader_id)),
                uploads::created_at.eq(now),
            ))
            .on_conflict(uploads::hash)
            .do_update()
            .set(uploads::unused_since.eq(None::<NaiveDateTime>))
            .returning(UploadRow::as_returning())
            .get_result(c)
            .await?;
        diesel::insert_into(upload_owners::table)
            .values((
                upload_owners::upload_id.eq(row.id),
                upload_owners::person_id.eq(new.uploader_id),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await?;
        Ok(row)
    })
}

/// Whether `person_id` uploaded the upload `upload_id` (one of its owners).
pub async fn is_owner(conn: &mut DbConn<'_>, upload_id: i64, person_id: i64) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        upload_owners::table
            .filter(upload_owners::upload_id.eq(upload_id))
            .filter(upload_owners::person_id.eq(person_id)),
    ))
    .get_result(c)
    .await?))
}

/// The upload stored under `hash`.
pub async fn find(conn: &mut DbConn<'_>, hash: &str) -> DbResult<Option<UploadRow>> {
    on_conn!(conn, |c| Ok(uploads::table
        .filter(uploads::hash.eq(hash))
        .select(UploadRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Marks `now` on the uploads nothing shows any more, and clears the mark of those shown again;
/// returns how many were newly marked.
pub async fn mark_unused(conn: &mut DbConn<'_>, now: NaiveDateTime) -> DbResult<usize> {
    on_conn!(conn, |c| {
        let marked = diesel::update(
            uploads::table
                .filter(uploads::unused_since.is_null())
                .filter(not(referenced!())),
        )
        .set(uploads::unused_since.eq(Some(now)))
        .execute(c)
        .await?;
        diesel::update(
            uploads::table
                .filter(uploads::unused_since.is_not_null())
                .filter(referenced!()),
        )
        .set(uploads::unused_since.eq(None::<NaiveDateTime>))
        .execute(c)
        .await?;
        Ok(marked)
    })
}

/// Deletes the rows of uploads unused since before `before` and still shown nowhere; returns
/// them, so their files can go too.
pub async fn take_unused(conn: &mut DbConn<'_>, before: NaiveDateTime) -> DbResult<Vec<UploadRow>> {
    on_conn!(conn, |c| Ok(diesel::delete(
        uploads::table
            .filter(uploads::unused_since.lt(before))
            .filter(not(referenced!())),
    )
    .returning(UploadRow::as_returning())
    .get_results(c)
    .await?))
}
