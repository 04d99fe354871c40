//! Content: a thread's opening post, a comment, and what is left of a deleted one.

use serde::{Deserialize, Serialize};

use super::{Mention, Source};

/// A link attached to a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Always `Link`.
    #[serde(rename = "type")]
    pub kind: String,
    pub href: String,
}

/// A picture attached to a thread or comment, as Mastodon and Lemmy read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageAttachment {
    /// Always `Image`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_type: Option<String>,
    pub url: String,
    /// The description (alt text).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub width: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub height: Option<i32>,
}

/// What a `Page` carries in `attachment`: its link, and its pictures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Attachment {
    Link(Link),
    Image(ImageAttachment),
}

/// A thread's opening post, as Lemmy's `Page`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub id: String,
    /// The object type (see `convert::post::THREAD_TYPE`).
    #[serde(rename = "type")]
    pub kind: String,
    pub attributed_to: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// The group (FEP-1b12).
    pub audience: String,
    /// The thread's conversation collection (FEP-7888); only a thread of this instance has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context: Option<String>,
    /// The title.
    pub name: String,
    /// HTML.
    pub content: String,
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub attachment: Vec<Attachment>,
    /// The first picture, which Lemmy shows as the thread's thumbnail.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub image: Option<super::Image>,
    /// The web page.
    pub url: String,
    pub sensitive: bool,
    /// False when the thread is locked.
    pub comments_enabled: bool,
    /// Pinned in its group.
    pub stickied: bool,
    pub tag: Vec<Mention>,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The comment accepted as the answer to the question the thread asks (schema.org's
    /// `acceptedAnswer`), by its id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub accepted_answer: Option<String>,
    /// In a group that collects ideas: what the brand decided (`under_review`, `planned`,
    /// `in_progress`, `done` or `declined`; see docs/federation.md).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub idea_status: Option<String>,
}

/// A comment, as a `Note` replying to the thread or to another comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: String,
    /// Always `Note`.
    #[serde(rename = "type")]
    pub kind: String,
    pub attributed_to: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// The group (FEP-1b12).
    pub audience: String,
    /// The conversation collection of its thread (FEP-7888), when the thread is one of ours.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context: Option<String>,
    /// The thread or the parent comment (none for a thread sent in its `Note` form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    /// HTML.
    pub content: String,
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Its pictures.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub attachment: Vec<ImageAttachment>,
    pub url: String,
    /// A moderator's highlighted answer.
    pub distinguished: bool,
    pub tag: Vec<Mention>,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// What a deleted object answers with (status 410).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub id: String,
    /// Always `Tombstone`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What the object was (`Page`, `Note`).
    pub former_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
}

/// An item of a thread's conversation collection: the opening post, a comment, or what is left
/// of a deleted or removed comment (kept in place, so replies to it keep their parent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConversationItem {
    /// The thread's opening post.
    Thread(Box<Page>),
    /// A comment.
    Comment(Box<Note>),
    /// A deleted or removed comment.
    Gone(Tombstone),
}
