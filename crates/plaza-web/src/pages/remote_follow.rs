//! Following a group or replying to a thread from any fediverse account: the visitor gives their
//! handle, we look their server up by WebFinger, and send them to its "remote follow" page
//! (the `http://ostatus.org/schema/1.0/subscribe` template) for the group or thread.

use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use plaza_core::thread_view::{self, CommentSort};
use plaza_federation::outgoing::FetchError;
use serde::Deserialize;
use url::Url;

use super::forms::PageForm;
use super::group::local_group;
use super::layout::{Layout, PageError, render, respond};
use super::session::Visitor;
use crate::AppState;

/// The WebFinger link relation of the remote-follow page.
pub const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";
/// Largest WebFinger document read.
const MAX_WEBFINGER_BYTES: usize = 64 * 1024;
/// How long the WebFinger lookup may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(8);

/// The form.
#[derive(Debug, Deserialize)]
pub struct HandleForm {
    /// `@me@mastodon.social` (the leading `@` is optional).
    #[serde(default)]
    pub handle: String,
}

/// The form page, with a message after a failed attempt.
#[derive(Template)]
#[template(path = "remote_follow.html")]
pub struct RemoteFollowPage {
    /// The layout.
    pub layout: Layout,
    /// "Follow" / "Reply to".
    pub intro: &'static str,
    /// "follow it" / "reply".
    pub verb: &'static str,
    /// What is followed or answered.
    pub target_title: String,
    /// Its page.
    pub target_href: String,
    /// Where the form posts.
    pub action: String,
    /// What the visitor typed.
    pub handle: String,
    /// What went wrong.
    pub message: Option<String>,
}

/// Why no remote-follow page was found.
#[derive(Debug, PartialEq, Eq)]
pub enum LookupError {
    /// Not a handle (400).
    BadHandle,
    /// The server is at a loopback or private address, which is never asked outside
    /// development mode (400).
    NotPublic(String),
    /// The server did not answer, or not with WebFinger (502).
    Unreachable(String),
    /// The server answered but offers no remote-follow page (502).
    NoTemplate(String),
}

impl LookupError {
    fn status(&self) -> StatusCode {
        match self {
            LookupError::BadHandle | LookupError::NotPublic(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::BAD_GATEWAY,
        }
    }

    fn message(&self) -> String {
        match self {
            LookupError::BadHandle => {
                "That is not a fediverse handle. Enter it as @name@server, for example @me@mastodon.social.".to_owned()
            }
            LookupError::NotPublic(domain) => format!(
                "{domain} is not a public fediverse server. Check the handle."
            ),
            LookupError::Unreachable(domain) => format!(
                "We could not look your account up on {domain}. Check the handle, or try again later."
            ),
            LookupError::NoTemplate(domain) => format!(
                "{domain} does not offer a way to follow from another site. Search for the handle shown on this page from your own server instead."
            ),
        }
    }
}

/// A handle split into name and server, checked: `(name, domain)`. Ports are only allowed in
/// development mode.
pub fn parse_handle(handle: &str, dev_mode: bool) -> Result<(String, String), LookupError> {
    let handle = handle.trim();
    let handle = handle.strip_prefix('@').unwrap_or(handle);
    let (name, domain) = handle.split_once('@').ok_or(LookupError::BadHandle)?;
    let name_ok = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !name_ok || domain.is_empty() || domain.len() > 253 {
        return Err(LookupError::BadHandle);
    }
    let url = Url::parse(&format!("https://{domain}/")).map_err(|_| LookupError::BadHandle)?;
    // The domain must be just a host (and port): no path, user, query or anything else.
    let host_ok = matches!(url.host(), Some(url::Host::Domain(_)))
        && url.path() == "/"
        && url.username().is_empty()
        && url.query().is_none()
        && url.fragment().is_none();
    let canonical = plaza_federation::domain_of(&url).ok_or(LookupError::BadHandle)?;
    if !host_ok || canonical != domain.to_ascii_lowercase() || (url.port().is_some() && !dev_mode) {
        return Err(LookupError::BadHandle);
    }
    Ok((name.to_owned(), canonical))
}

#[derive(Deserialize)]
struct Jrd {
    #[serde(default)]
    links: Vec<JrdLink>,
}

#[derive(Deserialize)]
struct JrdLink {
    #[serde(default)]
    rel: String,
    template: Option<String>,
}

/// Finds the visitor's remote-follow page for `object_id`.
pub async fn subscribe_url(
    state: &AppState,
    handle: &str,
    object_id: &str,
) -> Result<String, LookupError> {
    // The instance's outgoing client: outside development mode it asks public servers only,
    // over https, and checks every redirect the same way.
    let outgoing = &state.federation.outgoing;
    let dev = outgoing.dev_mode();
    let (name, domain) = parse_handle(handle, dev)?;
    let scheme = if dev { "http" } else { "https" };
    let mut url = Url::parse(&format!("{scheme}://{domain}/.well-known/webfinger"))
        .map_err(|_| LookupError::BadHandle)?;
    url.query_pairs_mut()
        .append_pair("resource", &format!("acct:{name}@{domain}"));
    let jrd: Jrd = outgoing
        .get_json(
            &url,
            "application/jrd+json, application/json;q=0.9",
            MAX_WEBFINGER_BYTES,
            LOOKUP_TIMEOUT,
        )
        .await
        .map_err(|e| {
            tracing::debug!(error = %e, %domain, "WebFinger lookup failed");
            match e {
                FetchError::Refused(_) => LookupError::NotPublic(domain.clone()),
                FetchError::Failed(_) => LookupError::Unreachable(domain.clone()),
            }
        })?;
    let template = jrd
        .links
        .into_iter()
        .find(|l| l.rel == SUBSCRIBE_REL)
        .and_then(|l| l.template)
        .filter(|t| t.contains("{uri}"))
        .ok_or_else(|| LookupError::NoTemplate(domain.clone()))?;
    let encoded: String = url::form_urlencoded::byte_serialize(object_id.as_bytes()).collect();
    let target = template.replace("{uri}", &encoded);
    match Url::parse(&target) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(u.to_string()),
        _ => Err(LookupError::NoTemplate(domain)),
    }
}

/// What the form is about.
struct Target {
    intro: &'static str,
    verb: &'static str,
    title: String,
    href: String,
    action: String,
    object_id: String,
}

async fn group_target(state: &AppState, name: &str) -> Result<Target, PageError> {
    let details = local_group(state, name).await?;
    let g = details.view.group;
    Ok(Target {
        intro: "Follow",
        verb: "follow it",
        href: format!("/g/{}", g.name),
        action: format!("/g/{}/follow", g.name),
        title: g.title,
        object_id: g.ap_id,
    })
}

async fn thread_target(state: &AppState, id: &str) -> Result<Target, PageError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| PageError::not_found("thread"))?;
    let view = thread_view::get(&state.ctx, None, id, CommentSort::Top).await?;
    if view.post.deleted {
        return Err(PageError::gone("This thread was deleted."));
    }
    Ok(Target {
        intro: "Reply to",
        verb: "reply",
        href: format!("/post/{}", view.post.id),
        action: format!("/post/{}/reply", view.post.id),
        title: view.post.title,
        object_id: view.post.ap_id,
    })
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    target: Target,
    status: StatusCode,
    handle: String,
    message: Option<String>,
) -> Result<Response, PageError> {
    let layout = Layout::new(
        &state.ctx,
        visitor,
        format!("{} {}", target.intro, target.title),
    )
    .await?;
    let page = RemoteFollowPage {
        layout,
        intro: target.intro,
        verb: target.verb,
        target_title: target.title,
        target_href: target.href,
        action: target.action,
        handle,
        message,
    };
    Ok(render(status, &page))
}

async fn submit(
    state: &AppState,
    visitor: &Visitor,
    target: Target,
    handle: String,
) -> Result<Response, PageError> {
    match subscribe_url(state, &handle, &target.object_id).await {
        Ok(location) => match HeaderValue::from_str(&location) {
            Ok(location) => {
                Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
            }
            Err(e) => {
                // A parsed URL is always a valid header value; this is a bug if it happens.
                tracing::error!(error = %e, "remote-follow URL is not a header value");
                Err(PageError::internal())
            }
        },
        Err(error) => {
            form_page(
                state,
                visitor,
                target,
                error.status(),
                handle,
                Some(error.message()),
            )
            .await
        }
    }
}

/// The form alone, for a target that exists.
async fn blank_form(
    state: &AppState,
    visitor: &Visitor,
    target: Result<Target, PageError>,
) -> Response {
    let result = match target {
        Ok(target) => form_page(state, visitor, target, StatusCode::OK, String::new(), None).await,
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}

/// `GET /g/NAME/follow`: the form alone.
pub async fn group_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
) -> Response {
    blank_form(&state, &visitor, group_target(&state, &name).await).await
}

/// `POST /g/NAME/follow`: off to the visitor's server, or the form again with a message.
pub async fn follow_group(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: PageForm<HandleForm>,
) -> Response {
    let result = match group_target(&state, &name).await {
        Ok(target) => submit(&state, &form.visitor, target, form.fields.handle).await,
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}

/// `GET /post/ID/reply`: the form alone.
pub async fn thread_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    blank_form(&state, &visitor, thread_target(&state, &id).await).await
}

/// `POST /post/ID/reply`: off to the visitor's server, or the form again with a message.
pub async fn reply_to_thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<HandleForm>,
) -> Response {
    let result = match thread_target(&state, &id).await {
        Ok(target) => submit(&state, &form.visitor, target, form.fields.handle).await,
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_split_into_name_and_server() {
        assert_eq!(
            parse_handle(" @me@Mastodon.Social ", false),
            Ok(("me".to_owned(), "mastodon.social".to_owned()))
        );
        assert_eq!(
            parse_handle("me@lemmy.world", false),
            Ok(("me".to_owned(), "lemmy.world".to_owned()))
        );
        assert_eq!(
            parse_handle("me@localhost:8080", true),
            Ok(("me".to_owned(), "localhost:8080".to_owned()))
        );
    }

    #[test]
    fn anything_but_a_handle_is_refused() {
        for bad in [
            "",
            "me",
            "@me",
            "me@",
            "@@x.example",
            "me@x.example/path",
            "me@x.example?q",
            "me@user@x.example",
            "me@127.0.0.1",
            "me@[::1]",
            "me@x.example:8080",
            "m e@x.example",
            "<script>@x.example",
        ] {
            assert_eq!(
                parse_handle(bad, false),
                Err(LookupError::BadHandle),
                "{bad}"
            );
        }
    }
}
