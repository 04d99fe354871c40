//! `Delete` of a thread or comment: by its author a deletion, by a moderator of its group a
//! removal (Lemmy's way; the `summary` is the reason).

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use plaza_core::moderation::{self, Action};
use plaza_core::{Participant, comments, threads};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::AppData;
use crate::inbox_error::InboxError;
use crate::objects::content::{self as stored, Stored};
use crate::objects::person::ApubPerson;
use crate::protocol::received::first_id;

/// `Delete {object: id or Tombstone}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Delete {
    pub id: Url,
    pub actor: ObjectId<ApubPerson>,
    #[serde(deserialize_with = "first_id")]
    pub object: Option<Url>,
    /// A moderator's reason.
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(skip)]
    pub raw: Value,
    /// The group that passed it on, if one did (see `Origin::Announced`).
    #[serde(skip)]
    pub announced_by: Option<i64>,
}

impl Delete {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        if self.object.is_none() {
            return Err(InboxError::Refused("a Delete needs an object id".into()));
        }
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let Some(object) = &self.object else {
            return Ok(());
        };
        let found = {
            let mut pooled = data.db.get().await?;
            stored::find(&mut pooled.conn(), object.as_str()).await?
        };
        let Some(found) = found else {
            // Mostly account deletions (object = actor) and content we never had.
            tracing::info!(%object, "ignoring a Delete of something not here");
            return Ok(());
        };
        let who = Participant::remote(self.actor.dereference(data).await?.row.id);
        let origin = super::origin(&self.raw, self.announced_by);
        let ctx = data.app_data();
        // The author deletes; anyone else can only be a moderator removing.
        match found {
            Stored::Post(p) if p.author_id == who.person_id => {
                threads::take_down(ctx, who, p.id, origin).await?
            }
            Stored::Comment(c) if c.author_id == who.person_id => {
                comments::take_down(ctx, who, c.id, origin).await?
            }
            Stored::Post(p) => {
                let action = Action::RemovePost(p.id);
                moderation::apply(ctx, who, action, self.summary.as_deref(), origin).await?
            }
            Stored::Comment(c) => {
                let action = Action::RemoveComment(c.id);
                moderation::apply(ctx, who, action, self.summary.as_deref(), origin).await?
            }
        }
        Ok(())
    }
}

super::incoming_activity!(Delete);
