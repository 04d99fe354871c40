//! Defederation: an instance Plaza does not federate with (blocked, or not on the allow-list in
//! allow-list mode) has its activities refused, its objects left unfetched, and nothing
//! delivered to it. The federation library asks this verifier about every URL it is about to
//! trust or contact; the rule itself is `plaza_db::instance::FederationPolicy`.

use activitypub_federation::config::UrlVerifier;
use activitypub_federation::error::Error as LibError;
use async_trait::async_trait;
use plaza_db::{DbPool, instance};
use url::Url;

/// The prefix of the error a refused URL gets, so the inbox can answer 403.
pub const BLOCKED: &str = "blocked:";

/// The prefix of the error when the lists cannot be read (the database is away), so the inbox
/// can answer 503 and the sender retries, instead of a refusal it would not retry.
pub const UNAVAILABLE: &str = "blocklist unavailable:";

/// Checks URLs against the block list and, in allow-list mode, the allow-list.
#[derive(Clone)]
pub struct InstanceBlocklist {
    db: DbPool,
}

impl InstanceBlocklist {
    /// A verifier reading the given database.
    pub fn new(db: DbPool) -> Self {
        Self { db }
    }
}

#[async_trait]
impl UrlVerifier for InstanceBlocklist {
    async fn verify(&self, url: &Url) -> Result<(), LibError> {
        let Some(domain) = crate::domain_of(url) else {
            return Err(LibError::UrlVerificationError("URL without a host"));
        };
        // Fails closed: if the lists cannot be read, nothing from outside is trusted.
        let mut pooled = self
            .db
            .get()
            .await
            .map_err(|e| LibError::Other(format!("{UNAVAILABLE} {e}")))?;
        match instance::federates_with(&mut pooled.conn(), &domain).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(refusal)) => Err(LibError::Other(format!("{BLOCKED} {domain} is {refusal}"))),
            Err(e) => Err(LibError::Other(format!("{UNAVAILABLE} {e}"))),
        }
    }
}
