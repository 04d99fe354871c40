//! Finding the local people a body mentions, so they can be notified.
//!
//! Written here, a body is Markdown in which `@name` and `@name@domain` name people; `@name`
//! alone means someone of this instance. From another server only the sanitized HTML is
//! trusted to say who is meant: a bare `@ada` there is someone of that server, so only links
//! to a person's page here and handles that name this domain count.

/// At most this many distinct people are taken from one body: the rest are ignored, so one
/// post cannot notify a crowd.
pub const MENTIONS_MAX: usize = 20;

/// Longest local name (see the account rules).
const NAME_MAX: usize = 30;

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')
}

/// The local names mentioned as handles in `text`: `@name@domain` with this instance's domain,
/// and `@name` alone when `bare_is_local`. Lower-cased, each once, in order of appearance.
pub fn handles(text: &str, domain: &str, bare_is_local: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && names.len() < MENTIONS_MAX {
        // An `@` inside a word is an e-mail address or the second half of a handle.
        let starts = chars[i] == '@'
            && (i == 0 || !(is_name_char(chars[i - 1]) || matches!(chars[i - 1], '@' | '.' | '/')));
        if !starts {
            i += 1;
            continue;
        }
        let name_end = (i + 1..chars.len())
            .find(|&j| !is_name_char(chars[j]))
            .unwrap_or(chars.len());
        let name: String = chars[i + 1..name_end].iter().collect();
        let mut end = name_end;
        let local = if chars.get(name_end) == Some(&'@') {
            let domain_end = (name_end + 1..chars.len())
                .find(|&j| !is_domain_char(chars[j]))
                .unwrap_or(chars.len());
            end = domain_end;
            let written: String = chars[name_end + 1..domain_end].iter().collect();
            // A sentence may end right after a handle.
            written
                .trim_end_matches(['.', ':', '-'])
                .eq_ignore_ascii_case(domain)
        } else {
            bare_is_local
        };
        if local && !name.is_empty() && name.len() <= NAME_MAX {
            push_once(&mut names, name.to_ascii_lowercase());
        }
        i = end.max(i + 1);
    }
    names
}

/// The local names whose pages `html` links to (`href="{person_base}NAME"`), as Mastodon and
/// Lemmy write a mention. `person_base` is the URL of a person's page without the name.
pub fn linked(html: &str, person_base: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let needle = format!("href=\"{person_base}");
    for (at, _) in html.match_indices(&needle) {
        if names.len() >= MENTIONS_MAX {
            break;
        }
        let rest = &html[at + needle.len()..];
        let name: String = rest.chars().take_while(|&c| is_name_char(c)).collect();
        if rest[name.len()..].starts_with('"') && !name.is_empty() && name.len() <= NAME_MAX {
            push_once(&mut names, name.to_ascii_lowercase());
        }
    }
    names
}

fn push_once(names: &mut Vec<String>, name: String) {
    if !names.contains(&name) {
        names.push(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_and_local_handles_are_mentions_in_local_text() {
        let text = "Thanks @Ada and @bob@brand.example. Also (@carol@Brand.Example)";
        assert_eq!(
            handles(text, "brand.example", true),
            ["ada", "bob", "carol"]
        );
    }

    #[test]
    fn handles_of_other_domains_and_email_addresses_are_not_local_mentions() {
        let text = "Ask @ada@mastodon.example or write to ada@brand.example, @@x @";
        assert!(handles(text, "brand.example", true).is_empty());
    }

    #[test]
    fn a_bare_name_from_another_server_is_not_ours() {
        assert!(handles("hi @ada", "brand.example", false).is_empty());
        assert_eq!(
            handles("hi @ada@brand.example", "brand.example", false),
            ["ada"]
        );
    }

    #[test]
    fn a_domain_with_a_port_is_matched_whole() {
        assert_eq!(
            handles(
                "@ada@localhost:8080 and @bob@localhost:9090",
                "localhost:8080",
                false
            ),
            ["ada"]
        );
    }

    #[test]
    fn links_to_a_person_page_are_mentions() {
        let html = r#"<p><a href="https://brand.example/u/ada" class="u-url mention">@<span>ada</span></a> <a href="https://brand.example/u/bob/outbox">x</a> <a href="https://brand.example/u/ada">again</a></p>"#;
        assert_eq!(linked(html, "https://brand.example/u/"), ["ada"]);
    }

    #[test]
    fn mentions_are_capped() {
        let text: String = (0..50).map(|i| format!("@p{i} ")).collect();
        assert_eq!(handles(&text, "brand.example", true).len(), MENTIONS_MAX);
    }
}
