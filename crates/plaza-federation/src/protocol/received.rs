//! What other servers send, read leniently: ActivityStreams lets most fields be a single value,
//! a list, an id or an embedded object, and every server picks differently. These shapes accept
//! all of those and keep only what Plaza uses; what is required is checked after parsing.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

/// The ids in a field that may hold an id, an object with an `id`, or a list of either.
fn ids_of(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Object(map) => {
            if let Some(Value::String(id)) = map.get("id") {
                out.push(id.clone());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| ids_of(v, out)),
        _ => {}
    }
}

/// The ids in a value that holds an id, an object with an `id`, or a list of either.
pub fn ids_in(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    ids_of(value, &mut out);
    out
}

/// Deserializes an id, an object with an `id`, or a list of them, into the list of ids.
pub fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let value = Value::deserialize(d)?;
    let mut out = Vec::new();
    ids_of(&value, &mut out);
    Ok(out)
}

/// Deserializes the first id of such a field, if it is a URL.
pub fn first_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    Ok(ids(d)?.into_iter().find_map(|id| Url::parse(&id).ok()))
}

/// Deserializes one value or a list of values into a list, skipping items of another shape.
fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Value::deserialize(d)?;
    let items = match value {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    };
    Ok(items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// The Markdown (or other) source an object was written in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedSource {
    pub content: String,
    #[serde(default)]
    pub media_type: Option<String>,
}

impl ReceivedSource {
    /// The source text, if it is Markdown (the only kind Plaza can edit).
    pub fn markdown(&self) -> Option<&str> {
        match self.media_type.as_deref() {
            Some("text/markdown") | None => Some(&self.content),
            _ => None,
        }
    }
}

/// A tag: a Mention, Hashtag or Emoji.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedTag {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub href: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A post, comment or other content object.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedObject {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "ids")]
    pub attributed_to: Vec<String>,
    #[serde(default, deserialize_with = "ids")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "ids")]
    pub cc: Vec<String>,
    #[serde(default, deserialize_with = "first_id")]
    pub audience: Option<Url>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub source: Option<ReceivedSource>,
    #[serde(default, deserialize_with = "first_id")]
    pub in_reply_to: Option<Url>,
    /// The conversation it belongs to (FEP-7888): where a server that follows the convention
    /// lists the whole thread. Other servers send an opaque `tag:` URI or nothing.
    #[serde(default, deserialize_with = "first_id")]
    pub context: Option<Url>,
    /// Media (`Image`, `Document`, `Video`, `Audio`) and, from Lemmy, a thread's link as a
    /// `Link`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub attachment: Vec<ReceivedAttachment>,
    /// A picture for the object: Lemmy's thread thumbnail.
    #[serde(default, deserialize_with = "lenient")]
    pub image: Option<ReceivedAttachment>,
    /// Where the object can be seen (its own page, on most servers), or what it shares
    /// (Friendica's link posts): URLs and `Link`s, as their `href`s.
    #[serde(default, deserialize_with = "hrefs")]
    pub url: Vec<String>,
    /// An `Event`'s start (Mobilizon).
    #[serde(default)]
    pub start_time: Option<DateTime<FixedOffset>>,
    /// An `Event`'s end.
    #[serde(default)]
    pub end_time: Option<DateTime<FixedOffset>>,
    /// An `Event`'s place.
    #[serde(default, deserialize_with = "lenient")]
    pub location: Option<ReceivedPlace>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub tag: Vec<ReceivedTag>,
    #[serde(default)]
    pub published: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub updated: Option<DateTime<FixedOffset>>,
    /// A thread's accepted answer (schema.org's `acceptedAnswer`): the comment's id, or the
    /// comment itself.
    #[serde(default, deserialize_with = "first_id")]
    pub accepted_answer: Option<Url>,
}

/// Deserializes a field that holds URLs, `Link` objects (their `href`), or a list of them.
fn hrefs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Object(map) => {
                if let Some(Value::String(href)) = map.get("href") {
                    out.push(href.clone());
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(&Value::deserialize(d)?, &mut out);
    Ok(out)
}

/// Deserializes an optional value, or nothing when it has another shape.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// Where an `Event` happens: a `Place` with a name and an address (a text, or a
/// `PostalAddress`).
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedPlace {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<Value>,
}

impl ReceivedPlace {
    /// The place in one line: its name, then its address.
    pub fn line(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.name.clone());
        match &self.address {
            Some(Value::String(address)) => parts.push(address.clone()),
            Some(Value::Object(address)) => {
                let field = |key: &str| address.get(key).and_then(Value::as_str).map(str::trim);
                parts.extend(field("streetAddress").map(str::to_owned));
                let town = [field("postalCode"), field("addressLocality")]
                    .into_iter()
                    .flatten()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                parts.push(town);
                parts.extend(field("addressCountry").map(str::to_owned));
            }
            _ => {}
        }
        let mut seen = Vec::new();
        for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            // A place named after its street says it once.
            if !seen.contains(&part) {
                seen.push(part);
            }
        }
        seen.join(", ")
    }
}

/// An attachment: a file (`Image`, `Document`, `Video`, `Audio`) or a `Link`. Each field is read
/// on its own, so one of an unexpected shape costs that field, not the attachment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedAttachment {
    #[serde(rename = "type", default, deserialize_with = "lenient_or_default")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient")]
    pub href: Option<String>,
    /// The file: a URL, a `Link`, or several `Link`s (one per format, as PeerTube sends them).
    #[serde(default)]
    pub url: Option<Value>,
    #[serde(default, deserialize_with = "lenient")]
    pub media_type: Option<String>,
    /// Its description (alt text).
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub width: Option<i32>,
    #[serde(default, deserialize_with = "lenient")]
    pub height: Option<i32>,
    #[serde(default, deserialize_with = "lenient")]
    pub blurhash: Option<String>,
}

/// Deserializes a value, or its default when it has another shape.
fn lenient_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    Ok(lenient(d)?.unwrap_or_default())
}

impl ReceivedAttachment {
    /// Where the file is, and its media type when the `Link` naming it says so.
    pub fn file(&self) -> Option<(String, Option<String>)> {
        fn link(value: &Value) -> Option<(String, Option<String>)> {
            match value {
                Value::String(url) => Some((url.clone(), None)),
                Value::Object(map) => {
                    let href = map.get("href").or_else(|| map.get("url"))?.as_str()?;
                    let media_type = map.get("mediaType").and_then(Value::as_str);
                    Some((href.to_owned(), media_type.map(str::to_owned)))
                }
                _ => None,
            }
        }
        let from_url = match &self.url {
            // Several formats: the first one that is a file rather than a web page.
            Some(Value::Array(links)) => {
                let all: Vec<_> = links.iter().filter_map(link).collect();
                all.iter()
                    .find(|(_, t)| t.as_deref().is_some_and(|t| t != "text/html"))
                    .or(all.first())
                    .cloned()
            }
            Some(other) => link(other),
            None => None,
        };
        from_url.or_else(|| self.href.clone().map(|href| (href, None)))
    }
}

impl ReceivedObject {
    /// Everyone the object is addressed to (`to`, `cc`, `audience`) and every actor it mentions.
    pub fn addressees(&self) -> impl Iterator<Item = &str> {
        self.to
            .iter()
            .chain(&self.cc)
            .map(String::as_str)
            .chain(self.audience.as_ref().map(Url::as_str))
            .chain(
                self.tag
                    .iter()
                    .filter(|t| t.kind == "Mention")
                    .filter_map(|t| t.href.as_deref()),
            )
    }

    /// Whether anyone may read it. Followers-only and direct objects are not for a group.
    pub fn is_public(&self) -> bool {
        self.to
            .iter()
            .chain(&self.cc)
            .any(|a| matches!(a.as_str(), super::PUBLIC | "as:Public" | "Public"))
    }

    /// The link a thread is about: Lemmy's `Link` attachment, else a `url` on another host than
    /// the object's (Friendica shares a link that way; everyone else's `url` is the object's own
    /// page, on its own host).
    pub fn link(&self) -> Option<&str> {
        let attached = self
            .attachment
            .iter()
            .find(|a| a.kind == "Link")
            .and_then(|a| a.href.as_deref());
        attached.or_else(|| {
            self.url.iter().map(String::as_str).find(|u| {
                Url::parse(u).is_ok_and(|u| {
                    matches!(u.scheme(), "http" | "https") && u.host() != self.id.host()
                })
            })
        })
    }
}

/// A collection or one of its pages (an outbox, a thread's context), as any server serves it:
/// ordered or not, whole or in pages, its items embedded or named by id.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedCollection {
    pub id: Url,
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The first page: its URL, or the page itself.
    #[serde(default)]
    pub first: Option<Value>,
    /// The page after this one.
    #[serde(default, deserialize_with = "first_id")]
    pub next: Option<Url>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub ordered_items: Vec<Value>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub items: Vec<Value>,
}

impl ReceivedCollection {
    /// Whether it is a collection at all (an actor's URL may stand where a list was expected).
    pub fn is_collection(&self) -> bool {
        self.kind.ends_with("Collection") || self.kind.ends_with("CollectionPage")
    }

    /// Takes the items of this collection or page, in order.
    pub fn take_items(&mut self) -> Vec<Value> {
        let mut items = std::mem::take(&mut self.ordered_items);
        items.append(&mut self.items);
        items
    }
}

/// What an item of an outbox or a conversation stands for: an `Announce` or a `Create` is
/// unwrapped (twice at most) down to the object it carries, an id or the object itself.
pub fn carried_object(mut item: Value) -> Value {
    for _ in 0..2 {
        let wraps = matches!(
            item.get("type").and_then(Value::as_str),
            Some("Announce" | "Create")
        );
        match item.get_mut("object") {
            Some(inner) if wraps => item = inner.take(),
            _ => break,
        }
    }
    item
}

/// The id of an item given as an id or as an object that has one.
pub fn item_id(item: &Value) -> Option<Url> {
    let mut ids = Vec::new();
    if !item.is_array() {
        ids_of(item, &mut ids);
    }
    ids.first().and_then(|id| Url::parse(id).ok())
}

/// The collections an actor names (only the outbox is read: where a group lists its threads).
#[derive(Debug, Clone, Deserialize)]
pub struct ActorCollections {
    pub id: Url,
    #[serde(default, deserialize_with = "first_id")]
    pub outbox: Option<Url>,
}

/// The URL of an image, given as a URL, an `Image` whose `url` is a URL or a `Link`, or a list.
fn image_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fn url_of(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Object(map) => map
                .get("url")
                .and_then(url_of)
                .or_else(|| map.get("href").and_then(Value::as_str).map(str::to_owned)),
            Value::Array(items) => items.iter().find_map(url_of),
            _ => None,
        }
    }
    Ok(url_of(&Value::deserialize(d)?))
}

/// A group as an `Update` carries it, with only what Plaza takes from it: never its keys or
/// inboxes, which change only when the group itself is fetched from its home.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedGroup {
    pub id: Url,
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// The title.
    #[serde(default)]
    pub name: Option<String>,
    /// The description, as HTML.
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "image_url")]
    pub icon: Option<String>,
    #[serde(default)]
    pub posting_restricted_to_mods: Option<bool>,
}

/// Any activity, with the fields every handler needs; `object` is kept as sent.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedActivity {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(deserialize_with = "first_id")]
    pub actor: Option<Url>,
    #[serde(default)]
    pub object: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_as_one_value_a_list_or_an_embedded_object() {
        let object: ReceivedObject = serde_json::from_value(serde_json::json!({
            "id": "https://video.example/v/1",
            "type": "Video",
            "attributedTo": [
                {"type": "Person", "id": "https://video.example/a/ann"},
                "https://video.example/c/chan"
            ],
            "to": "https://www.w3.org/ns/activitystreams#Public",
            "tag": {"type": "Mention", "href": "https://brand.example/g/support"},
            "attachment": [{"type": "Document", "url": "x"}, {"type": "Link", "href": "https://l.example"}],
            "inReplyTo": null
        }))
        .unwrap();
        assert_eq!(object.attributed_to.len(), 2);
        assert!(object.is_public());
        assert_eq!(object.link(), Some("https://l.example"));
        assert!(
            object
                .addressees()
                .any(|a| a == "https://brand.example/g/support")
        );
        assert!(object.in_reply_to.is_none());
    }

    #[test]
    fn a_url_on_another_host_is_the_link_and_the_objects_own_page_is_not() {
        let object = |url: serde_json::Value| -> ReceivedObject {
            serde_json::from_value(serde_json::json!({
                "id": "https://friends.example/objects/1", "type": "Note", "url": url
            }))
            .unwrap()
        };
        let shared = "https://news.example/a";
        assert_eq!(object(serde_json::json!(shared)).link(), Some(shared));
        let link = serde_json::json!({"type": "Link", "href": shared, "mediaType": "text/html"});
        assert_eq!(object(link).link(), Some(shared));
        let own = "https://friends.example/display/1";
        assert_eq!(object(serde_json::json!(own)).link(), None);
        assert_eq!(
            object(serde_json::json!([own, shared])).link(),
            Some(shared)
        );
    }

    #[test]
    fn a_place_reads_as_one_line() {
        let place: ReceivedPlace = serde_json::from_value(serde_json::json!({
            "type": "Place", "name": "Town library",
            "address": {"type": "PostalAddress", "streetAddress": "1 Main Street",
                        "postalCode": "75001", "addressLocality": "Paris", "addressCountry": "France"}
        }))
        .unwrap();
        assert_eq!(
            place.line(),
            "Town library, 1 Main Street, 75001 Paris, France"
        );
    }
}
