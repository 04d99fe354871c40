//! A cheap look at HTML before it is parsed in full. The HTML parser behind the cleaner takes
//! time that grows with the square of the nesting depth (each tag is checked against every
//! element still open), so half a megabyte of nested `<div>`s kept a worker busy for most of a
//! minute. This pass reads the tags once, keeps a stack of the open ones, and refuses input that
//! nests deeper than [`MAX_DEPTH`] or has more than [`MAX_TAGS`] tags.
//!
//! The stack errs on the deep side: an end tag closes only the element on top (after the ones
//! whose end tag HTML lets authors leave out), where the parser might close several. Ordinary
//! HTML and everything Markdown produces is far inside the limits.

/// Deepest nesting of elements accepted.
pub const MAX_DEPTH: usize = 100;
/// Most tags (start and end) accepted.
pub const MAX_TAGS: usize = 20_000;

/// Why HTML is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooComplex {
    /// Elements nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_TAGS`] tags.
    TooManyTags,
}

impl TooComplex {
    /// The reason, as a field error reads it ("body …").
    pub fn reason(self) -> String {
        match self {
            TooComplex::TooDeep => {
                format!("nests HTML elements more than {MAX_DEPTH} levels deep")
            }
            TooComplex::TooManyTags => format!("has more than {MAX_TAGS} HTML tags"),
        }
    }
}

/// Elements that never have content.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose end tag may be left out: a new one of the same kind closes the last one.
const SELF_CLOSING_BY_SIBLING: [&str; 9] =
    ["p", "li", "dt", "dd", "option", "tr", "td", "th", "rt"];

/// Checks the shape of `html`.
pub fn check(html: &str) -> Result<(), TooComplex> {
    let bytes = html.as_bytes();
    let mut open: Vec<&str> = Vec::new();
    let mut tags = 0usize;
    let mut i = 0;
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        i += offset + 1;
        match bytes.get(i) {
            Some(b'!') => i = skip_markup_declaration(bytes, i),
            Some(b'?') => i = skip_past(bytes, i, b">"),
            Some(b'/') if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {
                let (name, end) = tag_name(html, i + 1);
                i = skip_tag(bytes, end);
                tags += 1;
                close(&mut open, &name);
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, end) = tag_name(html, i);
                i = skip_tag(bytes, end);
                tags += 1;
                if !VOID.contains(&name.as_str()) {
                    if SELF_CLOSING_BY_SIBLING.contains(&name.as_str())
                        && open.last().is_some_and(|top| *top == name)
                    {
                        open.pop();
                    }
                    open.push(interned(&name));
                    if open.len() > MAX_DEPTH {
                        return Err(TooComplex::TooDeep);
                    }
                }
            }
            _ => {}
        }
        if tags > MAX_TAGS {
            return Err(TooComplex::TooManyTags);
        }
    }
    Ok(())
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'<')
}

/// The lower-cased name starting at `start`, and where it ends.
fn tag_name(html: &str, start: usize) -> (String, usize) {
    let rest = &html.as_bytes()[start..];
    let len = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b':'))
        .unwrap_or(rest.len());
    (html[start..start + len].to_ascii_lowercase(), start + len)
}

/// The stack holds names from the fixed lists where it can, so that it does not allocate for
/// each of thousands of tags; other names are kept as one shared placeholder, which is enough
/// to match them on the top of the stack most of the time and never lowers the depth.
fn interned(name: &str) -> &'static str {
    const KNOWN: [&str; 40] = [
        "p",
        "li",
        "dt",
        "dd",
        "option",
        "tr",
        "td",
        "th",
        "rt",
        "div",
        "span",
        "a",
        "b",
        "i",
        "em",
        "strong",
        "ul",
        "ol",
        "dl",
        "blockquote",
        "pre",
        "code",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "sup",
        "sub",
        "del",
        "ins",
        "s",
        "u",
        "small",
        "details",
    ];
    KNOWN.iter().find(|k| **k == name).copied().unwrap_or("*")
}

/// An end tag closes the element on top, after any open elements whose end tag may be left out.
fn close(open: &mut Vec<&'static str>, name: &str) {
    let name = interned(name);
    let mut depth = open.len();
    while depth > 0 {
        let top = open[depth - 1];
        if top == name {
            open.truncate(depth - 1);
            return;
        }
        if !SELF_CLOSING_BY_SIBLING.contains(&top) {
            return;
        }
        depth -= 1;
    }
}

/// Past the `>` that ends a tag, skipping quoted attribute values.
fn skip_tag(bytes: &[u8], mut i: usize) -> usize {
    let mut quote = None;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return i,
            _ => {}
        }
    }
    i
}

/// Past a comment (`<!-- … -->`) or a declaration (`<!DOCTYPE …>`, `<![CDATA[ … ]]>`).
fn skip_markup_declaration(bytes: &[u8], i: usize) -> usize {
    if bytes[i..].starts_with(b"!--") {
        skip_past(bytes, i + 3, b"-->")
    } else {
        skip_past(bytes, i, b">")
    }
}

fn skip_past(bytes: &[u8], from: usize, end: &[u8]) -> usize {
    bytes[from..]
        .windows(end.len())
        .position(|w| w == end)
        .map_or(bytes.len(), |p| from + p + end.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused() {
        let hostile = "<div>".repeat(96_000);
        assert_eq!(check(&hostile), Err(TooComplex::TooDeep));
        let unclosed = format!("{}x", "<blockquote>".repeat(MAX_DEPTH + 1));
        assert_eq!(check(&unclosed), Err(TooComplex::TooDeep));
        // Stray end tags of other elements do not lower the count.
        let stray = "<div></span>".repeat(MAX_DEPTH + 1);
        assert_eq!(check(&stray), Err(TooComplex::TooDeep));
    }

    #[test]
    fn too_many_tags_are_refused_even_when_flat() {
        let flat = "<b>x</b>".repeat(MAX_TAGS / 2 + 1);
        assert_eq!(check(&flat), Err(TooComplex::TooManyTags));
        assert_eq!(
            check(&"<br>".repeat(MAX_TAGS + 1)),
            Err(TooComplex::TooManyTags)
        );
    }

    #[test]
    fn ordinary_html_passes() {
        let nested = format!(
            "{}x{}",
            "<div>".repeat(MAX_DEPTH),
            "</div>".repeat(MAX_DEPTH)
        );
        assert_eq!(check(&nested), Ok(()));
        let long_list = format!("<ul>{}</ul>", "<li>item".repeat(5_000));
        assert_eq!(check(&long_list), Ok(()));
        let paragraphs = "<p>one<p>two<br><img src=x><p>three".repeat(1_000);
        assert_eq!(check(&paragraphs), Ok(()));
        let tricky = r#"<a title="<div><div>" href='>'>x</a><!-- <div><div> --> 1 < 2"#;
        assert_eq!(check(&tricky.repeat(60)), Ok(()));
        let table = "<table><tr><td>a<td>b<tr><td>c</table>".repeat(100);
        assert_eq!(check(&table), Ok(()));
    }
}
