//! `Create` and `Update` of a thread or comment: Lemmy's `Page` and `Note`, Mbin's and PieFed's
//! `Article`, and Mastodon's `Note`, which becomes a thread when it mentions one of our groups and
//! a comment when it answers something stored here. An `Update` of a group goes to
//! [`super::group_update`]; an `Update` of a person refreshes their profile.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_domains_match;
use plaza_core::{Origin, Participant, answers, comments, threads};
use plaza_db::group::GroupRow;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::convert::received::{content, thread};
use crate::inbox_error::InboxError;
use crate::objects::content::{self as stored, CONTENT_TYPES};
use crate::objects::person::ApubPerson;
use crate::protocol::received::ReceivedObject;

/// `Create` or `Update` of a content object, kept as received so a group can pass it on.
#[derive(Debug, Clone, Deserialize)]
pub struct Write {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: ObjectId<ApubPerson>,
    pub object: ReceivedObject,
    #[serde(skip)]
    pub raw: Value,
}

impl Write {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        // Other objects (a profile's Update, a group's) are acknowledged and ignored by `apply`.
        if !CONTENT_TYPES.contains(&self.object.kind.as_str()) {
            return Ok(());
        }
        // Content is written by its author on the author's server: the object's id must be on
        // the actor's host, and the actor must be its author.
        verify_domains_match(self.actor.inner(), &self.object.id)?;
        if !self
            .object
            .attributed_to
            .iter()
            .any(|a| a == self.actor.inner().as_str())
        {
            return Err(InboxError::Refused(
                "the actor is not the object's author".into(),
            ));
        }
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let object = &self.object;
        if self.kind == "Update" && object.kind == "Group" {
            let group = self.raw.get("object").unwrap_or(&Value::Null);
            return super::group_update::apply(data, self.actor.inner(), group).await;
        }
        if self.kind == "Update"
            && matches!(object.kind.as_str(), "Person" | "Service" | "Application")
        {
            return profile_update(data, self.actor.inner(), object).await;
        }
        if !CONTENT_TYPES.contains(&object.kind.as_str()) {
            tracing::info!(id = %object.id, kind = %object.kind, "ignoring an object type Plaza does not store");
            return Ok(());
        }
        if !object.is_public() {
            tracing::info!(id = %object.id, "ignoring a non-public object");
            return Ok(());
        }
        let author = self.actor.dereference(data).await?;
        let who = Participant::remote(author.row.id);
        let origin = Origin::Remote(&self.raw);
        if self.kind == "Update" {
            return update(data, object, who, origin).await;
        }
        stored::store(data, object, who, origin, 0).await?;
        Ok(())
    }
}

/// `Update` of a person by themselves: their profile is fetched again from their server rather
/// than taken from the activity, so what is stored is always what their home serves (keys
/// included). People not known here are left for when they act.
async fn profile_update(
    data: &Data<AppData>,
    actor: &Url,
    object: &ReceivedObject,
) -> Result<(), InboxError> {
    if object.id != *actor {
        return Err(InboxError::Refused(
            "a person's profile is updated only by that person".into(),
        ));
    }
    let known = {
        let mut pooled = data.db.get().await?;
        plaza_db::person::find_by_ap_id(&mut pooled.conn(), actor.as_str()).await?
    };
    match known {
        Some(row) if !row.local => {
            ObjectId::<ApubPerson>::from(actor.clone())
                .dereference_forced(data)
                .await?;
            tracing::info!(%actor, "refreshed a person's profile after their update");
        }
        Some(_) => {
            tracing::info!(%actor, "ignoring an update of a person of this instance from elsewhere")
        }
        None => tracing::info!(%actor, "ignoring an update of a person not known here"),
    }
    Ok(())
}

/// Applies an edit to whatever the object is here; an edit of something unknown is ignored.
async fn update(
    data: &Data<AppData>,
    object: &ReceivedObject,
    who: Participant,
    origin: Origin<'_>,
) -> Result<(), InboxError> {
    let found = {
        let mut pooled = data.db.get().await?;
        stored::find(&mut pooled.conn(), object.id.as_str()).await?
    };
    match found {
        Some(stored::Stored::Post(post)) => {
            let group = {
                let mut pooled = data.db.get().await?;
                plaza_db::group::find(&mut pooled.conn(), post.group_id).await?
            };
            let edited = thread(object, &group, who);
            threads::receive_edit(data.app_data(), edited, origin).await?;
            accepted_answer(data, object, &group).await?;
        }
        Some(stored::Stored::Comment(_)) => {
            comments::receive_edit(data.app_data(), content(object, who), origin).await?;
        }
        None => tracing::info!(id = %object.id, "ignoring an edit of something not here"),
    }
    Ok(())
}

/// Applies the accepted answer an edited thread names. A group elsewhere decides for its own
/// threads, so there no `acceptedAnswer` withdraws the answer; in a group here it can only set
/// one, since servers that do not know the property send edits without it.
async fn accepted_answer(
    data: &Data<AppData>,
    object: &ReceivedObject,
    group: &GroupRow,
) -> Result<(), InboxError> {
    let answer = object.accepted_answer.as_ref().map(Url::as_str);
    if answer.is_none() && group.local {
        return Ok(());
    }
    answers::receive(data.app_data(), object.id.as_str(), answer).await?;
    Ok(())
}

super::incoming_activity!(Write);
