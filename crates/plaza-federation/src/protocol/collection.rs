//! Collections: followers (a count only), moderators, featured threads, outboxes, and a thread's
//! conversation, served in pages.

use serde::{Deserialize, Serialize};

/// An ordered collection served whole (they are small and bounded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection<T> {
    pub id: String,
    /// Always `OrderedCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    pub total_items: i64,
    pub ordered_items: Vec<T>,
}

impl<T> OrderedCollection<T> {
    /// A collection of all `items`.
    pub fn new(id: String, items: Vec<T>) -> Self {
        Self {
            id,
            kind: "OrderedCollection".to_owned(),
            total_items: i64::try_from(items.len()).unwrap_or(i64::MAX),
            ordered_items: items,
        }
    }
}

/// A collection that shows only its size: who follows a group is not published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountOnlyCollection {
    pub id: String,
    /// Always `Collection`.
    #[serde(rename = "type")]
    pub kind: String,
    pub total_items: i64,
}

/// An ordered collection too large to serve whole: its size and where its pages are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PagedCollection {
    pub id: String,
    /// Always `OrderedCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who keeps the collection (for a conversation: the group, whose moderators decide what
    /// stays in it).
    pub attributed_to: String,
    pub total_items: i64,
    pub first: String,
    pub last: String,
}

/// One page of a [`PagedCollection`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage<T> {
    pub id: String,
    /// Always `OrderedCollectionPage`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The collection.
    pub part_of: String,
    pub ordered_items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}
