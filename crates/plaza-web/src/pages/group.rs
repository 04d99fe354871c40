//! A group's page: what it is about, who moderates it, how to follow it, and its threads.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::threads::ThreadSummary;
use plaza_db::Page;
use plaza_db::post::{ThreadFilter, ThreadSort};
use serde::Deserialize;

use super::home::page_number;
use super::idea::IdeaView;
use super::layout::{FeedLink, Layout, PageError, PersonView, TimeView, render, respond};
use super::session::Visitor;
use crate::AppState;
use plaza_core::ideas::IdeaStatus;

/// Threads per page of a group.
const THREADS_PER_PAGE: u32 = 20;

/// A thread in a group's list.
pub struct ThreadItem {
    /// Its page.
    pub href: String,
    /// Its title (escaped when rendered).
    pub title: String,
    /// Who started it.
    pub author: PersonView,
    /// When.
    pub when: TimeView,
    /// Up minus down votes.
    pub score: i64,
    /// Comments.
    pub comments: i64,
    /// Pinned by a moderator.
    pub pinned: bool,
    /// Locked: no new replies.
    pub locked: bool,
    /// It asks a question.
    pub question: bool,
    /// It has an accepted answer.
    pub solved: bool,
    /// Its idea status.
    pub idea: Option<IdeaView>,
}

impl From<&ThreadSummary> for ThreadItem {
    fn from(s: &ThreadSummary) -> Self {
        Self {
            href: format!("/post/{}", s.post.id),
            title: s.post.title.clone(),
            author: PersonView::from(&s.author),
            when: TimeView::new(s.post.created_at),
            score: s.post.score,
            comments: s.post.comment_count,
            pinned: s.post.pinned,
            locked: s.post.locked,
            question: s.question,
            solved: s.accepted.is_some(),
            idea: IdeaView::of(&s.post),
        }
    }
}

/// A link to another ordering of the list.
pub struct SortLink {
    /// "New", "Active", "Top".
    pub label: &'static str,
    /// Its URL.
    pub href: String,
    /// The order shown now.
    pub current: bool,
}

/// The path of a picture uploaded here that `url` names; `None` for anything else.
pub fn uploaded_here(urls: &plaza_core::Urls, url: Option<&str>) -> Option<String> {
    let (hash, extension) = plaza_core::media::local_file(urls, url?)?;
    Some(format!(
        "{}/{}",
        plaza_core::media::UPLOADS_PATH,
        plaza_core::media::file_name(hash, extension, false)
    ))
}

/// The group page.
#[derive(Template)]
#[template(path = "group.html")]
pub struct GroupPage {
    /// The layout.
    pub layout: Layout,
    /// The group's name.
    pub name: String,
    /// Where the follow form posts.
    pub follow_action: String,
    /// The follow form has no message yet.
    pub no_message: Option<String>,
    /// Its title.
    pub title: String,
    /// Its description, sanitized HTML.
    pub description_html: Option<String>,
    /// Its icon and banner, when uploaded here (pictures elsewhere are not loaded from there).
    pub icon: Option<String>,
    pub banner: Option<String>,
    /// `name@domain`.
    pub handle: String,
    /// Followers.
    pub followers: i64,
    /// Threads.
    pub thread_count: i64,
    /// Moderators.
    pub moderators: Vec<PersonView>,
    /// Only moderators start threads.
    pub moderators_only: bool,
    /// The orderings.
    pub sorts: Vec<SortLink>,
    /// The filters (all, unanswered, unsolved, solved).
    pub filters: Vec<SortLink>,
    /// This page of threads.
    pub threads: Vec<ThreadItem>,
    /// The previous page's link.
    pub prev_page: Option<String>,
    /// The next page's link.
    pub next_page: Option<String>,
    /// The visitor moderates the group: the page links its log, reports and settings.
    pub moderating: bool,
}

/// Query of a group page.
#[derive(Debug, Deserialize)]
pub struct GroupQuery {
    /// `new`, `active` or `top`.
    pub sort: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
    /// `unanswered`, `unsolved` or `solved`.
    pub filter: Option<String>,
}

const SORTS: [(&str, &str, ThreadSort); 3] = [
    ("new", "New", ThreadSort::New),
    ("active", "Active", ThreadSort::Active),
    ("top", "Top", ThreadSort::Top),
];

const FILTERS: [(&str, &str, ThreadFilter); 4] = [
    ("", "All", ThreadFilter::All),
    ("unanswered", "Unanswered", ThreadFilter::Unanswered),
    ("unsolved", "Unsolved", ThreadFilter::Unsolved),
    ("solved", "Solved", ThreadFilter::Solved),
];

/// The filter a query names (a question filter, or an idea status); anything unknown shows every
/// thread.
pub fn thread_filter(raw: Option<&str>) -> (&'static str, ThreadFilter) {
    if let Some(status) = raw.and_then(IdeaStatus::parse) {
        return (status.as_str(), ThreadFilter::IdeaStatus(status.as_str()));
    }
    FILTERS
        .iter()
        .find(|(key, _, _)| !key.is_empty() && Some(*key) == raw)
        .map_or(("", ThreadFilter::All), |(key, _, f)| (*key, *f))
}

/// `GET /g/NAME` for browsers.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<GroupQuery>,
) -> Response {
    respond(&state.ctx, group(&state, &visitor, &name, query).await).await
}

/// A local group by name: a name with a domain is not a page here.
pub async fn local_group(
    state: &AppState,
    name: &str,
) -> Result<plaza_core::groups::GroupDetails, PageError> {
    if name.contains('@') {
        return Err(PageError::not_found("group"));
    }
    Ok(plaza_core::groups::get(&state.ctx, name).await?)
}

async fn group(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    query: GroupQuery,
) -> Result<Response, PageError> {
    let ctx = &state.ctx;
    let details = local_group(state, name).await?;
    let g = &details.view.group;
    let sort_key = SORTS
        .iter()
        .find(|(key, _, _)| Some(*key) == query.sort.as_deref())
        .map_or("new", |(key, _, _)| *key);
    let sort = SORTS
        .iter()
        .find(|(key, _, _)| *key == sort_key)
        .map_or(ThreadSort::New, |(_, _, s)| *s);
    let number = page_number(query.page.as_deref());
    let (filter_key, filter) = thread_filter(query.filter.as_deref());
    let listing = plaza_core::threads::list(
        ctx,
        None,
        &g.name,
        filter,
        sort,
        Page {
            number,
            limit: THREADS_PER_PAGE,
        },
    )
    .await?;
    let moderating = match &visitor.account {
        Some(account) => plaza_core::moderation::may_moderate_group(ctx, account, g.id).await?,
        None => false,
    };
    let base = format!("/g/{}", g.name);
    let filter_part = if filter_key.is_empty() {
        String::new()
    } else {
        format!("&filter={filter_key}")
    };
    let page_link = |n: u32| format!("{base}?sort={sort_key}{filter_part}&page={n}");
    let mut layout = Layout::new(ctx, visitor, g.title.clone()).await?;
    layout.feeds = FeedLink::pair(&base, &g.title);
    layout.activity_id = Some(g.ap_id.clone());
    layout.canonical = Some(ctx.urls.group(&g.name));
    let page = GroupPage {
        name: g.name.clone(),
        follow_action: format!("{base}/follow"),
        no_message: None,
        title: g.title.clone(),
        description_html: g.description_html.clone().filter(|d| !d.trim().is_empty()),
        icon: uploaded_here(&state.ctx.urls, g.icon_url.as_deref()),
        banner: uploaded_here(&state.ctx.urls, g.banner_url.as_deref()),
        handle: format!("{}@{}", g.name, details.view.domain),
        followers: details.view.follower_count,
        thread_count: details.view.thread_count,
        moderators: details.moderators.iter().map(PersonView::from).collect(),
        moderators_only: g.posting_restricted_to_mods,
        sorts: SORTS
            .iter()
            .map(|(key, label, _)| SortLink {
                label,
                href: format!("{base}?sort={key}{filter_part}"),
                current: *key == sort_key,
            })
            .collect(),
        filters: FILTERS
            .iter()
            .map(|(key, label, _)| (*key, *label))
            .chain(
                IdeaStatus::ALL
                    .into_iter()
                    .filter(|_| g.ideas)
                    .map(|s| (s.as_str(), s.label())),
            )
            .map(|(key, label)| SortLink {
                label,
                href: if key.is_empty() {
                    format!("{base}?sort={sort_key}")
                } else {
                    format!("{base}?sort={sort_key}&filter={key}")
                },
                current: key == filter_key,
            })
            .collect(),
        threads: listing.items.iter().map(ThreadItem::from).collect(),
        prev_page: (number > 1).then(|| page_link(number - 1)),
        next_page: listing.next_page.map(page_link),
        moderating,
        layout,
    };
    Ok(render(StatusCode::OK, &page))
}
