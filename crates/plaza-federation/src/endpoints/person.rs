//! `/u/NAME` and its outbox.

use std::sync::Arc;

use axum::extract::{Path, State};
use plaza_core::Context;
use plaza_db::person::{self, PersonRow};

use crate::convert::person::person_actor;
use crate::protocol::actor::Person;
use crate::protocol::collection::OrderedCollection;
use crate::response::{ActivityJson, FederationError};

async fn local_person(ctx: &Context, name: &str) -> Result<PersonRow, FederationError> {
    let mut pooled = ctx.db.get().await?;
    person::find_local(&mut pooled.conn(), name)
        .await?
        .filter(|p| !p.deleted)
        .ok_or(FederationError::NotFound("person"))
}

/// The Person actor.
pub async fn actor(
    State(ctx): State<Arc<Context>>,
    Path(name): Path<String>,
) -> Result<ActivityJson<Person>, FederationError> {
    let row = local_person(&ctx, &name).await?;
    Ok(ActivityJson(person_actor(&ctx.urls, &row)))
}

/// A person's outbox. People's activities reach others through their groups, which announce
/// them; the personal outbox is published empty, as Lemmy does.
pub async fn outbox(
    State(ctx): State<Arc<Context>>,
    Path(name): Path<String>,
) -> Result<ActivityJson<OrderedCollection<String>>, FederationError> {
    let row = local_person(&ctx, &name).await?;
    Ok(ActivityJson(OrderedCollection::new(
        ctx.urls.person_outbox(&row.name),
        Vec::new(),
    )))
}
