//! The overview: new members and followers, threads, comments, votes and active people per day
//! (or week), next to the period before.

use chrono::NaiveDateTime;
use plaza_db::insight::{self, DayCounts};

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

/// Counts per bucket of one period, and over the whole period.
struct Counted {
    per_bucket: Vec<i64>,
    total: i64,
}

impl Counted {
    fn new(period: &Period) -> Self {
        Self {
            per_bucket: vec![0; period.buckets().len()],
            total: 0,
        }
    }

    fn add(&mut self, bucket: usize, n: i64) {
        if let Some(slot) = self.per_bucket.get_mut(bucket) {
            *slot += n;
            self.total += n;
        }
    }
}

/// The five measures kept per day (new members, new followers, threads, comments, votes) of
/// one period. New members are the instance's sign-ups, or for one group the local people who
/// followed it.
fn count_days(
    period: &Period,
    days: &[DayCounts],
    signups: Option<&[NaiveDateTime]>,
) -> [Counted; 5] {
    let mut out = std::array::from_fn(|_| Counted::new(period));
    for d in days {
        let Some(i) = period.bucket_of_day(d.day) else {
            continue;
        };
        let members = if signups.is_some() {
            0
        } else {
            d.local_follows
        };
        for (counted, n) in out
            .iter_mut()
            .zip([members, d.follows, d.threads, d.comments, d.votes])
        {
            counted.add(i, n);
        }
    }
    if let (Some(signups), Some(members)) = (signups, out.first_mut()) {
        for at in signups {
            if let Some(i) = period.bucket_of(*at) {
                members.add(i, 1);
            }
        }
    }
    out
}

/// Different active people per bucket, and over the whole period (someone active in two
/// buckets counts once in the total).
async fn count_people(
    conn: Conn<'_, '_>,
    period: &Period,
    group: Option<i64>,
) -> CoreResult<Counted> {
    let days = period.days_window(group);
    let mut counted = Counted::new(period);
    for (run, people) in insight::active_people_per_run(conn, days, period.bucket.days()).await? {
        if let Some(slot) = usize::try_from(run)
            .ok()
            .and_then(|i| counted.per_bucket.get_mut(i))
        {
            *slot = people;
        }
    }
    counted.total = insight::active_people_per_run(conn, days, period.days())
        .await?
        .first()
        .map_or(0, |(_, people)| *people);
    Ok(counted)
}

/// Change from `before` to `now` in percent; none when there was nothing before.
#[allow(clippy::cast_precision_loss)]
fn change(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| (now - before) as f64 * 100.0 / before as f64)
}

pub(super) async fn tables(conn: Conn<'_, '_>, scope: &Scope<'_>) -> CoreResult<Vec<Table>> {
    let period = scope.period;
    let previous = period.previous();
    let both = plaza_db::insight::Days {
        first: previous.first,
        last: period.last,
        group_id: scope.group_id,
    };
    let days = insight::day_counts(conn, both).await?;
    let signups = match scope.group_id {
        None => Some(
            insight::signups(
                conn,
                plaza_db::insight::Window {
                    from: previous.start(),
                    to: period.end(),
                    group_id: None,
                },
            )
            .await?,
        ),
        Some(_) => None,
    };
    let mut now: Vec<Counted> = count_days(&period, &days, signups.as_deref()).into();
    now.push(count_people(conn, &period, scope.group_id).await?);
    let mut before: Vec<Counted> = count_days(&previous, &days, signups.as_deref()).into();
    before.push(count_people(conn, &previous, scope.group_id).await?);

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
