//! Input limits (documented in README.md, "Limits") and the checks that apply them.

use crate::{CoreError, CoreResult};

/// Longest person or group name.
pub const NAME_MAX: usize = 30;
/// Shortest and longest password, in characters.
pub const PASSWORD_MIN: usize = 8;
/// Longest password.
pub const PASSWORD_MAX: usize = 256;
/// Longest e-mail address.
pub const EMAIL_MAX: usize = 254;
/// Longest group title.
pub const GROUP_TITLE_MAX: usize = 100;
/// A person's display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 100;
/// A person's bio, in characters of Markdown.
pub const BIO_MAX: usize = 5_000;
/// Longest group description (Markdown).
pub const GROUP_DESCRIPTION_MAX: usize = 10_000;
/// Longest thread title.
pub const POST_TITLE_MAX: usize = 200;
/// Longest thread body (Markdown).
pub const POST_BODY_MAX: usize = 50_000;
/// Longest comment (Markdown).
pub const COMMENT_BODY_MAX: usize = 20_000;
/// Longest instance name.
pub const SITE_NAME_MAX: usize = 100;
/// Longest instance description.
pub const SITE_DESCRIPTION_MAX: usize = 10_000;
/// Longest moderation or report reason.
pub const REASON_MAX: usize = 1_000;
/// Longest link URL on a thread.
pub const URL_MAX: usize = 2_000;
/// Deepest reply nesting; a thread's root comments are at depth 0.
pub const COMMENT_DEPTH_MAX: i32 = 200;
/// Largest page size of a listing.
pub const PAGE_LIMIT_MAX: u32 = 50;
/// Page size when none is asked for.
pub const PAGE_LIMIT_DEFAULT: u32 = 20;

/// Checks a person or group name: 1–30 of `a-z`, `0-9`, `_`. Names are part of public URLs and
/// handles (`@name@domain`), so they are restricted to what every fediverse server accepts.
pub fn check_name(field: &'static str, name: &str) -> CoreResult<()> {
    if name.is_empty() || name.len() > NAME_MAX {
        return Err(CoreError::invalid(
            field,
            format!("must be 1 to {NAME_MAX} characters long"),
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(CoreError::invalid(
            field,
            "may contain only lowercase letters a-z, digits and underscores",
        ));
    }
    Ok(())
}

/// Trims a one-line text (a title) and checks its length in characters; control characters,
/// line breaks included, are refused.
pub fn check_line(field: &'static str, value: &str, max: usize) -> CoreResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            format!("must be at most {max} characters long"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            field,
            "must be a single line without control characters",
        ));
    }
    Ok(value.to_owned())
}

/// Checks a Markdown text's length in characters; `required` refuses an empty one.
pub fn check_body(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> CoreResult<Option<String>> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return if required {
            Err(CoreError::invalid(field, "must not be empty"))
        } else {
            Ok(None)
        };
    }
    if value.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            format!("must be at most {max} characters long"),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// Checks a link: absolute http(s) URL, bounded length.
pub fn check_url(field: &'static str, value: &str) -> CoreResult<String> {
    let value = value.trim();
    if value.len() > URL_MAX {
        return Err(CoreError::invalid(
            field,
            format!("must be at most {URL_MAX} characters long"),
        ));
    }
    let url = url::Url::parse(value)
        .map_err(|e| CoreError::invalid(field, format!("is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CoreError::invalid(field, "must be an http or https URL"));
    }
    Ok(url.into())
}

/// Checks a page request, applying the default size.
pub fn check_page(page: Option<u32>, limit: Option<u32>) -> CoreResult<plaza_db::Page> {
    let number = page.unwrap_or(1);
    if number == 0 {
        return Err(CoreError::invalid("page", "pages start at 1"));
    }
    let limit = limit.unwrap_or(PAGE_LIMIT_DEFAULT);
    if limit == 0 || limit > PAGE_LIMIT_MAX {
        return Err(CoreError::invalid(
            "limit",
            format!("must be between 1 and {PAGE_LIMIT_MAX}"),
        ));
    }
    Ok(plaza_db::Page { number, limit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercase_ascii_words() {
        assert!(check_name("name", "support_2").is_ok());
        for bad in ["", "Support", "sup port", "süpport", "a-b", &"x".repeat(31)] {
            assert!(check_name("name", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn titles_are_trimmed_and_bounded_by_characters() -> CoreResult<()> {
        assert_eq!(check_line("title", "  Hello  ", 10)?, "Hello");
        assert!(check_line("title", "   ", 10).is_err());
        assert!(check_line("title", "two\nlines", 10).is_err());
        // 200 multi-byte characters fit a 200-character limit.
        assert!(check_line("title", &"é".repeat(200), 200).is_ok());
        assert!(check_line("title", &"é".repeat(201), 200).is_err());
        Ok(())
    }

    #[test]
    fn only_web_links_are_accepted() {
        assert!(check_url("url", "https://example.com/a").is_ok());
        assert!(check_url("url", "javascript:alert(1)").is_err());
        assert!(check_url("url", "not a url").is_err());
    }

    #[test]
    fn page_zero_and_huge_limits_are_refused() {
        assert!(check_page(Some(0), None).is_err());
        assert!(check_page(None, Some(51)).is_err());
        assert_eq!(
            check_page(None, None).ok(),
            Some(plaza_db::Page {
                number: 1,
                limit: PAGE_LIMIT_DEFAULT
            })
        );
    }
}
