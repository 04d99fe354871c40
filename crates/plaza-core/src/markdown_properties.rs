//! Properties of the Markdown renderer and the HTML cleaner over generated hostile input: they
//! never panic, and what comes out carries no element, attribute or URL that could run script,
//! whatever mixture of tags, attributes, entities and Markdown goes in.

use proptest::prelude::*;

use crate::markdown::{render_now, sanitize_now};

/// Elements the output must never contain.
const FORBIDDEN_TAGS: [&str; 10] = [
    "script", "iframe", "object", "embed", "style", "svg", "math", "form", "base", "meta",
];

/// URL schemes that run code or smuggle documents.
const FORBIDDEN_SCHEMES: [&str; 3] = ["javascript:", "vbscript:", "data:"];

/// Pieces of hostile input; a generated input strings many of them together.
fn fragment() -> impl Strategy<Value = String> {
    let tag = prop::sample::select(vec![
        "script", "img", "a", "iframe", "svg", "style", "div", "p", "math", "object", "embed",
        "form", "base", "meta", "details", "table", "template", "noscript", "title", "textarea",
    ]);
    let attribute = prop::sample::select(vec![
        " onerror=alert(1)",
        " onload=\"alert(1)\"",
        " OnClick='x()'",
        " href=\"javascript:alert(1)\"",
        " href=\"  JaVaScRiPt:alert(1)\"",
        " href=\"&#106;avascript:alert(1)\"",
        " href=\"data:text/html,<script>alert(1)</script>\"",
        " src=x",
        " src=\"vbscript:msgbox(1)\"",
        " style=\"background:url(javascript:alert(1))\"",
        " srcdoc=\"<script>alert(1)</script>\"",
        " formaction=javascript:alert(1)",
        " title=\"a>b\"",
        "",
    ]);
    let open = (tag.clone(), prop::collection::vec(attribute, 0..3))
        .prop_map(|(t, attrs)| format!("<{t}{}>", attrs.concat()));
    let close = tag.prop_map(|t| format!("</{t}>"));
    let markdown = prop::sample::select(vec![
        "[x](javascript:alert(1))",
        "![i](javascript:alert(1))",
        "[x]: javascript:alert(1)\n[y][x]",
        "<javascript:alert(1)>",
        "**",
        "`",
        "```\n",
        "> ",
        "\n\n",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "&lt;script&gt;",
        "\u{0}",
        "| a | b |\n|---|---|\n| <script> | x |\n",
        "[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    ])
    .prop_map(str::to_owned);
    let text = "[a-zA-Z0-9 <>&\"'=:/;()\\n]{0,24}";
    prop_oneof![open, close, markdown, text]
}

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
}

/// Every (tag, attribute name, attribute value) in cleaned HTML. The cleaner's serializer always
/// double-quotes values and escapes `"` inside them, which this small scanner relies on.
fn attributes(html: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let tag = rest[..name_len].to_ascii_lowercase();
        if tag.is_empty() {
            continue;
        }
        found.push((tag.clone(), String::new(), String::new()));
        rest = &rest[name_len..];
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
                break;
            }
            let attr_len = rest
                .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
                .unwrap_or(rest.len());
            let attr = rest[..attr_len].to_ascii_lowercase();
            rest = &rest[attr_len..];
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix("=\"") {
                let end = after.find('"').unwrap_or(after.len());
                value = after[..end].to_owned();
                rest = after.get(end + 1..).unwrap_or("");
            }
            found.push((tag.clone(), attr, value));
        }
    }
    found
}

fn assert_inert(html: &str) -> Result<(), TestCaseError> {
    for (tag, attr, value) in attributes(html) {
        prop_assert!(!FORBIDDEN_TAGS.contains(&tag.as_str()), "<{tag}> in {html}");
        prop_assert!(
            !attr.starts_with("on") && attr != "style" && attr != "srcdoc",
            "{attr} on <{tag}> in {html}"
        );
        let value = value
            .trim()
            .to_ascii_lowercase()
            .replace(['\t', '\n', '\r'], "");
        for scheme in FORBIDDEN_SCHEMES {
            prop_assert!(
                !value.starts_with(scheme),
                "{scheme} in {attr} of <{tag}> in {html}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn cleaned_html_is_inert(input in hostile()) {
        // Input too deep or too large to clean is refused whole, which is inert too.
        if let Ok(html) = sanitize_now(&input) {
            assert_inert(&html)?;
        }
    }

    #[test]
    fn rendered_markdown_is_inert(input in hostile()) {
        if let Ok(html) = render_now(&input) {
            assert_inert(&html)?;
        }
    }

    /// What Plaza stores is cleaned again by whoever receives it (another Plaza among them).
    /// That second pass may re-nest mis-nested markup (`<p><div>` becomes `<p></p><div>`, as
    /// the HTML parser does), so it is not always the same text; it must stay inert.
    #[test]
    fn cleaning_what_was_cleaned_stays_inert(input in hostile()) {
        if let Ok(once) = sanitize_now(&input)
            && let Ok(twice) = sanitize_now(&once)
        {
            assert_inert(&twice)?;
        }
    }
}

#[test]
fn the_scanner_sees_what_it_must_refuse() {
    // The property is only as good as its scanner: it must catch each of these.
    let caught = |html: &str| {
        proptest::test_runner::TestRunner::default()
            .run(&Just(html.to_owned()), |h| assert_inert(&h))
            .is_err()
    };
    assert!(caught("<p><script>alert(1)</script></p>"));
    assert!(caught(r#"<img src="x" onerror="alert(1)">"#));
    assert!(caught(r#"<a href=" javascript:alert(1)">x</a>"#));
    assert!(caught(r#"<div style="color:red">x</div>"#));
    assert!(!caught(
        r#"<a href="https://example.com" rel="nofollow">a>b</a>"#
    ));
}
