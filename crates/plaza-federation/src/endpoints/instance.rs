//! `/actor`: the instance actor, also served at `/` to ActivityPub requests (Lemmy looks for a
//! site's actor at its origin). Both answer the same document, whose id stays `/actor`: the
//! actor's key signs Plaza's fetches under that id, and a fetcher that reads another id than the
//! URL it asked for fetches that id next (the federation library does), so it lands on `/actor`.

use std::sync::Arc;

use axum::extract::State;
use plaza_core::Context;

use crate::convert::instance::instance_actor;
use crate::protocol::actor::Instance;
use crate::response::{ActivityJson, FederationError};

/// The instance actor.
pub async fn actor(
    State(ctx): State<Arc<Context>>,
) -> Result<ActivityJson<Instance>, FederationError> {
    let site = plaza_core::site::get(&ctx).await?;
    // The description is stored as Markdown; ActivityStreams wants HTML.
    let summary = plaza_core::markdown::render_optional(
        "description",
        site.description.as_deref().filter(|d| !d.trim().is_empty()),
    )
    .await?;
    Ok(ActivityJson(instance_actor(
        &ctx.urls,
        &site,
        summary,
        &ctx.instance_keys().public_pem,
    )))
}
