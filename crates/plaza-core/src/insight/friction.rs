//! Friction: the threads that drew downvotes, reports and removals in the period, the people
//! whose writing drew them, and the threads with a negative score that grow fast. The tables
//! show the evidence, the threads and the counts, not a judgement about anyone.

use std::collections::{HashMap, HashSet};

use plaza_db::insight::{self, ThreadRank};
use plaza_db::person;

use super::report::{Cell, Chart, Table, col};
use super::{Conn, Scope, handle, person_page};
use crate::CoreResult;

/// At most this many rows per table.
const LISTED: usize = 25;

/// Threads with a negative score read before ranking them by growth.
const HEATED_CANDIDATES: i64 = 200;

#[derive(Default)]
struct Signals {
    downvotes: i64,
    reports: i64,
    removals: i64,
    threads: HashSet<i64>,
}

impl Signals {
    fn weight(&self) -> i64 {
        self.downvotes + self.reports + self.removals
    }
}

pub(super) async fn tables(conn: Conn<'_, '_>, scope: &Scope<'_>) -> CoreResult<Vec<Table>> {
    let window = scope.period.window(scope.group_id);
    let mut by_thread: HashMap<i64, Signals> = HashMap::new();
    let mut by_person: HashMap<i64, Signals> = HashMap::new();
    for (thread, author, downvotes, removed) in insight::criticised_content(conn, window).await? {
        for s in [
            by_thread.entry(thread).or_default(),
            by_person.entry(author).or_default(),
        ] {
            s.downvotes += downvotes;
            s.removals += i64::from(removed);
            s.threads.insert(thread);
        }
    }
    for r in insight::reports(conn, window).await? {
        for s in [
            by_thread.entry(r.post_id).or_default(),
            by_person.entry(r.author_id).or_default(),
        ] {
            s.reports += 1;
            s.threads.insert(r.post_id);
        }
    }

    let mut threads: Vec<(i64, &Signals)> = by_thread.iter().map(|(id, s)| (*id, s)).collect();
    threads.sort_by(|a, b| b.1.weight().cmp(&a.1.weight()).then(a.0.cmp(&b.0)));
    threads.truncate(LISTED);
    let ids: Vec<i64> = threads.iter().map(|t| t.0).collect();
    let stats: HashMap<i64, insight::ThreadStat> = insight::thread_stats(conn, &ids)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut thread_table = Table::new(
        "threads",
        "Threads drawing criticism",
        vec![
            col("thread", "Thread"),
            col("group", "Group"),
            col("downvotes", "Downvotes"),
            col("reports", "Reports"),
            col("removals", "Removed posts"),
            col("score", "Score"),
            col("comments", "Comments"),
            col("url", "Link"),
        ],
    )
    .noting(
        "Downvotes on the thread and its comments written in the period, reports made in the \
         period, and removed posts among them.",
    )
    .charted(Chart::Bars { label: 0, value: 2 });
    for (id, s) in &threads {
        let Some(t) = stats.get(id) else { continue };
        thread_table.rows.push(vec![
            Cell::Text(t.title.clone()),
            Cell::Text(t.group_name.clone()),
            Cell::Int(s.downvotes),
            Cell::Int(s.reports),
            Cell::Int(s.removals),
            Cell::Int(t.score),
            Cell::Int(t.comment_count),
            Cell::Text(scope.urls.post(t.id)),
        ]);
    }

    let mut people: Vec<(i64, &Signals)> = by_person.iter().map(|(id, s)| (*id, s)).collect();
    people.sort_by(|a, b| b.1.weight().cmp(&a.1.weight()).then(a.0.cmp(&b.0)));
    people.truncate(LISTED);
    let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
    let briefs: HashMap<i64, person::PersonBrief> = person::briefs(conn, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut people_table = Table::new(
        "people",
        "People whose posts drew criticism",
        vec![
            col("person", "Person"),
            col("home", "Home instance"),
            col("downvotes", "Downvotes"),
            col("reports", "Reports"),
            col("removals", "Removed posts"),
            col("threads", "In threads"),
            col("url", "Link"),
        ],
    )
    .noting("Counts over what they wrote; the threads above are where it happened.");
    for (id, s) in &people {
        let Some(p) = briefs.get(id) else { continue };
        people_table.rows.push(vec![
            Cell::Text(handle(&p.name, &p.domain, p.local)),
            Cell::Text(p.domain.clone()),
            Cell::Int(s.downvotes),
            Cell::Int(s.reports),
            Cell::Int(s.removals),
            Cell::from(s.threads.len()),
            Cell::Text(person_page(scope.urls, &p.name, &p.domain, p.local)),
        ]);
    }

    let end = scope.period.end();
    let mut heated: Vec<(f64, insight::ThreadStat)> = insight::top_threads(
        conn,
        window,
        ThreadRank::NegativeByComments,
        HEATED_CANDIDATES,
    )
    .await?
    .into_iter()
    .map(|t| {
        // Up to the period's end, so the figure does not move while one reads it.
        let hours = ((end - t.created_at).num_minutes().max(60)) as f64 / 60.0;
        #[allow(clippy::cast_precision_loss)]
        let per_day = t.comment_count as f64 * 24.0 / hours;
        (per_day, t)
    })
    .collect();
    heated.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    heated.truncate(LISTED);
    let mut heated_table = Table::new(
        "heated",
        "Negative threads growing fast",
        vec![
            col("thread", "Thread"),
            col("group", "Group"),
            col("score", "Score"),
            col("comments", "Comments"),
            col("comments_per_day", "Comments per day"),
            col("url", "Link"),
        ],
    )
    .noting(
        "Threads started in the period with a score below zero, by comments per day from their \
         start to the end of the period (at least one hour).",
    );
    for (rate, t) in heated {
        heated_table.rows.push(vec![
            Cell::Text(t.title),
            Cell::Text(t.group_name),
            Cell::Int(t.score),
            Cell::Int(t.comment_count),
            Cell::num(Some(rate)),
            Cell::Text(scope.urls.post(t.id)),
        ]);
    }
    Ok(vec![thread_table, people_table, heated_table])
}
