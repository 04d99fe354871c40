//! A thread's page (`/post/ID`): the opening post and its whole comment tree; and a comment's
//! page (`/comment/ID`): that comment and its replies, within its thread.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::thread_view::{self, CommentNode, CommentSort, ThreadView};

use super::layout::{Layout, PageError, PersonView, TimeView, render, respond, safe_link};
use super::session::Visitor;
use crate::AppState;

/// A comment as the page shows it.
pub struct CommentView {
    /// Its id (the anchor `#c-ID`).
    pub id: i64,
    /// Who wrote it.
    pub author: PersonView,
    /// When.
    pub when: TimeView,
    /// Edited since.
    pub edited: bool,
    /// Sanitized HTML; `None` when deleted or removed.
    pub body_html: Option<String>,
    /// What happened to it, when it has no body.
    pub state: Option<&'static str>,
    /// Up votes.
    pub upvotes: i64,
    /// Down votes.
    pub downvotes: i64,
    /// Up minus down.
    pub score: i64,
    /// Marked by a moderator as speaking for the group.
    pub distinguished: bool,
}

impl CommentView {
    fn new(n: &CommentNode, moderators: &HashSet<i64>) -> Self {
        let c = &n.comment;
        let state = if c.removed {
            Some("removed by a moderator")
        } else if c.deleted {
            Some("deleted by its author")
        } else {
            None
        };
        Self {
            id: c.id,
            author: PersonView::marking_moderators(&n.author, moderators),
            when: TimeView::new(c.created_at),
            edited: c.updated_at.is_some(),
            body_html: state.is_none().then(|| c.body_html.clone()),
            state,
            upvotes: c.upvotes,
            downvotes: c.downvotes,
            score: c.score,
            distinguished: c.distinguished,
        }
    }
}

/// The comment tree flattened into what the template writes, in order: a comment opens its list
/// item, its replies (if any) come between `OpenReplies` and `CloseReplies`, and `End` closes it.
pub enum TreeItem {
    /// `<li><article>…</article>`.
    Comment(Box<CommentView>),
    /// `<ol class="replies">`.
    OpenReplies,
    /// `</ol>`.
    CloseReplies,
    /// `</li>`.
    End,
}

fn flatten(nodes: &[CommentNode], moderators: &HashSet<i64>, out: &mut Vec<TreeItem>) {
    for node in nodes {
        out.push(TreeItem::Comment(Box::new(CommentView::new(
            node, moderators,
        ))));
        if !node.replies.is_empty() {
            out.push(TreeItem::OpenReplies);
            flatten(&node.replies, moderators, out);
            out.push(TreeItem::CloseReplies);
        }
        out.push(TreeItem::End);
    }
}

/// The thread page.
#[derive(Template)]
#[template(path = "thread.html")]
pub struct ThreadPage {
    /// The layout.
    pub layout: Layout,
    /// The thread's id.
    pub id: i64,
    /// Where the reply form posts.
    pub reply_action: String,
    /// The reply form has no message yet.
    pub no_message: Option<String>,
    /// Its title (escaped when rendered).
    pub title: String,
    /// The link it is about, if it is an http(s) URL.
    pub link: Option<String>,
    /// Sanitized HTML of the opening post; `None` when deleted.
    pub body_html: Option<String>,
    /// Deleted by its author.
    pub deleted: bool,
    /// Locked: no new replies.
    pub locked: bool,
    /// Pinned.
    pub pinned: bool,
    /// Who started it.
    pub author: PersonView,
    /// When.
    pub when: TimeView,
    /// Edited since.
    pub edited: bool,
    /// Up votes.
    pub upvotes: i64,
    /// Down votes.
    pub downvotes: i64,
    /// Up minus down.
    pub score: i64,
    /// Comments in all.
    pub comment_count: i64,
    /// The group's page.
    pub group_href: String,
    /// The group's title.
    pub group_title: String,
    /// The comments shown.
    pub tree: Vec<TreeItem>,
    /// On a comment's page: the comment shown.
    pub focus: Option<i64>,
}

impl ThreadPage {
    fn new(
        layout: Layout,
        view: &ThreadView,
        comments: &[CommentNode],
        focus: Option<i64>,
    ) -> Self {
        let p = &view.post;
        let mut tree = Vec::new();
        flatten(comments, &view.moderator_ids, &mut tree);
        Self {
            layout,
            id: p.id,
            reply_action: format!("/post/{}/reply", p.id),
            no_message: None,
            title: p.title.clone(),
            link: safe_link(p.url.as_deref()),
            body_html: (!p.deleted)
                .then(|| p.body_html.clone())
                .filter(|b| !b.trim().is_empty()),
            deleted: p.deleted,
            locked: p.locked,
            pinned: p.pinned,
            author: PersonView::marking_moderators(&view.author, &view.moderator_ids),
            when: TimeView::new(p.created_at),
            edited: p.updated_at.is_some(),
            upvotes: p.upvotes,
            downvotes: p.downvotes,
            score: p.score,
            comment_count: p.comment_count,
            group_href: if view.group.group.local {
                format!("/g/{}", view.group.group.name)
            } else {
                safe_link(Some(&view.group.group.ap_id)).unwrap_or_default()
            },
            group_title: view.group.group.title.clone(),
            tree,
            focus,
        }
    }
}

/// A numeric id from a path; anything else is not found.
pub fn parse_id(raw: &str, what: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| PageError::not_found(what))
}

/// `GET /post/ID` for browsers.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    respond(&state.ctx, thread(&state, &visitor, &id).await).await
}

async fn thread(state: &AppState, visitor: &Visitor, id: &str) -> Result<Response, PageError> {
    let id = parse_id(id, "thread")?;
    let view = thread_view::get(&state.ctx, None, id, CommentSort::Top).await?;
    let mut layout = Layout::new(&state.ctx, visitor, view.post.title.clone()).await?;
    layout.activity_id = Some(view.post.ap_id.clone());
    layout.canonical = Some(state.ctx.urls.post(view.post.id));
    // A deleted thread is gone, but its replies stay readable under it.
    let status = if view.post.deleted {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &ThreadPage::new(layout, &view, &view.comments, None),
    ))
}

/// `GET /comment/ID` for browsers.
pub async fn comment_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    respond(&state.ctx, comment(&state, &visitor, &id).await).await
}

fn find(nodes: &[CommentNode], id: i64) -> Option<&CommentNode> {
    nodes.iter().find_map(|n| {
        if n.comment.id == id {
            Some(n)
        } else {
            find(&n.replies, id)
        }
    })
}

async fn comment(state: &AppState, visitor: &Visitor, id: &str) -> Result<Response, PageError> {
    let id = parse_id(id, "comment")?;
    let node = thread_view::comment(&state.ctx, None, id).await?;
    if node.comment.deleted || node.comment.removed {
        return Err(PageError::gone("This comment was deleted."));
    }
    let view = thread_view::get(&state.ctx, None, node.comment.post_id, CommentSort::Top).await?;
    let subtree = find(&view.comments, id).ok_or_else(|| PageError::not_found("comment"))?;
    let mut layout = Layout::new(
        &state.ctx,
        visitor,
        format!("A comment on {}", view.post.title),
    )
    .await?;
    layout.activity_id = Some(node.comment.ap_id.clone());
    layout.canonical = Some(state.ctx.urls.comment(id));
    Ok(render(
        StatusCode::OK,
        &ThreadPage::new(layout, &view, std::slice::from_ref(subtree), Some(id)),
    ))
}
