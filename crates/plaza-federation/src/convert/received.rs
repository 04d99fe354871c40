//! Received objects to what the core stores: the body and author of a post or comment, and the
//! title of a thread (derived from a Mastodon `Note`'s first line when it has none).

use plaza_core::threads::RemoteThread;
use plaza_core::{Participant, RemoteContent};
use plaza_db::group::GroupRow;
use url::Url;

use crate::protocol::received::ReceivedObject;

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
    }
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
