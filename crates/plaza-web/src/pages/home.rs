//! The instance's home page: its name, description and groups.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_db::Page;
use plaza_db::group::GroupView;
use serde::Deserialize;

use super::layout::{FeedLink, Layout, PageError, render, respond, safe_link};
use super::session::Visitor;
use crate::AppState;

/// Groups per page of the home page.
const GROUPS_PER_PAGE: u32 = 50;

/// A group in a list.
pub struct GroupItem {
    /// Its page.
    pub href: String,
    /// Its title.
    pub title: String,
    /// `name@domain`.
    pub handle: String,
    /// Followers here and elsewhere.
    pub followers: i64,
    /// Threads.
    pub threads: i64,
}

impl From<&GroupView> for GroupItem {
    fn from(v: &GroupView) -> Self {
        Self {
            href: format!("/g/{}", v.group.name),
            title: v.group.title.clone(),
            handle: format!("{}@{}", v.group.name, v.domain),
            followers: v.follower_count,
            threads: v.thread_count,
        }
    }
}

/// The home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// The layout.
    pub layout: Layout,
    /// The brand's logo, when it is an http(s) URL.
    pub logo: Option<String>,
    /// The site's description as sanitized HTML (rendered from its Markdown source).
    pub description_html: Option<String>,
    /// This page of local groups.
    pub groups: Vec<GroupItem>,
    /// The previous page's link.
    pub prev_page: Option<String>,
    /// The next page's link.
    pub next_page: Option<String>,
}

/// Query of a paged list (the home page, the moderation pages): `?page=N`.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// 1-based page.
    pub page: Option<String>,
}

/// `GET /`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<PageQuery>,
) -> Response {
    respond(&state.ctx, home(&state, &visitor, query).await).await
}

async fn home(
    state: &AppState,
    visitor: &Visitor,
    query: PageQuery,
) -> Result<Response, PageError> {
    let ctx = &state.ctx;
    let number = page_number(query.page.as_deref());
    let site = plaza_core::site::get(ctx).await?;
    let listing = plaza_core::groups::list(
        ctx,
        Page {
            number,
            limit: GROUPS_PER_PAGE,
        },
    )
    .await?;
    let mut layout = Layout::for_site(ctx, visitor, &site, site.name.clone()).await?;
    layout.feeds = FeedLink::pair("", &site.name);
    layout.canonical = Some(ctx.urls.base().to_string());
    let page = HomePage {
        layout,
        logo: safe_link(site.icon_url.as_deref()),
        description_html: plaza_core::markdown::render_optional(
            "description",
            site.description.as_deref().filter(|d| !d.trim().is_empty()),
        )
        .await?,
        groups: listing.items.iter().map(GroupItem::from).collect(),
        prev_page: (number > 1).then(|| format!("/?page={}", number - 1)),
        next_page: listing.next_page.map(|n| format!("/?page={n}")),
    };
    Ok(render(StatusCode::OK, &page))
}

/// A page number from a query string: anything missing or malformed is page 1.
pub fn page_number(raw: Option<&str>) -> u32 {
    raw.and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}
