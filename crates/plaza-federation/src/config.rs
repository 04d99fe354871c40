//! The federation library's configuration for one instance.

use std::sync::Arc;

use activitypub_federation::config::FederationConfig;
use plaza_core::{Context, CoreError};

use crate::AppData;
use crate::blocklist::InstanceBlocklist;
use crate::deadline::InboxLimits;
use crate::delivery::signing::Signer;
use crate::outgoing::Outgoing;

/// How an instance federates.
#[derive(Debug, Clone, Default)]
pub struct FederationSettings {
    /// Development mode: plain http, explicit ports and loopback and private addresses are
    /// allowed, so several instances can federate on one machine. Outside it they are refused.
    pub dev_mode: bool,
    /// The inbox's deadline and background slots.
    pub inbox: InboxLimits,
}

impl FederationSettings {
    /// The defaults, in or out of development mode.
    pub fn new(dev_mode: bool) -> Self {
        Self {
            dev_mode,
            inbox: InboxLimits::default(),
        }
    }
}

/// Builds the configuration with the default limits (see [`configure`]).
pub async fn federation_config(
    ctx: Arc<Context>,
    dev_mode: bool,
) -> Result<FederationConfig<AppData>, CoreError> {
    configure(ctx, FederationSettings::new(dev_mode)).await
}

/// Builds the configuration: the instance actor signs outgoing fetches (servers in
/// authorized-fetch mode refuse unsigned ones), and every request goes through the instance's
/// [`Outgoing`] client, whose rules follow development mode (never the build profile).
pub async fn configure(
    ctx: Arc<Context>,
    settings: FederationSettings,
) -> Result<FederationConfig<AppData>, CoreError> {
    let outgoing = Outgoing::new(settings.dev_mode).map_err(CoreError::Config)?;
    let instance = Signer::instance(&ctx).map_err(CoreError::Config)?;
    let data = AppData {
        ctx: ctx.clone(),
        outgoing: outgoing.clone(),
        inbox: settings.inbox,
    };
    FederationConfig::builder()
        .domain(ctx.urls.domain())
        .app_data(data)
        // The library's debug mode allows http and ports in URLs and skips its own address
        // check; the client still checks addresses by its own rules.
        .debug(settings.dev_mode)
        .client(outgoing.for_federation().into())
        .signed_fetch_actor(&instance)
        .url_verifier(Box::new(InstanceBlocklist::new(ctx.db.clone())))
        .build()
        .await
        .map_err(|e| CoreError::Config(format!("federation: {e}")))
}
