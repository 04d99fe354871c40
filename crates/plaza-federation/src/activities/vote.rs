//! Votes: `Like` (a Mastodon favourite too) is +1, `Dislike` is −1, and `Undo` of either
//! withdraws it.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_urls_match;
use plaza_core::{Origin, Participant, votes};
use plaza_db::vote::VoteTarget;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::inbox_error::InboxError;
use crate::objects::content::{self as stored, Stored};
use crate::objects::person::ApubPerson;
use crate::protocol::received::first_id;

/// `Like` or `Dislike` of a thread or comment.
#[derive(Debug, Clone, Deserialize)]
pub struct Vote {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: ObjectId<ApubPerson>,
    #[serde(deserialize_with = "first_id")]
    pub object: Option<Url>,
    #[serde(skip)]
    pub raw: Value,
}

impl Vote {
    fn score(&self) -> i16 {
        if self.kind == "Dislike" { -1 } else { 1 }
    }
}

/// `Undo {object: Like | Dislike}` by the voter.
#[derive(Debug, Clone, Deserialize)]
pub struct UndoVote {
    pub id: Url,
    pub actor: ObjectId<ApubPerson>,
    pub object: Vote,
    #[serde(skip)]
    pub raw: Value,
}

/// Applies a vote to what `object` names; a vote on something not here is ignored.
async fn apply(
    data: &Data<AppData>,
    actor: &ObjectId<ApubPerson>,
    object: Option<&Url>,
    score: i16,
    raw: &Value,
) -> Result<(), InboxError> {
    let Some(object) = object else {
        return Err(InboxError::Refused("a vote needs an object".into()));
    };
    let found = {
        let mut pooled = data.db.get().await?;
        stored::find(&mut pooled.conn(), object.as_str()).await?
    };
    let target = match found {
        Some(Stored::Post(p)) => VoteTarget::Post(p.id),
        Some(Stored::Comment(c)) => VoteTarget::Comment(c.id),
        None => {
            tracing::info!(%object, "ignoring a vote on something not here");
            return Ok(());
        }
    };
    let who = Participant::remote(actor.dereference(data).await?.row.id);
    votes::cast(data.app_data(), who, target, score, Origin::Remote(raw)).await?;
    Ok(())
}

impl Vote {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        apply(
            data,
            &self.actor,
            self.object.as_ref(),
            self.score(),
            &self.raw,
        )
        .await
    }
}

impl UndoVote {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        // Only the voter can withdraw their vote.
        verify_urls_match(self.actor.inner(), self.object.actor.inner())?;
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        apply(data, &self.actor, self.object.object.as_ref(), 0, &self.raw).await
    }
}

super::incoming_activity!(Vote);

super::incoming_activity!(UndoVote);
