//! The site row as the instance actor.

use plaza_core::Urls;
use plaza_db::site::SiteRow;

use super::timestamp;
use crate::protocol::actor::Instance;
use crate::protocol::{Endpoints, Image, PublicKey};

/// The instance actor document.
/// `summary_html` is the site's description, rendered from its Markdown.
pub fn instance_actor(
    urls: &Urls,
    site: &SiteRow,
    summary_html: Option<String>,
    public_key_pem: &str,
) -> Instance {
    let id = urls.instance_actor();
    Instance {
        kind: "Application".to_owned(),
        preferred_username: urls.domain().to_owned(),
        name: site.name.clone(),
        summary: summary_html,
        icon: site.icon_url.clone().map(Image::new),
        url: urls.base().to_string(),
        inbox: urls.shared_inbox(),
        outbox: format!("{id}/outbox"),
        manually_approves_followers: true,
        endpoints: Endpoints {
            shared_inbox: urls.shared_inbox(),
        },
        public_key: PublicKey::main_key(&id, public_key_pem),
        published: timestamp(site.created_at),
        id,
    }
}
