//! `Announce` by a group elsewhere that someone here follows: the group passes on its members'
//! activities (FEP-1b12), and each is applied as if its author had sent it. A thread or comment
//! written on a third server is fetched from its home rather than taken from the announce, so a
//! group cannot put words in anyone's mouth; votes and deletions are taken on the group's word,
//! as Lemmy does.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::{Activity, Object};
use plaza_db::group;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::InboxActivity;
use crate::domain_of;
use crate::inbox_error::InboxError;
use crate::objects::group::ApubGroup;
use crate::protocol::received::ReceivedObject;

/// `Announce {actor: group, object: activity}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Announce {
    pub id: Url,
    pub actor: ObjectId<ApubGroup>,
    pub object: Value,
}

impl Announce {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let group = self.actor.dereference(data).await?;
        let followed = {
            let mut pooled = data.db.get().await?;
            group::has_local_followers(&mut pooled.conn(), group.row.id).await?
        };
        if group.row.local || !followed {
            tracing::info!(group = %group.row.ap_id, "ignoring an announce nobody here follows");
            return Ok(());
        }
        if !super::is_handled_value(&self.object) {
            tracing::info!(id = %self.id, "ignoring an announced activity Plaza does not handle");
            return Ok(());
        }
        let mut inner: InboxActivity = serde_json::from_value(self.object)
            .map_err(|e| InboxError::Refused(format!("announced activity: {e}")))?;
        match &mut inner {
            InboxActivity::Delete(a) => a.announced = true,
            InboxActivity::Moderate(a) => a.announced = true,
            InboxActivity::UndoModerate(a) => a.announced = true,
            _ => {}
        }
        if let InboxActivity::Write(write) = &mut inner
            && domain_of(write.actor.inner()) != domain_of(group.id())
        {
            match fetch_object_http::<_, ReceivedObject>(&write.object.id, data).await {
                Ok(fetched) => write.object = fetched.object,
                Err(e) => {
                    tracing::info!(id = %write.object.id, error = %e, "announced object not fetchable");
                    return Ok(());
                }
            }
        }
        match inner {
            InboxActivity::Follow(_)
            | InboxActivity::UndoFollow(_)
            | InboxActivity::Accept(_)
            | InboxActivity::Flag(_) => Err(InboxError::Refused(
                "a group announces no follows or reports".into(),
            )),
            InboxActivity::Announce(_) => {
                Err(InboxError::Refused("an announce of an announce".into()))
            }
            inner => {
                inner.verify(data).await?;
                inner.receive(data).await
            }
        }
    }
}

super::incoming_activity!(Announce);
