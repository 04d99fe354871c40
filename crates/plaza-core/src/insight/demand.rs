//! Demand: the threads started in the period that people upvoted and discussed most.

use plaza_db::insight::{self, ThreadRank};

use super::report::{Cell, Chart, Table, col};
use super::{Conn, Scope};
use crate::CoreResult;

/// Threads per table.
const LISTED: i64 = 25;

pub(super) async fn tables(conn: Conn<'_, '_>, scope: &Scope<'_>) -> CoreResult<Vec<Table>> {
    let window = scope.period.window(scope.group_id);
    let mut out = Vec::new();
    for (id, title, rank, value) in [
        ("most_upvoted", "Most upvoted threads", ThreadRank::Score, 2),
        (
            "most_discussed",
            "Most discussed threads",
            ThreadRank::Comments,
            5,
        ),
    ] {
        let mut table = Table::new(
            id,
            title,
            vec![
                col("thread", "Thread"),
                col("group", "Group"),
                col("score", "Score"),
                col("upvotes", "Upvotes"),
                col("downvotes", "Downvotes"),
                col("comments", "Comments"),
                col("url", "Link"),
            ],
        )
        .noting("Threads started in the period and still up, with their counts as of now.")
        .charted(Chart::Bars { label: 0, value });
        for t in insight::top_threads(conn, window, rank, LISTED).await? {
            table.rows.push(vec![
                Cell::Text(t.title),
                Cell::Text(t.group_name),
                Cell::Int(t.score),
                Cell::Int(t.upvotes),
                Cell::Int(t.downvotes),
                Cell::Int(t.comment_count),
                Cell::Text(scope.urls.post(t.id)),
            ]);
        }
        out.push(table);
    }
    Ok(out)
}
