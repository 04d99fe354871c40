//! The signed-in person's notifications (`/notifications`), newest first, each with a link to
//! what it is about and a "Mark read" button, and a "Mark all read" button.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::notifications::{self, Kind, NotificationView};
use plaza_db::Page;
use serde::Deserialize;

use super::access::{account, poster};
use super::forms::{NoFields, PageForm};
use super::home::page_number;
use super::layout::{Layout, PageError, PersonView, TimeView, render, respond, see_other, segment};
use super::session::Visitor;
use super::thread::parse_id;
use crate::AppState;

/// Notifications per page.
const PER_PAGE: u32 = 30;

/// The page's own path, where its buttons send the browser back to.
const PATH: &str = "/notifications";

/// A notification as the page shows it.
pub struct NotificationItem {
    /// Its id.
    pub id: i64,
    /// Who acted.
    pub actor: Option<PersonView>,
    /// What they did, after their name: "replied to your thread".
    pub verb: &'static str,
    /// What it is about: a thread's title or a group's.
    pub target: String,
    /// Where to read it.
    pub href: String,
    /// The moderator's or reporter's reason.
    pub reason: Option<String>,
    /// When.
    pub when: TimeView,
    /// Read already.
    pub read: bool,
}

impl From<&NotificationView> for NotificationItem {
    fn from(n: &NotificationView) -> Self {
        let row = &n.row;
        let group = &n.group;
        let group_href = if group.local {
            format!("/g/{}", segment(&group.name))
        } else {
            group.ap_id.clone()
        };
        let thread_title = n.thread.as_ref().map_or_else(
            || format!("thread {}", row.post_id.unwrap_or_default()),
            |t| t.title.clone(),
        );
        let thread_href = match (row.post_id, row.comment_id) {
            (Some(p), Some(c)) => format!("/post/{p}#c-{c}"),
            (Some(p), None) => format!("/post/{p}"),
            _ => group_href.clone(),
        };
        let (verb, target, href) = match n.kind {
            Some(Kind::PostReply) => ("replied to your thread", thread_title, thread_href),
            Some(Kind::CommentReply) => ("replied to your comment in", thread_title, thread_href),
            Some(Kind::PostMention) | Some(Kind::CommentMention) => {
                ("mentioned you in", thread_title, thread_href)
            }
            Some(Kind::PostRemoved) => ("removed your thread", thread_title, thread_href),
            Some(Kind::PostRestored) => ("restored your thread", thread_title, thread_href),
            Some(Kind::CommentRemoved) => ("removed your comment in", thread_title, thread_href),
            Some(Kind::CommentRestored) => ("restored your comment in", thread_title, thread_href),
            Some(Kind::Banned) => ("banned you from", group.title.clone(), group_href),
            Some(Kind::Unbanned) => ("lifted your ban from", group.title.clone(), group_href),
            Some(Kind::Report) => {
                let queue = if group.local {
                    format!("/g/{}/reports", segment(&group.name))
                } else {
                    thread_href
                };
                let verb = if row.comment_id.is_some() {
                    "reported a comment in"
                } else {
                    "reported the thread"
                };
                (verb, thread_title, queue)
            }
            Some(Kind::QuestionSolved) => (
                "accepted an answer to your question",
                thread_title,
                thread_href,
            ),
            Some(Kind::AnswerAccepted) => ("accepted your answer in", thread_title, thread_href),
            Some(Kind::IdeaStatus) => ("changed the status of", thread_title, thread_href),
            Some(Kind::Alert) => (
                "An alert fired in",
                group.title.clone(),
                format!("/admin/alerts#incident-{}", row.subject_id),
            ),
            None => ("did something in", group.title.clone(), group_href),
        };
        Self {
            id: row.id,
            actor: n.actor.as_ref().map(PersonView::from),
            verb,
            target,
            href,
            reason: row.reason.clone(),
            when: TimeView::new(row.created_at),
            read: row.read_at.is_some(),
        }
    }
}

/// The page.
#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    /// The layout.
    pub layout: Layout,
    /// Only the unread ones are shown.
    pub unread_only: bool,
    /// This page of notifications.
    pub items: Vec<NotificationItem>,
    /// Some are unread (the page offers to mark them all read).
    pub any_unread: bool,
    /// The previous page's link.
    pub prev_page: Option<String>,
    /// The next page's link.
    pub next_page: Option<String>,
}

/// `?unread=1&page=N`.
#[derive(Debug, Deserialize)]
pub struct NotificationsQuery {
    /// Present (and not `false` or `0`): only the unread ones.
    pub unread: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
}

/// `GET /notifications`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<NotificationsQuery>,
) -> Response {
    respond(&state.ctx, list(&state, &visitor, &query).await).await
}

async fn list(
    state: &AppState,
    visitor: &Visitor,
    query: &NotificationsQuery,
) -> Result<Response, PageError> {
    let account = account(visitor, PATH)?;
    let unread_only = query
        .unread
        .as_deref()
        .is_some_and(|u| !matches!(u, "" | "0" | "false"));
    let number = page_number(query.page.as_deref());
    let listing = notifications::list(
        &state.ctx,
        account,
        unread_only,
        Page {
            number,
            limit: PER_PAGE,
        },
    )
    .await?;
    let layout = Layout::new(&state.ctx, visitor, "Notifications").await?;
    let page_link = |n: u32| {
        if unread_only {
            format!("{PATH}?unread=1&page={n}")
        } else {
            format!("{PATH}?page={n}")
        }
    };
    let items: Vec<NotificationItem> = listing.items.iter().map(NotificationItem::from).collect();
    Ok(render(
        StatusCode::OK,
        &NotificationsPage {
            any_unread: layout.viewer.as_ref().is_some_and(|v| v.unread > 0),
            layout,
            unread_only,
            items,
            prev_page: (number > 1).then(|| page_link(number - 1)),
            next_page: listing.next_page.map(page_link),
        },
    ))
}

/// The "Mark read" button's form.
#[derive(Debug, Deserialize)]
pub struct MarkReadFields {
    /// The notification.
    #[serde(default)]
    pub id: String,
}

/// `POST /notifications/read`: marks one of one's notifications read, back to the list.
pub async fn mark_read(State(state): State<AppState>, form: PageForm<MarkReadFields>) -> Response {
    let result = async {
        let account = poster(&form.visitor)?;
        let id = parse_id(form.fields.id.trim(), "notification")?;
        notifications::mark_read(&state.ctx, account, &[id]).await?;
        Ok(see_other(PATH))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /notifications/read_all`: marks all of one's notifications read, back to the list.
pub async fn mark_all_read(State(state): State<AppState>, form: PageForm<NoFields>) -> Response {
    let result = async {
        let account = poster(&form.visitor)?;
        notifications::mark_all_read(&state.ctx, account).await?;
        Ok(see_other(PATH))
    }
    .await;
    respond(&state.ctx, result).await
}
