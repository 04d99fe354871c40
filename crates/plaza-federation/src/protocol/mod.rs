//! The JSON shapes Plaza speaks, one module per kind of thing. They mirror what Lemmy publishes,
//! so Lemmy, Mbin and PieFed read them natively, with the fields Mastodon needs.

pub mod activity;
pub mod actor;
pub mod collection;
pub mod context;
pub mod object;
pub mod received;

use serde::{Deserialize, Serialize};

/// The ActivityStreams public collection.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Markdown source kept beside rendered HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The Markdown.
    pub content: String,
    /// Always `text/markdown`.
    pub media_type: String,
}

impl Source {
    /// Markdown source.
    pub fn markdown(content: String) -> Self {
        Self {
            content,
            media_type: "text/markdown".to_owned(),
        }
    }
}

/// An image (avatar, banner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Always `Image`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where it is.
    pub url: String,
    /// Its type, when known (pictures uploaded here).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_type: Option<String>,
}

impl Image {
    /// The image at `url`; the type is given for pictures uploaded to a Plaza, whose names say
    /// it (`/media/uploads/HASH.jpg`).
    pub fn new(url: String) -> Self {
        let media_type = url
            .split_once(plaza_core::media::UPLOADS_PATH)
            .and_then(|(_, name)| name.strip_prefix('/'))
            .and_then(plaza_core::media::parse_file_name)
            .and_then(|(_, extension, _)| match extension {
                "jpg" => Some("image/jpeg"),
                "png" => Some("image/png"),
                "webp" => Some("image/webp"),
                _ => None,
            })
            .map(str::to_owned);
        Self {
            kind: "Image".to_owned(),
            url,
            media_type,
        }
    }
}

/// An actor's signing key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    /// `<actor>#main-key`.
    pub id: String,
    /// The actor.
    pub owner: String,
    /// SPKI PEM.
    pub public_key_pem: String,
}

impl PublicKey {
    /// The main key of an actor.
    pub fn main_key(actor_id: &str, pem: &str) -> Self {
        Self {
            id: format!("{actor_id}#main-key"),
            owner: actor_id.to_owned(),
            public_key_pem: pem.to_owned(),
        }
    }
}

/// Shared endpoints of an actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// Where one delivery serves every follower on this instance.
    pub shared_inbox: String,
}

/// A tag naming an actor (Mastodon addresses replies to mentioned actors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Always `Mention`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The actor's id.
    pub href: String,
    /// `@name@domain`.
    pub name: String,
}

impl Mention {
    /// A mention of `href`, shown as `@handle`.
    pub fn new(href: &str, handle: &str) -> Self {
        Self {
            kind: "Mention".to_owned(),
            href: href.to_owned(),
            name: format!("@{handle}"),
        }
    }
}
