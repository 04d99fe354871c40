//! What is kept of the media another server attaches to a post or comment. Everything here comes
//! from outside, so each field is checked and anything unusable dropped, never failing the post.

use plaza_db::DbConn;
use plaza_db::attachment::{self, NewAttachment, Owner};
use url::Url;

use crate::CoreResult;

/// More than a post would sensibly show; Mastodon allows four, PeerTube and Lemmy fewer.
const MOST: usize = 16;
/// Mastodon's limit for a description.
const ALT_CHARS: usize = 1_500;
const URL_BYTES: usize = 2_048;
const SIDE: i32 = 100_000;

/// The usable attachments of `items`, each cleaned, at most [`MOST`].
pub fn keep(items: Vec<NewAttachment>) -> Vec<NewAttachment> {
    items.into_iter().filter_map(clean).take(MOST).collect()
}

fn clean(item: NewAttachment) -> Option<NewAttachment> {
    if !matches!(item.kind.as_str(), "image" | "video" | "audio" | "document") {
        return None;
    }
    let url = Url::parse(&item.url).ok()?;
    if !matches!(url.scheme(), "http" | "https") || item.url.len() > URL_BYTES {
        return None;
    }
    let side = |n: Option<i32>| n.filter(|n| (1..=SIDE).contains(n));
    Some(NewAttachment {
        kind: item.kind,
        url: url.into(),
        media_type: item.media_type.filter(|t| is_media_type(t)),
        alt: item
            .alt
            .map(|alt| alt.trim().chars().take(ALT_CHARS).collect::<String>())
            .filter(|alt| !alt.is_empty()),
        width: side(item.width),
        height: side(item.height),
        blurhash: item.blurhash.filter(|b| is_blurhash(b)),
    })
}

/// `type/subtype` in the characters RFC 6838 allows, lower-cased by no one: compared as sent.
fn is_media_type(text: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part.len() <= 127
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    text.split_once('/')
        .is_some_and(|(kind, sub)| token(kind) && token(sub))
}

/// A BlurHash uses its own base-83 alphabet; anything else would be shown as garbage.
fn is_blurhash(text: &str) -> bool {
    (6..=100).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"#$%*+,-.:;=?@[]^_{|}~".contains(&b))
}

/// Stores what is kept of `items` as the attachments of `owner`, in place of those it had.
pub(crate) async fn store(
    conn: &mut DbConn<'_>,
    owner: Owner,
    items: &[NewAttachment],
) -> CoreResult<()> {
    attachment::replace(conn, owner, &keep(items.to_vec())).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(url: &str) -> NewAttachment {
        NewAttachment {
            kind: "image".into(),
            url: url.into(),
            ..NewAttachment::default()
        }
    }

    #[test]
    fn only_web_addresses_of_known_kinds_are_kept() {
        let kept = keep(vec![
            image("https://files.example/a.png"),
            image("javascript:alert(1)"),
            image("data:image/png;base64,AAAA"),
            image("not a url"),
            NewAttachment {
                kind: "hologram".into(),
                ..image("https://files.example/b.png")
            },
        ]);
        assert_eq!(kept, [image("https://files.example/a.png")]);
    }

    #[test]
    fn unusable_details_are_dropped_and_the_file_kept() {
        let kept = keep(vec![NewAttachment {
            media_type: Some("image/png\"><script>".into()),
            alt: Some(format!("  {}  ", "é".repeat(2_000))),
            width: Some(-4),
            height: Some(200_000),
            blurhash: Some("<b>".into()),
            ..image("https://files.example/a.png")
        }]);
        assert_eq!(kept.len(), 1);
        let item = &kept[0];
        assert_eq!(item.media_type, None);
        assert_eq!(
            item.alt.as_ref().map(|a| a.chars().count()),
            Some(ALT_CHARS)
        );
        assert_eq!(
            (item.width, item.height, item.blurhash.as_deref()),
            (None, None, None)
        );
    }

    #[test]
    fn well_formed_details_are_kept() {
        let item = NewAttachment {
            media_type: Some("image/webp".into()),
            alt: Some("A printer with a jammed tray".into()),
            width: Some(1200),
            height: Some(800),
            blurhash: Some("UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH".into()),
            ..image("https://files.example/a.webp")
        };
        assert_eq!(keep(vec![item.clone()]), [item]);
    }

    #[test]
    fn at_most_sixteen_are_kept() {
        let many = (0..40).map(|n| image(&format!("https://files.example/{n}.png")));
        assert_eq!(keep(many.collect()).len(), MOST);
    }
}
