//! Where a change comes from: made here, or received from another server. The rules are the same
//! either way; what differs is how the change is identified and what its event carries.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::participation::Participant;

/// The source of a change.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// Made on this instance, through the API or the web.
    Local,
    /// Received from another server in this activity (as it arrived). A local group passes it on
    /// to its followers unchanged (FEP-1b12), so its event keeps the whole activity.
    Remote(&'a Value),
    /// Passed on by a group on another server (FEP-1b12 `Announce`): the group vouches for what
    /// happens inside it, so a removal by one of its moderators, whom we do not know, is taken
    /// on its word — in that group (`group_id`) and nowhere else.
    Announced {
        /// The activity the group passed on.
        activity: &'a Value,
        /// The group that passed it on.
        group_id: i64,
    },
    /// Fetched from another server to fill a gap (a reply's missing parent). Nobody sent it to us,
    /// so nothing is passed on and no event is written.
    Fetched,
}

impl Origin<'_> {
    /// Whether the change was made here.
    pub fn is_local(&self) -> bool {
        matches!(self, Origin::Local)
    }

    /// The activity that carried the change, if it came from another server.
    pub fn activity(&self) -> Option<&Value> {
        match self {
            Origin::Remote(activity) | Origin::Announced { activity, .. } => Some(activity),
            Origin::Local | Origin::Fetched => None,
        }
    }

    /// Whether the change writes an event.
    pub(crate) fn records_event(&self) -> bool {
        !matches!(self, Origin::Fetched)
    }

    /// What the change's event carries besides its ids.
    pub(crate) fn payload(&self, mut extra: Value) -> Option<Value> {
        match self {
            Origin::Local | Origin::Fetched if extra.is_null() => None,
            Origin::Local | Origin::Fetched => Some(extra),
            Origin::Remote(activity) | Origin::Announced { activity, .. } => {
                if !extra.is_object() {
                    extra = json!({});
                }
                if let Some(map) = extra.as_object_mut() {
                    map.insert("activity".to_owned(), (*activity).clone());
                }
                Some(extra)
            }
        }
    }
}

/// A post or comment written on another server.
#[derive(Debug, Clone)]
pub struct RemoteContent {
    /// The object's ActivityPub id.
    pub ap_id: String,
    /// Its HTML, untrusted: it is sanitized before it is stored.
    pub html: String,
    /// Its Markdown source, when the server sent one.
    pub source: Option<String>,
    /// When it was published there; never later than now.
    pub published: Option<NaiveDateTime>,
    /// Who wrote it.
    pub author: Participant,
    /// Media it carries, as sent; what is unusable is dropped when it is stored.
    pub attachments: Vec<plaza_db::attachment::NewAttachment>,
}
