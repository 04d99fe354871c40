//! Known instances: ours and every remote one we have met, with their block/allow state.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use crate::schema::{instances, site};
use crate::{DbConn, DbResult, now, on_conn};

/// A fediverse instance (a domain).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instances, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct InstanceRow {
    pub id: i64,
    pub domain: String,
    pub software: Option<String>,
    pub version: Option<String>,
    pub blocked: bool,
    pub allowed: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub failure_count: i32,
    pub dead_since: Option<NaiveDateTime>,
    pub last_success_at: Option<NaiveDateTime>,
    /// Deliveries it refused (answered with a final 4xx).
    pub refusal_count: i32,
    pub last_refusal_at: Option<NaiveDateTime>,
}

/// Finds or creates the instance for `domain` (lower-cased host[:port]).
pub async fn upsert(conn: &mut DbConn<'_>, domain: &str) -> DbResult<InstanceRow> {
    // Most calls meet a known instance: a read then, not a write that changes nothing.
    if let Some(row) = find_by_domain(conn, domain).await? {
        return Ok(row);
    }
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(instances::table)
        .values((
            instances::domain.eq(domain),
            instances::created_at.eq(now),
            instances::updated_at.eq(now),
        ))
        .on_conflict(instances::domain)
        // A no-op update so RETURNING yields the existing row on both backends.
        .do_update()
        .set(instances::domain.eq(excluded(instances::domain)))
        .returning(InstanceRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds an instance by domain.
pub async fn find_by_domain(conn: &mut DbConn<'_>, domain: &str) -> DbResult<Option<InstanceRow>> {
    on_conn!(conn, |c| Ok(instances::table
        .filter(instances::domain.eq(domain))
        .select(InstanceRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Which instances a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InstanceFilter {
    /// Every known instance.
    #[default]
    All,
    /// Only the blocked ones.
    Blocked,
    /// Only the ones on the allow-list.
    Allowed,
}

/// The known instances that pass `filter`, by domain.
pub async fn list(conn: &mut DbConn<'_>, filter: InstanceFilter) -> DbResult<Vec<InstanceRow>> {
    on_conn!(conn, |c| {
        let mut query = instances::table
            .select(InstanceRow::as_select())
            .order(instances::domain.asc())
            .into_boxed();
        query = match filter {
            InstanceFilter::All => query,
            InstanceFilter::Blocked => query.filter(instances::blocked.eq(true)),
            InstanceFilter::Allowed => query.filter(instances::allowed.eq(true)),
        };
        Ok(query.load(c).await?)
    })
}

/// Why Plaza does not federate with an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An administrator blocked it.
    Blocked,
    /// Allow-list mode is on and it is not on the list.
    NotAllowed,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Blocked => "blocked",
            Refusal::NotAllowed => "not on the allow-list",
        })
    }
}

/// Whom Plaza federates with. Every check (the inbox and fetching, through the URL verifier;
/// delivery; the follower audience; following) goes through [`FederationPolicy::check`], so
/// the rule is written once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationPolicy {
    /// This instance's domain, which is never refused.
    pub own_domain: Option<String>,
    /// Allow-list mode.
    pub allowlist: bool,
}

impl FederationPolicy {
    /// The policy as the site row sets it now (open federation before the site exists).
    pub async fn load(conn: &mut DbConn<'_>) -> DbResult<Self> {
        let row: Option<(String, bool)> = on_conn!(conn, |c| site::table
            .find(1_i64)
            .select((site::domain, site::federation_allowlist))
            .first(c)
            .await
            .optional())?;
        Ok(match row {
            Some((domain, allowlist)) => Self {
                own_domain: Some(domain),
                allowlist,
            },
            None => Self {
                own_domain: None,
                allowlist: false,
            },
        })
    }

    /// Whether `domain`, with the given flags (both false for a domain not met yet), may be
    /// federated with. A block wins over an allow.
    pub fn check(&self, domain: &str, blocked: bool, allowed: bool) -> Result<(), Refusal> {
        if self.own_domain.as_deref() == Some(domain) {
            Ok(())
        } else if blocked {
            Err(Refusal::Blocked)
        } else if self.allowlist && !allowed {
            Err(Refusal::NotAllowed)
        } else {
            Ok(())
        }
    }

    /// [`FederationPolicy::check`] for a stored instance.
    pub fn check_row(&self, row: &InstanceRow) -> Result<(), Refusal> {
        self.check(&row.domain, row.blocked, row.allowed)
    }
}

/// Whether Plaza federates with `domain` (lower-case `host[:port]`) now.
pub async fn federates_with(conn: &mut DbConn<'_>, domain: &str) -> DbResult<Result<(), Refusal>> {
    // One statement for the policy and the domain's flags: this runs for every URL the inbox
    // trusts or fetches.
    let row: Option<(String, bool, Option<bool>, Option<bool>)> = on_conn!(conn, |c| site::table
        .find(1_i64)
        .select((
            site::domain,
            site::federation_allowlist,
            instances::table
                .filter(instances::domain.eq(domain))
                .select(instances::blocked)
                .single_value(),
            instances::table
                .filter(instances::domain.eq(domain))
                .select(instances::allowed)
                .single_value(),
        ))
        .first(c)
        .await
        .optional())?;
    if let Some((own_domain, allowlist, blocked, allowed)) = row {
        let policy = FederationPolicy {
            own_domain: Some(own_domain),
            allowlist,
        };
        return Ok(policy.check(domain, blocked.unwrap_or(false), allowed.unwrap_or(false)));
    }
    let policy = FederationPolicy::load(conn).await?;
    Ok(match find_by_domain(conn, domain).await? {
        Some(row) => policy.check_row(&row),
        None => policy.check(domain, false, false),
    })
}

/// The instances among `instance_ids` that Plaza does not federate with now, with the reason
/// (what is queued for them is dropped instead of sent).
pub async fn refused(
    conn: &mut DbConn<'_>,
    instance_ids: &[i64],
) -> DbResult<HashMap<i64, Refusal>> {
    if instance_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let policy = FederationPolicy::load(conn).await?;
    let rows: Vec<InstanceRow> = on_conn!(conn, |c| instances::table
        .filter(instances::id.eq_any(instance_ids))
        .select(InstanceRow::as_select())
        .load(c)
        .await)?;
    Ok(rows
        .iter()
        .filter_map(|row| policy.check_row(row).err().map(|why| (row.id, why)))
        .collect())
}

/// Blocks or unblocks a domain.
pub async fn set_blocked(conn: &mut DbConn<'_>, domain: &str, blocked: bool) -> DbResult<()> {
    let row = upsert(conn, domain).await?;
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(instances::table.find(row.id))
            .set((
                instances::blocked.eq(blocked),
                instances::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Puts a domain on the allow-list or takes it off.
pub async fn set_allowed(conn: &mut DbConn<'_>, domain: &str, allowed: bool) -> DbResult<()> {
    let row = upsert(conn, domain).await?;
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(instances::table.find(row.id))
            .set((
                instances::allowed.eq(allowed),
                instances::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Records the software an instance runs, as its NodeInfo reports it.
pub async fn set_software(
    conn: &mut DbConn<'_>,
    domain: &str,
    software: &str,
    version: Option<&str>,
) -> DbResult<()> {
    let row = upsert(conn, domain).await?;
    let now = now();
    on_conn!(conn, |c| {
        diesel::update(instances::table.find(row.id))
            .set((
                instances::software.eq(software),
                instances::version.eq(version),
                instances::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allowlist: bool) -> FederationPolicy {
        FederationPolicy {
            own_domain: Some("plaza.example".into()),
            allowlist,
        }
    }

    #[test]
    fn without_the_allow_list_only_a_block_refuses() {
        let open = policy(false);
        assert_eq!(open.check("a.example", false, false), Ok(()));
        assert_eq!(open.check("a.example", false, true), Ok(()));
        assert_eq!(open.check("a.example", true, false), Err(Refusal::Blocked));
    }

    #[test]
    fn in_allow_list_mode_only_allowed_and_unblocked_instances_federate() {
        let strict = policy(true);
        assert_eq!(strict.check("a.example", false, true), Ok(()));
        assert_eq!(
            strict.check("a.example", false, false),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            strict.check("a.example", true, true),
            Err(Refusal::Blocked),
            "a block wins over an allow"
        );
    }

    #[test]
    fn our_own_domain_is_always_federated_with() {
        assert_eq!(policy(true).check("plaza.example", false, false), Ok(()));
    }
}
