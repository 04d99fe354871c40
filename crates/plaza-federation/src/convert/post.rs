//! A thread's opening post as a `Page`, and the activities that publish it.

use plaza_core::Urls;
use plaza_db::attachment::AttachmentRow;
use plaza_db::group::GroupRow;
use plaza_db::post::PostRow;

use super::{handle, timestamp};
use crate::protocol::activity::{Announce, Create};
use crate::protocol::object::{Attachment, ImageAttachment, Link, Note, Page};
use crate::protocol::{Image, Mention, PUBLIC, Source};

/// The object type of a thread's opening post. `Page` is what Lemmy, Mbin and PieFed publish and
/// expect; how Mastodon is best served is decided with outgoing distribution.
pub const THREAD_TYPE: &str = "Page";

/// What a post conversion needs besides the row.
pub struct PostContext<'a> {
    /// The author's actor id.
    pub author_ap_id: &'a str,
    /// The group.
    pub group: &'a GroupRow,
    /// The group's home domain (for its `@name@domain` mention).
    pub group_domain: &'a str,
    /// The id of the comment accepted as the thread's answer, when it has one.
    pub accepted_answer: Option<&'a str>,
    /// Its attached files; only pictures are published.
    pub attachments: &'a [AttachmentRow],
}

/// The URL of a thread's conversation (FEP-7888): `/post/ID/context` beside the thread's own id.
/// Only a thread of this instance has one here; a copy of a thread from elsewhere has none.
pub fn thread_context(post: &PostRow) -> Option<String> {
    post.local.then(|| format!("{}/context", post.ap_id))
}

/// The object of a thread's opening post. The group is in `to` and mentioned in `tag`, so
/// replies from Mastodon address it too.
pub fn post_object(post: &PostRow, cx: &PostContext<'_>) -> Page {
    Page {
        id: post.ap_id.clone(),
        kind: THREAD_TYPE.to_owned(),
        attributed_to: cx.author_ap_id.to_owned(),
        to: vec![cx.group.ap_id.clone(), PUBLIC.to_owned()],
        cc: Vec::new(),
        audience: cx.group.ap_id.clone(),
        context: thread_context(post),
        name: post.title.clone(),
        content: post.body_html.clone(),
        media_type: "text/html".to_owned(),
        source: post.body_source.clone().map(Source::markdown),
        attachment: post
            .url
            .iter()
            .map(|href| {
                Attachment::Link(Link {
                    kind: "Link".to_owned(),
                    href: href.clone(),
                })
            })
            .chain(pictures(cx.attachments).map(Attachment::Image))
            .collect(),
        image: pictures(cx.attachments).next().map(|p| Image {
            kind: "Image".to_owned(),
            url: p.url,
            media_type: p.media_type,
        }),
        url: post.ap_id.clone(),
        sensitive: false,
        comments_enabled: !post.locked,
        stickied: post.pinned,
        tag: vec![Mention::new(
            &cx.group.ap_id,
            &handle(&cx.group.name, cx.group_domain),
        )],
        published: timestamp(post.created_at),
        updated: post.edited_at.map(timestamp),
        accepted_answer: cx.accepted_answer.map(str::to_owned),
        idea_status: post.idea_status.clone(),
    }
}

/// The pictures among `rows`, as attachments: `Image` with its type, description and size.
pub fn pictures(rows: &[AttachmentRow]) -> impl Iterator<Item = ImageAttachment> + '_ {
    rows.iter()
        .filter(|a| a.kind == "image")
        .map(|a| ImageAttachment {
            kind: "Image".to_owned(),
            media_type: a.media_type.clone(),
            url: a.url.clone(),
            name: a.alt.clone(),
            width: a.width,
            height: a.height,
        })
}

/// `Announce(Create(Page))`: how a group publishes a new thread (FEP-1b12).
pub fn announced_create(
    urls: &Urls,
    post: &PostRow,
    cx: &PostContext<'_>,
) -> Announce<Create<Page>> {
    // Named after our copy, so a thread from another server gets ids on this host too, as the
    // group (here) is the one publishing it in its outbox.
    super::activity::announce_create(
        urls,
        cx.author_ap_id,
        &cx.group.ap_id,
        &cx.group.name,
        &urls.post(post.id),
        post_object(post, cx),
    )
}

/// A thread as a `Note`, for servers that show only notes in full (Mastodon and its kin): the
/// title in bold, then the link and the body. Same id as the `Page`.
pub fn thread_as_note(page: Page) -> Note {
    let mut content = format!("<p><strong>{}</strong></p>", super::escape_html(&page.name));
    let mut pictures = Vec::new();
    for attached in page.attachment {
        match attached {
            Attachment::Link(link) => {
                let href = super::escape_html(&link.href);
                content.push_str(&format!("<p><a href=\"{href}\">{href}</a></p>"));
            }
            Attachment::Image(picture) => pictures.push(picture),
        }
    }
    content.push_str(&page.content);
    Note {
        id: page.id,
        kind: "Note".to_owned(),
        attributed_to: page.attributed_to,
        to: page.to,
        cc: page.cc,
        audience: page.audience,
        context: page.context,
        in_reply_to: None,
        content,
        media_type: page.media_type,
        source: None,
        attachment: pictures,
        url: page.url,
        distinguished: false,
        tag: page.tag,
        published: page.published,
        updated: page.updated,
    }
}
