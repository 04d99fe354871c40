//! `/.well-known/host-meta`: the XRD some servers still ask for before WebFinger.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use plaza_core::Context;

/// Points at the WebFinger endpoint.
pub async fn host_meta(State(ctx): State<Arc<Context>>) -> impl IntoResponse {
    let base = ctx.urls.base().as_str().trim_end_matches('/');
    let template = xml_attribute(&format!("{base}/.well-known/webfinger?resource={{uri}}"));
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" type=\"application/jrd+json\" template=\"{template}\"/>\n\
         </XRD>\n"
    );
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        body,
    )
}

/// Escapes text for a double-quoted XML attribute.
fn xml_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::xml_attribute;

    #[test]
    fn attribute_text_is_escaped_and_urls_stay_readable() {
        assert_eq!(xml_attribute("a&b<c>\"d"), "a&amp;b&lt;c&gt;&quot;d");
        assert_eq!(
            xml_attribute("https://x.example/?r={uri}"),
            "https://x.example/?r={uri}"
        );
    }
}
