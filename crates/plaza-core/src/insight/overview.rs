//! The overview: new members and followers, threads, comments, votes and active people per day
//! (or week), next to the period before.

use std::collections::HashSet;

use plaza_db::insight::{self, Stamp};

use super::report::{Cell, Chart, Table, col};
use super::{Conn, Period, Scope};
use crate::CoreResult;

/// The measures, as `(key, label, what counts)`.
const MEASURES: [(&str, &str, &str); 6] = [
    (
        "new_members",
        "New members",
        "Accounts that signed up here (for one group: local people who followed it).",
    ),
    (
        "new_followers",
        "New followers",
        "Follows of the groups, from here and from other servers.",
    ),
    (
        "threads",
        "Threads",
        "Threads started (deleted ones left out).",
    ),
    (
        "comments",
        "Comments",
        "Comments written (deleted ones left out).",
    ),
    ("votes", "Votes", "Votes cast on threads and comments."),
    (
        "active_people",
        "Active people",
        "Different people who started a thread, commented or voted.",
    ),
];

/// Counts per bucket of one period, and the distinct people of the whole period.
struct Counted {
    per_bucket: Vec<i64>,
    total: i64,
}

fn count(period: &Period, stamps: &[Stamp]) -> Counted {
    let mut per_bucket = vec![0_i64; period.buckets().len()];
    let mut total = 0;
    for (at, _) in stamps {
        if let Some(slot) = period.bucket_of(*at).and_then(|i| per_bucket.get_mut(i)) {
            *slot += 1;
            total += 1;
        }
    }
    Counted { per_bucket, total }
}

fn count_people(period: &Period, stamps: &[&[Stamp]]) -> Counted {
    let mut per_bucket: Vec<HashSet<i64>> = vec![HashSet::new(); period.buckets().len()];
    let mut all = HashSet::new();
    for (at, who) in stamps.iter().flat_map(|s| s.iter()) {
        if let Some(slot) = period.bucket_of(*at).and_then(|i| per_bucket.get_mut(i)) {
            slot.insert(*who);
            all.insert(*who);
        }
    }
    Counted {
        per_bucket: per_bucket
            .iter()
            .map(|s| i64::try_from(s.len()).unwrap_or(i64::MAX))
            .collect(),
        total: i64::try_from(all.len()).unwrap_or(i64::MAX),
    }
}

/// Change from `before` to `now` in percent; none when there was nothing before.
#[allow(clippy::cast_precision_loss)]
fn change(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| (now - before) as f64 * 100.0 / before as f64)
}

pub(super) async fn tables(conn: Conn<'_, '_>, scope: &Scope<'_>) -> CoreResult<Vec<Table>> {
    let period = scope.period;
    let previous = period.previous();
    let both = plaza_db::insight::Window {
        from: previous.start(),
        to: period.end(),
        group_id: scope.group_id,
    };
    let signups = insight::signups(conn, both).await?;
    let follows = insight::follows(conn, both).await?;
    let threads = insight::threads(conn, both).await?;
    let comments = insight::comments(conn, both).await?;
    let votes = insight::votes(conn, both).await?;
    let active: [&[Stamp]; 3] = [&threads, &comments, &votes];

    let measured = |p: &Period| -> [Counted; 6] {
        [
            count(p, &signups),
            count(p, &follows),
            count(p, &threads),
            count(p, &comments),
            count(p, &votes),
            count_people(p, &active),
        ]
    };
    let now = measured(&period);
    let before = measured(&previous);

    let mut totals = Table::new(
        "totals",
        "This period and the one before",
        vec![
            col("measure", "Measure"),
            col("this_period", "This period"),
            col("previous_period", "Period before"),
            col("change_percent", "Change (%)"),
        ],
    )
    .noting("Active people are counted once over the whole period, not added up per day.");
    let days = period.buckets();
    let previous_days = previous.buckets();
    let mut out = Vec::with_capacity(MEASURES.len() + 1);
    for (i, (key, label, note)) in MEASURES.iter().enumerate() {
        let (Some(n), Some(b)) = (now.get(i), before.get(i)) else {
            continue;
        };
        totals.rows.push(vec![
            Cell::from(*key),
            Cell::Int(n.total),
            Cell::Int(b.total),
            Cell::num(change(n.total, b.total)),
        ]);
        let mut table = Table::new(
            key,
            label,
            vec![
                col(start_key(period), "Starting"),
                col("count", "This period"),
                col("previous_start", "Period before, starting"),
                col("previous_count", "Period before"),
            ],
        )
        .noting(note)
        .charted(Chart::Lines {
            x: 0,
            series: vec![1, 3],
            y_label: label,
        });
        for (j, day) in days.iter().enumerate() {
            table.rows.push(vec![
                Cell::Text(day.to_string()),
                Cell::Int(n.per_bucket.get(j).copied().unwrap_or(0)),
                previous_days
                    .get(j)
                    .map_or(Cell::Empty, |d| Cell::Text(d.to_string())),
                Cell::Int(b.per_bucket.get(j).copied().unwrap_or(0)),
            ]);
        }
        out.push(table);
    }
    out.insert(0, totals);
    Ok(out)
}

/// `day` or `week`: what the first column holds.
fn start_key(period: Period) -> &'static str {
    period.bucket.as_str()
}
