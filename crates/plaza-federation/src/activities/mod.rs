//! Incoming activities, one module per kind, and the inbox's enum of those it handles.

/// Implements the federation library's `Activity` for an incoming activity with `id` and `actor`
/// fields: its inherent `check` runs as the library's `verify`, its `apply` as `receive`.
macro_rules! incoming_activity {
    ($kind:ty) => {
        #[async_trait::async_trait]
        impl activitypub_federation::traits::Activity for $kind {
            type DataType = crate::AppData;
            type Error = crate::inbox_error::InboxError;

            fn id(&self) -> &url::Url {
                &self.id
            }

            fn actor(&self) -> &url::Url {
                self.actor.inner()
            }

            async fn verify(
                &self,
                data: &activitypub_federation::config::Data<Self::DataType>,
            ) -> Result<(), Self::Error> {
                self.check(data).await
            }

            async fn receive(
                self,
                data: &activitypub_federation::config::Data<Self::DataType>,
            ) -> Result<(), Self::Error> {
                self.apply(data).await
            }
        }
    };
}
use incoming_activity;

pub mod accept;
pub mod announce;
pub mod create;
pub mod delete;
pub mod flag;
pub mod follow;
pub mod group_update;
pub mod moderate;
pub mod vote;

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use plaza_core::Origin;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

use crate::AppData;
use crate::inbox_error::InboxError;

/// The kind of activity an incoming one is, judged by its `type` and the `type` of its embedded
/// object (for `Accept` and `Undo`); `None` for those Plaza acknowledges and ignores.
fn kind_of(kind: &str, object_kind: Option<&str>) -> Option<&'static str> {
    Some(match kind {
        "Follow" => "Follow",
        // Mitra names the accepted Follow by its id alone: no embedded object, no type.
        "Accept" if object_kind.is_none_or(|k| k == "Follow") => "Accept",
        "Announce" => "Announce",
        "Create" | "Update" => "Write",
        "Delete" => "Delete",
        "Like" | "Dislike" => "Vote",
        "Lock" | "Add" | "Remove" | "Block" => "Moderate",
        "Flag" => "Flag",
        "Undo" => match object_kind? {
            "Follow" => "UndoFollow",
            "Like" | "Dislike" => "UndoVote",
            "Lock" | "Block" | "Delete" => "UndoModerate",
            _ => return None,
        },
        _ => return None,
    })
}

/// Whether the inbox acts on an activity of type `kind` whose embedded object has the type
/// `object_kind`; everything else is acknowledged and ignored.
pub fn is_handled(kind: &str, object_kind: Option<&str>) -> bool {
    kind_of(kind, object_kind).is_some()
}

/// The `type` of a parsed activity and of its embedded object.
fn kinds(activity: &Value) -> (&str, Option<&str>) {
    let kind = activity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (
        kind,
        activity.pointer("/object/type").and_then(Value::as_str),
    )
}

/// [`kind_of`] for an activity already parsed (the one inside an `Announce`).
fn kind_of_value(activity: &Value) -> Option<&'static str> {
    let (kind, object_kind) = kinds(activity);
    kind_of(kind, object_kind)
}

/// [`is_handled`] for an activity already parsed.
pub fn is_handled_value(activity: &Value) -> bool {
    kind_of_value(activity).is_some()
}

/// An activity the inbox handles.
#[derive(Debug)]
pub enum InboxActivity {
    /// Follow a group.
    Follow(follow::Follow),
    /// Stop following a group.
    UndoFollow(follow::UndoFollow),
    /// Create or edit a thread or comment (boxed: it carries the whole object).
    Write(Box<create::Write>),
    /// Delete or remove a thread or comment.
    Delete(delete::Delete),
    /// Vote.
    Vote(vote::Vote),
    /// Withdraw a vote.
    UndoVote(vote::UndoVote),
    /// A report.
    Flag(flag::Flag),
    /// Lock, pin, unpin, ban.
    Moderate(moderate::Moderate),
    /// Undo of a lock, ban or removal.
    UndoModerate(moderate::UndoModerate),
    /// A group elsewhere accepts a local person's follow.
    Accept(accept::AcceptFollow),
    /// A group elsewhere passes on one of its members' activities.
    Announce(announce::Announce),
}

/// Where a received activity comes from: sent by its actor, or passed on by a group elsewhere.
fn origin(raw: &Value, announced_by: Option<i64>) -> Origin<'_> {
    match announced_by {
        Some(group_id) => Origin::Announced {
            activity: raw,
            group_id,
        },
        None => Origin::Remote(raw),
    }
}

fn parse<T: DeserializeOwned>(raw: &Value) -> Result<T, serde_json::Error> {
    T::deserialize(raw)
}

impl<'de> Deserialize<'de> for InboxActivity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        let parsed = match kind_of_value(&raw) {
            Some("Follow") => parse(&raw).map(InboxActivity::Follow),
            Some("UndoFollow") => parse(&raw).map(InboxActivity::UndoFollow),
            Some("Write") => {
                parse(&raw).map(|a| InboxActivity::Write(Box::new(create::Write { raw, ..a })))
            }
            Some("Delete") => {
                parse(&raw).map(|a| InboxActivity::Delete(delete::Delete { raw, ..a }))
            }
            Some("Vote") => parse(&raw).map(|a| InboxActivity::Vote(vote::Vote { raw, ..a })),
            Some("UndoVote") => {
                parse(&raw).map(|a| InboxActivity::UndoVote(vote::UndoVote { raw, ..a }))
            }
            Some("Flag") => parse(&raw).map(|a| InboxActivity::Flag(flag::Flag { raw, ..a })),
            Some("Moderate") => {
                parse(&raw).map(|a| InboxActivity::Moderate(moderate::Moderate { raw, ..a }))
            }
            Some("UndoModerate") => parse(&raw)
                .map(|a| InboxActivity::UndoModerate(moderate::UndoModerate { raw, ..a })),
            Some("Accept") => parse(&raw).map(InboxActivity::Accept),
            Some("Announce") => parse(&raw).map(InboxActivity::Announce),
            _ => return Err(D::Error::custom("an activity type Plaza does not handle")),
        };
        parsed.map_err(D::Error::custom)
    }
}

macro_rules! each {
    ($self:ident, $a:ident => $body:expr) => {
        match $self {
            InboxActivity::Follow($a) => $body,
            InboxActivity::UndoFollow($a) => $body,
            InboxActivity::Write($a) => $body,
            InboxActivity::Delete($a) => $body,
            InboxActivity::Vote($a) => $body,
            InboxActivity::UndoVote($a) => $body,
            InboxActivity::Flag($a) => $body,
            InboxActivity::Moderate($a) => $body,
            InboxActivity::UndoModerate($a) => $body,
            InboxActivity::Accept($a) => $body,
            InboxActivity::Announce($a) => $body,
        }
    };
}

#[async_trait]
impl Activity for InboxActivity {
    type DataType = AppData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        each!(self, a => a.id())
    }

    fn actor(&self) -> &Url {
        each!(self, a => a.actor())
    }

    async fn verify(&self, data: &Data<Self::DataType>) -> Result<(), InboxError> {
        each!(self, a => a.verify(data).await)
    }

    async fn receive(self, data: &Data<Self::DataType>) -> Result<(), InboxError> {
        each!(self, a => a.receive(data).await)
    }
}
