//! The JSON body of a webhook call, fixed when the call is queued (so every attempt sends, and
//! signs, the same bytes).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// What a webhook receives when an incident opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookBody {
    /// Always `plaza.alert`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The instance's domain.
    pub instance: String,
    /// The incident.
    pub incident: IncidentJson,
    /// The rule that fired.
    pub rule: RuleJson,
    /// The group it happened in.
    pub group: Option<LinkJson>,
    /// The thread it is about.
    pub thread: Option<LinkJson>,
    /// The counts and ids that made the rule fire.
    pub evidence: serde_json::Value,
}

/// The incident in a webhook body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentJson {
    /// Unique on this instance: a receiver that gets the same id twice (a retry after a lost
    /// answer) has seen this incident already.
    pub id: i64,
    /// What makes it one incident, per rule (`hour:…`, `thread:…`).
    pub key: String,
    /// One line for people.
    pub summary: String,
    /// When it opened (UTC, RFC 3339).
    pub opened_at: String,
    /// The alerts page, at this incident.
    pub url: String,
}

/// The rule in a webhook body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleJson {
    /// Its id.
    pub id: i64,
    /// reports, downvotes, replies, unanswered or watch_words.
    pub kind: String,
    /// The count per hour, or the hours.
    pub threshold: i32,
    /// What it watches, for people.
    pub description: String,
}

/// Something with a name and a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkJson {
    /// Its id.
    pub id: i64,
    /// Its name or title.
    pub name: String,
    /// Its page.
    pub url: String,
}

/// A time as the body writes it.
pub fn time(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
