//! A group's moderation log (`/g/NAME/modlog`), for its moderators: when, who, what, on what,
//! and why, newest first; a ban still in force can be lifted from its entry.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::modlog::{self, LogEntry};
use plaza_db::Page;

use super::access::{Via, moderator};
use super::home::{PageQuery, page_number};
use super::layout::{Layout, PageError, PersonView, TimeView, render, respond};
use super::session::Visitor;
use crate::AppState;

/// Entries per page of the log.
const ENTRIES_PER_PAGE: u32 = 50;

/// What an action reads as in the log.
fn describe(action: &str) -> &str {
    match action {
        "remove_post" => "removed a thread",
        "restore_post" => "restored a thread",
        "remove_comment" => "removed a comment",
        "restore_comment" => "restored a comment",
        "lock" => "locked a thread",
        "unlock" => "unlocked a thread",
        "pin" => "pinned a thread",
        "unpin" => "unpinned a thread",
        "ban" => "banned",
        "unban" => "lifted the ban of",
        "resolve_report" => "resolved a report by",
        "add_moderator" => "made a moderator:",
        "remove_moderator" => "removed a moderator:",
        // An action recorded by a newer version, or received from elsewhere, reads as stored.
        other => other,
    }
}

/// A link to the thread or comment an entry is about.
pub struct TargetLink {
    /// The thread, or the comment's anchor in it.
    pub href: String,
    /// The thread's title.
    pub title: String,
    /// A comment in the thread, not the thread itself.
    pub comment: bool,
}

/// One entry as the log shows it.
pub struct EntryView {
    /// When.
    pub when: TimeView,
    /// Who acted; `None` when the moderator is no longer known here.
    pub moderator: Option<PersonView>,
    /// What they did.
    pub what: String,
    /// The thread or comment.
    pub target: Option<TargetLink>,
    /// The person concerned.
    pub person: Option<PersonView>,
    /// Why.
    pub reason: Option<String>,
    /// A ban's end.
    pub until: Option<TimeView>,
    /// The banned person's handle, while the ban is in force (to lift it).
    pub unban: Option<String>,
}

impl EntryView {
    fn new(e: &LogEntry, banned: &HashSet<i64>) -> Self {
        let r = &e.row;
        let target = r.post_id.map(|post| TargetLink {
            href: match r.comment_id {
                Some(c) => format!("/post/{post}#c-{c}"),
                None => format!("/post/{post}"),
            },
            title: e
                .thread_title
                .clone()
                .unwrap_or_else(|| format!("thread {post}")),
            comment: r.comment_id.is_some(),
        });
        let person = e.person.as_ref().map(PersonView::from);
        let unban = (r.action == "ban")
            .then_some(person.as_ref())
            .flatten()
            .filter(|_| r.person_id.is_some_and(|id| banned.contains(&id)))
            .map(|p| p.handle.clone());
        Self {
            when: TimeView::new(r.created_at),
            moderator: e.moderator.as_ref().map(PersonView::from),
            what: describe(&r.action).to_owned(),
            target,
            person,
            reason: r.reason.clone().filter(|s| !s.trim().is_empty()),
            until: r.expires_at.map(TimeView::new),
            unban,
        }
    }
}

/// The log page.
#[derive(Template)]
#[template(path = "modlog.html")]
pub struct ModLogPage {
    /// The layout.
    pub layout: Layout,
    /// The group's name.
    pub name: String,
    /// The group's title.
    pub group_title: String,
    /// This page of entries.
    pub entries: Vec<EntryView>,
    /// The previous page's link.
    pub prev_page: Option<String>,
    /// The next page's link.
    pub next_page: Option<String>,
}

/// `GET /g/NAME/modlog?page=N`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    respond(&state.ctx, log(&state, &visitor, &name, &query).await).await
}

async fn log(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    query: &PageQuery,
) -> Result<Response, PageError> {
    let path = format!("/g/{name}/modlog");
    let (account, details) = moderator(state, visitor, name, Via::Page(&path)).await?;
    let group = &details.view.group;
    let number = page_number(query.page.as_deref());
    let listing = modlog::log(
        &state.ctx,
        account,
        group.id,
        Page {
            number,
            limit: ENTRIES_PER_PAGE,
        },
    )
    .await?;
    let banned: HashSet<i64> = modlog::bans(&state.ctx, account, group.id)
        .await?
        .iter()
        .map(|b| b.person.id)
        .collect();
    let layout = Layout::new(
        &state.ctx,
        visitor,
        format!("Moderation log of {}", group.title),
    )
    .await?;
    let page_link = |n: u32| format!("{path}?page={n}");
    Ok(render(
        StatusCode::OK,
        &ModLogPage {
            layout,
            name: group.name.clone(),
            group_title: group.title.clone(),
            entries: listing
                .items
                .iter()
                .map(|e| EntryView::new(e, &banned))
                .collect(),
            prev_page: (number > 1).then(|| page_link(number - 1)),
            next_page: listing.next_page.map(page_link),
        },
    ))
}
