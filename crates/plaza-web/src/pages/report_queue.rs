//! A group's open reports (`/g/NAME/reports`), oldest first, for its moderators: what was
//! reported, by whom and why, with the content's Remove button and a Resolve button.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::reports::{self, OpenReport};
use plaza_db::Page;

use super::access::{Via, moderator};
use super::forms::{NoFields, PageForm};
use super::home::{PageQuery, page_number};
use super::layout::{Layout, PageError, PersonView, TimeView, render, respond, see_other};
use super::moderate::ModButton;
use super::session::Visitor;
use super::thread::parse_id;
use crate::AppState;

/// Reports per page of the queue.
const REPORTS_PER_PAGE: u32 = 20;

/// A report as the queue shows it.
pub struct ReportView {
    /// Its id.
    pub id: i64,
    /// When it was made.
    pub when: TimeView,
    /// Who made it.
    pub reporter: Option<PersonView>,
    /// Sent by another server.
    pub remote: bool,
    /// Why.
    pub reason: String,
    /// The thread, or the comment's place in it.
    pub href: String,
    /// The thread's title.
    pub thread_title: String,
    /// The reported comment's text, when a comment is reported and it is still there.
    pub comment_html: Option<String>,
    /// A comment is reported (not the thread).
    pub comment: bool,
    /// What happened to the content since: removed, deleted.
    pub state: Option<&'static str>,
    /// Remove (or restore) the content, coming back here.
    pub moderation: Option<ModButton>,
}

impl ReportView {
    fn new(r: &OpenReport, back: &str) -> Self {
        let row = &r.row;
        let (state, moderation) = match (&r.comment, &r.thread) {
            (Some(c), _) => (
                state_of(c.deleted, c.removed),
                (!c.deleted).then(|| ModButton::for_comment(c).back_to(back)),
            ),
            (None, Some(t)) => (
                state_of(t.deleted, t.removed),
                Some(ModButton::removal_of_thread(t).back_to(back)),
            ),
            (None, None) => (None, None),
        };
        let post = row.post_id.unwrap_or_default();
        Self {
            id: row.id,
            when: TimeView::new(row.created_at),
            reporter: r.reporter.as_ref().map(PersonView::from),
            remote: row.ap_id.is_some(),
            reason: row.reason.clone(),
            href: match row.comment_id {
                Some(c) => format!("/post/{post}#c-{c}"),
                None => format!("/post/{post}"),
            },
            thread_title: r
                .thread
                .as_ref()
                .map_or_else(|| format!("thread {post}"), |t| t.title.clone()),
            comment_html: r
                .comment
                .as_ref()
                .filter(|c| !c.deleted)
                .map(|c| c.body_html.clone()),
            comment: row.comment_id.is_some(),
            state,
            moderation,
        }
    }
}

fn state_of(deleted: bool, removed: bool) -> Option<&'static str> {
    if deleted {
        Some("deleted by its author")
    } else if removed {
        Some("removed")
    } else {
        None
    }
}

/// The queue page.
#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    /// The layout.
    pub layout: Layout,
    /// The group's name.
    pub name: String,
    /// The group's title.
    pub group_title: String,
    /// This page of open reports.
    pub reports: Vec<ReportView>,
    /// The previous page's link.
    pub prev_page: Option<String>,
    /// The next page's link.
    pub next_page: Option<String>,
}

/// `GET /g/NAME/reports?page=N`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    respond(&state.ctx, queue(&state, &visitor, &name, &query).await).await
}

async fn queue(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    query: &PageQuery,
) -> Result<Response, PageError> {
    let path = format!("/g/{name}/reports");
    let (account, details) = moderator(state, visitor, name, Via::Page(&path)).await?;
    let g = &details.view.group;
    let number = page_number(query.page.as_deref());
    let listing = reports::open(
        &state.ctx,
        account,
        g.id,
        Page {
            number,
            limit: REPORTS_PER_PAGE,
        },
    )
    .await?;
    let layout = Layout::new(&state.ctx, visitor, format!("Reports in {}", g.title)).await?;
    let page_link = |n: u32| format!("{path}?page={n}");
    Ok(render(
        StatusCode::OK,
        &ReportsPage {
            layout,
            name: g.name.clone(),
            group_title: g.title.clone(),
            reports: listing
                .items
                .iter()
                .map(|r| ReportView::new(r, &path))
                .collect(),
            prev_page: (number > 1).then(|| page_link(number - 1)),
            next_page: listing.next_page.map(page_link),
        },
    ))
}

/// `POST /g/NAME/reports/ID/resolve`: back to the queue.
pub async fn resolve(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    form: PageForm<NoFields>,
) -> Response {
    let result = async {
        let (account, details) = moderator(&state, &form.visitor, &name, Via::Form).await?;
        let id = parse_id(&id, "report")?;
        // The core checks the report's own group; the path only says which queue to go back to.
        reports::resolve(&state.ctx, account, id).await?;
        Ok(see_other(&format!(
            "/g/{}/reports",
            details.view.group.name
        )))
    }
    .await;
    respond(&state.ctx, result).await
}
