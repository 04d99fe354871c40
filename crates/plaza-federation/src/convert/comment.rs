//! A comment as a `Note`.

use plaza_db::attachment::AttachmentRow;
use plaza_db::comment::CommentRow;

use super::{handle, timestamp};
use crate::protocol::object::Note;
use crate::protocol::{Mention, PUBLIC, Source};

/// What a comment conversion needs besides the row.
pub struct CommentContext<'a> {
    /// The author's actor id.
    pub author_ap_id: &'a str,
    /// The thread's id, or the parent comment's.
    pub in_reply_to: &'a str,
    /// The group's actor id.
    pub group_ap_id: &'a str,
    /// The thread's conversation collection, when the thread is one of ours.
    pub context: Option<String>,
    /// The group's `name@domain`.
    pub group_handle: (&'a str, &'a str),
    /// Whom the comment answers, when it is someone else: their actor id and `name@domain`.
    pub parent_author: Option<(&'a str, String)>,
    /// Its attached files; only pictures are published.
    pub attachments: &'a [AttachmentRow],
}

/// The object of a comment. Public, addressed to the group, which is also mentioned so that
/// Mastodon users replying to it keep the group in the conversation. The person it answers is
/// addressed and mentioned too, as Mastodon and Lemmy do, so their server notifies them.
pub fn comment_object(comment: &CommentRow, cx: &CommentContext<'_>) -> Note {
    let (group_name, group_domain) = cx.group_handle;
    let mut cc = vec![cx.group_ap_id.to_owned()];
    let mut tag = vec![Mention::new(
        cx.group_ap_id,
        &handle(group_name, group_domain),
    )];
    if let Some((ap_id, handle)) = &cx.parent_author {
        cc.push((*ap_id).to_owned());
        tag.push(Mention::new(ap_id, handle));
    }
    Note {
        id: comment.ap_id.clone(),
        kind: "Note".to_owned(),
        attributed_to: cx.author_ap_id.to_owned(),
        to: vec![PUBLIC.to_owned()],
        cc,
        audience: cx.group_ap_id.to_owned(),
        context: cx.context.clone(),
        in_reply_to: Some(cx.in_reply_to.to_owned()),
        content: comment.body_html.clone(),
        media_type: "text/html".to_owned(),
        source: comment.body_source.clone().map(Source::markdown),
        attachment: super::post::pictures(cx.attachments).collect(),
        url: comment.ap_id.clone(),
        distinguished: comment.distinguished,
        tag,
        published: timestamp(comment.created_at),
        // Marking an answer official is no edit: Lemmy would show it as one.
        updated: comment.edited_at.map(timestamp),
    }
}
