//! The JSON-LD `@context` of every document Plaza serves, and the wrapper that adds it.

use serde::Serialize;
use serde_json::{Value, json};

/// ActivityStreams, the security vocabulary, and the extension terms Plaza uses (named as Lemmy
/// and Mastodon name them, so their parsers recognise them).
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "lemmy": "https://join-lemmy.org/ns#",
            "pt": "https://joinpeertube.org/ns#",
            "sc": "http://schema.org/",
            "toot": "http://joinmastodon.org/ns#",
            "sensitive": "as:sensitive",
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "stickied": "lemmy:stickied",
            "distinguished": "lemmy:distinguished",
            "commentsEnabled": "pt:commentsEnabled",
            "moderators": { "@type": "@id", "@id": "lemmy:moderators" },
            "featured": { "@type": "@id", "@id": "toot:featured" },
            "discoverable": "toot:discoverable",
            "acceptedAnswer": { "@type": "@id", "@id": "https://schema.org/acceptedAnswer" },
            "ideaStatus": "https://github.com/plaza-social/plaza/blob/main/docs/federation.md#ideas-and-their-status",
            "language": "sc:inLanguage"
        }
    ])
}

/// A document with the `@context` in front.
#[derive(Debug, Clone, Serialize)]
pub struct WithContext<T> {
    /// The context.
    #[serde(rename = "@context")]
    pub context: Value,
    /// The document.
    #[serde(flatten)]
    pub inner: T,
}

impl<T> WithContext<T> {
    /// Wraps a document.
    pub fn new(inner: T) -> Self {
        Self {
            context: context(),
            inner,
        }
    }
}
