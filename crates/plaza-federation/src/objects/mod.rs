//! Remote things as the federation library handles them: fetched, verified and cached.

pub mod actor;
pub mod collection;
pub mod content;
pub mod context;
pub mod group;
pub mod moderators;
pub mod origin;
pub mod person;

use activitypub_federation::protocol::verification::verify_domains_match;
use url::Url;

use crate::inbox_error::InboxError;
use crate::protocol::actor::RemoteActor;

/// What every fetched actor document must pass: it comes from the actor's own host, its inbox is
/// on that host too, and its key is its own.
fn verify_actor_document(json: &RemoteActor, expected_domain: &Url) -> Result<(), InboxError> {
    verify_domains_match(&json.id, expected_domain)?;
    verify_domains_match(&json.inbox, expected_domain)?;
    if json.public_key.owner != json.id.as_str() {
        return Err(InboxError::Refused(
            "the key belongs to another actor".into(),
        ));
    }
    Ok(())
}
