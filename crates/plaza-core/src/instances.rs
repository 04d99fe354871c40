//! Other instances: the block list and the allow-list (defederation), and what Plaza knows of
//! each server. Whether Plaza federates with a server is decided in one place,
//! [`plaza_db::instance::FederationPolicy`]; these functions change what it reads.

use plaza_db::instance::{self, InstanceFilter, InstanceRow};
use plaza_db::{delivery, site, transaction};

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
    let domain = not_our_own(ctx, domain, "it cannot be blocked")?;
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

/// What putting an instance on the allow-list did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowOutcome {
    /// The domain as stored.
    pub domain: String,
    /// Plaza had met this instance before.
    pub was_known: bool,
    /// It was on the allow-list already.
    pub was_allowed: bool,
    /// It is blocked: the block still holds (a block wins over an allow).
    pub blocked: bool,
}

/// Puts an instance on the allow-list (creating its row if Plaza has not met it yet). In
/// allow-list mode, Plaza federates with it from then on, unless it is blocked.
pub async fn allow(ctx: &Context, domain: &str) -> CoreResult<AllowOutcome> {
    let domain = not_our_own(ctx, domain, "it is always allowed")?;
    transaction!(&ctx.db, CoreError, |conn| {
        let before = instance::find_by_domain(conn, &domain).await?;
        instance::set_allowed(conn, &domain, true).await?;
        Ok(AllowOutcome {
            was_known: before.is_some(),
            was_allowed: before.as_ref().is_some_and(|b| b.allowed),
            blocked: before.is_some_and(|b| b.blocked),
            domain: domain.clone(),
        })
    })
}

/// What taking an instance off the allow-list did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisallowOutcome {
    /// The domain as stored.
    pub domain: String,
    /// It was on the allow-list.
    pub was_allowed: bool,
    /// It is blocked as well.
    pub blocked: bool,
    /// Deliveries to it that were waiting and are now dropped (in allow-list mode).
    pub dropped: usize,
}

/// Takes an instance off the allow-list. In allow-list mode it is then treated as a blocked
/// one, and what was waiting to be delivered to it is dropped in the same transaction.
pub async fn disallow(ctx: &Context, domain: &str) -> CoreResult<DisallowOutcome> {
    let domain = not_our_own(ctx, domain, "it is always allowed")?;
    transaction!(&ctx.db, CoreError, |conn| {
        let before = instance::find_by_domain(conn, &domain).await?;
        let was_allowed = before.as_ref().is_some_and(|b| b.allowed);
        if was_allowed {
            instance::set_allowed(conn, &domain, false).await?;
        }
        let dropped = delivery::drop_pending_refused(conn).await?;
        Ok(DisallowOutcome {
            domain: domain.clone(),
            was_allowed,
            blocked: before.is_some_and(|b| b.blocked),
            dropped,
        })
    })
}

/// What switching allow-list mode did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowlistOutcome {
    /// The mode now.
    pub on: bool,
    /// The mode before.
    pub was_on: bool,
    /// Instances on the allow-list.
    pub allowed: usize,
    /// Deliveries that were waiting for instances not on the list and are now dropped.
    pub dropped: usize,
}

/// Switches allow-list mode. When it is on, Plaza federates only with the instances on the
/// allow-list (and never with a blocked one): the others are treated exactly as blocked ones,
/// and what was waiting to be delivered to them is dropped in the same transaction.
pub async fn set_allowlist_mode(ctx: &Context, on: bool) -> CoreResult<AllowlistOutcome> {
    transaction!(&ctx.db, CoreError, |conn| {
        let was_on = site::set_federation_allowlist(conn, on).await?;
        let dropped = delivery::drop_pending_refused(conn).await?;
        let allowed = instance::list(conn, InstanceFilter::Allowed).await?.len();
        Ok(AllowlistOutcome {
            on,
            was_on,
            allowed,
            dropped,
        })
    })
}

/// Normalises a domain and refuses this instance's own, which the lists cannot change.
fn not_our_own(ctx: &Context, domain: &str, why: &str) -> CoreResult<String> {
    let domain = normalize_domain(domain)?;
    if domain == ctx.urls.domain() {
        return Err(CoreError::invalid(
            "domain",
            format!("{domain} is this instance's own domain: {why}"),
        ));
    }
    Ok(domain)
}

/// The other instances Plaza knows that pass `filter`, by domain.
pub async fn list(ctx: &Context, filter: InstanceFilter) -> CoreResult<Vec<InstanceRow>> {
    let mut pooled = ctx.db.get().await?;
    let rows = instance::list(&mut pooled.conn(), filter).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.id != ctx.local_instance_id())
        .collect())
}

/// How many refused deliveries the administrators' page shows.
pub const RECENT_REFUSALS: i64 = 20;

/// The deliveries other servers refused lately, newest first: a server that turns away what
/// Plaza sends (a signature it cannot check, a shape it does not read) shows here.
pub async fn recent_refusals(ctx: &Context) -> CoreResult<Vec<delivery::RefusedDelivery>> {
    let mut pooled = ctx.db.get().await?;
    Ok(delivery::recent_refusals(&mut pooled.conn(), RECENT_REFUSALS).await?)
}

/// The federation rule as it stands (allow-list mode and this instance's domain), to tell for a
/// listed instance whether Plaza federates with it.
pub async fn policy(ctx: &Context) -> CoreResult<instance::FederationPolicy> {
    let mut pooled = ctx.db.get().await?;
    Ok(instance::FederationPolicy::load(&mut pooled.conn()).await?)
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
