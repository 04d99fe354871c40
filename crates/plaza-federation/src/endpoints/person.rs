//! `/u/NAME` and its outbox.

use std::sync::Arc;

use axum::extract::{Path, State};
use plaza_core::Context;
use plaza_db::person::{self, PersonRow};

use crate::convert::person::person_actor;
use crate::protocol::actor::Person;
use crate::protocol::collection::OrderedCollection;
use crate::response::{ActivityJson, FederationError};

/// A local person; one who deleted their account is gone (410, a `Tombstone`), which is how
/// Mastodon and Lemmy learn of a deletion when they fetch the actor again.
async fn local_person(ctx: &Context, name: &str) -> Result<PersonRow, FederationError> {
    let mut pooled = ctx.db.get().await?;
    let row = person::find_local(&mut pooled.conn(), name)
        .await?
        .ok_or(FederationError::NotFound("person"))?;
    if row.deleted {
        return Err(FederationError::Gone(super::objects::gone(
            &row.ap_id,
            if row.bot { "Service" } else { "Person" },
            row.updated_at,
        )));
    }
    Ok(row)
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
