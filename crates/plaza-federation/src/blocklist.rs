//! Defederation: a blocked instance's activities are refused, its objects are not fetched and
//! nothing is delivered to it. The federation library asks this verifier about every URL it is
//! about to trust or contact.

use activitypub_federation::config::UrlVerifier;
use activitypub_federation::error::Error as LibError;
use async_trait::async_trait;
use plaza_db::{DbPool, instance};
use url::Url;

/// The prefix of the error a blocked URL gets, so the inbox can answer 403.
pub const BLOCKED: &str = "blocked:";

/// Checks URLs against the `instances.blocked` flag.
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
        let Some(host) = url.host_str() else {
            return Err(LibError::UrlVerificationError("URL without a host"));
        };
        let domain = match url.port() {
            Some(port) => format!("{}:{port}", host.to_ascii_lowercase()),
            None => host.to_ascii_lowercase(),
        };
        // Fails closed: if the list cannot be read, nothing from outside is trusted.
        let mut pooled = self
            .db
            .get()
            .await
            .map_err(|e| LibError::Other(format!("blocklist unavailable: {e}")))?;
        match instance::is_blocked(&mut pooled.conn(), &domain).await {
            Ok(false) => Ok(()),
            Ok(true) => Err(LibError::Other(format!("{BLOCKED} {domain} is blocked"))),
            Err(e) => Err(LibError::Other(format!("blocklist unavailable: {e}"))),
        }
    }
}
