//! Activities Plaza publishes in its collections (sending and receiving them comes with the
//! inbox and the delivery queue).

use serde::{Deserialize, Serialize};

/// `Create`: someone wrote something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Create<T> {
    pub id: String,
    /// Always `Create`.
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// The group (FEP-1b12).
    pub audience: String,
    pub object: T,
}

/// `Announce`: a group passes a member's activity on to its followers (FEP-1b12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Announce<T> {
    pub id: String,
    /// Always `Announce`.
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: T,
}
