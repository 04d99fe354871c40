//! Local people following groups: a group here is followed at once; a group elsewhere is looked
//! up (WebFinger or its id), sent a `Follow`, and followed for real when it answers `Accept`.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use plaza_core::{Account, CoreError, groups};
use plaza_db::group::{self, GroupRow};
use plaza_db::instance::{self, Refusal};
use plaza_db::{person, transaction};
use serde_json::json;
use url::Url;

use crate::FederationError;
use crate::delivery;
use crate::objects::group::ApubGroup;

/// Where a follow stands.
#[derive(Debug, Clone)]
pub struct FollowState {
    /// The group.
    pub group: GroupRow,
    /// Sent, not yet accepted by the group's server.
    pub pending: bool,
}

/// Finds a group by handle (`name`, `!name@domain`, `@name@domain`, `name@domain`) or actor URL,
/// fetching one from another server when it is not known here yet.
pub async fn resolve(data: &Data<AppData>, handle: &str) -> Result<GroupRow, FederationError> {
    let handle = handle.trim();
    {
        let mut pooled = data.db.get().await?;
        match groups::find_named(data.app_data(), &mut pooled.conn(), handle).await {
            Ok(found) => return Ok(found),
            Err(CoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let fetched = if let Ok(url) = Url::parse(handle) {
        if let Some(domain) = crate::domain_of(&url) {
            refuse_unless_federating(data, &domain).await?;
        }
        ObjectId::<ApubGroup>::from(url).dereference(data).await
    } else {
        let identifier = handle
            .strip_prefix('!')
            .or_else(|| handle.strip_prefix('@'))
            .unwrap_or(handle);
        let Some((_, domain)) = identifier.rsplit_once('@') else {
            return Err(FederationError::NotFound("group"));
        };
        refuse_unless_federating(data, &domain.to_ascii_lowercase()).await?;
        webfinger_resolve_actor::<AppData, ApubGroup>(identifier, data).await
    };
    match fetched {
        Ok(group) => Ok(group.row),
        Err(e) => {
            tracing::info!(%handle, error = %e, "cannot resolve a group");
            Err(FederationError::NotFound("group"))
        }
    }
}

/// Refuses, with a reason the caller can act on, to reach a server Plaza does not federate with
/// (rather than letting the lookup fail as if the group did not exist).
async fn refuse_unless_federating(
    data: &Data<AppData>,
    domain: &str,
) -> Result<(), FederationError> {
    let mut pooled = data.db.get().await?;
    match instance::federates_with(&mut pooled.conn(), domain).await? {
        Ok(()) => Ok(()),
        Err(why) => Err(refused(domain, why)),
    }
}

fn refused(domain: &str, why: Refusal) -> FederationError {
    tracing::info!(%domain, %why, "not following a group on a server Plaza does not federate with");
    FederationError::Core(CoreError::Forbidden(format!(
        "this instance does not federate with {domain}: it is {why}"
    )))
}

/// Follows a group for `account`.
pub async fn follow(
    data: &Data<AppData>,
    account: &Account,
    handle: &str,
) -> Result<FollowState, FederationError> {
    let group = resolve(data, handle).await?;
    let group_id = group.id;
    if group.local {
        let mut pooled = data.db.get().await?;
        if group::is_banned(&mut pooled.conn(), group_id, account.person_id).await? {
            return Err(CoreError::Forbidden("you are banned from this group".into()).into());
        }
        let id = data.urls.unique_activity("follow");
        group::add_follower(&mut pooled.conn(), group_id, account.person_id, &id).await?;
        return Ok(FollowState {
            group,
            pending: false,
        });
    }
    let pending = transaction!(&data.db, FederationError, |conn| {
        // A group met before its server was blocked (or left off the allow-list) is still
        // stored: the Follow would only be dropped, so it is refused here.
        if let Some(why) = instance::refused(conn, &[group.instance_id])
            .await?
            .remove(&group.instance_id)
        {
            let domain = Url::parse(&group.ap_id)
                .ok()
                .and_then(|u| crate::domain_of(&u))
                .unwrap_or_default();
            return Err(refused(&domain, why));
        }
        if let Some((pending, _)) = group::follow_of(conn, group_id, account.person_id).await? {
            // Following, or asked already: a second Follow would only duplicate the first.
            return Ok(pending);
        }
        let me = person::find(conn, account.person_id).await?;
        let id = data.urls.unique_activity("follow");
        let follow = json!({
            "id": id, "type": "Follow", "actor": me.ap_id, "object": group.ap_id,
            "to": [group.ap_id],
        });
        group::add_pending_follower(conn, group_id, account.person_id, &id).await?;
        delivery::enqueue(conn, &id, &me.ap_id, &follow, [group.inbox_url.clone()]).await?;
        Ok(true)
    })?;
    data.wakeup.deliveries_queued();
    Ok(FollowState { group, pending })
}

/// Stops following a group; a group elsewhere is sent `Undo(Follow)`.
pub async fn unfollow(
    data: &Data<AppData>,
    account: &Account,
    handle: &str,
) -> Result<GroupRow, FederationError> {
    let group = resolve(data, handle).await?;
    transaction!(&data.db, FederationError, |conn| {
        let Some((_, follow_id)) = group::follow_of(conn, group.id, account.person_id).await?
        else {
            return Ok(());
        };
        group::remove_follower(conn, group.id, account.person_id).await?;
        if group.local {
            return Ok(());
        }
        let me = person::find(conn, account.person_id).await?;
        let id = data.urls.unique_activity("undo");
        let undo = json!({
            "id": id, "type": "Undo", "actor": me.ap_id, "to": [group.ap_id],
            "object": {
                "id": follow_id, "type": "Follow", "actor": me.ap_id, "object": group.ap_id
            },
        });
        delivery::enqueue(conn, &id, &me.ap_id, &undo, [group.inbox_url.clone()]).await?;
        Ok(())
    })?;
    data.wakeup.deliveries_queued();
    Ok(group)
}
