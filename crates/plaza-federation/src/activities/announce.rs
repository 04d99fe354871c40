//! `Announce` by a group elsewhere that someone here follows: the group passes on its members'
//! activities (FEP-1b12), and each is applied as if its author had sent it — within limits, since
//! the group's signature proves only that the group says so:
//!
//! - a group speaks only for itself: the announced activity must concern the announcing group
//!   (a thread addressed to it, a reply, edit, vote, deletion or moderation of its content, a ban
//!   from it); anything else is dropped;
//! - local people act here, never through others: an announced activity whose actor is local is
//!   dropped;
//! - the group's server vouches for its own people, but not for a third server's: an activity of
//!   a person elsewhere is applied only as fetched from its own origin (the object of a Create or
//!   Update, the activity itself otherwise), and dropped when it cannot be fetched there.
//!
//! Each drop is acknowledged (the group did nothing wrong by passing it on) and logged.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Activity;
use plaza_db::group::{self, GroupRow};
use plaza_db::{DbConn, post};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::InboxActivity;
use crate::AppData;
use crate::domain_of;
use crate::inbox_error::InboxError;
use crate::objects::content::{self as stored, Stored, is_local};
use crate::objects::group::ApubGroup;
use crate::objects::origin::fetch_exact;
use crate::protocol::received::ReceivedObject;

/// `Announce {actor: group, object: activity}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Announce {
    pub id: Url,
    pub actor: ObjectId<ApubGroup>,
    pub object: Value,
}

/// Why an announced activity is not applied (logged, not an error: the announce is fine).
type Dropped = &'static str;

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
            tracing::info!(group = %group.row.ap_id, "ignoring an announce nobody here follows (or whose follow is still pending)");
            return Ok(());
        }
        if !super::is_handled_value(&self.object) {
            tracing::info!(id = %self.id, "ignoring an announced activity Plaza does not handle");
            return Ok(());
        }
        let kind = super::kind_of_value(&self.object);
        let inner: InboxActivity = serde_json::from_value(self.object)
            .map_err(|e| InboxError::Refused(format!("announced activity: {e}")))?;
        if matches!(
            inner,
            InboxActivity::Follow(_)
                | InboxActivity::UndoFollow(_)
                | InboxActivity::Accept(_)
                | InboxActivity::Flag(_)
        ) {
            return Err(InboxError::Refused(
                "a group announces no follows or reports".into(),
            ));
        }
        if matches!(inner, InboxActivity::Announce(_)) {
            return Err(InboxError::Refused("an announce of an announce".into()));
        }
        let inner_id = inner.id().clone();
        let inner = match admit(data, inner, kind, &group.row).await? {
            Ok(inner) => inner,
            Err(why) => {
                tracing::info!(announce = %self.id, activity = %inner_id, group = %group.row.ap_id, "dropping an announced activity: {why}");
                return Ok(());
            }
        };
        inner.verify(data).await?;
        inner.receive(data).await
    }
}

/// Applies the trust rules to an announced activity: what comes out may be applied, as passed
/// on by `group`.
async fn admit(
    data: &Data<AppData>,
    inner: InboxActivity,
    kind: Option<&'static str>,
    group: &GroupRow,
) -> Result<Result<InboxActivity, Dropped>, InboxError> {
    let actor = inner.actor().clone();
    if is_local(data, &actor) {
        return Ok(Err(
            "its actor is local: people here act here, not through a group",
        ));
    }
    let mut inner = if domain_of(&actor) == group_domain(group) {
        inner
    } else {
        match from_origin(data, inner, kind).await? {
            Ok(inner) => inner,
            Err(why) => return Ok(Err(why)),
        }
    };
    if let Err(why) = concerns_group(data, &inner, group).await? {
        return Ok(Err(why));
    }
    let announced_by = Some(group.id);
    match &mut inner {
        InboxActivity::Delete(a) => a.announced_by = announced_by,
        InboxActivity::Moderate(a) => a.announced_by = announced_by,
        InboxActivity::UndoModerate(a) => a.announced_by = announced_by,
        _ => {}
    }
    Ok(Ok(inner))
}

fn group_domain(group: &GroupRow) -> Option<String> {
    Url::parse(&group.ap_id).ok().as_ref().and_then(domain_of)
}

/// The activity as its actor's own server has it: for a Create or Update the object fetched
/// from its id, for anything else the activity fetched from its id. Both ids must be on the
/// actor's server, and what is fetched must be what was announced (same id, kind and actor).
async fn from_origin(
    data: &Data<AppData>,
    mut inner: InboxActivity,
    kind: Option<&'static str>,
) -> Result<Result<InboxActivity, Dropped>, InboxError> {
    let actor = inner.actor().clone();
    if let InboxActivity::Write(write) = &mut inner {
        if domain_of(&write.object.id) != domain_of(&actor) {
            return Ok(Err("its object is not on its actor's server"));
        }
        return Ok(
            match fetch_exact::<ReceivedObject>(data, &write.object.id).await {
                Some(object) => {
                    write.object = object;
                    Ok(inner)
                }
                None => Err("its object could not be fetched from its origin"),
            },
        );
    }
    let id = inner.id().clone();
    if domain_of(&id) != domain_of(&actor) {
        return Ok(Err("its id is not on its actor's server"));
    }
    let Some(fetched) = fetch_exact::<Value>(data, &id).await else {
        return Ok(Err("it could not be fetched from its origin"));
    };
    if super::kind_of_value(&fetched) != kind {
        return Ok(Err("its origin has another kind of activity under that id"));
    }
    let Ok(fetched) = serde_json::from_value::<InboxActivity>(fetched) else {
        return Ok(Err("its origin's copy does not parse"));
    };
    if fetched.actor() != &actor || fetched.id() != &id {
        return Ok(Err("its origin's copy names another actor"));
    }
    Ok(Ok(fetched))
}

/// Whether the activity is about `group`: a group's announce is trusted for its own threads,
/// comments, votes, moderation and bans only.
async fn concerns_group(
    data: &Data<AppData>,
    inner: &InboxActivity,
    group: &GroupRow,
) -> Result<Result<(), Dropped>, InboxError> {
    const ELSEWHERE: Dropped = "it concerns content outside the announcing group";
    let named = match inner {
        InboxActivity::Write(write) => return written_in(data, &write.object, group).await,
        InboxActivity::Delete(a) => a.object.clone(),
        InboxActivity::Vote(a) => a.object.clone(),
        InboxActivity::UndoVote(a) => a.object.object.clone(),
        InboxActivity::Moderate(m)
        | InboxActivity::UndoModerate(super::moderate::UndoModerate { object: m, .. }) => {
            if m.kind == "Block" {
                // A ban from the group: its target is the group itself.
                return Ok(match &m.target {
                    Some(target) if target.as_str() == group.ap_id => Ok(()),
                    _ => Err("it bans someone from somewhere else"),
                });
            }
            m.object.clone()
        }
        _ => return Ok(Err("a group announces no such activity")),
    };
    let Some(named) = named else {
        return Ok(Err("it names no object"));
    };
    let mut pooled = data.db.get().await?;
    let conn = &mut pooled.conn();
    Ok(match stored::find(conn, named.as_str()).await? {
        Some(found) if group_of(conn, &found).await? == group.id => Ok(()),
        Some(_) => Err(ELSEWHERE),
        // Nothing here to act on: the handlers ignore it with their own log line.
        None => Ok(()),
    })
}

/// Whether a created or edited object belongs to `group`: stored in it already, a reply to
/// something in it, or a new thread addressed to it (and to no group here before it).
async fn written_in(
    data: &Data<AppData>,
    object: &ReceivedObject,
    group: &GroupRow,
) -> Result<Result<(), Dropped>, InboxError> {
    const ELSEWHERE: Dropped = "its object belongs to another group";
    {
        let mut pooled = data.db.get().await?;
        let conn = &mut pooled.conn();
        if let Some(found) = stored::find(conn, object.id.as_str()).await? {
            let ours = group_of(conn, &found).await? == group.id;
            return Ok(if ours { Ok(()) } else { Err(ELSEWHERE) });
        }
    }
    if let Some(parent) = &object.in_reply_to {
        // The parent is resolved (fetched from its own origin when missing) to learn its group;
        // storing the reply finds it again.
        let Some(found) = stored::parent_of(data, object, parent, 0).await? else {
            // The reply has no place here; storing it logs that.
            return Ok(Ok(()));
        };
        let mut pooled = data.db.get().await?;
        let ours = group_of(&mut pooled.conn(), &found).await? == group.id;
        return Ok(if ours { Ok(()) } else { Err(ELSEWHERE) });
    }
    Ok(match stored::addressed_group(data, object).await? {
        Some(addressed) if addressed.id == group.id => Ok(()),
        Some(_) => Err(ELSEWHERE),
        None => Ok(()),
    })
}

/// The group a stored thread or comment is in.
async fn group_of(conn: &mut DbConn<'_>, found: &Stored) -> Result<i64, InboxError> {
    Ok(match found {
        Stored::Post(p) => p.group_id,
        Stored::Comment(c) => post::find(conn, c.post_id).await?.group_id,
    })
}

super::incoming_activity!(Announce);
