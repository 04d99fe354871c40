//! A thread's page (`/post/ID`): the opening post and its whole comment tree; and a comment's
//! page (`/comment/ID`): that comment and its replies, within its thread.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::Account;
use plaza_core::thread_view::{self, CommentNode, CommentSort, ThreadView};

use super::accept::AcceptButton;
use super::idea::{IdeaForm, IdeaView};
use super::layout::{Layout, PageError, PersonView, TimeView, render, respond, safe_link};
use super::media::MediaView;
use super::moderate::ModButton;
use super::session::Visitor;
use super::vote::VoteButtons;
use crate::AppState;

/// What the visitor may do on this thread, which decides the buttons each comment gets, and
/// whom to mark as the group's moderators.
struct Powers<'a> {
    /// The group's moderators.
    moderators: &'a HashSet<i64>,
    /// The visitor's person, when signed in.
    person_id: Option<i64>,
    /// They may moderate the group.
    moderate: bool,
    /// They may mark their own answers official (staff and moderators).
    official: bool,
    /// The thread takes no new replies.
    locked: bool,
    /// The ban form of the group, when it is one of this instance's.
    ban_form: Option<String>,
    /// The thread, when the visitor may accept its answer.
    accept_in: Option<i64>,
    /// The accepted answer.
    accepted: Option<i64>,
}

impl<'a> Powers<'a> {
    fn new(viewer: Option<&Account>, view: &'a ThreadView) -> Self {
        let group = &view.group.group;
        Self {
            moderators: &view.moderator_ids,
            person_id: viewer.map(|a| a.person_id),
            moderate: view.may_moderate,
            official: view.answers_officially,
            locked: view.post.locked,
            ban_form: (view.may_moderate && group.local).then(|| format!("/g/{}/ban", group.name)),
            accept_in: view.may_accept.then_some(view.post.id),
            accepted: view.accepted.as_ref().map(|a| a.comment.id),
        }
    }

    /// The link to ban an author from the group, for moderators (not for their own content).
    fn ban_link(&self, author: &PersonView, author_id: i64) -> Option<String> {
        let form = self.ban_form.as_ref()?;
        (self.person_id != Some(author_id)).then(|| {
            let person: String =
                url::form_urlencoded::byte_serialize(author.handle.as_bytes()).collect();
            format!("{form}?person={person}")
        })
    }
}

/// The official-answer button on one's own comment.
pub struct OfficialButton {
    /// Where it posts.
    pub target: String,
    /// What it sends: `true` to mark, `false` to unmark.
    pub value: &'static str,
    /// Its text.
    pub label: &'static str,
}

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
    /// Sanitized HTML; `None` when deleted, or removed and the visitor does not moderate.
    pub body_html: Option<String>,
    /// Attached files, shown with the body.
    pub media: Vec<MediaView>,
    /// What happened to it, when it has no body.
    pub state: Option<&'static str>,
    /// Removed by a moderator, shown to a moderator.
    pub removed: bool,
    /// Up votes.
    pub upvotes: i64,
    /// Down votes.
    pub downvotes: i64,
    /// Up minus down.
    pub score: i64,
    /// Marked by a moderator as speaking for the group.
    pub distinguished: bool,
    /// The vote buttons, for a signed-in visitor.
    pub vote: Option<VoteButtons>,
    /// A signed-in visitor may reply to it.
    pub reply: bool,
    /// A signed-in visitor may report it.
    pub report: bool,
    /// The moderator's buttons.
    pub moderation: Vec<ModButton>,
    /// The moderator's link to ban its author.
    pub ban_href: Option<String>,
    /// Its author's button to mark it official.
    pub official: Option<OfficialButton>,
    /// It is the question's accepted answer.
    pub accepted: bool,
    /// The asker's, moderators' and staff's button to accept it, or withdraw it.
    pub accept: Option<AcceptButton>,
}

impl CommentView {
    fn new(n: &CommentNode, powers: &Powers<'_>) -> Self {
        let c = &n.comment;
        let state = if c.deleted {
            Some("deleted by its author")
        } else if c.removed && !powers.moderate {
            Some("removed by a moderator")
        } else {
            None
        };
        let live = state.is_none() && !c.removed;
        let signed_in = powers.person_id.is_some();
        let mine = powers.person_id == Some(c.author_id);
        let author = PersonView::marking_moderators(&n.author, powers.moderators);
        Self {
            id: c.id,
            when: TimeView::new(c.created_at),
            edited: c.edited_at.is_some(),
            body_html: state.is_none().then(|| c.body_html.clone()),
            media: MediaView::list(&n.attachments),
            state,
            removed: c.removed && powers.moderate,
            upvotes: c.upvotes,
            downvotes: c.downvotes,
            score: c.score,
            distinguished: c.distinguished,
            vote: (signed_in && live).then(|| VoteButtons::comment(c.id, n.my_vote)),
            reply: signed_in && live && !powers.locked,
            report: signed_in && live && !mine,
            moderation: if powers.moderate && !c.deleted {
                vec![ModButton::for_comment(c)]
            } else {
                Vec::new()
            },
            ban_href: powers.ban_link(&author, c.author_id),
            official: (mine && live && powers.official).then(|| OfficialButton {
                target: format!("/comment/{}/official", c.id),
                value: if c.distinguished { "false" } else { "true" },
                label: if c.distinguished {
                    "Unmark official answer"
                } else {
                    "Mark as official answer"
                },
            }),
            accepted: powers.accepted == Some(c.id),
            accept: powers
                .accept_in
                .filter(|_| live)
                .map(|thread| AcceptButton::new(thread, c.id, powers.accepted)),
            author,
        }
    }
}

/// The accepted answer, shown under the question.
pub struct AcceptedView {
    /// The reply's id (its place in the tree is `#c-ID`).
    pub id: i64,
    /// Who wrote it.
    pub author: PersonView,
    /// When.
    pub when: TimeView,
    /// Sanitized HTML.
    pub body_html: String,
    /// Who accepted it, when known.
    pub accepted_by: Option<PersonView>,
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

fn flatten(nodes: &[CommentNode], powers: &Powers<'_>, out: &mut Vec<TreeItem>) {
    for node in nodes {
        out.push(TreeItem::Comment(Box::new(CommentView::new(node, powers))));
        if !node.replies.is_empty() {
            out.push(TreeItem::OpenReplies);
            flatten(&node.replies, powers, out);
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
    /// Files attached to the opening post.
    pub media: Vec<MediaView>,
    /// Deleted by its author.
    pub deleted: bool,
    /// Removed by a moderator (only moderators see such a thread).
    pub removed: bool,
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
    /// The vote buttons, for a signed-in visitor.
    pub vote: Option<VoteButtons>,
    /// A signed-in visitor may report the thread.
    pub report: bool,
    /// The moderator's buttons.
    pub moderation: Vec<ModButton>,
    /// The moderator's link to ban the author.
    pub ban_href: Option<String>,
    /// The comments shown.
    pub tree: Vec<TreeItem>,
    /// On a comment's page: the comment shown.
    pub focus: Option<i64>,
    /// It asks a question.
    pub question: bool,
    /// Its accepted answer.
    pub accepted: Option<AcceptedView>,
    /// Its idea status.
    pub idea: Option<IdeaView>,
    /// The status form, for staff and moderators in a group that collects ideas.
    pub idea_form: Option<IdeaForm>,
}

impl ThreadPage {
    fn new(
        layout: Layout,
        viewer: Option<&Account>,
        view: &ThreadView,
        comments: &[CommentNode],
        focus: Option<i64>,
    ) -> Self {
        let p = &view.post;
        let powers = Powers::new(viewer, view);
        let mut tree = Vec::new();
        flatten(comments, &powers, &mut tree);
        let author = PersonView::marking_moderators(&view.author, &view.moderator_ids);
        let live = !p.deleted && !p.removed;
        let signed_in = viewer.is_some();
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
            media: MediaView::list(&view.attachments),
            deleted: p.deleted,
            removed: p.removed,
            locked: p.locked,
            pinned: p.pinned,
            when: TimeView::new(p.created_at),
            edited: p.edited_at.is_some(),
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
            vote: (signed_in && live).then(|| VoteButtons::thread(p.id, view.my_vote)),
            report: signed_in && live && viewer.map(|a| a.person_id) != Some(p.author_id),
            moderation: if powers.moderate {
                ModButton::for_thread(p)
            } else {
                Vec::new()
            },
            ban_href: powers.ban_link(&author, p.author_id),
            author,
            tree,
            focus,
            question: view.question,
            idea: IdeaView::of(p),
            idea_form: (view.group.group.ideas && view.answers_officially && live)
                .then(|| IdeaForm::new(p)),
            accepted: view.accepted.as_ref().map(|a| AcceptedView {
                id: a.comment.id,
                author: PersonView::marking_moderators(&a.author, &view.moderator_ids),
                when: TimeView::new(a.comment.created_at),
                body_html: a.comment.body_html.clone(),
                accepted_by: a
                    .accepted_by
                    .as_ref()
                    .map(|p| PersonView::marking_moderators(p, &view.moderator_ids)),
            }),
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
    let viewer = visitor.account.as_ref();
    let view = thread_view::get(&state.ctx, viewer, id, CommentSort::Top).await?;
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
        &ThreadPage::new(layout, viewer, &view, &view.comments, None),
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
    let viewer = visitor.account.as_ref();
    let node = thread_view::comment(&state.ctx, viewer, id).await?;
    let view = thread_view::get(&state.ctx, viewer, node.comment.post_id, CommentSort::Top).await?;
    if node.comment.deleted || (node.comment.removed && !view.may_moderate) {
        return Err(PageError::gone("This comment was deleted."));
    }
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
        &ThreadPage::new(
            layout,
            viewer,
            &view,
            std::slice::from_ref(subtree),
            Some(id),
        ),
    ))
}
