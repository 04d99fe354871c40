//! Actors: groups, people, and the instance itself.

use serde::{Deserialize, Serialize};

use super::{Endpoints, Image, PublicKey, Source};

/// A group (community) as Lemmy publishes it; Mastodon follows it like an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    /// Always `Group`.
    #[serde(rename = "type")]
    pub kind: String,
    pub preferred_username: String,
    /// The title.
    pub name: String,
    /// Description as HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The web page.
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    pub inbox: String,
    pub outbox: String,
    pub followers: String,
    /// Pinned threads.
    pub featured: String,
    /// The moderators collection (Lemmy reads moderators from here).
    pub attributed_to: String,
    pub posting_restricted_to_mods: bool,
    pub sensitive: bool,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// A person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    /// Always `Person` (`Service` for bots).
    #[serde(rename = "type")]
    pub kind: String,
    pub preferred_username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    pub inbox: String,
    pub outbox: String,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// The instance actor: signs outgoing fetches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub id: String,
    /// Always `Application`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The domain, as Mastodon's and Lemmy's instance actors do.
    pub preferred_username: String,
    /// The site name.
    pub name: String,
    /// The site description as HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The brand's logo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    /// The home page.
    pub url: String,
    pub inbox: String,
    pub outbox: String,
    pub manually_approves_followers: bool,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    pub published: String,
}

/// Any actor another server sends or serves, read leniently: servers differ in which optional
/// fields they publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteActor {
    pub id: url::Url,
    /// `Person`, `Service`, `Application`, `Group`, `Organization`.
    #[serde(rename = "type")]
    pub kind: String,
    pub preferred_username: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub icon: Option<Image>,
    pub inbox: url::Url,
    #[serde(default)]
    pub endpoints: Option<RemoteEndpoints>,
    pub public_key: PublicKey,
    /// A group's followers collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<url::Url>,
    /// A group where only moderators start threads (Lemmy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posting_restricted_to_mods: Option<bool>,
    /// Who runs a group: Lemmy's moderators collection (its URL), or the actors themselves
    /// (PeerTube's channel owner). Read by `objects::moderators`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<serde_json::Value>,
    /// A group's moderators collection, as Mbin names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderators: Option<serde_json::Value>,
}

/// Endpoints as other servers publish them (any may be missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteEndpoints {
    #[serde(default)]
    pub shared_inbox: Option<url::Url>,
}
