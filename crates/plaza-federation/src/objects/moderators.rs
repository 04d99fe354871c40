//! The moderators of a group elsewhere, read each time the group is fetched or refreshed: from
//! its moderators collection (Lemmy names it in `attributedTo`, Mbin in `moderators`), or from
//! the actors `attributedTo` lists (PeerTube's channel owner). They are stored as the group's
//! moderators here, so that moderation they send straight to us is accepted and people see who
//! runs the group. Bounded, fetched signed, and a failure is only logged: the group itself is
//! stored either way.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_domains_match;
use futures::StreamExt;
use plaza_db::group::{self, GroupRow};
use plaza_db::{person, transaction};
use serde_json::Value;
use url::Url;

use crate::AppData;
use crate::inbox_error::InboxError;
use crate::objects::collection::{self, Bounds};
use crate::objects::content::is_local;
use crate::objects::person::ApubPerson;
use crate::protocol::actor::RemoteActor;
use crate::protocol::received::{ReceivedCollection, ids_in, item_id};

/// The most moderators read for one group.
pub const MAX_MODERATORS: usize = 50;

/// People fetched at once.
const CONCURRENT_FETCHES: usize = 4;

/// Reads the moderators `json` (the group's fetched document) names and stores them as the
/// moderators of `group`. A group that names no list keeps the ones stored.
pub async fn refresh(data: &Data<AppData>, group: &GroupRow, json: &RemoteActor) {
    if group.local {
        return;
    }
    let listed = match listed(data, json).await {
        Ok(Some(listed)) => listed,
        Ok(None) => return,
        Err(e) => {
            tracing::info!(group = %group.ap_id, error = %e, "cannot read a group's moderators");
            return;
        }
    };
    let people: Vec<Option<i64>> = futures::stream::iter(listed)
        .map(|id| person_id(data, id))
        .buffered(CONCURRENT_FETCHES)
        .collect()
        .await;
    let people: Vec<i64> = people.into_iter().flatten().collect();
    if let Err(e) = store(data, group, &people).await {
        tracing::warn!(group = %group.ap_id, error = %e, "cannot store a group's moderators");
    }
}

async fn store(data: &Data<AppData>, group: &GroupRow, people: &[i64]) -> Result<(), InboxError> {
    transaction!(&data.db, InboxError, |conn| {
        group::set_moderators(conn, group.id, people).await?;
        Ok(())
    })
}

/// The actor ids the group names as its moderators (at most [`MAX_MODERATORS`]); `None` when it
/// names none.
async fn listed(data: &Data<AppData>, json: &RemoteActor) -> Result<Option<Vec<Url>>, InboxError> {
    let Some(source) = json.moderators.as_ref().or(json.attributed_to.as_ref()) else {
        return Ok(None);
    };
    let ids = match source {
        Value::String(url) => {
            let url = Url::parse(url).map_err(|e| InboxError::Refused(e.to_string()))?;
            // The list is the group's word: it must come from the group's own server.
            verify_domains_match(&url, &json.id)?;
            collection(data, &url).await?
        }
        listed => ids_in(listed),
    };
    Ok(Some(
        ids.iter()
            .filter_map(|id| Url::parse(id).ok())
            .take(MAX_MODERATORS)
            .collect(),
    ))
}

/// The ids a collection lists, inline or on its first page (one more fetch at most). A URL that
/// turns out to be an actor stands for that actor alone.
async fn collection(data: &Data<AppData>, url: &Url) -> Result<Vec<String>, InboxError> {
    let fetched: ReceivedCollection = fetch_object_http(url, &data.reset_request_count())
        .await?
        .object;
    if !fetched.is_collection() {
        return Ok(vec![url.to_string()]);
    }
    let bounds = Bounds {
        pages: 1,
        items: MAX_MODERATORS,
    };
    let items = collection::read_from(data, url, fetched, bounds).await?;
    Ok(items.iter().filter_map(item_id).map(String::from).collect())
}

/// The stored person with this id, fetched when not known yet; `None` when it cannot be had.
async fn person_id(data: &Data<AppData>, id: Url) -> Option<i64> {
    let known = match data.db.get().await {
        Ok(mut pooled) => person::find_by_ap_id(&mut pooled.conn(), id.as_str()).await,
        Err(e) => Err(e),
    };
    match known {
        Ok(Some(row)) => return Some(row.id),
        Ok(None) if is_local(data, &id) => return None,
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(%id, error = %e, "cannot look a moderator up");
            return None;
        }
    }
    // Each person gets a fetch budget of their own: the group's list is bounded already.
    match ObjectId::<ApubPerson>::from(id.clone())
        .dereference(&data.reset_request_count())
        .await
    {
        Ok(person) => Some(person.row.id),
        Err(e) => {
            tracing::info!(%id, error = %e, "cannot fetch a group's moderator");
            None
        }
    }
}
