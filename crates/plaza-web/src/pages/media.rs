//! Files attached to posts and comments as pages show them: pictures inline, through this
//! instance's media proxy, each linking to its original; other files as links.

use plaza_db::attachment::AttachmentRow;

use super::layout::safe_link;
use crate::media_proxy::ATTACHMENT_PATH;

/// One attached file.
pub struct MediaView {
    /// Shown inline: the proxied picture's path. `None` for other files.
    pub picture: Option<String>,
    /// The original, on the server it came from.
    pub href: String,
    /// The description; for a file that is no picture, what the link says.
    pub alt: String,
    /// Its size when the sender gave it, so the page does not jump as pictures load.
    pub width: Option<i32>,
    pub height: Option<i32>,
}

impl MediaView {
    /// The files of `rows` that have a web address to link to.
    pub fn list(rows: &[AttachmentRow]) -> Vec<MediaView> {
        rows.iter().filter_map(Self::new).collect()
    }

    fn new(row: &AttachmentRow) -> Option<MediaView> {
        let href = safe_link(Some(&row.url))?;
        let picture = row.kind == "image";
        let alt = match (&row.alt, picture) {
            (Some(alt), _) => alt.clone(),
            (None, true) => String::new(),
            (None, false) => {
                let file = href.rsplit('/').next().unwrap_or_default();
                format!("{} {file}", kind_label(&row.kind))
            }
        };
        Some(MediaView {
            picture: picture.then(|| format!("{ATTACHMENT_PATH}/{}", row.id)),
            href,
            alt,
            width: row.width,
            height: row.height,
        })
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "video" => "Video:",
        "audio" => "Audio:",
        _ => "File:",
    }
}
