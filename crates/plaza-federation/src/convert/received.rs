//! Received objects to what the core stores: the body and author of a post or comment, and the
//! title of a thread (derived from a Mastodon `Note`'s first line when it has none).

use plaza_core::threads::RemoteThread;
use plaza_core::{Participant, RemoteContent};
use plaza_db::attachment::NewAttachment;
use plaza_db::group::GroupRow;
use url::Url;

use crate::protocol::received::{ReceivedAttachment, ReceivedObject};

/// The stored form of a received object's body. The HTML is sanitized by the core. An event's
/// time and place open its body (its Markdown source, which would lack them, is not kept).
pub fn content(object: &ReceivedObject, author: Participant) -> RemoteContent {
    let body = object.content.clone().unwrap_or_default();
    let (html, source) = match super::event::details_html(object) {
        Some(details) => (details + &body, None),
        None => (
            body,
            object
                .source
                .as_ref()
                .and_then(|s| s.markdown())
                .map(str::to_owned),
        ),
    };
    RemoteContent {
        ap_id: object.id.to_string(),
        html,
        source,
        published: object.published.map(|at| at.naive_utc()),
        author,
        attachments: media(object),
    }
}

/// An object's media: the attachments that are files, then a thumbnail (`image`, as Lemmy sends
/// one) that is not one of them already.
pub fn media(object: &ReceivedObject) -> Vec<NewAttachment> {
    let mut media: Vec<NewAttachment> = object.attachment.iter().filter_map(file).collect();
    if let Some(thumbnail) = object.image.as_ref().and_then(file)
        && !media.iter().any(|m| m.url == thumbnail.url)
    {
        media.push(thumbnail);
    }
    media
}

/// An attachment as media to store, or `None` for a `Link` and for unknown types. Mastodon sends
/// every file as a `Document` with its media type.
fn file(attachment: &ReceivedAttachment) -> Option<NewAttachment> {
    let (url, link_type) = attachment.file()?;
    let media_type = attachment.media_type.clone().or(link_type);
    let family = media_type.as_deref().and_then(|t| t.split('/').next());
    let kind = match (attachment.kind.as_str(), family) {
        ("Image", _) | ("Document", Some("image")) => "image",
        ("Video", _) | ("Document", Some("video")) => "video",
        ("Audio", _) | ("Document", Some("audio")) => "audio",
        ("Document", _) => "document",
        _ => return None,
    };
    Some(NewAttachment {
        kind: kind.to_owned(),
        url,
        media_type,
        alt: attachment.name.clone(),
        width: attachment.width,
        height: attachment.height,
        blurhash: attachment.blurhash.clone(),
    })
}

/// A received object as a thread of `group`.
pub fn thread(object: &ReceivedObject, group: &GroupRow, author: Participant) -> RemoteThread {
    RemoteThread {
        group_id: group.id,
        title: thread_title(object, &group_mentions(group)),
        url: object.link().map(str::to_owned),
        content: content(object, author),
    }
}

/// How a group is written in text: `@name` and `@name@domain`.
pub fn group_mentions(group: &GroupRow) -> Vec<String> {
    let domain = Url::parse(&group.ap_id)
        .ok()
        .and_then(|u| crate::domain_of(&u))
        .unwrap_or_default();
    vec![
        format!("@{}", group.name),
        format!("@{}@{domain}", group.name),
    ]
}

/// A thread's title: its `name` (Lemmy, Mbin, PieFed), else its content warning (`summary`), else
/// the first line of its text with the mentions of the group taken out, so `@support My printer
/// jams` becomes `My printer jams`. `group_mentions` are the group's handles as written in text
/// (`@support`, `@support@brand.example`).
pub fn thread_title(object: &ReceivedObject, group_mentions: &[String]) -> String {
    let named = [&object.name, &object.summary]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty());
    if let Some(name) = named {
        return name.to_owned();
    }
    let text = plain_text(object.content.as_deref().unwrap_or_default());
    text.lines()
        .map(|line| strip_mentions(line, group_mentions))
        .find(|line| !line.is_empty())
        .unwrap_or_default()
}

fn strip_mentions(line: &str, mentions: &[String]) -> String {
    line.split_whitespace()
        .filter(|word| !mentions.iter().any(|m| word.eq_ignore_ascii_case(m)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of an HTML fragment, one line per paragraph or line break.
pub fn plain_text(html: &str) -> String {
    let with_breaks = html
        .replace("<br", "\n<br")
        .replace("</p>", "</p>\n")
        .replace("</P>", "</P>\n");
    let text = ammonia::Builder::empty().clean(&with_breaks).to_string();
    // The cleaner returns escaped text; titles are stored as plain text.
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(content: &str) -> ReceivedObject {
        serde_json::from_value(serde_json::json!({
            "id": "https://social.example/users/ann/statuses/1",
            "type": "Note",
            "content": content,
        }))
        .unwrap()
    }

    fn with(fields: serde_json::Value) -> ReceivedObject {
        let mut object = serde_json::json!({
            "id": "https://social.example/users/ann/statuses/1",
            "type": "Note",
        });
        object
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        serde_json::from_value(object).unwrap()
    }

    #[test]
    fn mastodon_documents_are_images_with_their_alt_text_and_size() {
        let object = with(serde_json::json!({"attachment": [
            {"type": "Document", "mediaType": "image/jpeg", "url": "https://files.example/a.jpg",
             "name": "A jammed tray", "blurhash": "USQv:h-W-qI-^,W;RPs=^-R%NZxbo#sDobSc",
             "focalPoint": [0.0, 0.0], "width": 1500, "height": 1095},
            {"type": "Document", "mediaType": "video/mp4", "url": "https://files.example/b.mp4"},
            {"type": "Document", "mediaType": "application/pdf", "url": "https://files.example/c.pdf"},
        ]}));
        let media = media(&object);
        let kinds: Vec<&str> = media.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["image", "video", "document"]);
        assert_eq!(media[0].alt.as_deref(), Some("A jammed tray"));
        assert_eq!((media[0].width, media[0].height), (Some(1500), Some(1095)));
    }

    #[test]
    fn a_lemmy_thumbnail_is_kept_once_and_its_link_stays_the_threads_link() {
        let object = with(serde_json::json!({
            "type": "Page",
            "attachment": [
                {"type": "Image", "url": "https://lemmy.example/pictrs/image/a.png", "mediaType": "image/png"},
                {"type": "Link", "href": "https://example.com/article", "mediaType": "text/html"},
            ],
            "image": {"type": "Image", "url": "https://lemmy.example/pictrs/image/a.png"},
        }));
        let urls: Vec<String> = media(&object).into_iter().map(|m| m.url).collect();
        assert_eq!(urls, ["https://lemmy.example/pictrs/image/a.png"]);
        assert_eq!(object.link(), Some("https://example.com/article"));
        let thumbnail_only = with(serde_json::json!({
            "image": {"type": "Image", "url": "https://lemmy.example/pictrs/image/b.png"},
        }));
        assert_eq!(media(&thumbnail_only).len(), 1);
    }

    #[test]
    fn a_file_named_by_links_is_the_first_that_is_not_a_web_page() {
        let object = with(serde_json::json!({"attachment": {"type": "Video", "url": [
            {"type": "Link", "mediaType": "text/html", "href": "https://video.example/w/1"},
            {"type": "Link", "mediaType": "video/mp4", "href": "https://video.example/1.mp4"},
        ]}}));
        let media = media(&object);
        assert_eq!(media[0].url, "https://video.example/1.mp4");
        assert_eq!(media[0].media_type.as_deref(), Some("video/mp4"));
    }

    #[test]
    fn odd_shapes_cost_a_field_not_the_object() {
        let object = with(serde_json::json!({"attachment": [
            {"type": "Image", "url": "https://files.example/a.png", "width": "wide",
             "name": {"en": "x"}, "blurhash": 7},
            {"type": ["Image"], "url": 12},
            "https://files.example/not-an-object.png",
        ]}));
        let media = media(&object);
        assert_eq!(media.len(), 1);
        assert_eq!((media[0].width, media[0].alt.as_deref()), (None, None));
    }

    #[test]
    fn a_mastodon_title_is_the_first_line_without_the_group_mention() {
        let object = note(
            "<p><span class=\"h-card\"><a href=\"https://brand.example/g/support\" class=\"u-url mention\">@<span>support</span></a></span> Printer &amp; scanner jam</p><p>Since Monday.</p>",
        );
        let mentions = ["@support".to_owned(), "@support@brand.example".to_owned()];
        assert_eq!(thread_title(&object, &mentions), "Printer & scanner jam");
    }

    #[test]
    fn a_title_skips_lines_that_hold_only_the_mention() {
        let object = note("<p>@support@brand.example<br>Where is my order?</p>");
        let mentions = ["@support@brand.example".to_owned()];
        assert_eq!(thread_title(&object, &mentions), "Where is my order?");
    }

    #[test]
    fn script_text_is_not_kept_in_a_title() {
        let object = note("<p><script>alert(1)</script>Hello</p>");
        assert_eq!(thread_title(&object, &[]), "Hello");
    }
}
