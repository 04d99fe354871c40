//! What a handle or URL typed into the search box names: a group, a person, a thread or a
//! comment, found here or fetched from its server and stored, so the searcher lands on the local
//! copy. Servers Plaza does not federate with are never asked.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use activitypub_federation::fetch::{FetchObjectResponse, fetch_object_http};
use plaza_core::{CoreError, groups, people};
use plaza_db::group::GroupRow;
use plaza_db::instance;
use plaza_db::person::{self, PersonRow};
use url::Url;

use crate::AppData;
use crate::objects::actor::ApubActor;
use crate::objects::content::{self, Stored};
use crate::objects::group::ApubGroup;
use crate::protocol::received::ReceivedObject;

/// Longest text treated as a handle or URL.
const MAX_CHARS: usize = 2048;

/// What a handle or URL named.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A group.
    Group(GroupRow),
    /// A person.
    Person(PersonRow),
    /// A thread.
    Thread {
        /// Its id here.
        post_id: i64,
    },
    /// A comment.
    Comment {
        /// Its thread's id here.
        post_id: i64,
        /// Its id here.
        comment_id: i64,
    },
}

/// What kind of name a search text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// `!name@domain`: a group only.
    GroupHandle(String),
    /// `@name@domain` or `name@domain`: a group or a person.
    Handle(String),
    /// An http(s) URL.
    Url(Url),
}

/// The handle or URL a search text is, if it is one: a single word, `[!@]name@domain` with a
/// plausible host, or an absolute http(s) URL.
pub fn address_of(text: &str) -> Option<Address> {
    let text = text.trim();
    if text.is_empty()
        || text.chars().count() > MAX_CHARS
        || text.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    if text.starts_with("https://") || text.starts_with("http://") {
        let url = Url::parse(text).ok()?;
        return url.host_str().is_some().then_some(Address::Url(url));
    }
    let (group_only, bare) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('@').unwrap_or(text)),
    };
    let (name, domain) = bare.split_once('@')?;
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let domain_ok = Url::parse(&format!("https://{domain}/"))
        .ok()
        .is_some_and(|u| {
            u.path() == "/" && crate::domain_of(&u).as_deref() == Some(&domain.to_ascii_lowercase())
        });
    if !name_ok || !domain_ok {
        return None;
    }
    let handle = format!("{name}@{}", domain.to_ascii_lowercase());
    Some(if group_only {
        Address::GroupHandle(handle)
    } else {
        Address::Handle(handle)
    })
}

/// Resolves a search text that is a handle or URL; `None` when it is neither, names nothing
/// found, or names something on a server Plaza does not federate with.
pub async fn resolve(data: &Data<AppData>, text: &str) -> Option<Resolved> {
    let address = address_of(text)?;
    match resolve_address(data, &address).await {
        Ok(found) => found,
        Err(e) => {
            tracing::info!(%text, error = %e, "a searched handle or URL did not resolve");
            None
        }
    }
}

async fn resolve_address(
    data: &Data<AppData>,
    address: &Address,
) -> Result<Option<Resolved>, CoreError> {
    match address {
        Address::GroupHandle(handle) => {
            if let Some(g) = known_group(data, handle).await? {
                return Ok(Some(Resolved::Group(g)));
            }
            if !federates(data, handle_domain(handle)).await? {
                return Ok(None);
            }
            Ok(webfinger(data, handle)
                .await
                .filter(|r| matches!(r, Resolved::Group(_))))
        }
        Address::Handle(handle) => {
            if let Some(g) = known_group(data, handle).await? {
                return Ok(Some(Resolved::Group(g)));
            }
            if let Some(p) = known_person(data, handle).await? {
                return Ok(Some(Resolved::Person(p)));
            }
            if !federates(data, handle_domain(handle)).await? {
                return Ok(None);
            }
            Ok(webfinger(data, handle).await)
        }
        Address::Url(url) => {
            let domain = crate::domain_of(url).unwrap_or_default();
            if !content::is_local(data, url) && !federates(data, &domain).await? {
                return Ok(None);
            }
            let mut pooled = data.db.get().await?;
            let known = content::find(&mut pooled.conn(), url.as_str()).await;
            drop(pooled);
            if let Ok(Some(stored)) = known {
                return Ok(Some(stored_found(stored)));
            }
            if content::is_local(data, url) {
                return Ok(local_actor(data, url).await);
            }
            Ok(remote_url(data, url).await)
        }
    }
}

/// A local URL that is no thread or comment: a group or person here, if any.
async fn local_actor(data: &Data<AppData>, url: &Url) -> Option<Resolved> {
    ObjectId::<ApubActor>::from(url.clone())
        .dereference_local(data)
        .await
        .ok()
        .map(actor_found)
}

/// A URL on another server: a thread or comment is fetched and stored where it has a place here
/// (in one of our groups, or one someone here follows, as for anything received); one that has
/// none gives its group, whose page offers to follow it. Anything else is tried as an actor.
async fn remote_url(data: &Data<AppData>, url: &Url) -> Option<Resolved> {
    let fetched: Result<FetchObjectResponse<ReceivedObject>, _> =
        fetch_object_http(url, data).await;
    match fetched {
        Ok(response) if content::CONTENT_TYPES.contains(&response.object.kind.as_str()) => {
            let object = response.object;
            match content::store_fetched(data, &object, 0).await {
                Ok(Some(stored)) => return Some(stored_found(stored)),
                Ok(None) => {}
                Err(e) => tracing::debug!(%url, error = %e, "searched content not stored"),
            }
            for addressee in object.addressees() {
                let Ok(candidate) = Url::parse(addressee) else {
                    continue;
                };
                if let Ok(group) = ObjectId::<ApubGroup>::from(candidate)
                    .dereference(data)
                    .await
                {
                    return Some(Resolved::Group(group.row));
                }
            }
            None
        }
        _ => ObjectId::<ApubActor>::from(url.clone())
            .dereference(data)
            .await
            .map_err(|e| tracing::debug!(%url, error = %e, "searched URL is no content or actor"))
            .ok()
            .map(actor_found),
    }
}

fn stored_found(stored: Stored) -> Resolved {
    match stored {
        Stored::Post(p) => Resolved::Thread { post_id: p.id },
        Stored::Comment(c) => Resolved::Comment {
            post_id: c.post_id,
            comment_id: c.id,
        },
    }
}

fn handle_domain(handle: &str) -> &str {
    handle.rsplit_once('@').map_or("", |(_, d)| d)
}

fn actor_found(actor: ApubActor) -> Resolved {
    match actor {
        ApubActor::Group(g) => Resolved::Group(g.row),
        ApubActor::Person(p) => Resolved::Person(p.row),
    }
}

async fn known_group(data: &Data<AppData>, handle: &str) -> Result<Option<GroupRow>, CoreError> {
    let mut pooled = data.db.get().await?;
    match groups::find_named(data.app_data(), &mut pooled.conn(), handle).await {
        Ok(g) => Ok(Some(g)),
        Err(CoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn known_person(data: &Data<AppData>, handle: &str) -> Result<Option<PersonRow>, CoreError> {
    match people::by_handle(data.app_data(), handle).await {
        Ok(id) => {
            let mut pooled = data.db.get().await?;
            let row = person::find(&mut pooled.conn(), id).await?;
            Ok((!row.deleted).then_some(row))
        }
        Err(CoreError::NotFound(_) | CoreError::Invalid { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether a handle's or URL's server may be asked. This instance never is: what it has is
/// known already.
async fn federates(data: &Data<AppData>, domain: &str) -> Result<bool, CoreError> {
    if domain.is_empty() || domain == data.urls.domain() {
        return Ok(false);
    }
    let mut pooled = data.db.get().await?;
    Ok(instance::federates_with(&mut pooled.conn(), domain)
        .await?
        .is_ok())
}

async fn webfinger(data: &Data<AppData>, handle: &str) -> Option<Resolved> {
    match webfinger_resolve_actor::<AppData, ApubActor>(handle, data).await {
        Ok(actor) => Some(actor_found(actor)),
        Err(e) => {
            tracing::debug!(%handle, error = %e, "WebFinger lookup for a search failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_urls_are_addresses() {
        assert_eq!(
            address_of(" !help@Brand.example "),
            Some(Address::GroupHandle("help@brand.example".into()))
        );
        assert_eq!(
            address_of("@ann@social.example"),
            Some(Address::Handle("ann@social.example".into()))
        );
        assert_eq!(
            address_of("help@localhost:8080"),
            Some(Address::Handle("help@localhost:8080".into()))
        );
        assert!(matches!(
            address_of("https://other.example/post/3"),
            Some(Address::Url(_))
        ));
    }

    #[test]
    fn ordinary_searches_are_no_addresses() {
        for text in [
            "printer jam",
            "printer",
            "@",
            "a@",
            "@b",
            "x@y/z",
            "mail me at a@b.example please",
            "javascript:alert(1)",
            "ftp://files.example/x",
            "<b>@x.example",
        ] {
            assert_eq!(address_of(text), None, "{text}");
        }
    }
}
