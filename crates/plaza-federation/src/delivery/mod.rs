//! Durable delivery: outgoing activities are stored with their target inboxes in the same
//! transaction as the change that caused them ([`enqueue`]); the [`worker`] signs each delivery
//! at send time, retries with exponential backoff, tracks dead hosts and resumes after a restart.

pub mod http;
pub mod signing;
pub mod worker;

use plaza_db::{DbConn, delivery};
use serde::Serialize;

use crate::FederationError;

/// Queues `activity` (signed by the local actor `actor_ap_id`) for each inbox, once per distinct
/// inbox: followers on one server share its shared inbox. Runs in the caller's transaction.
pub async fn enqueue<A: Serialize>(
    conn: &mut DbConn<'_>,
    activity_ap_id: &str,
    actor_ap_id: &str,
    activity: &A,
    inboxes: impl IntoIterator<Item = String>,
) -> Result<usize, FederationError> {
    let body = serde_json::to_string(&crate::protocol::context::WithContext::new(activity))
        .map_err(|e| FederationError::Core(plaza_core::CoreError::Internal(e.to_string())))?;
    let mut targets: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for inbox in inboxes {
        let Some(domain) = url::Url::parse(&inbox)
            .ok()
            .and_then(|u| crate::domain_of(&u))
        else {
            tracing::warn!(%inbox, "not queueing a delivery to an invalid inbox URL");
            continue;
        };
        if seen.insert(inbox.clone()) {
            targets.push((inbox, domain));
        }
    }
    Ok(delivery::enqueue(conn, activity_ap_id, actor_ap_id, &body, &targets).await?)
}
