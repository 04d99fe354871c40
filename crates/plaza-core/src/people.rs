//! People by the names others type for them, and their public faces for the lists that name
//! them by id (the moderation log, reports, bans).

use std::collections::HashMap;

use plaza_db::contributions::{self, ContributionCounts};
use plaza_db::person::{self, PersonBrief};
use plaza_db::{DbConn, Page};

use crate::search::{Found, found_listing};
use crate::{Context, CoreError, CoreResult, Listing};

/// What a person's page lists: how much they wrote, and one page of it, newest first. Only what
/// anyone may read: nothing removed or deleted, nothing in a deleted group or from a blocked
/// instance.
pub async fn contributions(
    ctx: &Context,
    person_id: i64,
    page: Page,
) -> CoreResult<(ContributionCounts, Listing<Found>)> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let counts = contributions::counts(conn, person_id).await?;
    let rows = contributions::by_author(conn, person_id, page).await?;
    Ok((counts, found_listing(rows, &[], page)))
}

/// The person a handle names: `name` (or `name@this-domain`) for a person here, `name@domain`
/// for one elsewhere whom this instance knows. A leading `@` is allowed.
pub async fn by_handle(ctx: &Context, handle: &str) -> CoreResult<i64> {
    let handle = handle.trim();
    let handle = handle.strip_prefix('@').unwrap_or(handle);
    if handle.is_empty() {
        return Err(CoreError::invalid(
            "person",
            "must be a name here or a handle such as name@domain",
        ));
    }
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let found = match handle.split_once('@') {
        Some((name, domain)) if !domain.eq_ignore_ascii_case(ctx.urls.domain()) => {
            person::find_by_handle(conn, name, &domain.to_ascii_lowercase()).await?
        }
        Some((name, _)) => person::find_local(conn, name).await?,
        None => person::find_local(conn, handle).await?,
    };
    Ok(found.ok_or(CoreError::NotFound("person"))?.id)
}

/// The public faces of the people with these ids (duplicates and unknown ids are fine).
pub(crate) async fn briefs(
    conn: &mut DbConn<'_>,
    mut ids: Vec<i64>,
) -> CoreResult<HashMap<i64, PersonBrief>> {
    ids.sort_unstable();
    ids.dedup();
    Ok(person::briefs(conn, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}
