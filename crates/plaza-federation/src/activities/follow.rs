//! `Follow` a group, answered with `Accept`; `Undo(Follow)` to stop.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{AcceptType, FollowType, UndoType};
use activitypub_federation::protocol::verification::verify_urls_match;
use activitypub_federation::traits::Actor;
use plaza_core::CoreError;
use plaza_db::{group, transaction};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::AppData;
use crate::delivery;
use crate::inbox_error::InboxError;
use crate::objects::person::ApubPerson;

/// `Follow {actor: person, object: group}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: FollowType,
    pub actor: ObjectId<ApubPerson>,
    pub object: Url,
}

/// `Accept {actor: group, object: the Follow}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Accept {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AcceptType,
    pub actor: String,
    pub to: Vec<String>,
    pub object: Follow,
}

/// `Undo {object: Follow}` by the same actor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoFollow {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub actor: ObjectId<ApubPerson>,
    pub object: Follow,
}

async fn local_group(data: &Data<AppData>, id: &Url) -> Result<group::GroupRow, InboxError> {
    let mut pooled = data.db.get().await?;
    group::find_by_ap_id(&mut pooled.conn(), id.as_str())
        .await?
        .filter(|g| g.local && !g.deleted)
        .ok_or_else(|| InboxError::Refused(format!("{id} is not a group here")))
}

impl Follow {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        // `apply` runs right after and refuses a Follow of anything but a local group with the
        // same error: reading the group here as well would only read it twice.
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let group = local_group(data, &self.object).await?;
        let follower = self.actor.dereference(data).await?;
        {
            // Lemmy refuses a banned person's follow too: a ban ends a follow, so it must not
            // come straight back.
            let mut pooled = data.db.get().await?;
            if group::is_banned(&mut pooled.conn(), group.id, follower.row.id).await? {
                return Err(InboxError::Core(CoreError::Forbidden(
                    "the follower is banned from this group".into(),
                )));
            }
        }
        // Known before the first thread goes out, so it is sent in the form this server reads.
        crate::discovery::software::learn(data, self.actor.inner()).await;
        let inbox = follower.inbox().to_string();
        let accept = Accept {
            id: data.urls.unique_activity("accept"),
            kind: AcceptType::Accept,
            actor: group.ap_id.clone(),
            to: vec![follower.row.ap_id.clone()],
            object: self.clone(),
        };
        let follow_id = self.id.to_string();
        // The follow and the Accept that answers it are stored together: either both or neither.
        transaction!(&data.db, InboxError, |conn| {
            group::add_follower(conn, group.id, follower.row.id, &follow_id).await?;
            delivery::enqueue(conn, &accept.id, &group.ap_id, &accept, [inbox.clone()])
                .await
                .map_err(|e| InboxError::Refused(e.to_string()))?;
            Ok(())
        })?;
        data.wakeup.deliveries_queued();
        tracing::info!(follower = %follower.row.ap_id, group = %group.name, "new follower");
        Ok(())
    }
}

impl UndoFollow {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        // Only the follower can undo their follow. The group is checked by `apply`, as for
        // `Follow`.
        verify_urls_match(self.actor.inner(), self.object.actor.inner())?;
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let group = local_group(data, &self.object.object).await?;
        let follower = self.actor.dereference(data).await?;
        let mut pooled = data.db.get().await?;
        if group::remove_follower(&mut pooled.conn(), group.id, follower.row.id).await? {
            tracing::info!(follower = %follower.row.ap_id, group = %group.name, "unfollowed");
        }
        Ok(())
    }
}

super::incoming_activity!(Follow);

super::incoming_activity!(UndoFollow);
