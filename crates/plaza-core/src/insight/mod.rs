//! Insight for the brand's community managers: what happens in the community over a period,
//! where people come from, how fast they get answers, who helps, what draws criticism and what
//! people ask for. Staff and administrators only. Each section is a [`Report`] of tables that the
//! pages draw, the API returns and the CSV export writes alike.

mod advocates;
mod demand;
mod friction;
mod overview;
pub mod period;
pub mod report;
mod responsiveness;
mod sources;
pub mod stats;

use chrono::NaiveDate;
use plaza_db::{DbConn, group, insight};

pub use period::{Bucket, Period, PeriodQuery};
pub use report::{Cell, Chart, Column, Table};

use crate::{Account, Context, CoreError, CoreResult, Urls};

/// The sections, each a page of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Activity over time, against the period before.
    Overview,
    /// Home instances and their software.
    Sources,
    /// Time to first reply, unanswered questions, share solved.
    Responsiveness,
    /// People who help others.
    Advocates,
    /// Downvotes, reports, removals: the threads behind them.
    Friction,
    /// Most upvoted and most discussed threads.
    Demand,
}

impl Section {
    /// Every section, in the order the pages list them.
    pub const ALL: [Section; 6] = [
        Section::Overview,
        Section::Sources,
        Section::Responsiveness,
        Section::Advocates,
        Section::Friction,
        Section::Demand,
    ];

    /// Its name in URLs.
    pub fn slug(self) -> &'static str {
        match self {
            Section::Overview => "overview",
            Section::Sources => "sources",
            Section::Responsiveness => "responsiveness",
            Section::Advocates => "advocates",
            Section::Friction => "friction",
            Section::Demand => "demand",
        }
    }

    /// Its heading.
    pub fn title(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Sources => "Where people come from",
            Section::Responsiveness => "Responsiveness",
            Section::Advocates => "Advocates",
            Section::Friction => "Friction",
            Section::Demand => "Demand",
        }
    }

    /// The section named in a URL.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// What a section was asked for.
#[derive(Debug, Clone, Default)]
pub struct InsightQuery {
    /// The period.
    pub period: PeriodQuery,
    /// One of the instance's groups by name, or all of them.
    pub group: Option<String>,
}

/// A section computed for a period and scope.
#[derive(Debug, Clone)]
pub struct Report {
    /// Which section.
    pub section: Section,
    /// The period covered.
    pub period: Period,
    /// The period before, which the overview compares with.
    pub previous: Period,
    /// The group, or `None` for the whole instance.
    pub group: Option<String>,
    /// The tables, in the order shown.
    pub tables: Vec<Table>,
}

impl Report {
    /// A table by id.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Whether an account may see insight: staff and administrators.
pub fn may_see(account: &Account) -> bool {
    account.staff || account.admin
}

/// The instance's groups by name, for the pages' scope picker (staff and administrators).
pub async fn groups(ctx: &Context, account: &Account) -> CoreResult<Vec<String>> {
    ensure_may_see(account)?;
    let mut pooled = ctx.db.get().await?;
    Ok(insight::group_names(&mut pooled.conn())
        .await?
        .into_iter()
        .map(|(_, name)| name)
        .collect())
}

fn ensure_may_see(account: &Account) -> CoreResult<()> {
    if may_see(account) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only staff and administrators see insight".into(),
        ))
    }
}

/// What every section's builder gets.
struct Scope<'a> {
    period: Period,
    group_id: Option<i64>,
    urls: &'a Urls,
}

/// Computes one section (staff and administrators).
pub async fn build(
    ctx: &Context,
    account: &Account,
    section: Section,
    query: &InsightQuery,
) -> CoreResult<Report> {
    ensure_may_see(account)?;
    let today = plaza_db::now().date();
    build_on(ctx, section, query, today).await
}

/// Computes one section as of `today` (UTC), without the access check: for benchmarks and
/// tests that need a fixed date.
pub async fn build_on(
    ctx: &Context,
    section: Section,
    query: &InsightQuery,
    today: NaiveDate,
) -> CoreResult<Report> {
    let period = Period::from_query(&query.period, today)?;
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let group = match query.group.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(
            group::find_local(conn, name)
                .await?
                .filter(|g| !g.deleted)
                .ok_or_else(|| CoreError::invalid("group", "no such group on this instance"))?,
        ),
    };
    let scope = Scope {
        period,
        group_id: group.as_ref().map(|g| g.id),
        urls: &ctx.urls,
    };
    let tables = match section {
        Section::Overview => overview::tables(conn, &scope).await?,
        Section::Sources => sources::tables(conn, &scope).await?,
        Section::Responsiveness => responsiveness::tables(conn, &scope).await?,
        Section::Advocates => advocates::tables(conn, &scope).await?,
        Section::Friction => friction::tables(conn, &scope).await?,
        Section::Demand => demand::tables(conn, &scope).await?,
    };
    Ok(Report {
        section,
        period,
        previous: period.previous(),
        group: group.map(|g| g.name),
        tables,
    })
}

/// The page of a person on this instance: `/u/name` for local people, `/u/name@domain` for
/// others.
fn person_page(urls: &Urls, name: &str, domain: &str, local: bool) -> String {
    let handle = if local {
        name.to_owned()
    } else {
        format!("{name}@{domain}")
    };
    let mut url = urls.base().clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.clear().push("u").push(&handle);
    }
    url.to_string()
}

/// A person as the tables name them: `name` here, `name@domain` from elsewhere.
fn handle(name: &str, domain: &str, local: bool) -> String {
    if local {
        name.to_owned()
    } else {
        format!("{name}@{domain}")
    }
}

/// Type alias to keep builders' signatures short.
type Conn<'a, 'c> = &'a mut DbConn<'c>;
