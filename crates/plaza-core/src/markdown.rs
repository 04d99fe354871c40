//! Markdown to safe HTML, done once on write. The allow-list is ammonia's (formatting, links,
//! images, tables, code), with links forced to `rel="nofollow noopener noreferrer"`.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer"));
    builder
});

/// Renders Markdown to sanitized HTML. Raw HTML in the source goes through the same allow-list.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    sanitize(&unsafe_html)
}

/// Cleans untrusted HTML (from Markdown or from another server) with the allow-list.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_formatting_and_links() {
        let html = render("**bold** and [a link](https://example.com)");
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
            let html = render(vector).to_ascii_lowercase();
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
        let html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlet x = 1;\n```");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<code>"), "{html}");
    }
}
