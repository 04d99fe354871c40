//! Moderation from other servers, in Lemmy's shapes: `Lock` a thread, `Add`/`Remove` it to the
//! group's featured collection (pin), `Block` a person with the group as `target` (ban), and
//! `Undo` of those and of a moderator's `Delete` (restore). Applied when the actor moderates the
//! group here, or when a group elsewhere passes it on.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_urls_match;
use chrono::{DateTime, FixedOffset};
use plaza_core::moderation::{self, Action};
use plaza_core::{Origin, Participant};
use plaza_db::group;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::AppData;
use crate::inbox_error::InboxError;
use crate::objects::content::{self as stored, Stored};
use crate::objects::person::ApubPerson;
use crate::protocol::received::first_id;

/// `Lock`, `Add`, `Remove`, `Block` (or a moderator's `Delete`, inside an `Undo`).
#[derive(Debug, Clone, Deserialize)]
pub struct Moderate {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: ObjectId<ApubPerson>,
    #[serde(deserialize_with = "first_id")]
    pub object: Option<Url>,
    #[serde(default, deserialize_with = "first_id")]
    pub target: Option<Url>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub expires: Option<DateTime<FixedOffset>>,
    #[serde(skip)]
    pub raw: Value,
    /// The group that passed it on, if one did (see `Origin::Announced`).
    #[serde(skip)]
    pub announced_by: Option<i64>,
}

/// `Undo` of a [`Moderate`] by the same actor.
#[derive(Debug, Clone, Deserialize)]
pub struct UndoModerate {
    pub id: Url,
    pub actor: ObjectId<ApubPerson>,
    pub object: Moderate,
    #[serde(skip)]
    pub raw: Value,
    /// The group that passed it on, if one did.
    #[serde(skip)]
    pub announced_by: Option<i64>,
}

/// The moderation action `m` is (or undoes), if it concerns something here.
async fn action_of(
    data: &Data<AppData>,
    m: &Moderate,
    undo: bool,
    who: Participant,
) -> Result<Option<Action>, InboxError> {
    let Some(object) = &m.object else {
        return Err(InboxError::Refused(
            "a moderation activity needs an object".into(),
        ));
    };
    if m.kind == "Block" {
        let group = {
            let Some(target) = &m.target else {
                return Ok(None);
            };
            let mut pooled = data.db.get().await?;
            group::find_by_ap_id(&mut pooled.conn(), target.as_str()).await?
        };
        // A Block without one of our groups as target is an instance-wide ban elsewhere.
        let Some(group) = group else {
            return Ok(None);
        };
        let person = ObjectId::<ApubPerson>::from(object.clone())
            .dereference(data)
            .await?;
        return Ok(Some(if undo {
            Action::Unban {
                group_id: group.id,
                person_id: person.row.id,
            }
        } else {
            Action::Ban {
                group_id: group.id,
                person_id: person.row.id,
                expires_at: m.expires.map(|t| t.naive_utc()),
            }
        }));
    }
    let found = {
        let mut pooled = data.db.get().await?;
        stored::find(&mut pooled.conn(), object.as_str()).await?
    };
    Ok(match (m.kind.as_str(), found, undo) {
        ("Lock", Some(Stored::Post(p)), false) => Some(Action::Lock(p.id)),
        ("Lock", Some(Stored::Post(p)), true) => Some(Action::Unlock(p.id)),
        ("Add", Some(Stored::Post(p)), false) => Some(Action::Pin(p.id)),
        ("Remove", Some(Stored::Post(p)), false) => Some(Action::Unpin(p.id)),
        // An author's own deletion cannot be undone here: its body is gone.
        ("Delete", Some(Stored::Post(p)), true) if p.author_id != who.person_id => {
            Some(Action::RestorePost(p.id))
        }
        ("Delete", Some(Stored::Comment(c)), true) if c.author_id != who.person_id => {
            Some(Action::RestoreComment(c.id))
        }
        _ => None,
    })
}

async fn run(
    data: &Data<AppData>,
    m: &Moderate,
    undo: bool,
    origin: Origin<'_>,
) -> Result<(), InboxError> {
    let who = Participant::remote(m.actor.dereference(data).await?.row.id);
    let Some(action) = action_of(data, m, undo, who).await? else {
        tracing::info!(id = %m.id, kind = %m.kind, "ignoring moderation of something not here");
        return Ok(());
    };
    moderation::apply(data.app_data(), who, action, m.summary.as_deref(), origin).await?;
    Ok(())
}

impl Moderate {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        run(
            data,
            &self,
            false,
            super::origin(&self.raw, self.announced_by),
        )
        .await
    }
}

impl UndoModerate {
    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        // Only whoever did it can undo it.
        verify_urls_match(self.actor.inner(), self.object.actor.inner())?;
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        run(
            data,
            &self.object,
            true,
            super::origin(&self.raw, self.announced_by),
        )
        .await
    }
}

super::incoming_activity!(Moderate);
super::incoming_activity!(UndoModerate);
