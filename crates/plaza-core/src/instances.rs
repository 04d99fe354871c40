//! Other instances: the block list (defederation) and what Plaza knows of each server.

use plaza_db::instance::{self, InstanceRow};
use plaza_db::{delivery, transaction};

use crate::{Context, CoreError, CoreResult};

/// A domain as the `instances` table holds it: lower-case `host[:port]`, without the default
/// https port. URLs, paths, user names and wildcards are refused, with a hint where one helps.
pub fn normalize_domain(input: &str) -> CoreResult<String> {
    let given = input.trim();
    if given.is_empty() {
        return Err(CoreError::invalid(
            "domain",
            "give the instance's domain, such as mastodon.example",
        ));
    }
    let refuse =
        |why: String| CoreError::invalid("domain", format!("'{given}' is not a domain: {why}"));
    if given.contains("://") {
        let hint = url::Url::parse(given)
            .ok()
            .and_then(|u| {
                let host = u.host_str()?.to_ascii_lowercase();
                Some(match u.port() {
                    Some(port) => format!(" ('{host}:{port}')"),
                    None => format!(" ('{host}')"),
                })
            })
            .unwrap_or_default();
        return Err(refuse(format!(
            "give the host alone{hint}, without a scheme or a path"
        )));
    }
    if let Some(c) = given.chars().find(|c| {
        matches!(c, '/' | '?' | '#' | '@' | '\\' | '*') || c.is_whitespace() || c.is_control()
    }) {
        let why = if c == '*' {
            "wildcards are not supported; block each domain".to_owned()
        } else {
            format!("a domain has no '{}'", c.escape_default())
        };
        return Err(refuse(why));
    }
    let parsed =
        url::Url::parse(&format!("https://{given}/")).map_err(|e| refuse(e.to_string()))?;
    let host = parsed
        .host_str()
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| refuse("it names no host".into()))?;
    Ok(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// What blocking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockOutcome {
    /// The domain as stored.
    pub domain: String,
    /// Plaza had met this instance before.
    pub was_known: bool,
    /// It was blocked already.
    pub was_blocked: bool,
    /// Deliveries to it that were waiting and are now dropped.
    pub dropped: usize,
}

/// Blocks an instance (creating its row if Plaza has not met it yet) and drops what was waiting
/// to be delivered to it, in one transaction. Its activities are refused from then on, its
/// actors and objects are not fetched, and nothing is sent to it.
pub async fn block(ctx: &Context, domain: &str) -> CoreResult<BlockOutcome> {
    let domain = normalize_domain(domain)?;
    if domain == ctx.urls.domain() {
        return Err(CoreError::invalid(
            "domain",
            format!("{domain} is this instance's own domain"),
        ));
    }
    transaction!(&ctx.db, CoreError, |conn| {
        let before = instance::find_by_domain(conn, &domain).await?;
        let row = instance::upsert(conn, &domain).await?;
        instance::set_blocked(conn, &domain, true).await?;
        let dropped = delivery::drop_pending(conn, row.id).await?;
        Ok(BlockOutcome {
            was_known: before.is_some(),
            was_blocked: before.is_some_and(|b| b.blocked),
            dropped,
            domain: domain.clone(),
        })
    })
}

/// Unblocks an instance; returns the stored domain and whether it was blocked.
pub async fn unblock(ctx: &Context, domain: &str) -> CoreResult<(String, bool)> {
    let domain = normalize_domain(domain)?;
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let was_blocked = match instance::find_by_domain(conn, &domain).await? {
        Some(row) if row.blocked => {
            instance::set_blocked(conn, &domain, false).await?;
            true
        }
        _ => false,
    };
    Ok((domain, was_blocked))
}

/// The other instances Plaza knows (or only the blocked ones), by domain.
pub async fn list(ctx: &Context, only_blocked: bool) -> CoreResult<Vec<InstanceRow>> {
    let mut pooled = ctx.db.get().await?;
    let rows = instance::list(&mut pooled.conn(), only_blocked).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.id != ctx.local_instance_id())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised_as_the_instances_table_holds_them() {
        let cases = [
            ("mastodon.example", "mastodon.example"),
            ("  Mastodon.EXAMPLE \n", "mastodon.example"),
            ("lemmy.example.", "lemmy.example"),
            ("localhost:8081", "localhost:8081"),
            ("social.example:443", "social.example"),
            ("bücher.example", "xn--bcher-kva.example"),
        ];
        for (given, expected) in cases {
            assert_eq!(
                normalize_domain(given).ok().as_deref(),
                Some(expected),
                "{given}"
            );
        }
    }

    #[test]
    fn urls_paths_and_garbage_are_refused_with_a_reason() {
        let cases = [
            ("", "give the instance's domain"),
            ("   ", "give the instance's domain"),
            (
                "http://x/y",
                "give the host alone ('x'), without a scheme or a path",
            ),
            ("https://Social.example:8443", "('social.example:8443')"),
            ("x/y", "a domain has no '/'"),
            ("ada@mastodon.example", "a domain has no '@'"),
            ("two words", "a domain has no ' '"),
            ("*.example", "wildcards are not supported"),
            ("x:99999", "'x:99999' is not a domain"),
        ];
        for (given, expected) in cases {
            let message = normalize_domain(given).err().map(|e| e.to_string());
            assert!(
                message.as_deref().is_some_and(|m| m.contains(expected)),
                "{given:?}: {message:?}"
            );
        }
    }
}
