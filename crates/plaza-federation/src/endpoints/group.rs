//! `/g/NAME` and its collections.

use std::sync::Arc;

use axum::extract::{Path, State};
use plaza_core::Context;
use plaza_db::group::{self, GroupRow};
use plaza_db::person::PersonBrief;
use plaza_db::post::{self, PostRow};

use crate::convert::group::group_actor;
use crate::convert::post::{PostContext, announced_create, post_object};
use crate::protocol::activity::{Announce, Create};
use crate::protocol::actor::Group;
use crate::protocol::collection::{CountOnlyCollection, OrderedCollection};
use crate::protocol::object::Page;
use crate::response::{ActivityJson, FederationError};

/// How many recent threads the outbox shows (Lemmy backfills a new follow from it).
const OUTBOX_SIZE: i64 = 20;
/// Pinned threads shown in `featured`.
const FEATURED_SIZE: i64 = 50;

async fn local_group(ctx: &Context, name: &str) -> Result<(GroupRow, String), FederationError> {
    let mut pooled = ctx.db.get().await?;
    let row = group::find_local(&mut pooled.conn(), name)
        .await?
        .filter(|g| !g.deleted)
        .ok_or(FederationError::NotFound("group"))?;
    Ok((row, ctx.urls.domain().to_owned()))
}

/// Converts a group's threads, each with its author, into collection items.
fn map_threads<T>(
    posts: &[(PostRow, PersonBrief)],
    group: &GroupRow,
    domain: &str,
    convert: impl Fn(&PostRow, &PostContext<'_>) -> T,
) -> Vec<T> {
    posts
        .iter()
        .map(|(p, author)| {
            let cx = PostContext {
                author_ap_id: &author.ap_id,
                group,
                group_domain: domain,
                // Collections list threads as they were created; the answer comes with updates.
                accepted_answer: None,
                // Lists carry no pictures; each thread's own document does.
                attachments: &[],
            };
            convert(p, &cx)
        })
        .collect()
}

/// The Group actor.
pub async fn actor(
    State(ctx): State<Arc<Context>>,
    Path(name): Path<String>,
) -> Result<ActivityJson<Group>, FederationError> {
    let (row, _) = local_group(&ctx, &name).await?;
    Ok(ActivityJson(group_actor(&ctx.urls, &row)))
}

/// The followers collection: its size only.
pub async fn followers(
    State(ctx): State<Arc<Context>>,
    Path(name): Path<String>,
) -> Result<ActivityJson<CountOnlyCollection>, FederationError> {
    let (row, _) = local_group(&ctx, &name).await?;
    let view = {
        let mut pooled = ctx.db.get().await?;
        group::view(&mut pooled.conn(), row.id).await?
    };
    Ok(ActivityJson(CountOnlyCollection {
        id: ctx.urls.group_followers(&row.name),
        kind: "Collection".to_owned(),
        total_items: view.follower_count,
    }))
}

/// The moderators, as actor ids.
pub async fn moderators(
    State(ctx): State<Arc<Context>>,
    Path(name): Path<String>,
) -> Result<ActivityJson<OrderedCollection<String>>, FederationError> {
    let (row, _) = local_group(&ctx, &name).await?;
    let mut pooled = ctx.db.get().await?;
    let ids = group::moderators(&mut pooled.conn(), row.id)
        .await?
        .into_iter()
        .map(|m| m.ap_id)
        .collect();
    Ok(ActivityJson(OrderedCollection::new(
        ctx.urls.group_moderators(&row.name),
        ids,
    )))
}

/// Pinned threads.
pub async fn featured(
    State(ctx): State<Arc<Context>>,
    Path(name): Path<String>,
) -> Result<ActivityJson<OrderedCollection<Page>>, FederationError> {
    let (row, domain) = local_group(&ctx, &name).await?;
    let mut pooled = ctx.db.get().await?;
    let posts = post::recent_in_group(&mut pooled.conn(), row.id, true, FEATURED_SIZE).await?;
    let items = map_threads(&posts, &row, &domain, post_object);
    Ok(ActivityJson(OrderedCollection::new(
        ctx.urls.group_featured(&row.name),
        items,
    )))
}

/// Recent threads as the group announced them.
pub async fn outbox(
    State(ctx): State<Arc<Context>>,
    Path(name): Path<String>,
) -> Result<ActivityJson<OrderedCollection<Announce<Create<Page>>>>, FederationError> {
    let (row, domain) = local_group(&ctx, &name).await?;
    let mut pooled = ctx.db.get().await?;
    let posts = post::recent_in_group(&mut pooled.conn(), row.id, false, OUTBOX_SIZE).await?;
    let items = map_threads(&posts, &row, &domain, |p, cx| {
        announced_create(&ctx.urls, p, cx)
    });
    Ok(ActivityJson(OrderedCollection::new(
        ctx.urls.group_outbox(&row.name),
        items,
    )))
}
