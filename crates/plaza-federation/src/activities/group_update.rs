//! `Update {object: Group}` of a group elsewhere, by the group itself or by one of its moderators
//! (Lemmy sends it by the moderator who changed the settings, passed on by the community): its
//! title, description, posting rule and icon are applied to our copy. The group's keys and
//! inboxes are never taken from it; they change only when the group is fetched from its home.

use activitypub_federation::config::Data;
use plaza_core::{CoreError, markdown};
use plaza_db::group::{self, RemoteProfile};
use plaza_db::person;
use serde_json::Value;
use url::Url;

use crate::AppData;
use crate::inbox_error::InboxError;
use crate::protocol::received::ReceivedGroup;

/// Applies `object` (the Group an `Update` by `actor` carries).
pub async fn apply(data: &Data<AppData>, actor: &Url, object: &Value) -> Result<(), InboxError> {
    let update: ReceivedGroup = serde_json::from_value(object.clone())
        .map_err(|e| InboxError::Refused(format!("the updated group: {e}")))?;
    let mut pooled = data.db.get().await?;
    let conn = &mut pooled.conn();
    let Some(row) = group::find_by_ap_id(conn, update.id.as_str()).await? else {
        tracing::info!(group = %update.id, "ignoring an update of a group not known here");
        return Ok(());
    };
    if row.local {
        tracing::info!(group = %row.name, %actor, "ignoring an update of a group of this instance from elsewhere");
        return Ok(());
    }
    let by_the_group = actor.as_str() == row.ap_id;
    let by_a_moderator = match person::find_by_ap_id(conn, actor.as_str()).await? {
        Some(p) => group::is_moderator(conn, row.id, p.id).await?,
        None => false,
    };
    if !by_the_group && !by_a_moderator {
        return Err(InboxError::Core(CoreError::Forbidden(
            "only the group and its moderators change it".into(),
        )));
    }
    let description = markdown::sanitize_description(update.summary.as_deref()).await;
    let title = [&update.name, &update.preferred_username]
        .into_iter()
        .flatten()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .unwrap_or(&row.title)
        .to_owned();
    group::apply_remote_profile(
        conn,
        row.id,
        &RemoteProfile {
            title: &title,
            description_html: description.as_deref(),
            icon_url: update.icon.as_deref(),
            posting_restricted_to_mods: update.posting_restricted_to_mods.unwrap_or(false),
        },
    )
    .await?;
    tracing::info!(group = %row.ap_id, %actor, "applied a group's update of itself");
    Ok(())
}
