//! Reporting a thread or a comment to the group's moderators: a form with a reason, then a page
//! saying it was sent. A report of content in a group elsewhere is passed on there by the core.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::limits::REASON_MAX;
use plaza_core::reports::{self, Reported};
use plaza_core::thread_view::{self, CommentSort};
use serde::Deserialize;

use super::access::{account, poster};
use super::compose::Quoted;
use super::forms::{PageForm, fixable};
use super::layout::{Layout, PageError, PersonView, render, respond};
use super::session::Visitor;
use super::thread::parse_id;
use crate::AppState;

/// The report form.
#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    /// The layout.
    pub layout: Layout,
    /// Where the form posts.
    pub action: String,
    /// The thread reported, or the one the comment is in.
    pub thread_href: String,
    /// Its title.
    pub thread_title: String,
    /// The comment reported, quoted.
    pub quoted: Option<Quoted>,
    /// The reason typed so far.
    pub reason: String,
    /// Why the last try was refused.
    pub message: Option<String>,
    /// Longest reason.
    pub reason_max: usize,
}

/// The page after a report was sent.
#[derive(Template)]
#[template(path = "report_sent.html")]
pub struct ReportSentPage {
    /// The layout.
    pub layout: Layout,
    /// Back to what was reported.
    pub back_href: String,
    /// The group's title.
    pub group_title: String,
}

/// What a report names, read for the form.
struct Subject {
    target: Reported,
    action: String,
    thread_href: String,
    thread_title: String,
    quoted: Option<Quoted>,
    back_href: String,
    group_title: String,
}

/// The thread or comment, as long as it can still be reported (not deleted or removed).
async fn subject(
    state: &AppState,
    visitor: &Visitor,
    target: Reported,
) -> Result<Subject, PageError> {
    let viewer = visitor.account.as_ref();
    let (thread_id, quoted) = match target {
        Reported::Post(id) => (id, None),
        Reported::Comment(id) => {
            let node = thread_view::comment(&state.ctx, viewer, id).await?;
            if node.comment.deleted || node.comment.removed {
                return Err(PageError::gone("This comment was deleted."));
            }
            let quoted = Quoted {
                author: PersonView::from(&node.author),
                body_html: node.comment.body_html,
            };
            (node.comment.post_id, Some(quoted))
        }
    };
    let view = thread_view::get(&state.ctx, viewer, thread_id, CommentSort::Top).await?;
    if view.post.deleted || view.post.removed {
        return Err(PageError::gone("This thread was deleted."));
    }
    let (action, back_href) = match target {
        Reported::Post(id) => (format!("/post/{id}/report"), format!("/post/{id}")),
        Reported::Comment(id) => (
            format!("/comment/{id}/report"),
            format!("/post/{thread_id}#c-{id}"),
        ),
    };
    Ok(Subject {
        target,
        action,
        thread_href: format!("/post/{thread_id}"),
        thread_title: view.post.title,
        quoted,
        back_href,
        group_title: view.group.group.title,
    })
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    subject: Subject,
    reason: String,
    refusal: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let title = if subject.quoted.is_some() {
        "Report a comment"
    } else {
        "Report a thread"
    };
    let layout = Layout::new(&state.ctx, visitor, title).await?;
    let (status, message) = match refusal {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    Ok(render(
        status,
        &ReportPage {
            layout,
            action: subject.action,
            thread_href: subject.thread_href,
            thread_title: subject.thread_title,
            quoted: subject.quoted,
            reason,
            message,
            reason_max: REASON_MAX,
        },
    ))
}

async fn show(
    state: &AppState,
    visitor: &Visitor,
    target: Reported,
) -> Result<Response, PageError> {
    let path = match target {
        Reported::Post(id) => format!("/post/{id}/report"),
        Reported::Comment(id) => format!("/comment/{id}/report"),
    };
    account(visitor, &path)?;
    let subject = subject(state, visitor, target).await?;
    form_page(state, visitor, subject, String::new(), None).await
}

/// The report form's field.
#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    reason: String,
}

async fn send(
    state: &AppState,
    form: PageForm<ReportForm>,
    target: Reported,
) -> Result<Response, PageError> {
    let PageForm {
        visitor, fields, ..
    } = form;
    let account = poster(&visitor)?;
    let subject = subject(state, &visitor, target).await?;
    match reports::report(&state.ctx, account, subject.target, &fields.reason).await {
        Ok(row) => {
            tracing::info!(report = row.id, by = %account.name, "report sent from a page");
            let layout = Layout::new(&state.ctx, &visitor, "Report sent").await?;
            Ok(render(
                StatusCode::OK,
                &ReportSentPage {
                    layout,
                    back_href: subject.back_href,
                    group_title: subject.group_title,
                },
            ))
        }
        Err(e) => {
            let refusal = fixable(e)?;
            form_page(state, &visitor, subject, fields.reason, Some(refusal)).await
        }
    }
}

/// `GET /post/ID/report`.
pub async fn thread_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id, "thread")?;
        show(&state, &visitor, Reported::Post(id)).await
    }
    .await;
    respond(&state.ctx, result).await
}

/// `GET /comment/ID/report`.
pub async fn comment_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id, "comment")?;
        show(&state, &visitor, Reported::Comment(id)).await
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /post/ID/report`.
pub async fn report_thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<ReportForm>,
) -> Response {
    let result = async {
        let id = parse_id(&id, "thread")?;
        send(&state, form, Reported::Post(id)).await
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /comment/ID/report`.
pub async fn report_comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<ReportForm>,
) -> Response {
    let result = async {
        let id = parse_id(&id, "comment")?;
        send(&state, form, Reported::Comment(id)).await
    }
    .await;
    respond(&state.ctx, result).await
}
