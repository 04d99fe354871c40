//! The federation library's configuration for one instance.

use std::sync::Arc;

use activitypub_federation::config::FederationConfig;
use plaza_core::{Context, CoreError};

use crate::blocklist::InstanceBlocklist;
use crate::delivery::signing::Signer;

/// Builds the configuration: the instance actor signs outgoing fetches (servers in
/// authorized-fetch mode refuse unsigned ones). `dev_mode` allows plain http, explicit ports and
/// loopback addresses, so several instances can federate on one machine; outside it, requests to
/// loopback and private addresses are refused.
pub async fn federation_config(
    ctx: Arc<Context>,
    dev_mode: bool,
) -> Result<FederationConfig<Arc<Context>>, CoreError> {
    crate::install_tls_provider();
    let instance = Signer::instance(&ctx).map_err(CoreError::Config)?;
    FederationConfig::builder()
        .domain(ctx.urls.domain())
        .app_data(ctx.clone())
        .debug(dev_mode)
        .signed_fetch_actor(&instance)
        .url_verifier(Box::new(InstanceBlocklist::new(ctx.db.clone())))
        .build()
        .await
        .map_err(|e| CoreError::Config(format!("federation: {e}")))
}
