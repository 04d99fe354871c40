//! The search page: results for words, or the local copy of what a handle or URL names.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use plaza_core::search::{self, Found, SearchRequest};
use plaza_db::Page;
use serde::Deserialize;

use super::home::page_number;
use super::layout::{Layout, PageError, PersonView, TimeView, render, respond, segment};
use super::session::Visitor;
use crate::AppState;
use crate::search::{ResolvedLink, group_href, resolve, result_href};

/// Results per page.
const RESULTS_PER_PAGE: u32 = 20;

/// The query string. Everything is text, so no value makes the page fail.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// What was typed.
    #[serde(default)]
    pub q: String,
    /// A group filter.
    #[serde(default)]
    pub group: String,
    /// An author filter.
    #[serde(default)]
    pub author: String,
    /// 1-based page.
    pub page: Option<String>,
}

/// One result as the page shows it.
pub struct ResultItem {
    /// The thread, or the comment's anchor in it.
    pub href: String,
    /// The thread's title.
    pub title: String,
    /// A comment (else the thread's opening post).
    pub comment: bool,
    /// Plain text around the match (escaped when rendered).
    pub snippet: String,
    /// The group's title.
    pub group_title: String,
    /// `name@domain`.
    pub group_handle: String,
    /// The group's page here, if it has one.
    pub group_href: Option<String>,
    /// The author.
    pub author: PersonView,
    /// When it was written.
    pub when: TimeView,
    /// A comment that is its thread's accepted answer.
    pub accepted: bool,
    /// Its thread has an accepted answer.
    pub solved: bool,
}

impl From<Found> for ResultItem {
    fn from(found: Found) -> Self {
        let href = result_href(&found);
        let h = found.hit;
        let handle = format!("{}@{}", h.author_name, h.author_domain);
        Self {
            href,
            title: h.title,
            comment: h.comment_id.is_some(),
            snippet: found.snippet,
            group_handle: format!("{}@{}", h.group_name, h.group_domain),
            group_href: group_href(&h.group_name, h.group_local),
            group_title: h.group_title,
            author: PersonView {
                href: format!(
                    "/u/{}",
                    segment(if h.author_local {
                        &h.author_name
                    } else {
                        &handle
                    })
                ),
                shown_name: h
                    .author_display_name
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or_else(|| h.author_name.clone()),
                handle,
                remote: !h.author_local,
                deleted: false,
                bot: false,
                staff: false,
                moderator: false,
            },
            when: TimeView::new(h.created_at),
            accepted: h.accepted,
            solved: h.solved,
        }
    }
}

/// The page.
#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    /// The layout.
    pub layout: Layout,
    /// The words.
    pub q: String,
    /// The group filter.
    pub group: String,
    /// The author filter.
    pub author: String,
    /// What a handle or URL named, when it has no page here to go to.
    pub found: Option<ResolvedLink>,
    /// A search was made (the form alone otherwise).
    pub searched: bool,
    /// This page's number.
    pub page: u32,
    /// The results.
    pub results: Vec<ResultItem>,
    /// The previous page's link.
    pub prev_page: Option<String>,
    /// The next page's link.
    pub next_page: Option<String>,
}

/// `GET /search?q=…&group=…&author=…&page=…`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SearchQuery>,
) -> Response {
    respond(&state.ctx, search_page(&state, &visitor, query).await).await
}

async fn search_page(
    state: &AppState,
    visitor: &Visitor,
    query: SearchQuery,
) -> Result<Response, PageError> {
    let number = page_number(query.page.as_deref());
    let mut found = None;
    if number == 1
        && let Some(link) = resolve(state, &query.q).await
    {
        match link.href.as_deref().map(HeaderValue::from_str) {
            Some(Ok(location)) => {
                return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response());
            }
            _ => found = Some(link),
        }
    }
    let searched = !query.q.trim().is_empty();
    let request = SearchRequest {
        text: query.q.clone(),
        group: Some(query.group.clone()),
        author: Some(query.author.clone()),
    };
    let page = Page {
        number,
        limit: RESULTS_PER_PAGE,
    };
    let listing = search::search(&state.ctx, &request, page).await?;
    let link = |n: u32| {
        let pairs: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &query.q)
            .append_pair("group", &query.group)
            .append_pair("author", &query.author)
            .append_pair("page", &n.to_string())
            .finish();
        format!("/search?{pairs}")
    };
    let title = if searched {
        format!("Search: {}", query.q.chars().take(80).collect::<String>())
    } else {
        "Search".to_owned()
    };
    let mut layout = Layout::new(&state.ctx, visitor, title).await?;
    layout.search = query.q.clone();
    let page = SearchPage {
        layout,
        found,
        searched,
        page: number,
        prev_page: (number > 1).then(|| link(number - 1)),
        next_page: listing.next_page.map(link),
        results: listing.items.into_iter().map(ResultItem::from).collect(),
        q: query.q,
        group: query.group,
        author: query.author,
    };
    Ok(render(StatusCode::OK, &page))
}
