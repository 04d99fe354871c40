//! `Flag`: another server reports threads or comments of our groups (Mastodon names the reported
//! account and statuses, Lemmy the post or comment). Each one here becomes an open report for the
//! group's moderators; reports are never passed on. An object named twice is reported once, and
//! a Flag naming more than [`MAX_FLAGGED`] different objects is refused: one report should not
//! fill a moderation queue.

use crate::AppData;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use plaza_core::reports::{self, Reported};
use plaza_core::{Origin, Participant};
use plaza_db::group;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::inbox_error::InboxError;
use crate::objects::content::{self as stored, Stored};
use crate::objects::person::ApubPerson;
use crate::protocol::received::ids;

/// Most different objects one Flag may name (Mastodon names the account and a few statuses).
pub const MAX_FLAGGED: usize = 20;

/// `Flag {object: [ids], content | summary: reason}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Flag {
    pub id: Url,
    pub actor: ObjectId<ApubPerson>,
    #[serde(deserialize_with = "ids")]
    pub object: Vec<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(skip)]
    pub raw: Value,
}

impl Flag {
    /// The objects it names, each once, in the order first named.
    fn distinct_objects(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.object
            .iter()
            .map(String::as_str)
            .filter(|o| seen.insert(*o))
            .collect()
    }

    async fn check(&self, _: &Data<AppData>) -> Result<(), InboxError> {
        let named = self.distinct_objects().len();
        if named > MAX_FLAGGED {
            return Err(InboxError::Refused(format!(
                "a Flag may name at most {MAX_FLAGGED} objects, this one names {named}"
            )));
        }
        Ok(())
    }

    async fn apply(self, data: &Data<AppData>) -> Result<(), InboxError> {
        let reason = self
            .summary
            .as_deref()
            .or(self.content.as_deref())
            .unwrap_or_default()
            .to_owned();
        let mut reporter = None;
        for (n, object) in self.distinct_objects().into_iter().enumerate() {
            let target = {
                let mut pooled = data.db.get().await?;
                let conn = &mut pooled.conn();
                let found = stored::find(conn, object).await?;
                let group_id = match &found {
                    Some(Stored::Post(p)) => Some(p.group_id),
                    Some(Stored::Comment(c)) => {
                        Some(plaza_db::post::find(conn, c.post_id).await?.group_id)
                    }
                    None => None,
                };
                let local = match group_id {
                    Some(id) => group::find(conn, id).await?.local,
                    None => false,
                };
                match found {
                    Some(Stored::Post(p)) if local => Some(Reported::Post(p.id)),
                    Some(Stored::Comment(c)) if local => Some(Reported::Comment(c.id)),
                    _ => None,
                }
            };
            let Some(target) = target else {
                continue;
            };
            let who = match reporter {
                Some(who) => who,
                None => {
                    let who = Participant::remote(self.actor.dereference(data).await?.row.id);
                    reporter = Some(who);
                    who
                }
            };
            // One report per reported object, each keyed by the Flag's id.
            let key = if n == 0 {
                self.id.to_string()
            } else {
                format!("{}#{n}", self.id)
            };
            let origin = Origin::Remote(&self.raw);
            reports::receive(data.app_data(), who, target, &reason, &key, origin).await?;
        }
        if reporter.is_none() {
            tracing::info!(id = %self.id, "ignoring a report of nothing in our groups");
        }
        Ok(())
    }
}

super::incoming_activity!(Flag);
