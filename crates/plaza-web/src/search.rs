//! What the search API and the search page share: where a result links to, and where a typed
//! handle or URL leads once federation has resolved it.

use plaza_core::search::Found;
use plaza_federation::lookup::{self, Resolved};

use crate::AppState;
use crate::pages::layout::segment;

/// Where a thread (and, for a comment, the comment's anchor in it) is read here.
pub fn result_href(found: &Found) -> String {
    match found.hit.comment_id {
        Some(comment_id) => format!("/post/{}#c-{comment_id}", found.hit.post_id),
        None => format!("/post/{}", found.hit.post_id),
    }
}

/// A group's page here: only groups of this instance have one.
pub fn group_href(name: &str, local: bool) -> Option<String> {
    local.then(|| format!("/g/{name}"))
}

/// What a searched handle or URL named, as the API and the page show it.
#[derive(Debug, Clone)]
pub struct ResolvedLink {
    /// `group`, `person`, `thread` or `comment`.
    pub kind: &'static str,
    /// Its page here, when it has one (a group elsewhere has none).
    pub href: Option<String>,
    /// Its name: a handle for groups and people.
    pub name: String,
    /// Its title or display name, when it has one.
    pub title: Option<String>,
    /// Its ActivityPub id (its page on its own server).
    pub url: Option<String>,
}

/// Resolves `text` when it is a handle or URL (see [`plaza_federation::lookup`]).
pub async fn resolve(state: &AppState, text: &str) -> Option<ResolvedLink> {
    lookup::address_of(text)?;
    let data = state.federation.to_request_data();
    let resolved = lookup::resolve(&data, text).await?;
    let domain_of = |ap_id: &str| {
        url::Url::parse(ap_id)
            .ok()
            .and_then(|u| plaza_federation::domain_of(&u))
            .unwrap_or_else(|| state.ctx.urls.domain().to_owned())
    };
    Some(match resolved {
        Resolved::Group(g) => ResolvedLink {
            kind: "group",
            href: group_href(&g.name, g.local),
            name: format!("{}@{}", g.name, domain_of(&g.ap_id)),
            title: Some(g.title),
            url: Some(g.ap_id),
        },
        Resolved::Person(p) => {
            let handle = format!("{}@{}", p.name, domain_of(&p.ap_id));
            ResolvedLink {
                kind: "person",
                href: Some(if p.local {
                    format!("/u/{}", segment(&p.name))
                } else {
                    format!("/u/{}", segment(&handle))
                }),
                name: handle,
                title: p.display_name,
                url: Some(p.ap_id),
            }
        }
        Resolved::Thread { post_id } => ResolvedLink {
            kind: "thread",
            href: Some(format!("/post/{post_id}")),
            name: format!("/post/{post_id}"),
            title: None,
            url: None,
        },
        Resolved::Comment {
            post_id,
            comment_id,
        } => ResolvedLink {
            kind: "comment",
            href: Some(format!("/post/{post_id}#c-{comment_id}")),
            name: format!("/comment/{comment_id}"),
            title: None,
            url: None,
        },
    })
}
