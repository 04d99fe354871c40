//! The JSON shapes the API answers with, and their conversions from core read models.

use chrono::{DateTime, NaiveDateTime, Utc};
use plaza_core::Listing;
use plaza_core::answers::AcceptedAnswer;
use plaza_core::thread_view::{CommentNode, ThreadView};
use plaza_core::threads::ThreadSummary;
use plaza_db::attachment::AttachmentRow;
use plaza_db::comment::CommentRow;
use plaza_db::group::GroupView;
use plaza_db::person::PersonBrief;
use plaza_db::post::PostRow;
use serde::Serialize;
use utoipa::ToSchema;

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A person as shown next to their posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonJson {
    pub id: i64,
    /// Local name.
    pub name: String,
    pub display_name: Option<String>,
    /// `name@domain`, what fediverse users type (with `@` in front).
    pub handle: String,
    /// The person's home server.
    pub domain: String,
    /// ActivityPub id and profile URL.
    pub url: String,
    pub avatar_url: Option<String>,
    pub local: bool,
    pub bot: bool,
    /// Brand staff (a local account the administrators named staff).
    pub staff: bool,
}

impl From<PersonBrief> for PersonJson {
    fn from(p: PersonBrief) -> Self {
        Self {
            handle: format!("{}@{}", p.name, p.domain),
            id: p.id,
            name: p.name,
            display_name: p.display_name,
            domain: p.domain,
            url: p.ap_id,
            avatar_url: p.avatar_url,
            local: p.local,
            bot: p.bot,
            staff: p.staff,
        }
    }
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountJson {
    pub person_id: i64,
    pub name: String,
    /// `name@domain`.
    pub handle: String,
    pub admin: bool,
    pub staff: bool,
}

/// A group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupJson {
    pub id: i64,
    pub name: String,
    pub title: String,
    /// `name@domain`: Mastodon users follow `@handle`, Lemmy users `!handle`.
    pub handle: String,
    /// ActivityPub id and page URL.
    pub url: String,
    /// Sanitized HTML rendered from `description_source`.
    pub description: Option<String>,
    /// Markdown.
    pub description_source: Option<String>,
    pub local: bool,
    pub posting_restricted_to_mods: bool,
    /// A Q&A group: every thread in it is a question.
    pub qa: bool,
    /// The group collects ideas: its threads may have a status.
    pub ideas: bool,
    /// The group's picture (its logo).
    pub icon_url: Option<String>,
    /// The wide picture above its page.
    pub banner_url: Option<String>,
    pub follower_count: i64,
    pub thread_count: i64,
    pub created_at: DateTime<Utc>,
    /// Present when reading one group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderators: Option<Vec<PersonJson>>,
}

impl GroupJson {
    /// Converts a group view, with its moderators when known.
    pub fn new(view: GroupView, moderators: Option<Vec<PersonBrief>>) -> Self {
        let g = view.group;
        Self {
            handle: format!("{}@{}", g.name, view.domain),
            id: g.id,
            name: g.name,
            title: g.title,
            url: g.ap_id,
            description: g.description_html,
            description_source: g.description_source,
            local: g.local,
            posting_restricted_to_mods: g.posting_restricted_to_mods,
            qa: g.qa,
            ideas: g.ideas,
            icon_url: g.icon_url,
            banner_url: g.banner_url,
            follower_count: view.follower_count,
            thread_count: view.thread_count,
            created_at: utc(g.created_at),
            moderators: moderators.map(|m| m.into_iter().map(PersonJson::from).collect()),
        }
    }
}

/// A file another server attached to a post or comment (Mastodon's pictures, Lemmy's thumbnail).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: i64,
    /// `image`, `video`, `audio` or `document`.
    pub kind: String,
    /// Where the file is, on the server it came from.
    pub url: String,
    /// For an image: the same picture served by this instance (`/media/attachments/{id}`),
    /// checked to be a picture, so a reader's browser asks only this server.
    pub proxy_path: Option<String>,
    pub media_type: Option<String>,
    /// The description its author wrote (alt text).
    pub alt: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub blurhash: Option<String>,
}

impl From<AttachmentRow> for AttachmentJson {
    fn from(a: AttachmentRow) -> Self {
        Self {
            proxy_path: (a.kind == "image")
                .then(|| format!("{}/{}", crate::media_proxy::ATTACHMENT_PATH, a.id)),
            id: a.id,
            kind: a.kind,
            url: a.url,
            media_type: a.media_type,
            alt: a.alt,
            width: a.width,
            height: a.height,
            blurhash: a.blurhash,
        }
    }
}

fn attachments_json(rows: Vec<AttachmentRow>) -> Vec<AttachmentJson> {
    rows.into_iter().map(AttachmentJson::from).collect()
}

/// A thread's opening post.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadJson {
    pub id: i64,
    /// ActivityPub id and page URL.
    pub url: String,
    pub group_id: i64,
    pub title: String,
    /// Sanitized HTML rendered from `body_source`; empty when deleted.
    pub body: String,
    /// Markdown, if the post has a body.
    pub body_source: Option<String>,
    /// The link the thread is about.
    pub link: Option<String>,
    pub author: PersonJson,
    pub upvotes: i64,
    pub downvotes: i64,
    pub score: i64,
    pub comment_count: i64,
    pub pinned: bool,
    pub locked: bool,
    pub deleted: bool,
    /// Removed by a moderator; only the group's moderators are shown such a thread.
    pub removed: bool,
    /// The caller's vote: 1, -1, or null.
    pub my_vote: Option<i16>,
    pub created_at: DateTime<Utc>,
    /// The last change of any kind (an edit, the deletion).
    pub updated_at: Option<DateTime<Utc>>,
    /// The last edit of the title, body or link: when set, the thread was edited.
    pub edited_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    /// Files attached to the post; only when the thread is read whole, not in listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentJson>>,
    /// It asks a question: its author marked it, or its group is a Q&A group.
    pub question: bool,
    /// It has an accepted answer.
    pub solved: bool,
    /// The reply accepted as the answer, or null.
    pub accepted_answer: Option<AcceptedAnswerJson>,
    /// In a group that collects ideas: what staff decided, or null.
    pub idea: Option<IdeaStatusJson>,
}

/// What staff decided about an idea.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdeaStatusJson {
    /// `under_review`, `planned`, `in_progress`, `done` or `declined`.
    pub status: String,
    /// The status as people read it ("In progress").
    pub label: String,
    /// Staff's note, in Markdown.
    pub note: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
}

impl IdeaStatusJson {
    fn of(p: &PostRow) -> Option<Self> {
        let status = plaza_core::ideas::IdeaStatus::parse(p.idea_status.as_deref()?)?;
        Some(Self {
            status: status.as_str().to_owned(),
            label: status.label().to_owned(),
            note: p.idea_note.clone(),
            changed_at: p.idea_status_at.map(utc),
        })
    }
}

/// The reply accepted as a thread's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedAnswerJson {
    pub comment_id: i64,
    /// Who wrote the answer.
    pub author: PersonJson,
    /// Who accepted it: the asker, a moderator or staff; null when it was chosen on another
    /// server.
    pub accepted_by: Option<PersonJson>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl AcceptedAnswerJson {
    fn new(a: AcceptedAnswer, accepted_at: Option<NaiveDateTime>) -> Self {
        Self {
            comment_id: a.comment.id,
            author: a.author.into(),
            accepted_by: a.accepted_by.map(PersonJson::from),
            accepted_at: accepted_at.map(utc),
        }
    }
}

impl ThreadJson {
    /// Converts a post, its author, the caller's vote, whether it is a question and its answer.
    pub fn new(
        p: PostRow,
        author: PersonBrief,
        my_vote: Option<i16>,
        question: bool,
        accepted: Option<AcceptedAnswer>,
    ) -> Self {
        let accepted_answer = accepted.map(|a| AcceptedAnswerJson::new(a, p.accepted_at));
        Self {
            idea: IdeaStatusJson::of(&p),
            question,
            solved: accepted_answer.is_some(),
            accepted_answer,
            id: p.id,
            url: p.ap_id,
            group_id: p.group_id,
            title: p.title,
            body: p.body_html,
            body_source: p.body_source,
            link: p.url,
            author: author.into(),
            upvotes: p.upvotes,
            downvotes: p.downvotes,
            score: p.score,
            comment_count: p.comment_count,
            pinned: p.pinned,
            locked: p.locked,
            deleted: p.deleted,
            removed: p.removed,
            my_vote,
            created_at: utc(p.created_at),
            updated_at: p.updated_at.map(utc),
            edited_at: p.edited_at.map(utc),
            last_activity_at: utc(p.last_activity_at),
            attachments: None,
        }
    }
}

impl From<ThreadSummary> for ThreadJson {
    fn from(s: ThreadSummary) -> Self {
        Self::new(s.post, s.author, s.my_vote, s.question, s.accepted)
    }
}

/// A comment and, in a thread, its replies.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentJson {
    pub id: i64,
    /// ActivityPub id.
    pub url: String,
    pub thread_id: i64,
    /// The comment this replies to; null for a reply to the thread itself.
    pub parent_id: Option<i64>,
    /// 0 for a reply to the thread.
    pub depth: i32,
    /// Sanitized HTML; empty when deleted, or removed (except for the group's moderators).
    pub body: String,
    /// Markdown.
    pub body_source: Option<String>,
    pub author: PersonJson,
    pub upvotes: i64,
    pub downvotes: i64,
    pub score: i64,
    /// A moderator's highlighted (official) answer.
    pub distinguished: bool,
    pub deleted: bool,
    pub removed: bool,
    /// The caller's vote: 1, -1, or null.
    pub my_vote: Option<i16>,
    pub created_at: DateTime<Utc>,
    /// The last change of any kind (an edit, the deletion, an official mark).
    pub updated_at: Option<DateTime<Utc>>,
    /// The last edit of the body: when set, the comment was edited.
    pub edited_at: Option<DateTime<Utc>>,
    /// Files attached to the comment.
    pub attachments: Vec<AttachmentJson>,
    /// Direct replies, in the requested order.
    #[schema(no_recursion)]
    pub replies: Vec<CommentJson>,
}

impl CommentJson {
    fn from_row(
        c: CommentRow,
        author: PersonBrief,
        my_vote: Option<i16>,
        attachments: Vec<AttachmentRow>,
        replies: Vec<CommentJson>,
    ) -> Self {
        Self {
            id: c.id,
            url: c.ap_id,
            thread_id: c.post_id,
            parent_id: c.parent_id,
            depth: c.depth,
            body: c.body_html,
            body_source: c.body_source,
            author: author.into(),
            upvotes: c.upvotes,
            downvotes: c.downvotes,
            score: c.score,
            distinguished: c.distinguished,
            deleted: c.deleted,
            removed: c.removed,
            my_vote,
            created_at: utc(c.created_at),
            updated_at: c.updated_at.map(utc),
            edited_at: c.edited_at.map(utc),
            attachments: attachments_json(attachments),
            replies,
        }
    }
}

impl From<CommentNode> for CommentJson {
    fn from(n: CommentNode) -> Self {
        let replies = n.replies.into_iter().map(CommentJson::from).collect();
        Self::from_row(n.comment, n.author, n.my_vote, n.attachments, replies)
    }
}

/// A thread with its group and its whole comment tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadPageJson {
    pub thread: ThreadJson,
    pub group: GroupJson,
    /// Replies to the thread, each with its own replies.
    pub comments: Vec<CommentJson>,
}

impl From<ThreadView> for ThreadPageJson {
    fn from(v: ThreadView) -> Self {
        Self {
            thread: ThreadJson {
                attachments: Some(attachments_json(v.attachments)),
                ..ThreadJson::new(v.post, v.author, v.my_vote, v.question, v.accepted)
            },
            group: GroupJson::new(v.group, None),
            comments: v.comments.into_iter().map(CommentJson::from).collect(),
        }
    }
}

/// One page of a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageJson<T: ToSchema> {
    pub items: Vec<T>,
    /// This page (1-based).
    pub page: u32,
    /// The next page, null on the last one.
    pub next_page: Option<u32>,
}

impl<T: ToSchema> PageJson<T> {
    /// Converts a core listing item by item.
    pub fn from_listing<U>(listing: Listing<U>, f: impl FnMut(U) -> T) -> Self {
        Self {
            items: listing.items.into_iter().map(f).collect(),
            page: listing.page,
            next_page: listing.next_page,
        }
    }
}

/// Vote counters after a vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteJson {
    pub upvotes: i64,
    pub downvotes: i64,
    pub score: i64,
    /// The caller's vote now: 1, -1, or null.
    pub my_vote: Option<i16>,
}

impl From<plaza_core::votes::VoteTally> for VoteJson {
    fn from(t: plaza_core::votes::VoteTally) -> Self {
        Self {
            upvotes: t.upvotes,
            downvotes: t.downvotes,
            score: t.score,
            my_vote: t.my_vote,
        }
    }
}
