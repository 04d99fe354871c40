//! Watch words: a brand's product names, "refund", "broken"… found in a new thread as whole
//! words, whatever their case, in any script. A watch word may be a phrase of several words; it
//! matches the same words in a row.

/// The most watch words one rule keeps.
pub const WORDS_MAX: usize = 100;
/// The longest watch word, in characters.
pub const WORD_MAX: usize = 60;

/// Splits text into lower-case words: runs of letters and digits (an apostrophe or hyphen
/// between two of them stays inside the word, so "don't" and "e-mail" are one word each).
pub fn tokens(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’' | '-')
            && !current.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric())
        {
            current.push(c);
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The watch words of a rule's text (one per line, or separated by commas), each as its
/// tokens; empty lines and duplicates dropped.
pub fn parse(list: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for entry in list.split(['\n', ',']) {
        let words = tokens(entry);
        if !words.is_empty() && !out.contains(&words) {
            out.push(words);
        }
    }
    out
}

/// Cleans a list typed by staff into the stored form: one watch word per line. Refuses a list
/// too long, or a word too long.
pub fn normalize(list: &str) -> Result<String, String> {
    let mut lines: Vec<String> = Vec::new();
    for entry in list.split(['\n', ',']) {
        let entry = entry.split_whitespace().collect::<Vec<_>>().join(" ");
        if entry.is_empty() {
            continue;
        }
        if tokens(&entry).is_empty() {
            return Err(format!("'{entry}' has no letters or digits"));
        }
        if entry.chars().count() > WORD_MAX {
            return Err(format!("'{entry}' is longer than {WORD_MAX} characters"));
        }
        if !lines
            .iter()
            .any(|l| l.to_lowercase() == entry.to_lowercase())
        {
            lines.push(entry);
        }
    }
    if lines.len() > WORDS_MAX {
        return Err(format!("at most {WORDS_MAX} watch words"));
    }
    Ok(lines.join("\n"))
}

/// The watch words found in `text`, as the rule spells them, in the rule's order.
pub fn found(watch: &[Vec<String>], text: &str) -> Vec<String> {
    let words = tokens(text);
    watch
        .iter()
        .filter(|w| !w.is_empty() && words.windows(w.len()).any(|window| window == &w[..]))
        .map(|w| w.join(" "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_match_whatever_their_case() {
        let watch = parse("Refund\nbroken");
        assert_eq!(found(&watch, "I want a REFUND now"), vec!["refund"]);
        assert_eq!(found(&watch, "It's Broken."), vec!["broken"]);
        assert!(found(&watch, "refunded, unbroken").is_empty());
    }

    #[test]
    fn letters_of_any_script_make_words() {
        let watch = parse("Ärger, возврат, café");
        assert_eq!(
            found(&watch, "Viel ärger mit dem Возврат! Au CAFÉ."),
            vec!["ärger", "возврат", "café"]
        );
        assert!(found(&watch, "cafés").is_empty());
    }

    #[test]
    fn a_phrase_matches_its_words_in_a_row() {
        let watch = parse("not working");
        assert_eq!(found(&watch, "It is NOT   working!"), vec!["not working"]);
        assert!(found(&watch, "working, not").is_empty());
    }

    #[test]
    fn a_list_is_cleaned_into_lines() {
        assert_eq!(
            normalize(" refund , Broken\n\nrefund\n  Widget  Pro ").as_deref(),
            Ok("refund\nBroken\nWidget Pro")
        );
        assert!(normalize("!!!").is_err());
        assert!(normalize(&"x".repeat(WORD_MAX + 1)).is_err());
    }
}
