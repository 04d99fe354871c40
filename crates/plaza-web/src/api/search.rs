//! Searching threads and comments, and resolving a handle or URL typed as a search.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use plaza_core::limits::check_page;
use plaza_core::search::{self, Found, SearchRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::ApiQuery;
use crate::search::{ResolvedLink, group_href, resolve, result_href};
use crate::{ApiError, AppState, ErrorBody};

/// A search.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// What to look for: words (all must occur, in any order), or a handle (`!group@domain`,
    /// `@person@domain`, `name@domain`) or a URL of a post elsewhere, which is resolved.
    /// Any text is accepted; only the first 12 words count.
    pub q: Option<String>,
    /// Only in this group: `name` here, `name@domain` elsewhere.
    pub group: Option<String>,
    /// Only by this person: `name` here, `name@domain` elsewhere.
    pub author: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Results per page, 1–50 (default 20).
    pub limit: Option<u32>,
}

/// The group of a result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchGroupJson {
    pub name: String,
    pub title: String,
    /// `name@domain`.
    pub handle: String,
    pub local: bool,
    /// Its page here (null for a group on another server).
    pub href: Option<String>,
}

/// The author of a result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchAuthorJson {
    pub name: String,
    pub display_name: Option<String>,
    /// `name@domain`.
    pub handle: String,
    pub local: bool,
}

/// A thread or comment found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResultJson {
    /// `thread` or `comment`.
    pub kind: String,
    pub thread_id: i64,
    /// Null for a thread.
    pub comment_id: Option<i64>,
    /// The thread's title (for a comment, its thread's).
    pub title: String,
    /// Plain text around the first matching word.
    pub snippet: String,
    pub group: SearchGroupJson,
    pub author: SearchAuthorJson,
    pub created_at: DateTime<Utc>,
    /// Where to read it here: the thread, or the comment's anchor in it.
    pub href: String,
    /// A comment that is its thread's accepted answer.
    pub accepted_answer: bool,
    /// Its thread (the result, or the comment's thread) has an accepted answer.
    pub solved: bool,
}

impl From<Found> for SearchResultJson {
    fn from(found: Found) -> Self {
        let href = result_href(&found);
        let h = found.hit;
        Self {
            kind: if h.comment_id.is_some() {
                "comment"
            } else {
                "thread"
            }
            .to_owned(),
            thread_id: h.post_id,
            comment_id: h.comment_id,
            title: h.title,
            snippet: found.snippet,
            group: SearchGroupJson {
                handle: format!("{}@{}", h.group_name, h.group_domain),
                href: group_href(&h.group_name, h.group_local),
                name: h.group_name,
                title: h.group_title,
                local: h.group_local,
            },
            author: SearchAuthorJson {
                handle: format!("{}@{}", h.author_name, h.author_domain),
                name: h.author_name,
                display_name: h.author_display_name,
                local: h.author_local,
            },
            created_at: h.created_at.and_utc(),
            href,
            accepted_answer: h.accepted,
            solved: h.solved,
        }
    }
}

/// What a handle or URL searched for named.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedJson {
    /// `group`, `person`, `thread` or `comment`.
    pub kind: String,
    /// Its page here (null for a group on another server, which has none).
    pub href: Option<String>,
    /// A handle for groups and people.
    pub name: String,
    /// Title or display name.
    pub title: Option<String>,
    /// Its ActivityPub id.
    pub url: Option<String>,
}

impl From<ResolvedLink> for ResolvedJson {
    fn from(r: ResolvedLink) -> Self {
        Self {
            kind: r.kind.to_owned(),
            href: r.href,
            name: r.name,
            title: r.title,
            url: r.url,
        }
    }
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchJson {
    /// What the search text named, when it is a handle or URL that resolved (fetched over
    /// federation when not known here yet).
    pub resolved: Option<ResolvedJson>,
    /// Best match first; equally good ones newest first.
    pub items: Vec<SearchResultJson>,
    /// This page (1-based).
    pub page: u32,
    /// The next page, null on the last one.
    pub next_page: Option<u32>,
}

/// Searches the titles and bodies of threads and the comments, here and from other servers.
/// Never lists removed or deleted content, content of deleted groups, or content from blocked
/// instances.
#[utoipa::path(get, path = "/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchJson), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<SearchJson>, ApiError> {
    let page = check_page(query.page, query.limit)?;
    let text = query.q.unwrap_or_default();
    let resolved = if page.number == 1 {
        resolve(&state, &text).await.map(ResolvedJson::from)
    } else {
        None
    };
    let request = SearchRequest {
        text,
        group: query.group,
        author: query.author,
    };
    let listing = search::search(&state.ctx, &request, page).await?;
    Ok(Json(SearchJson {
        resolved,
        items: listing
            .items
            .into_iter()
            .map(SearchResultJson::from)
            .collect(),
        page: listing.page,
        next_page: listing.next_page,
    }))
}
