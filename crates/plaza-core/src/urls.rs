//! The public URLs of local things. Each is also the thing's ActivityPub id, so the scheme is
//! fixed once the instance has federated (see docs/architecture.md, "Public URLs").

use url::Url;

use crate::{CoreError, CoreResult};

/// Builds the public URLs of this instance from its base URL.
#[derive(Debug, Clone)]
pub struct Urls {
    base: Url,
    domain: String,
}

impl Urls {
    /// Checks a base URL such as `https://brand.example` (no path, query or fragment).
    pub fn new(base: &str) -> CoreResult<Self> {
        let base = Url::parse(base)
            .map_err(|e| CoreError::Config(format!("public URL '{base}' is not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(CoreError::Config(format!(
                "public URL '{base}' must start with https:// (or http:// in development)"
            )));
        }
        if base.path() != "/" || base.query().is_some() || base.fragment().is_some() {
            return Err(CoreError::Config(format!(
                "public URL '{base}' must be a bare origin such as https://brand.example, without a path"
            )));
        }
        let host = base
            .host_str()
            .ok_or_else(|| CoreError::Config(format!("public URL '{base}' names no host")))?
            .to_ascii_lowercase();
        let domain = match base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        };
        Ok(Self { base, domain })
    }

    /// `host[:port]`: the instance's identity in handles (`name@domain`).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    fn join(&self, path: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.into()
    }

    /// A local person: `/u/NAME`.
    pub fn person(&self, name: &str) -> String {
        self.join(&format!("/u/{name}"))
    }

    /// A local person's inbox.
    pub fn person_inbox(&self, name: &str) -> String {
        self.join(&format!("/u/{name}/inbox"))
    }

    /// A local group: `/g/NAME`.
    pub fn group(&self, name: &str) -> String {
        self.join(&format!("/g/{name}"))
    }

    /// A local group's inbox.
    pub fn group_inbox(&self, name: &str) -> String {
        self.join(&format!("/g/{name}/inbox"))
    }

    /// A local group's followers collection.
    pub fn group_followers(&self, name: &str) -> String {
        self.join(&format!("/g/{name}/followers"))
    }

    /// The instance's shared inbox.
    pub fn shared_inbox(&self) -> String {
        self.join("/inbox")
    }

    /// The instance actor: `/actor`.
    pub fn instance_actor(&self) -> String {
        self.join("/actor")
    }

    /// A local person's outbox.
    pub fn person_outbox(&self, name: &str) -> String {
        self.join(&format!("/u/{name}/outbox"))
    }

    /// A local group's outbox (recent announced activities).
    pub fn group_outbox(&self, name: &str) -> String {
        self.join(&format!("/g/{name}/outbox"))
    }

    /// A local group's featured (pinned) threads.
    pub fn group_featured(&self, name: &str) -> String {
        self.join(&format!("/g/{name}/featured"))
    }

    /// A local group's moderators collection.
    pub fn group_moderators(&self, name: &str) -> String {
        self.join(&format!("/g/{name}/moderators"))
    }

    /// An activity about a local object, e.g. `activity("create", &post_url)`. Derived from the
    /// object so the same activity keeps the same id in every collection page and delivery.
    pub fn activity(&self, verb: &str, object_url: &str) -> String {
        let object_path = object_url
            .strip_prefix(self.base.as_str())
            .unwrap_or(object_url)
            .trim_start_matches('/');
        self.join(&format!("/activities/{verb}/{object_path}"))
    }

    /// A new activity that no earlier one shares an id with (a vote, a follow, an Accept): peers
    /// ignore an id they have seen, so these must never repeat.
    pub fn unique_activity(&self, verb: &str) -> String {
        self.activity(verb, &crate::random_token())
    }

    /// A thread: `/post/ID`.
    pub fn post(&self, id: i64) -> String {
        self.join(&format!("/post/{id}"))
    }

    /// A comment: `/comment/ID`.
    pub fn comment(&self, id: i64) -> String {
        self.join(&format!("/comment/{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_documented_scheme() -> CoreResult<()> {
        let urls = Urls::new("https://Brand.Example")?;
        assert_eq!(urls.domain(), "brand.example");
        assert_eq!(urls.person("ada"), "https://brand.example/u/ada");
        assert_eq!(urls.group("support"), "https://brand.example/g/support");
        assert_eq!(urls.post(42), "https://brand.example/post/42");
        assert_eq!(urls.comment(7), "https://brand.example/comment/7");
        assert_eq!(
            urls.activity("create", &urls.post(42)),
            "https://brand.example/activities/create/post/42"
        );
        Ok(())
    }

    #[test]
    fn a_port_is_part_of_the_domain() -> CoreResult<()> {
        let urls = Urls::new("http://localhost:8080")?;
        assert_eq!(urls.domain(), "localhost:8080");
        assert_eq!(urls.group("support"), "http://localhost:8080/g/support");
        Ok(())
    }

    #[test]
    fn a_base_with_a_path_or_odd_scheme_is_refused() {
        assert!(Urls::new("https://brand.example/forum").is_err());
        assert!(Urls::new("ftp://brand.example").is_err());
        assert!(Urls::new("brand.example").is_err());
    }
}
