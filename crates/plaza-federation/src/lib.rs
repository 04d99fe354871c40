//! Plaza's ActivityPub side: the JSON it speaks (`protocol`), conversions from storage rows
//! (`convert`), the documents served at each public URL (`endpoints`) and how other servers find
//! them (`discovery`). Receiving activities (the inbox) and sending them (the delivery queue)
//! build on these.

pub mod activities;
pub mod app_data;
pub mod backfill;
pub mod background;
pub mod blocklist;
pub mod config;
pub mod convert;
pub mod deadline;
pub mod delivery;
pub mod discovery;
pub mod endpoints;
pub mod following;
pub mod inbox;
pub mod inbox_error;
pub mod lookup;
pub mod objects;
pub mod outgoing;
#[cfg(test)]
mod parsing_properties;
pub mod protocol;
pub mod publish;
pub mod response;
pub mod rfc9421;
pub mod scan;
pub mod signature_policy;
pub mod webhooks;

use std::sync::Arc;

use activitypub_federation::config::FederationConfig;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use plaza_core::Context;

pub use activitypub_federation;
pub use app_data::AppData;
pub use response::FederationError;

/// The instance a URL belongs to, as Plaza names instances: the host, with the port when there
/// is one (`brand.example`, `localhost:8080`).
pub fn domain_of(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Installs rustls' `ring` crypto provider for every HTTPS client in the process. Without it the
/// first HTTP client built panics. Call it once at start-up; later calls do nothing.
pub fn install_tls_provider() {
    // Err means a provider is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The inboxes, apart from the other routes so the web layer can limit them per remote
/// instance.
pub fn inboxes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    FederationConfig<AppData>: FromRef<S>,
{
    Router::new()
        .route("/inbox", post(inbox::inbox))
        .route("/g/{name}/inbox", post(inbox::inbox))
        .route("/u/{name}/inbox", post(inbox::inbox))
}

/// The federation routes other than the inboxes ([`inboxes`]), for any router state that can
/// hand out the instance's [`Context`].
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Context>: FromRef<S>,
    FederationConfig<AppData>: FromRef<S>,
{
    Router::new()
        .route(
            "/.well-known/webfinger",
            get(discovery::webfinger::webfinger),
        )
        .route("/.well-known/nodeinfo", get(discovery::nodeinfo::links))
        .route("/nodeinfo/2.0", get(discovery::nodeinfo::v20))
        .route("/nodeinfo/2.1", get(discovery::nodeinfo::v21))
        .route(
            "/.well-known/host-meta",
            get(discovery::host_meta::host_meta),
        )
        .route("/actor", get(endpoints::instance::actor))
        // The home page for browsers (see plaza-web's negotiation): Lemmy looks for a site's actor
        // at its origin.
        .route("/", get(endpoints::instance::actor))
        .route("/u/{name}", get(endpoints::person::actor))
        .route("/u/{name}/outbox", get(endpoints::person::outbox))
        .route("/g/{name}", get(endpoints::group::actor))
        .route("/g/{name}/followers", get(endpoints::group::followers))
        .route("/g/{name}/moderators", get(endpoints::group::moderators))
        .route("/g/{name}/featured", get(endpoints::group::featured))
        .route("/g/{name}/outbox", get(endpoints::group::outbox))
        .route("/post/{id}", get(endpoints::objects::post))
        .route("/post/{id}/context", get(endpoints::context::conversation))
        .route("/comment/{id}", get(endpoints::objects::comment))
        .route("/activities/{*path}", get(endpoints::activities::activity))
}
