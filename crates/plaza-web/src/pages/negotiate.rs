//! Content negotiation on the public URLs that are both ActivityPub documents and web pages
//! (`/g/NAME`, `/u/NAME`, `/post/ID`, `/comment/ID`, and `/`, where servers find the instance
//! actor): servers asking for ActivityPub get the JSON document, everyone else the HTML page.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower::ServiceExt;

/// Whether a path is one of the URLs that answer both ActivityPub and HTML.
pub fn is_document_path(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    let mut segments = path.trim_start_matches('/').split('/');
    matches!(
        (segments.next(), segments.next(), segments.next()),
        (Some("g" | "u" | "post" | "comment"), Some(s), None) if !s.is_empty()
    )
}

/// The highest quality the `Accept` header gives to any of `types` (0 when none is listed).
fn quality(accept: &str, types: &[&str]) -> f32 {
    accept
        .split(',')
        .filter_map(|range| {
            let mut params = range.split(';').map(str::trim);
            let media = params.next()?.to_ascii_lowercase();
            if !types.contains(&media.as_str()) {
                return None;
            }
            let q = params
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some(q.clamp(0.0, 1.0))
        })
        .fold(0.0, f32::max)
}

/// Whether a request should get the HTML page: it does not ask for an ActivityPub type, or it
/// prefers HTML to it. A tie goes to ActivityPub, since browsers never name its types.
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let activity = quality(
        &accept,
        &["application/activity+json", "application/ld+json"],
    );
    let html = quality(&accept, &["text/html", "application/xhtml+xml"]);
    activity <= 0.0 || html > activity
}

/// The request without what routing attached to it (the federation route's path parameters),
/// ready to be routed again.
fn fresh(request: Request) -> Request {
    let (parts, body) = request.into_parts();
    let mut fresh = Request::new(body);
    *fresh.method_mut() = parts.method;
    *fresh.uri_mut() = parts.uri;
    *fresh.version_mut() = parts.version;
    *fresh.headers_mut() = parts.headers;
    fresh
}

/// Middleware: hands a page request on a shared URL to `pages` and lets every other request
/// through to the federation routes. Both answers carry `Vary: Accept`.
pub async fn negotiate(pages: Router, request: Request, next: Next) -> Response {
    let shared = matches!(*request.method(), Method::GET | Method::HEAD)
        && is_document_path(request.uri().path());
    if !shared {
        return next.run(request).await;
    }
    let mut response = if wants_html(request.headers()) {
        match pages.oneshot(fresh(request)).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    } else {
        next.run(request).await
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(header::ACCEPT, v);
        }
        headers
    }

    #[test]
    fn browsers_and_clients_without_an_activitypub_type_get_html() {
        assert!(wants_html(&HeaderMap::new()));
        assert!(wants_html(&accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        assert!(wants_html(&accept("*/*")));
        assert!(wants_html(&accept("application/json")));
        assert!(wants_html(&accept(
            "text/html, application/activity+json;q=0.5"
        )));
    }

    #[test]
    fn servers_asking_for_activitypub_get_json() {
        assert!(!wants_html(&accept("application/activity+json")));
        assert!(!wants_html(&accept(
            "application/activity+json, application/ld+json"
        )));
        assert!(!wants_html(&accept(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        )));
        assert!(!wants_html(&accept(
            "application/activity+json, text/html;q=0.1"
        )));
        assert!(!wants_html(&accept("Application/Activity+JSON")));
    }

    #[test]
    fn only_the_document_urls_and_the_origin_are_shared() {
        assert!(is_document_path("/"));
        assert!(is_document_path("/g/support"));
        assert!(is_document_path("/u/ada"));
        assert!(is_document_path("/post/3"));
        assert!(is_document_path("/comment/7"));
        assert!(!is_document_path("/g/support/followers"));
        assert!(!is_document_path("/g/"));
        assert!(!is_document_path("/actor"));
        assert!(!is_document_path("/feed.rss"));
        assert!(!is_document_path("/api/v1/groups"));
    }
}
