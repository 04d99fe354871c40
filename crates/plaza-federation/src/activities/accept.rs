//! `Accept` of a local person's `Follow` by a group elsewhere: the follow stops being pending.
//! The Follow comes back embedded (Lemmy, Mastodon) or named by its id alone (Mitra); either way
//! it must be one that was sent from here to the accepting group.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_urls_match;
use plaza_db::{group, person};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

use crate::AppData;
use crate::inbox_error::InboxError;
use crate::objects::group::ApubGroup;
use crate::protocol::received::first_id;

/// The accepted `Follow`, as the group sends it back.
#[derive(Debug, Clone)]
pub enum AcceptedFollow {
    /// The whole Follow.
    Embedded {
        id: Option<Url>,
        actor: Option<Url>,
        object: Option<Url>,
    },
    /// Only its id.
    Id(Url),
}

impl<'de> Deserialize<'de> for AcceptedFollow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Embedded {
            #[serde(default, deserialize_with = "first_id")]
            id: Option<Url>,
            #[serde(default, deserialize_with = "first_id")]
            actor: Option<Url>,
            #[serde(default, deserialize_with = "first_id")]
            object: Option<Url>,
        }
        let value = Value::deserialize(d)?;
        if let Some(id) = value.as_str() {
            let id = Url::parse(id).map_err(serde::de::Error::custom)?;
            return Ok(AcceptedFollow::Id(id));
        }
        let e = Embedded::deserialize(value).map_err(serde::de::Error::custom)?;
        Ok(AcceptedFollow::Embedded {
            id: e.id,
            actor: e.actor,
            object: e.object,
        })
    }
}

/// `Accept {actor: group, object: Follow | Follow id}`.
#[derive(Debug, Clone, Deserialize)]
pub struct AcceptFollow {
    pub id: Url,
    pub actor: ObjectId<ApubGroup>,
    pub object: AcceptedFollow,
}

impl AcceptFollow {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        if let AcceptedFollow::Embedded { object, .. } = &self.object {
            // A group accepts follows of itself only.
            let followed = object
                .as_ref()
                .ok_or_else(|| InboxError::Refused("the Follow has no object".into()))?;
            verify_urls_match(self.actor.inner(), followed)?;
        }
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let group = self.actor.dereference(data).await?;
        let mut pooled = data.db.get().await?;
        let conn = &mut pooled.conn();
        // The follow as sent from here: found by the Follow's id where the group names it (it is
        // then the group's word against our record, and our record wins), else by its actor.
        let by_id = match &self.object {
            AcceptedFollow::Id(id) => Some(id),
            AcceptedFollow::Embedded { id, .. } => id.as_ref(),
        };
        let recorded = match by_id {
            Some(id) => group::follow_by_activity(conn, id.as_str()).await?,
            None => None,
        };
        let person_id = match (&self.object, recorded) {
            (_, Some((group_id, person_id))) => {
                if group_id != group.row.id {
                    return Err(InboxError::Refused(
                        "that Follow was sent to another group".into(),
                    ));
                }
                person_id
            }
            (
                AcceptedFollow::Embedded {
                    actor: Some(follower),
                    ..
                },
                None,
            ) => {
                match person::find_by_ap_id(conn, follower.as_str())
                    .await?
                    .filter(|p| p.local)
                {
                    Some(p) => p.id,
                    None => {
                        return Err(InboxError::Refused(format!(
                            "{follower} is not a person here"
                        )));
                    }
                }
            }
            (AcceptedFollow::Id(id), None) => {
                return Err(InboxError::Refused(format!(
                    "{id} is no Follow sent from here"
                )));
            }
            (AcceptedFollow::Embedded { actor: None, .. }, None) => {
                return Err(InboxError::Refused("the Follow has no actor".into()));
            }
        };
        if group::accept_follower(conn, group.row.id, person_id).await? {
            tracing::info!(group = %group.row.ap_id, follower = person_id, "follow accepted");
            crate::backfill::spawn(data, group.row);
        }
        Ok(())
    }
}

super::incoming_activity!(AcceptFollow);
