//! Markdown to safe HTML, done once on write. The allow-list is ammonia's (formatting, links,
//! images, tables, code), with links forced to `rel="nofollow noopener noreferrer"`.
//!
//! Parsing HTML costs CPU in proportion to what a stranger sends, so the async functions run it
//! on tokio's blocking pool, never on the workers that answer requests, and refuse input whose
//! shape would make it slow (`html_shape`) before parsing it.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

use crate::html_shape::{self, TooComplex};
use crate::{CoreError, CoreResult};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer"));
    builder
});

/// Renders Markdown to sanitized HTML on the blocking pool. Raw HTML in the source goes through
/// the same allow-list. Markdown (or raw HTML in it) that nests too deep is refused as a bad
/// `field`.
pub async fn render(field: &'static str, markdown: &str) -> CoreResult<String> {
    let markdown = markdown.to_owned();
    off_workers(field, move || render_now(&markdown)).await
}

/// Cleans untrusted HTML (from another server) with the allow-list, on the blocking pool;
/// refused as a bad `field` when it nests too deep or has too many tags.
pub async fn sanitize(field: &'static str, html: &str) -> CoreResult<String> {
    let html = html.to_owned();
    off_workers(field, move || sanitize_now(&html)).await
}

/// [`render`] of an optional source.
pub async fn render_optional(
    field: &'static str,
    markdown: Option<&str>,
) -> CoreResult<Option<String>> {
    match markdown {
        Some(source) => Ok(Some(render(field, source).await?)),
        None => Ok(None),
    }
}

/// [`sanitize`] for the description of an actor from another server. One that is too complex
/// to clean is dropped, with a log line; the actor itself is kept.
pub async fn sanitize_description(html: Option<&str>) -> Option<String> {
    match sanitize("summary", html?).await {
        Ok(clean) => Some(clean),
        Err(e) => {
            tracing::info!(error = %e, "dropping a remote description");
            None
        }
    }
}

async fn off_workers(
    field: &'static str,
    work: impl FnOnce() -> Result<String, TooComplex> + Send + 'static,
) -> CoreResult<String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CoreError::Internal(format!("HTML cleaning: {e}")))?
        .map_err(|too| CoreError::invalid(field, too.reason()))
}

/// [`render`] on the calling thread: for short input known to be small.
pub fn render_now(markdown: &str) -> Result<String, TooComplex> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    sanitize_now(&unsafe_html)
}

/// [`sanitize`] on the calling thread.
pub fn sanitize_now(html: &str) -> Result<String, TooComplex> {
    html_shape::check(html)?;
    Ok(SANITIZER.clean(html).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_formatting_and_links() {
        let html = render_now("**bold** and [a link](https://example.com)").unwrap();
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains(r#"href="https://example.com""#), "{html}");
        assert!(
            html.contains(r#"rel="nofollow noopener noreferrer""#),
            "{html}"
        );
    }

    #[test]
    fn script_and_event_handlers_are_stripped() {
        let vectors = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
        ];
        for vector in vectors {
            let html = render_now(vector).unwrap().to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "<iframe",
                "style=",
            ] {
                assert!(!html.contains(bad), "{vector} rendered as {html}");
            }
        }
    }

    #[test]
    fn tables_and_code_survive() {
        let html = render_now("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlet x = 1;\n```").unwrap();
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<code>"), "{html}");
    }

    #[test]
    fn deeply_nested_markdown_and_html_are_refused() {
        assert_eq!(
            render_now(&format!("{} deep", "> ".repeat(150))),
            Err(TooComplex::TooDeep)
        );
        assert_eq!(
            sanitize_now(&"<div>".repeat(96_000)),
            Err(TooComplex::TooDeep)
        );
        assert!(render_now(&format!("{} fine", "> ".repeat(20))).is_ok());
    }

    #[tokio::test]
    async fn refusals_name_the_field() {
        let error = sanitize("content", &"<div>".repeat(200)).await.unwrap_err();
        assert!(
            matches!(
                &error,
                CoreError::Invalid {
                    field: "content",
                    ..
                }
            ),
            "{error:?}"
        );
    }
}
