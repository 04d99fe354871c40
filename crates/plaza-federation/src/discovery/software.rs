//! What software another server runs, read from its NodeInfo once and kept with its instance
//! row; the publisher uses it to choose what each server is sent (see `publish::readers`).

use crate::AppData;
use std::time::Duration;

use activitypub_federation::config::Data;
use plaza_db::instance;
use serde::Deserialize;
use url::Url;

use crate::domain_of;
use crate::outgoing::Outgoing;

/// Largest NodeInfo document read.
const MAX_BYTES: usize = 64 * 1024;
/// How long each of the two requests may take: this runs while a Follow is received.
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
struct Links {
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    rel: String,
    href: Url,
}

#[derive(Deserialize)]
struct NodeInfo {
    software: Software,
}

#[derive(Deserialize)]
struct Software {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

/// Learns the software of the server `actor` lives on, unless it was asked within the last day.
/// A server without NodeInfo is recorded as unknown (an empty name) so it is not asked again on
/// every follow; the publisher then sends it everything.
pub async fn learn(data: &Data<AppData>, actor: &Url) {
    let Some(domain) = domain_of(actor) else {
        return;
    };
    let known = async {
        let mut pooled = data.db.get().await.ok()?;
        instance::find_by_domain(&mut pooled.conn(), &domain)
            .await
            .ok()
            .flatten()
    }
    .await;
    let fresh = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(1);
    if known.is_some_and(|row| row.software.is_some() && row.updated_at > fresh) {
        return;
    }
    let (name, version) = match fetch(&data.outgoing, actor.scheme(), &domain).await {
        Ok(software) => (software.name.to_ascii_lowercase(), software.version),
        Err(reason) => {
            tracing::info!(%domain, %reason, "no NodeInfo");
            (String::new(), None)
        }
    };
    let stored = async {
        let mut pooled = data.db.get().await?;
        instance::set_software(&mut pooled.conn(), &domain, &name, version.as_deref()).await
    }
    .await;
    if let Err(e) = stored {
        tracing::warn!(%domain, error = %e, "cannot store an instance's software");
    }
}

async fn fetch(outgoing: &Outgoing, scheme: &str, domain: &str) -> Result<Software, String> {
    let links = Url::parse(&format!("{scheme}://{domain}/.well-known/nodeinfo"))
        .map_err(|e| e.to_string())?;
    let links: Links = get(outgoing, &links).await?;
    let link = links
        .links
        .iter()
        .filter(|l| {
            l.rel
                .starts_with("http://nodeinfo.diaspora.software/ns/schema/2.")
        })
        .max_by(|a, b| a.rel.cmp(&b.rel))
        .ok_or("no NodeInfo 2.x link")?;
    // The document must be on the same server: a link elsewhere is not followed.
    if domain_of(&link.href).as_deref() != Some(domain) {
        return Err(format!("NodeInfo link to another host: {}", link.href));
    }
    let info: NodeInfo = get(outgoing, &link.href).await?;
    Ok(info.software)
}

async fn get<T: for<'de> Deserialize<'de>>(outgoing: &Outgoing, url: &Url) -> Result<T, String> {
    outgoing
        .get_json(url, "application/json", MAX_BYTES, TIMEOUT)
        .await
        .map_err(|e| e.to_string())
}
