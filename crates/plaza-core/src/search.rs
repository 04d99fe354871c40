//! Searching threads and comments. Whatever is typed is a valid search: it is cut into words
//! here and never handed to a database's query syntax, so quotes, operators, brackets, SQL, NUL
//! bytes or 10 KB of text give results or none, never an error.

use chrono::NaiveDateTime;
use plaza_db::Page;
use plaza_db::search::{self, SearchFilter, SearchHit};

use crate::{Context, CoreError, CoreResult, Listing, groups, people};

/// Most words of a search used; the rest are ignored.
pub const MAX_TERMS: usize = 12;
/// Most characters of one word used; longer ones are cut.
pub const MAX_TERM_CHARS: usize = 64;
/// Most characters of a group or author filter; longer ones name nothing.
const MAX_FILTER_CHARS: usize = 300;
/// Characters of text around the first matching word in a result's snippet.
const SNIPPET_CHARS: usize = 200;
/// How many of them come before the match.
const SNIPPET_LEAD: usize = 60;

/// A search as asked.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What was typed.
    pub text: String,
    /// Only in this group (`name` here, `name@domain` elsewhere).
    pub group: Option<String>,
    /// Only by this person (`name` here, `name@domain` elsewhere).
    pub author: Option<String>,
}

/// One thread or comment found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The row as read.
    pub hit: SearchHit,
    /// Plain text around the first matching word.
    pub snippet: String,
}

impl Found {
    /// Whether the hit is a comment (else the thread's opening post).
    pub fn is_comment(&self) -> bool {
        self.hit.comment_id.is_some()
    }

    /// When it was written.
    pub fn created_at(&self) -> NaiveDateTime {
        self.hit.created_at
    }
}

/// The words of a search: split at white space, control characters dropped, only words with a
/// letter or digit in any script, each at most [`MAX_TERM_CHARS`], at most [`MAX_TERMS`], no
/// repeats. Punctuation inside a word stays: each backend's tokenizer reads it as the indexed
/// text was read.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if out.len() >= MAX_TERMS {
            break;
        }
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        let word: String = word.chars().take(MAX_TERM_CHARS).collect();
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// A group or author filter as typed, or `None` when it cannot name anything.
fn usable_filter(value: Option<&str>) -> Option<Option<&str>> {
    match value.map(str::trim) {
        None | Some("") => Some(None),
        Some(v) if v.chars().count() > MAX_FILTER_CHARS || v.chars().any(char::is_control) => None,
        Some(v) => Some(Some(v)),
    }
}

/// One page of what matches, best first, of what anyone may read: never removed or deleted
/// content, nothing in a deleted group or from a blocked instance. A group or author filter that
/// names nobody known here finds nothing.
pub async fn search(
    ctx: &Context,
    request: &SearchRequest,
    page: Page,
) -> CoreResult<Listing<Found>> {
    let terms = terms(&request.text);
    let empty = || Listing {
        items: Vec::new(),
        page: page.number,
        next_page: None,
    };
    let (Some(group), Some(author)) = (
        usable_filter(request.group.as_deref()),
        usable_filter(request.author.as_deref()),
    ) else {
        return Ok(empty());
    };
    if terms.is_empty() {
        return Ok(empty());
    }
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let group_id = match group {
        None => None,
        Some(name) => match groups::find_named(ctx, conn, name).await {
            Ok(g) => Some(g.id),
            Err(CoreError::NotFound(_)) => return Ok(empty()),
            Err(e) => return Err(e),
        },
    };
    drop(pooled);
    let author_id = match author {
        None => None,
        Some(handle) => match people::by_handle(ctx, handle).await {
            Ok(id) => Some(id),
            Err(CoreError::NotFound(_) | CoreError::Invalid { .. }) => return Ok(empty()),
            Err(e) => return Err(e),
        },
    };
    let mut pooled = ctx.db.get().await?;
    let filter = SearchFilter {
        terms: &terms,
        group_id,
        author_id,
    };
    let rows = search::search(&mut pooled.conn(), &filter, page).await?;
    Ok(found_listing(rows, &terms, page))
}

/// Rows as a page of results, each with its snippet around the first of `terms`.
pub(crate) fn found_listing(rows: Vec<SearchHit>, terms: &[String], page: Page) -> Listing<Found> {
    let found = rows
        .into_iter()
        .map(|hit| {
            let text = if hit.body_is_html {
                html_to_text(&hit.body)
            } else {
                hit.body.clone()
            };
            Found {
                snippet: snippet(&text, terms),
                hit,
            }
        })
        .collect();
    Listing::from_rows(found, page)
}

/// The text of stored, already sanitized HTML: tags dropped, the entities the sanitizer writes
/// decoded, white space collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// About [`SNIPPET_CHARS`] characters of `text` around the first place one of `terms` occurs
/// (ignoring case), or its start; cut ends are marked with an ellipsis.
pub fn snippet(text: &str, terms: &[String]) -> String {
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    // One lower-case char per char, so positions agree with `chars`.
    let lower: Vec<char> = chars.iter().map(|c| fold(*c)).collect();
    let first = terms
        .iter()
        .filter_map(|term| {
            let needle: Vec<char> = term.chars().map(fold).collect();
            position(&lower, &needle)
        })
        .min()
        .unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_LEAD);
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn position(haystack: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_letters_or_digits_in_any_script_are_terms() {
        assert_eq!(terms("  Printer  jam 42 "), ["Printer", "jam", "42"]);
        assert_eq!(
            terms("принтер 打印机 طابعة"),
            ["принтер", "打印机", "طابعة"]
        );
        assert_eq!(terms("\"unbalanced (paren"), ["\"unbalanced", "(paren"]);
    }

    #[test]
    fn punctuation_emoji_and_control_characters_are_no_terms() {
        assert!(terms("!!! ... () \" * - ^ : 🎉🎉").is_empty());
        assert_eq!(terms("nul\0byte"), ["nul", "byte"]);
        assert!(terms("").is_empty());
    }

    #[test]
    fn terms_are_capped_in_number_and_length_and_not_repeated() {
        let many = "word ".repeat(2000) + &(0..100).map(|i| format!("w{i} ")).collect::<String>();
        let got = terms(&many);
        assert_eq!(got.len(), MAX_TERMS);
        assert_eq!(got[0], "word");
        let long = terms(&"x".repeat(10_000));
        assert_eq!(long[0].chars().count(), MAX_TERM_CHARS);
    }

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            html_to_text("<p>Fish &amp; chips</p><p>&lt;b&gt; is\n bold</p>"),
            "Fish & chips <b> is bold"
        );
    }

    #[test]
    fn snippet_centres_on_the_first_match() {
        let text = format!("{} the PRINTER jams {}", "a ".repeat(200), "b ".repeat(200));
        let s = snippet(&text, &["printer".to_owned()]);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("PRINTER jams"), "{s}");
        assert_eq!(snippet("short text", &["nothing".to_owned()]), "short text");
    }
}
