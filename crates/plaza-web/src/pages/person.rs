//! A person's page: `/u/NAME` for people here, `/u/NAME@DOMAIN` for people elsewhere whom this
//! instance has met.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::CoreError;
use plaza_db::person::{self, PersonRow};

use super::layout::{Layout, PageError, TimeView, render, respond, safe_link};
use super::session::Visitor;
use crate::AppState;

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
}

/// `GET /u/NAME` for browsers.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
) -> Response {
    respond(&state.ctx, person_page(&state, &visitor, &name).await).await
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
) -> Result<Response, PageError> {
    let (row, domain) = find(state, name).await?;
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
    };
    Ok(render(StatusCode::OK, &page))
}
