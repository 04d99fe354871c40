//! `/actor`: the instance actor.

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
