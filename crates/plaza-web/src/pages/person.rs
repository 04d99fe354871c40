//! A person's page: `/u/NAME` for people here, `/u/NAME@DOMAIN` for people elsewhere whom this
//! instance has met.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::CoreError;
use plaza_db::Page;
use plaza_db::contributions::ContributionCounts;
use plaza_db::person::{self, PersonRow};
use serde::Deserialize;

use super::home::page_number;
use super::layout::{Layout, PageError, TimeView, render, respond, safe_link, segment};
use super::search::ResultItem;
use super::session::Visitor;
use crate::AppState;

/// Threads and comments per page.
const PER_PAGE: u32 = 20;

/// The query string: only the page.
#[derive(Debug, Default, Deserialize)]
pub struct PersonQuery {
    /// 1-based page; anything else is the first.
    pub page: Option<String>,
}

/// The person page.
#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    /// The layout.
    pub layout: Layout,
    /// The name to show.
    pub shown_name: String,
    /// `name@domain`.
    pub handle: String,
    /// Not from this instance.
    pub remote: bool,
    /// A bot account.
    pub bot: bool,
    /// Their profile on their own server, for people elsewhere.
    pub profile: Option<String>,
    /// Sanitized HTML of their bio.
    pub bio_html: Option<String>,
    /// When this instance first knew them (when they joined, for people here).
    pub since: TimeView,
    /// How much they wrote.
    pub counts: ContributionCounts,
    /// This page of their threads and comments, newest first.
    pub contributions: Vec<ResultItem>,
    /// This page's number.
    pub page: u32,
    /// The previous page's link.
    pub prev_page: Option<String>,
    /// The next page's link.
    pub next_page: Option<String>,
}

/// `GET /u/NAME` for browsers.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<PersonQuery>,
) -> Response {
    let number = page_number(query.page.as_deref());
    respond(
        &state.ctx,
        person_page(&state, &visitor, &name, number).await,
    )
    .await
}

async fn find(state: &AppState, name: &str) -> Result<(PersonRow, String), PageError> {
    let urls = &state.ctx.urls;
    let (name, domain) = match name.trim_start_matches('@').split_once('@') {
        Some((name, domain)) => (name, domain.to_ascii_lowercase()),
        None => (name, urls.domain().to_owned()),
    };
    let mut pooled = state.ctx.db.get().await.map_err(CoreError::from)?;
    let conn = &mut pooled.conn();
    let found = if domain == urls.domain() {
        person::find_local(conn, name).await
    } else {
        person::find_by_handle(conn, name, &domain).await
    }
    .map_err(CoreError::from)?;
    let row = found.ok_or_else(|| PageError::not_found("person"))?;
    if row.deleted {
        return Err(PageError::gone("This account was deleted."));
    }
    Ok((row, domain))
}

async fn person_page(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    number: u32,
) -> Result<Response, PageError> {
    let (row, domain) = find(state, name).await?;
    let (counts, listing) = plaza_core::people::contributions(
        &state.ctx,
        row.id,
        Page {
            number,
            limit: PER_PAGE,
        },
    )
    .await?;
    let link = |n: u32| format!("/u/{}?page={n}", segment(name));
    let handle = format!("{}@{domain}", row.name);
    let shown_name = row
        .display_name
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| row.name.clone());
    let mut layout = Layout::new(&state.ctx, visitor, format!("{shown_name} ({handle})")).await?;
    if row.local {
        layout.activity_id = Some(row.ap_id.clone());
        layout.canonical = Some(state.ctx.urls.person(&row.name));
    }
    let page = PersonPage {
        layout,
        shown_name,
        handle,
        remote: !row.local,
        bot: row.bot,
        profile: if row.local {
            None
        } else {
            safe_link(Some(&row.ap_id))
        },
        bio_html: row.bio_html.clone().filter(|b| !b.trim().is_empty()),
        since: TimeView::new(row.created_at),
        counts,
        contributions: listing.items.into_iter().map(ResultItem::from).collect(),
        page: number,
        prev_page: (number > 1).then(|| link(number - 1)),
        next_page: listing.next_page.map(link),
    };
    Ok(render(StatusCode::OK, &page))
}
