//! `/activities/…`: an activity sent from here, at its own id, while the delivery queue keeps it.
//! A group elsewhere that passes on one of our people's votes or deletions has it checked by
//! its receivers against this copy (they do not take a group's word for a third server's
//! people), so public activities must be dereferenceable. Reports, follows and anything not
//! public are never served.

use std::sync::Arc;

use axum::extract::{Path, State};
use plaza_core::Context;
use plaza_db::delivery;
use serde_json::Value;

use crate::protocol::PUBLIC;
use crate::response::{ActivityJson, FederationError};

/// Kinds of activity that are public by nature when addressed publicly or to no one in
/// particular (a vote names only its `audience`).
const SERVED: [&str; 11] = [
    "Create", "Update", "Delete", "Like", "Dislike", "Undo", "Announce", "Lock", "Add", "Remove",
    "Block",
];

/// The activity with the id `/activities/PATH`.
pub async fn activity(
    State(ctx): State<Arc<Context>>,
    Path(path): Path<String>,
) -> Result<ActivityJson<Value>, FederationError> {
    let (verb, rest) = path
        .split_once('/')
        .ok_or(FederationError::NotFound("activity"))?;
    let id = ctx.urls.activity(verb, rest);
    let body = {
        let mut pooled = ctx.db.get().await?;
        delivery::sent_activity(&mut pooled.conn(), &id).await?
    };
    let mut activity = body
        .and_then(|b| serde_json::from_str::<Value>(&b).ok())
        .filter(is_public)
        .ok_or(FederationError::NotFound("activity"))?;
    if let Some(map) = activity.as_object_mut() {
        // Served with our own context.
        map.remove("@context");
    }
    Ok(ActivityJson(activity))
}

/// Whether anyone may read the activity: a public kind, addressed to the public or to no one.
fn is_public(activity: &Value) -> bool {
    let kind = activity.get("type").and_then(Value::as_str).unwrap_or("");
    if !SERVED.contains(&kind) {
        return false;
    }
    let addressees: Vec<&Value> = ["to", "cc", "bto", "bcc"]
        .iter()
        .filter_map(|field| activity.get(*field))
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        })
        .collect();
    addressees.is_empty() || addressees.iter().any(|a| a.as_str() == Some(PUBLIC))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_public_activities_of_public_kinds_are_served() {
        assert!(is_public(&json!({"type": "Like", "audience": "https://g"})));
        assert!(is_public(
            &json!({"type": "Delete", "to": [PUBLIC], "cc": ["https://g"]})
        ));
        assert!(!is_public(&json!({"type": "Flag", "to": [PUBLIC]})));
        assert!(!is_public(&json!({"type": "Follow"})));
        assert!(!is_public(
            &json!({"type": "Create", "to": ["https://someone"]})
        ));
    }
}
