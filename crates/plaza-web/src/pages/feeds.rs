//! RSS 2.0 and Atom feeds of recent threads: per group (`/g/NAME/feed.rss`, `.atom`) and for the
//! whole instance (`/feed.rss`, `.atom`). The XML is written by the `rss` and `atom_syndication`
//! crates, which escape every value.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use plaza_core::threads::ThreadSummary;
use plaza_db::Page;
use plaza_db::post::{ThreadFilter, ThreadSort};

use serde::Deserialize;

use super::group::{local_group, thread_filter};
use super::layout::{PageError, respond};
use crate::AppState;

/// Threads in a feed.
const FEED_LENGTH: u32 = 20;
/// Groups whose threads the instance feed gathers.
const FEED_GROUPS: u32 = 50;

/// What a feed holds, whichever format it is written in.
struct FeedData {
    title: String,
    description: String,
    /// The page the feed belongs to.
    page_url: String,
    /// The feed's own URL.
    self_url: String,
    threads: Vec<ThreadSummary>,
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

fn absolute(state: &AppState, path: &str) -> String {
    let mut url = state.ctx.urls.base().clone();
    url.set_path(path);
    url.into()
}

/// The newest threads first, at most a feed's length.
fn newest(mut threads: Vec<ThreadSummary>) -> Vec<ThreadSummary> {
    threads.retain(|t| !t.post.deleted && !t.post.removed);
    threads.sort_by_key(|t| std::cmp::Reverse((t.post.created_at, t.post.id)));
    threads.truncate(FEED_LENGTH as usize);
    threads
}

async fn recent(
    state: &AppState,
    group: &str,
    filter: ThreadFilter,
) -> Result<Vec<ThreadSummary>, PageError> {
    let listing = plaza_core::threads::list(
        &state.ctx,
        None,
        group,
        filter,
        ThreadSort::New,
        Page {
            number: 1,
            limit: FEED_LENGTH,
        },
    )
    .await?;
    Ok(listing.items)
}

/// A group feed's query: the group page's answer filters.
#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    /// `unanswered`, `unsolved` or `solved`; anything else is every thread.
    pub filter: Option<String>,
}

async fn group_feed(
    state: &AppState,
    name: &str,
    extension: &str,
    query: &FeedQuery,
) -> Result<FeedData, PageError> {
    let details = local_group(state, name).await?;
    let g = &details.view.group;
    let (key, filter) = thread_filter(query.filter.as_deref());
    let threads = newest(recent(state, &g.name, filter).await?);
    let (description, query) = if key.is_empty() {
        (format!("New threads in {}", g.title), String::new())
    } else {
        (
            format!("New {key} threads in {}", g.title),
            format!("?filter={key}"),
        )
    };
    let mut self_url = absolute(state, &format!("/g/{}/feed.{extension}", g.name));
    self_url.push_str(&query);
    let mut page_url = absolute(state, &format!("/g/{}", g.name));
    page_url.push_str(&query);
    Ok(FeedData {
        title: g.title.clone(),
        description,
        page_url,
        self_url,
        threads,
    })
}

async fn instance_feed(state: &AppState, extension: &str) -> Result<FeedData, PageError> {
    let site = plaza_core::site::get(&state.ctx).await?;
    let groups = plaza_core::groups::list(
        &state.ctx,
        Page {
            number: 1,
            limit: FEED_GROUPS,
        },
    )
    .await?;
    let mut threads = Vec::new();
    for group in &groups.items {
        threads.extend(recent(state, &group.group.name, ThreadFilter::All).await?);
    }
    Ok(FeedData {
        description: site
            .description
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| format!("New threads on {}", site.name)),
        title: site.name,
        page_url: absolute(state, "/"),
        self_url: absolute(state, &format!("/feed.{extension}")),
        threads: newest(threads),
    })
}

fn xml(mime: &'static str, written: Result<Vec<u8>, String>) -> Result<Response, PageError> {
    match written {
        Ok(body) => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, HeaderValue::from_static(mime))],
            body,
        )
            .into_response()),
        Err(e) => {
            tracing::error!(error = %e, "cannot write a feed");
            Err(PageError::internal())
        }
    }
}

fn rss(state: &AppState, feed: FeedData) -> Result<Response, PageError> {
    let items = feed
        .threads
        .iter()
        .map(|t| {
            let url = state.ctx.urls.post(t.post.id);
            let mut guid = rss::Guid::default();
            guid.set_value(url.clone());
            guid.set_permalink(true);
            let mut item = rss::Item::default();
            item.set_title(t.post.title.clone());
            item.set_link(url);
            item.set_guid(guid);
            item.set_pub_date(utc(t.post.created_at).to_rfc2822());
            item.set_description(t.post.body_html.clone());
            item
        })
        .collect::<Vec<_>>();
    let mut channel = rss::Channel::default();
    channel.set_title(feed.title);
    channel.set_link(feed.page_url);
    channel.set_description(feed.description);
    channel.set_generator("Plaza".to_owned());
    channel.set_items(items);
    xml(
        "application/rss+xml; charset=utf-8",
        channel.write_to(Vec::new()).map_err(|e| e.to_string()),
    )
}

fn atom_link(href: String, rel: &str, mime: Option<&str>) -> atom_syndication::Link {
    let mut link = atom_syndication::Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link.set_mime_type(mime.map(str::to_owned));
    link
}

fn atom(state: &AppState, feed: FeedData) -> Result<Response, PageError> {
    let entries = feed
        .threads
        .iter()
        .map(|t| {
            let url = state.ctx.urls.post(t.post.id);
            let mut author = atom_syndication::Person::default();
            author.set_name(format!("{}@{}", t.author.name, t.author.domain));
            let mut content = atom_syndication::Content::default();
            content.set_content_type(Some("html".to_owned()));
            content.set_value(Some(t.post.body_html.clone()));
            let mut entry = atom_syndication::Entry::default();
            entry.set_id(url.clone());
            entry.set_title(t.post.title.clone());
            entry.set_published(Some(utc(t.post.created_at).fixed_offset()));
            entry.set_updated(utc(t.post.updated_at.unwrap_or(t.post.created_at)).fixed_offset());
            entry.set_links(vec![atom_link(url, "alternate", Some("text/html"))]);
            entry.set_authors(vec![author]);
            entry.set_content(Some(content));
            entry
        })
        .collect::<Vec<_>>();
    let updated = feed
        .threads
        .iter()
        .map(|t| t.post.updated_at.unwrap_or(t.post.created_at))
        .max()
        .map_or_else(Utc::now, utc);
    let mut out = atom_syndication::Feed::default();
    out.set_id(feed.self_url.clone());
    out.set_title(feed.title);
    out.set_subtitle(Some(atom_syndication::Text::plain(feed.description)));
    out.set_updated(updated.fixed_offset());
    out.set_links(vec![
        atom_link(feed.page_url, "alternate", Some("text/html")),
        atom_link(feed.self_url, "self", Some("application/atom+xml")),
    ]);
    out.set_entries(entries);
    xml(
        "application/atom+xml; charset=utf-8",
        out.write_to(Vec::new()).map_err(|e| e.to_string()),
    )
}

/// `GET /g/NAME/feed.rss`.
pub async fn group_rss(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Response {
    let result = match group_feed(&state, &name, "rss", &query).await {
        Ok(feed) => rss(&state, feed),
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}

/// `GET /g/NAME/feed.atom`.
pub async fn group_atom(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Response {
    let result = match group_feed(&state, &name, "atom", &query).await {
        Ok(feed) => atom(&state, feed),
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}

/// `GET /feed.rss`.
pub async fn instance_rss(State(state): State<AppState>) -> Response {
    let result = match instance_feed(&state, "rss").await {
        Ok(feed) => rss(&state, feed),
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}

/// `GET /feed.atom`.
pub async fn instance_atom(State(state): State<AppState>) -> Response {
    let result = match instance_feed(&state, "atom").await {
        Ok(feed) => atom(&state, feed),
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}
