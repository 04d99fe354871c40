//! A group row as a `Group` actor.

use plaza_core::Urls;
use plaza_db::group::GroupRow;

use super::timestamp;
use crate::protocol::actor::Group;
use crate::protocol::{Endpoints, Image, PublicKey, Source};

/// The actor document of a local group.
pub fn group_actor(urls: &Urls, row: &GroupRow) -> Group {
    let image = |url: &Option<String>| url.clone().map(Image::new);
    Group {
        id: row.ap_id.clone(),
        kind: "Group".to_owned(),
        preferred_username: row.name.clone(),
        name: row.title.clone(),
        summary: row.description_html.clone(),
        source: row.description_source.clone().map(Source::markdown),
        url: row.ap_id.clone(),
        icon: image(&row.icon_url),
        image: image(&row.banner_url),
        inbox: row.inbox_url.clone(),
        outbox: urls.group_outbox(&row.name),
        followers: urls.group_followers(&row.name),
        featured: urls.group_featured(&row.name),
        attributed_to: urls.group_moderators(&row.name),
        posting_restricted_to_mods: row.posting_restricted_to_mods,
        sensitive: row.sensitive,
        manually_approves_followers: false,
        discoverable: true,
        endpoints: Endpoints {
            shared_inbox: urls.shared_inbox(),
        },
        public_key: PublicKey::main_key(&row.ap_id, &row.public_key),
        published: timestamp(row.created_at),
        updated: row.updated_at.map(timestamp),
    }
}
