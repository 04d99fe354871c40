//! Responsiveness: how long threads started in the period waited for a first reply from someone
//! else, and for one from staff or the group's moderators (median and 90th percentile, in
//! hours); how many questions were solved; the questions still waiting, oldest first.

use std::collections::{BTreeMap, HashMap, HashSet};

use plaza_db::insight::{self, ThreadReplies};

use super::report::{Cell, Chart, Table, col};
use super::stats::{hours, median_p90};
use super::{Conn, Scope, handle};
use crate::CoreResult;

/// At most this many unanswered questions are listed.
const OPEN_QUESTIONS: i64 = 50;

/// The threads of one row, with their waits in hours.
#[derive(Default)]
struct Waits {
    threads: i64,
    first: Vec<f64>,
    staff: Vec<f64>,
    questions: i64,
    solved: i64,
}

impl Waits {
    fn add(&mut self, t: &ThreadReplies, staff_at: Option<chrono::NaiveDateTime>) {
        self.threads += 1;
        if let Some(at) = t.first_reply_at {
            self.first
                .push(hours((at - t.created_at).num_seconds().max(0)));
        }
        if let Some(at) = staff_at {
            self.staff
                .push(hours((at - t.created_at).num_seconds().max(0)));
        }
        if t.question {
            self.questions += 1;
            if t.solved {
                self.solved += 1;
            }
        }
    }

    fn cells(&self) -> Vec<Cell> {
        let (m, p) = median_p90(self.first.clone());
        let (sm, sp) = median_p90(self.staff.clone());
        #[allow(clippy::cast_precision_loss)]
        let solved =
            (self.questions != 0).then(|| self.solved as f64 * 100.0 / self.questions as f64);
        vec![
            Cell::Int(self.threads),
            Cell::from(self.first.len()),
            Cell::num(m),
            Cell::num(p),
            Cell::from(self.staff.len()),
            Cell::num(sm),
            Cell::num(sp),
            Cell::Int(self.questions),
            Cell::Int(self.solved),
            Cell::num(solved),
        ]
    }
}

pub(super) async fn tables(conn: Conn<'_, '_>, scope: &Scope<'_>) -> CoreResult<Vec<Table>> {
    let period = scope.period;
    let window = period.window(scope.group_id);
    let threads = insight::thread_replies(conn, window).await?;
    let (staff, moderators) = insight::responders(conn).await?;
    let staff: HashSet<i64> = staff.into_iter().collect();
    let moderators: HashSet<(i64, i64)> = moderators.into_iter().collect();
    let mut official: Vec<i64> = staff
        .iter()
        .copied()
        .chain(moderators.iter().map(|m| m.1))
        .collect();
    official.sort_unstable();
    official.dedup();
    let group_of: HashMap<i64, i64> = threads.iter().map(|t| (t.id, t.group_id)).collect();
    let mut first_official: HashMap<i64, chrono::NaiveDateTime> = HashMap::new();
    for r in insight::replies_by(conn, window, &official).await? {
        let Some(group) = group_of.get(&r.post_id) else {
            continue;
        };
        if staff.contains(&r.author_id) || moderators.contains(&(*group, r.author_id)) {
            first_official.entry(r.post_id).or_insert(r.created_at);
        }
    }
    let names: HashMap<i64, String> = insight::group_names(conn).await?.into_iter().collect();

    let mut all = Waits::default();
    let mut per_group: BTreeMap<String, Waits> = BTreeMap::new();
    let days = period.buckets();
    let mut per_bucket: Vec<Waits> = days.iter().map(|_| Waits::default()).collect();
    for t in &threads {
        let official_at = first_official.get(&t.id).copied();
        all.add(t, official_at);
        let name = names.get(&t.group_id).cloned().unwrap_or_default();
        per_group.entry(name).or_default().add(t, official_at);
        if let Some(w) = period
            .bucket_of(t.created_at)
            .and_then(|i| per_bucket.get_mut(i))
        {
            w.add(t, official_at);
        }
    }

    let wait_columns = || {
        vec![
            col("threads", "Threads"),
            col("replied", "Replied"),
            col("median_first_reply_hours", "First reply, median (h)"),
            col("p90_first_reply_hours", "First reply, 90% within (h)"),
            col("staff_replied", "Replied by staff"),
            col("median_staff_reply_hours", "Staff reply, median (h)"),
            col("p90_staff_reply_hours", "Staff reply, 90% within (h)"),
            col("questions", "Questions"),
            col("solved", "Solved"),
            col("solved_percent", "Solved (%)"),
        ]
    };
    let mut groups_columns = vec![col("group", "Group")];
    groups_columns.extend(wait_columns());
    let mut by_group = Table::new("groups", "By group", groups_columns).noting(
        "Threads started in the period. A first reply is the first comment by someone other than \
         the thread's author; a staff reply is one by staff, an administrator or a moderator of \
         the group. Solved questions have an accepted answer.",
    );
    let mut first_row = vec![Cell::from("all groups")];
    first_row.extend(all.cells());
    by_group.rows.push(first_row);
    for (name, w) in &per_group {
        let mut row = vec![Cell::Text(name.clone())];
        row.extend(w.cells());
        by_group.rows.push(row);
    }

    let mut time_columns = vec![col(period.bucket.as_str(), "Starting")];
    time_columns.extend(wait_columns());
    let mut over_time = Table::new("over_time", "Over time", time_columns)
        .noting("Threads by the day (or week) they were started.")
        .charted(Chart::Lines {
            x: 0,
            series: vec![3, 4, 6],
            y_label: "hours",
        });
    for (day, w) in days.iter().zip(&per_bucket) {
        let mut row = vec![Cell::Text(day.to_string())];
        row.extend(w.cells());
        over_time.rows.push(row);
    }

    let now = plaza_db::now();
    let mut open = Table::new(
        "unanswered",
        "Questions still unanswered",
        vec![
            col("thread", "Question"),
            col("group", "Group"),
            col("asked_by", "Asked by"),
            col("asked_at", "Asked at (UTC)"),
            col("waiting_days", "Waiting (days)"),
            col("url", "Link"),
        ],
    )
    .noting("Questions without any reply, whenever they were asked, the longest waiting first.");
    for q in insight::open_questions(conn, scope.group_id, OPEN_QUESTIONS).await? {
        open.rows.push(vec![
            Cell::Text(q.title),
            Cell::Text(q.group_name),
            Cell::Text(handle(&q.author_name, &q.author_domain, q.author_local)),
            Cell::Text(q.created_at.format("%Y-%m-%d %H:%M").to_string()),
            Cell::Int((now - q.created_at).num_days().max(0)),
            Cell::Text(scope.urls.post(q.id)),
        ]);
    }
    Ok(vec![by_group, over_time, open])
}
