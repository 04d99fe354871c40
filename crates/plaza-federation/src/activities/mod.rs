//! Incoming activities, one module per kind, and the inbox's enum of those it handles.

pub mod follow;

use std::sync::Arc;

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use plaza_core::Context;
use serde::Deserialize;
use url::Url;

use crate::inbox_error::InboxError;

/// The activity types the inbox acts on; everything else is acknowledged and ignored.
pub const HANDLED_TYPES: [&str; 2] = ["Follow", "Undo"];

/// An activity the inbox handles.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum InboxActivity {
    /// Follow a group.
    Follow(follow::Follow),
    /// Stop following a group.
    UndoFollow(follow::UndoFollow),
}

#[async_trait]
impl Activity for InboxActivity {
    type DataType = Arc<Context>;
    type Error = InboxError;

    fn id(&self) -> &Url {
        match self {
            InboxActivity::Follow(a) => a.id(),
            InboxActivity::UndoFollow(a) => a.id(),
        }
    }

    fn actor(&self) -> &Url {
        match self {
            InboxActivity::Follow(a) => a.actor(),
            InboxActivity::UndoFollow(a) => a.actor(),
        }
    }

    async fn verify(&self, data: &Data<Self::DataType>) -> Result<(), InboxError> {
        match self {
            InboxActivity::Follow(a) => a.verify(data).await,
            InboxActivity::UndoFollow(a) => a.verify(data).await,
        }
    }

    async fn receive(self, data: &Data<Self::DataType>) -> Result<(), InboxError> {
        match self {
            InboxActivity::Follow(a) => a.receive(data).await,
            InboxActivity::UndoFollow(a) => a.receive(data).await,
        }
    }
}
