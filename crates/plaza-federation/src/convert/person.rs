//! A person row as a `Person` actor.

use plaza_core::Urls;
use plaza_db::person::PersonRow;

use super::timestamp;
use crate::protocol::actor::Person;
use crate::protocol::{Endpoints, Image, PublicKey, Source};

/// The actor document of a local person.
pub fn person_actor(urls: &Urls, row: &PersonRow) -> Person {
    Person {
        id: row.ap_id.clone(),
        kind: if row.bot { "Service" } else { "Person" }.to_owned(),
        preferred_username: row.name.clone(),
        name: row.display_name.clone(),
        summary: row.bio_html.clone(),
        source: row.bio_source.clone().map(Source::markdown),
        url: row.ap_id.clone(),
        icon: row.avatar_url.clone().map(Image::new),
        inbox: row.inbox_url.clone(),
        outbox: urls.person_outbox(&row.name),
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
