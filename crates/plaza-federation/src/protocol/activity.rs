//! Activities Plaza sends and publishes in its collections.

use serde::{Deserialize, Serialize};

/// `Create` (someone wrote something) or `Update` (they edited it): the same shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Create<T> {
    pub id: String,
    /// `Create` or `Update`.
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

/// `Delete`: the author took their thread or comment down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delete {
    pub id: String,
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// The group (FEP-1b12).
    pub audience: String,
    /// The deleted object's id.
    pub object: String,
}

/// `Like` (+1) or `Dislike` (−1) of a thread or comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vote {
    pub id: String,
    /// `Like` or `Dislike`.
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    /// The voted thread or comment.
    pub object: String,
    /// The group (FEP-1b12).
    pub audience: String,
}

/// `Undo`: withdraws an earlier activity (a vote, an announce).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undo<T> {
    pub id: String,
    /// Always `Undo`.
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: T,
}
