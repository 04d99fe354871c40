//! `Accept` of a local person's `Follow` by a group elsewhere: the follow stops being pending.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_urls_match;
use plaza_db::{group, person};
use serde::Deserialize;
use url::Url;

use crate::inbox_error::InboxError;
use crate::objects::group::ApubGroup;
use crate::protocol::received::first_id;

/// The accepted `Follow`, as the group sends it back.
#[derive(Debug, Clone, Deserialize)]
pub struct AcceptedFollow {
    #[serde(deserialize_with = "first_id")]
    pub actor: Option<Url>,
    #[serde(deserialize_with = "first_id")]
    pub object: Option<Url>,
}

/// `Accept {actor: group, object: Follow}`.
#[derive(Debug, Clone, Deserialize)]
pub struct AcceptFollow {
    pub id: Url,
    pub actor: ObjectId<ApubGroup>,
    pub object: AcceptedFollow,
}

impl AcceptFollow {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        // A group accepts follows of itself only.
        let followed = self
            .object
            .object
            .as_ref()
            .ok_or_else(|| InboxError::Refused("the Follow has no object".into()))?;
        verify_urls_match(self.actor.inner(), followed)?;
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let Some(follower) = &self.object.actor else {
            return Err(InboxError::Refused("the Follow has no actor".into()));
        };
        let group = self.actor.dereference(data).await?;
        let mut pooled = data.db.get().await?;
        let conn = &mut pooled.conn();
        let Some(person) = person::find_by_ap_id(conn, follower.as_str())
            .await?
            .filter(|p| p.local)
        else {
            return Err(InboxError::Refused(format!(
                "{follower} is not a person here"
            )));
        };
        if group::accept_follower(conn, group.row.id, person.id).await? {
            tracing::info!(group = %group.row.ap_id, follower = %person.name, "follow accepted");
        }
        Ok(())
    }
}

super::incoming_activity!(AcceptFollow);
