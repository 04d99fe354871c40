//! A whole thread in one read: the opening post, its group, and the full comment tree.

use std::collections::{HashMap, HashSet};

use plaza_db::attachment::AttachmentRow;
use plaza_db::comment::CommentRow;
use plaza_db::group::GroupView;
use plaza_db::person::PersonBrief;
use plaza_db::post::PostRow;
use plaza_db::{attachment, comment, group, post, vote};

use crate::{Account, Context, CoreError, CoreResult, participation};

/// The order of sibling comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommentSort {
    /// Highest score first, older first among equals.
    #[default]
    Top,
    /// Newest first.
    New,
    /// Oldest first (reading order).
    Old,
}

/// A comment with its replies.
#[derive(Debug, Clone)]
pub struct CommentNode {
    /// The comment.
    pub comment: CommentRow,
    /// Its author.
    pub author: PersonBrief,
    /// The caller's vote.
    pub my_vote: Option<i16>,
    /// Media its server attached, in order.
    pub attachments: Vec<AttachmentRow>,
    /// Direct replies, sorted.
    pub replies: Vec<CommentNode>,
}

/// A thread as a reader sees it.
#[derive(Debug, Clone)]
pub struct ThreadView {
    /// The opening post.
    pub post: PostRow,
    /// Its author.
    pub author: PersonBrief,
    /// Its group.
    pub group: GroupView,
    /// The person ids of the group's moderators (read once, to mark them wherever they appear).
    pub moderator_ids: HashSet<i64>,
    /// The caller's vote on the post.
    pub my_vote: Option<i16>,
    /// Media attached to the post, in order.
    pub attachments: Vec<AttachmentRow>,
    /// The caller may moderate the thread's group: removed content is shown to them, marked.
    pub may_moderate: bool,
    /// The caller may mark their own answers official here.
    pub answers_officially: bool,
    /// Top-level comments with their replies.
    pub comments: Vec<CommentNode>,
    /// It asks a question (its own flag or its group's).
    pub question: bool,
    /// Its accepted answer, if it has a live one.
    pub accepted: Option<crate::answers::AcceptedAnswer>,
    /// The caller may accept, change or withdraw the answer.
    pub may_accept: bool,
}

/// Reads a thread. Deleted threads are still shown (flagged, body erased) so their replies stay
/// reachable; removed ones only to the group's moderators, who may restore them.
pub async fn get(
    ctx: &Context,
    viewer: Option<&Account>,
    post_id: i64,
    sort: CommentSort,
) -> CoreResult<ThreadView> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let (post, author) = post::find_with_author(conn, post_id)
        .await
        .map_err(|_| CoreError::NotFound("thread"))?;
    let moderator_ids = group::moderator_ids(conn, post.group_id)
        .await?
        .into_iter()
        .collect();
    let may_moderate = viewer.is_some_and(|a| participation::moderates(a.into(), &moderator_ids));
    if post.removed && !may_moderate {
        return Err(CoreError::Gone(
            "the thread was removed by a moderator".into(),
        ));
    }
    let group = group::view(conn, post.group_id).await?;
    let rows = comment::list_for_post(conn, post_id).await?;
    let attachments = attachment::of_post(conn, post_id).await?;
    let mut comment_attachments: HashMap<i64, Vec<AttachmentRow>> = HashMap::new();
    for row in attachment::of_comments_of_post(conn, post_id).await? {
        if let Some(id) = row.comment_id {
            comment_attachments.entry(id).or_default().push(row);
        }
    }
    let question = crate::answers::is_question(&post, &group.group);
    let accepted = crate::answers::accepted_answer(conn, &post).await?;
    let may_accept = match viewer {
        Some(account) if question && !post.deleted => {
            crate::answers::may_accept(conn, &post, account).await?
        }
        _ => false,
    };
    let (my_vote, my_comment_votes) = match viewer {
        Some(account) => (
            vote::get(conn, vote::VoteTarget::Post(post_id), account.person_id).await?,
            vote::on_comments_of_post(conn, account.person_id, post_id)
                .await?
                .into_iter()
                .collect(),
        ),
        None => (None, HashMap::new()),
    };
    Ok(ThreadView {
        post,
        author,
        group,
        moderator_ids,
        my_vote,
        attachments,
        may_moderate,
        answers_officially: viewer
            .is_some_and(|a| participation::answers_officially(a, may_moderate)),
        comments: build_tree(
            rows,
            &my_comment_votes,
            comment_attachments,
            sort,
            may_moderate,
        ),
        question,
        accepted,
        may_accept,
    })
}

/// Reads one comment with its author and the caller's vote (its replies are left out).
pub async fn comment(ctx: &Context, viewer: Option<&Account>, id: i64) -> CoreResult<CommentNode> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let (comment, author) = comment::find_with_author(conn, id)
        .await
        .map_err(|_| CoreError::NotFound("comment"))?;
    let my_vote = match viewer {
        Some(account) => vote::get(conn, vote::VoteTarget::Comment(id), account.person_id).await?,
        None => None,
    };
    Ok(CommentNode {
        attachments: attachment::of_comment(conn, id).await?,
        comment,
        author,
        my_vote,
        replies: Vec::new(),
    })
}

/// Builds the reply tree from a flat list. Removed comments with no replies are dropped; removed
/// ones with replies stay as placeholders (body erased) so the conversation keeps its shape.
/// Moderators (`keep_removed`) get removed comments whole, flagged, so they can restore them.
fn build_tree(
    rows: Vec<(CommentRow, PersonBrief)>,
    my_votes: &HashMap<i64, i16>,
    mut attachments: HashMap<i64, Vec<AttachmentRow>>,
    sort: CommentSort,
    keep_removed: bool,
) -> Vec<CommentNode> {
    let mut children: HashMap<Option<i64>, Vec<(CommentRow, PersonBrief)>> = HashMap::new();
    for (row, author) in rows {
        children
            .entry(row.parent_id)
            .or_default()
            .push((row, author));
    }
    let mut tree = Tree {
        children,
        my_votes,
        attachments: &mut attachments,
        sort,
        keep_removed,
    };
    tree.attach(None)
}

/// What building the tree draws on.
struct Tree<'a> {
    children: HashMap<Option<i64>, Vec<(CommentRow, PersonBrief)>>,
    my_votes: &'a HashMap<i64, i16>,
    attachments: &'a mut HashMap<i64, Vec<AttachmentRow>>,
    sort: CommentSort,
    keep_removed: bool,
}

impl Tree<'_> {
    fn attach(&mut self, parent: Option<i64>) -> Vec<CommentNode> {
        let Some(rows) = self.children.remove(&parent) else {
            return Vec::new();
        };
        let mut nodes: Vec<CommentNode> = Vec::with_capacity(rows.len());
        for (mut comment, author) in rows {
            let replies = self.attach(Some(comment.id));
            let mut attachments = self.attachments.remove(&comment.id).unwrap_or_default();
            if comment.removed && !self.keep_removed {
                if replies.is_empty() {
                    continue;
                }
                comment.body_source = None;
                comment.body_html = String::new();
                attachments.clear();
            }
            nodes.push(CommentNode {
                my_vote: self.my_votes.get(&comment.id).copied(),
                attachments,
                comment,
                author,
                replies,
            });
        }
        sort_siblings(&mut nodes, self.sort);
        nodes
    }
}

fn sort_siblings(nodes: &mut [CommentNode], sort: CommentSort) {
    match sort {
        CommentSort::Top => nodes.sort_by(|a, b| {
            b.comment
                .score
                .cmp(&a.comment.score)
                .then(a.comment.created_at.cmp(&b.comment.created_at))
                .then(a.comment.id.cmp(&b.comment.id))
        }),
        CommentSort::New => nodes.sort_by(|a, b| {
            (b.comment.created_at, b.comment.id).cmp(&(a.comment.created_at, a.comment.id))
        }),
        CommentSort::Old => nodes.sort_by(|a, b| {
            (a.comment.created_at, a.comment.id).cmp(&(b.comment.created_at, b.comment.id))
        }),
    }
}
