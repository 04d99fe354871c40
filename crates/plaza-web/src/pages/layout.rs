//! What every page shares: the layout data, people and times as pages show them, rendering a
//! template into a response, the error page and the safety headers.

use std::collections::HashSet;

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, Utc};
use plaza_core::{Context, CoreError};
use plaza_db::person::PersonBrief;

use super::session::Visitor;

/// The Content-Security-Policy of every page: no scripts, no plug-ins, styles and frames only
/// from here, images from here or any https origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' https: data:; style-src 'self'";

/// What the base template needs besides the page's own content.
pub struct Layout {
    /// The site's name, from the `site` row.
    pub site_name: String,
    /// The page's title (without the site name).
    pub title: String,
    /// Feeds announced with `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
    /// The ActivityPub id of what the page shows, announced for fediverse software.
    pub activity_id: Option<String>,
    /// The page's one URL, for search engines (without sort or page parameters).
    pub canonical: Option<String>,
    /// Who is signed in, for the header.
    pub viewer: Option<ViewerView>,
    /// The CSRF token of this browser's forms.
    pub csrf: String,
    /// Whether the header offers to sign up.
    pub registrations_open: bool,
    /// This instance's domain (handles are `name@domain`).
    pub domain: String,
    /// What the header's search box holds: the search shown, on the results page.
    pub search: String,
}

/// The signed-in person as the header shows them.
pub struct ViewerView {
    /// Their name.
    pub name: String,
    /// Their page.
    pub href: String,
    /// An administrator (the header links the instance's settings).
    pub admin: bool,
    /// Staff or an administrator (the header links the insight pages).
    pub insight: bool,
    /// How many of their notifications are unread.
    pub unread: i64,
}

/// A feed a page links to.
pub struct FeedLink {
    /// `application/rss+xml` or `application/atom+xml`.
    pub mime: &'static str,
    /// Its title.
    pub title: String,
    /// Its path.
    pub href: String,
}

impl FeedLink {
    /// The RSS and Atom feeds under `base` (`""` for the instance, `/g/NAME` for a group).
    pub fn pair(base: &str, title: &str) -> Vec<FeedLink> {
        vec![
            FeedLink {
                mime: "application/rss+xml",
                title: format!("{title} (RSS)"),
                href: format!("{base}/feed.rss"),
            },
            FeedLink {
                mime: "application/atom+xml",
                title: format!("{title} (Atom)"),
                href: format!("{base}/feed.atom"),
            },
        ]
    }
}

impl Layout {
    /// A layout with the site's current name, for this visitor.
    pub async fn new(
        ctx: &Context,
        visitor: &Visitor,
        title: impl Into<String>,
    ) -> Result<Self, PageError> {
        let site = plaza_core::site::get(ctx).await?;
        Self::for_site(ctx, visitor, &site, title).await
    }

    /// The same, for a page that has read the site row already.
    pub async fn for_site(
        ctx: &Context,
        visitor: &Visitor,
        site: &plaza_db::site::SiteRow,
        title: impl Into<String>,
    ) -> Result<Self, PageError> {
        Self::for_account(ctx, visitor.account.as_ref(), &visitor.csrf, site, title).await
    }

    /// The same for whoever is signed in with this browser's CSRF token.
    async fn for_account(
        ctx: &Context,
        account: Option<&plaza_core::Account>,
        csrf: &str,
        site: &plaza_db::site::SiteRow,
        title: impl Into<String>,
    ) -> Result<Self, PageError> {
        let viewer = match account {
            Some(a) => Some(ViewerView {
                href: format!("/u/{}", a.name),
                name: a.name.clone(),
                admin: a.admin,
                insight: plaza_core::insight::may_see(a),
                unread: plaza_core::notifications::unread_count(ctx, a).await?,
            }),
            None => None,
        };
        Ok(Self {
            site_name: site.name.clone(),
            title: title.into(),
            feeds: Vec::new(),
            activity_id: None,
            canonical: None,
            viewer,
            csrf: csrf.to_owned(),
            registrations_open: site.registrations_open,
            domain: ctx.urls.domain().to_owned(),
            search: String::new(),
        })
    }
}

/// A moment as pages show it: "3 hours ago", with the exact time for machines and tooltips.
pub struct TimeView {
    /// RFC 3339 in UTC, for `<time datetime>`.
    pub iso: String,
    /// "2026-11-23 12:30 UTC".
    pub absolute: String,
    /// "3 hours ago".
    pub relative: String,
}

impl TimeView {
    /// A stored (UTC) time, relative to now.
    pub fn new(at: NaiveDateTime) -> Self {
        Self::relative_to(at, Utc::now().naive_utc())
    }

    /// A time relative to a given now.
    pub fn relative_to(at: NaiveDateTime, now: NaiveDateTime) -> Self {
        Self {
            iso: at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            absolute: at.format("%Y-%m-%d %H:%M UTC").to_string(),
            relative: relative(now.signed_duration_since(at).num_seconds()),
        }
    }
}

/// "N units ago" for an age in seconds; future times (clock skew) are "just now".
fn relative(seconds: i64) -> String {
    const UNITS: [(i64, &str); 5] = [
        (365 * 86_400, "year"),
        (30 * 86_400, "month"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ];
    for (size, unit) in UNITS {
        if seconds >= size {
            let n = seconds / size;
            let plural = if n == 1 { "" } else { "s" };
            return format!("{n} {unit}{plural} ago");
        }
    }
    "just now".to_owned()
}

/// "1 thread", "2 threads": a count with its noun.
pub fn count(n: &i64, noun: &str) -> String {
    if *n == 1 || *n == -1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A person as pages show them: always with their full handle.
pub struct PersonView {
    /// `name@domain`.
    pub handle: String,
    /// The name to show: the display name, or the name.
    pub shown_name: String,
    /// Their page here.
    pub href: String,
    /// Not from this instance.
    pub remote: bool,
    /// The account was deleted.
    pub deleted: bool,
    /// A bot account.
    pub bot: bool,
    /// Brand staff here.
    pub staff: bool,
    /// A moderator of the group the page is about (set by pages that know the group).
    pub moderator: bool,
}

impl From<&PersonBrief> for PersonView {
    fn from(p: &PersonBrief) -> Self {
        let handle = format!("{}@{}", p.name, p.domain);
        let href = if p.local {
            format!("/u/{}", segment(&p.name))
        } else {
            format!("/u/{}", segment(&handle))
        };
        Self {
            href,
            shown_name: p
                .display_name
                .clone()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| p.name.clone()),
            handle,
            remote: !p.local,
            deleted: p.deleted,
            bot: p.bot,
            staff: p.staff,
            moderator: false,
        }
    }
}

impl PersonView {
    /// A person on a page about one group, marked when they moderate it.
    pub fn marking_moderators(p: &PersonBrief, moderator_ids: &HashSet<i64>) -> Self {
        Self {
            moderator: moderator_ids.contains(&p.id),
            ..Self::from(p)
        }
    }
}

/// A path segment kept as it is when made of plain characters, or else percent-encoded (a
/// remote name is whatever the other server sent).
pub fn segment(raw: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | ':');
    if raw.chars().all(plain) && !raw.contains("..") {
        return raw.to_owned();
    }
    // Form encoding writes a space as `+`, which a path does not decode.
    url::form_urlencoded::byte_serialize(raw.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A link as pages may render it: only http(s), so a stored `javascript:` URL never becomes one.
pub fn safe_link(url: Option<&str>) -> Option<String> {
    let url = url::Url::parse(url?.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Renders a template with a status as an HTML response.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot render a page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The layout.
    pub layout: Layout,
    /// One sentence for the reader.
    pub message: String,
}

/// Why a page could not be shown; answered with the friendly error page, or with a redirect to
/// the log-in page when only signing in is missing.
#[derive(Debug)]
pub struct PageError {
    /// The status.
    pub status: StatusCode,
    /// The page's heading.
    pub title: &'static str,
    /// One sentence for the reader.
    pub message: String,
    /// Where to send the browser instead of showing the page (303).
    pub redirect: Option<String>,
    /// Who was refused, when signed in: the error page's header shows them as on any other
    /// page rather than offering to log in.
    pub seen_by: Option<Box<SeenBy>>,
}

/// The signed-in visitor an error page is shown to: only what the header needs.
#[derive(Debug)]
pub struct SeenBy {
    account: plaza_core::Account,
    csrf: String,
}

impl PageError {
    /// 404 for something that is not here.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!(
                "There is no such {what} here. It may have moved, or the link may be mistyped."
            ),
        )
    }

    /// Any other status with its heading and sentence.
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            redirect: None,
            seen_by: None,
        }
    }

    /// The same error, its page showing the visitor as signed in (when they are).
    #[must_use]
    pub fn seen_by(self, visitor: &Visitor) -> Self {
        Self {
            seen_by: visitor.account.as_ref().map(|account| {
                Box::new(SeenBy {
                    account: account.clone(),
                    csrf: visitor.csrf.clone(),
                })
            }),
            ..self
        }
    }

    /// A page for signed-in people, opened by someone who is not: to the log-in page, coming
    /// back to `back_to` afterwards.
    pub fn login_first(back_to: &str) -> Self {
        let next: String = url::form_urlencoded::byte_serialize(back_to.as_bytes()).collect();
        Self {
            redirect: Some(format!("/login?next={next}")),
            ..Self::new(
                StatusCode::SEE_OTHER,
                "Please log in",
                "Log in to see this page.",
            )
        }
    }

    /// 403 for something this visitor may not do.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Not allowed", message)
    }

    /// 410 for something deleted.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, "Gone", message)
    }

    /// 500 for a bug; the caller logs the cause.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Something went wrong on our side. Please try again later.",
        )
    }

    /// Renders the error page; the site name is looked up, or left out if that fails too.
    pub async fn render(self, ctx: &Context) -> Response {
        if let Some(to) = &self.redirect {
            return see_other(to);
        }
        // A refusal is worth a line for whoever reads the log; a missing page is routine.
        if self.status.is_client_error() {
            if matches!(self.status, StatusCode::NOT_FOUND | StatusCode::GONE) {
                tracing::debug!(status = %self.status, message = %self.message, "page refused");
            } else {
                tracing::info!(status = %self.status, message = %self.message, "page refused");
            }
        }
        let site = plaza_core::site::get(ctx).await;
        let layout = match (&site, &self.seen_by) {
            (Ok(site), Some(seen)) => {
                Layout::for_account(ctx, Some(&seen.account), &seen.csrf, site, self.title)
                    .await
                    .ok()
            }
            _ => None,
        };
        let site_name = match site {
            Ok(site) => site.name,
            Err(_) => ctx.settings.instance_name.clone(),
        };
        let layout = layout.unwrap_or_else(|| Layout {
            site_name,
            title: self.title.to_owned(),
            feeds: Vec::new(),
            activity_id: None,
            canonical: None,
            viewer: None,
            csrf: String::new(),
            registrations_open: false,
            domain: ctx.urls.domain().to_owned(),
            search: String::new(),
        });
        let page = ErrorPage {
            layout,
            message: self.message,
        };
        render(self.status, &page)
    }
}

impl From<CoreError> for PageError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::NotFound(what) => Self::not_found(what),
            CoreError::Gone(message) => Self::gone(format!("This is gone: {message}.")),
            CoreError::Forbidden(message) => Self::forbidden(capitalized(&message)),
            CoreError::Unauthorized(_) => Self::new(
                StatusCode::UNAUTHORIZED,
                "Please log in",
                "Log in to do this.",
            ),
            CoreError::Invalid { field, reason } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Not accepted",
                format!("The {field} {reason}."),
            ),
            CoreError::Conflict(message) => {
                Self::new(StatusCode::CONFLICT, "Already there", capitalized(&message))
            }
            CoreError::Unsupported(message) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Not accepted",
                capitalized(&message),
            ),
            CoreError::TooLarge(message) => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Not accepted",
                capitalized(&message),
            ),
            CoreError::Unavailable(message) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Not available here",
                capitalized(&message),
            ),
            CoreError::Db(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "the database is unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Busy",
                    "The server is busy. Please try again in a moment.",
                )
            }
            other => {
                tracing::error!(error = %other, "page failed");
                Self::internal()
            }
        }
    }
}

/// A core message ("only moderators may…") as the start of a sentence.
pub fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => {
            let mut s: String = first.to_uppercase().collect();
            s.push_str(chars.as_str());
            if !s.ends_with('.') {
                s.push('.');
            }
            s
        }
        None => String::new(),
    }
}

/// A 303 to `to`.
pub fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Turns a page handler's result into a response, rendering errors as the error page.
pub async fn respond(ctx: &Context, result: Result<Response, PageError>) -> Response {
    match result {
        Ok(response) => response,
        Err(error) => error.render(ctx).await,
    }
}

/// The answer to a path that does not exist: the HTML page for a request that asks for HTML,
/// the JSON error otherwise.
pub async fn no_such_page(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let asks_html = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"));
    if asks_html {
        PageError::not_found("page").render(&state.ctx).await
    } else {
        crate::ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such page").into_response()
    }
}

/// Middleware on the page routes: a rate-limited form post (the limiter answers the API's
/// JSON) gets the HTML error page instead, keeping `Retry-After`.
pub async fn friendly_rate_limit(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::TOO_MANY_REQUESTS {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let wait = retry_after
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "a moment".to_owned(), |s| format!("{s} seconds"));
    let mut page = PageError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Slow down",
        format!("Too many tries from your address. Please try again in {wait}."),
    )
    .render(&state.ctx)
    .await;
    if let Some(value) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, value);
    }
    page
}

/// Middleware: adds the Content-Security-Policy and the other safety headers to every HTML
/// response.
pub async fn safety_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_the_largest_whole_unit() {
        assert_eq!(relative(-5), "just now");
        assert_eq!(relative(59), "just now");
        assert_eq!(relative(60), "1 minute ago");
        assert_eq!(relative(3 * 3_600 + 59), "3 hours ago");
        assert_eq!(relative(86_400), "1 day ago");
        assert_eq!(relative(400 * 86_400), "1 year ago");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(&1, "thread"), "1 thread");
        assert_eq!(count(&0, "thread"), "0 threads");
        assert_eq!(count(&-1, "point"), "-1 point");
        assert_eq!(count(&12, "follower"), "12 followers");
    }

    #[test]
    fn odd_remote_names_are_encoded_in_links() {
        assert_eq!(segment("cleo@social.example"), "cleo@social.example");
        assert_eq!(segment("me@localhost:8080"), "me@localhost:8080");
        assert_eq!(segment("../x@a.example"), "..%2Fx%40a.example");
        assert_eq!(segment("a b+?c@d"), "a%20b%2B%3Fc%40d");
    }

    #[test]
    fn only_http_links_are_rendered() {
        assert_eq!(
            safe_link(Some("https://a.example/x")).as_deref(),
            Some("https://a.example/x")
        );
        assert_eq!(safe_link(Some("javascript:alert(1)")), None);
        assert_eq!(safe_link(Some(" JavaScript:alert(1)")), None);
        assert_eq!(safe_link(Some("data:text/html,x")), None);
        assert_eq!(safe_link(None), None);
    }
}
