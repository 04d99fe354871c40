//! Collections: followers (a count only), moderators, featured threads, outboxes.

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
