//! Advocates: the people who help others, ranked by the answers of theirs that were accepted,
//! the upvotes on their replies in threads they did not start, and the threads they answered
//! first.

use std::collections::HashMap;

use plaza_db::{insight, person};

use super::report::{Cell, Chart, Table, col};
use super::{Conn, Scope, handle, person_page};
use crate::CoreResult;

/// At most this many people are listed.
const LISTED: usize = 50;

#[derive(Default, Clone, Copy)]
struct Help {
    accepted: i64,
    upvotes: i64,
    first: i64,
}

pub(super) async fn tables(conn: Conn<'_, '_>, scope: &Scope<'_>) -> CoreResult<Vec<Table>> {
    let window = scope.period.window(scope.group_id);
    let mut help: HashMap<i64, Help> = HashMap::new();
    for (who, n) in insight::accepted_answers(conn, window).await? {
        help.entry(who).or_default().accepted += n;
    }
    for (who, n) in insight::upvoted_replies(conn, window).await? {
        help.entry(who).or_default().upvotes += n;
    }
    for (who, n) in insight::first_answers(conn, window).await? {
        help.entry(who).or_default().first += n;
    }
    let ids: Vec<i64> = help.keys().copied().collect();
    let people: HashMap<i64, person::PersonBrief> = person::briefs(conn, &ids)
        .await?
        .into_iter()
        .filter(|p| !p.deleted)
        .map(|p| (p.id, p))
        .collect();
    let mut ranked: Vec<(&person::PersonBrief, Help)> = help
        .iter()
        .filter_map(|(id, h)| people.get(id).map(|p| (p, *h)))
        .collect();
    ranked.sort_by(|a, b| {
        (b.1.accepted, b.1.upvotes, b.1.first)
            .cmp(&(a.1.accepted, a.1.upvotes, a.1.first))
            .then_with(|| a.0.name.cmp(&b.0.name))
            .then_with(|| a.0.domain.cmp(&b.0.domain))
    });
    let mut table = Table::new(
        "advocates",
        "People who help others",
        vec![
            col("person", "Person"),
            col("home", "Home instance"),
            col("accepted_answers", "Answers accepted"),
            col("reply_upvotes", "Upvotes on replies to others"),
            col("first_answers", "Threads answered first"),
            col("url", "Link"),
        ],
    )
    .noting(
        "Answers accepted in the period; upvotes on replies written in the period to threads \
         someone else started; threads started in the period where theirs was the first reply \
         by someone other than the author.",
    )
    .charted(Chart::Bars { label: 0, value: 2 });
    for (p, h) in ranked.into_iter().take(LISTED) {
        table.rows.push(vec![
            Cell::Text(handle(&p.name, &p.domain, p.local)),
            Cell::Text(p.domain.clone()),
            Cell::Int(h.accepted),
            Cell::Int(h.upvotes),
            Cell::Int(h.first),
            Cell::Text(person_page(scope.urls, &p.name, &p.domain, p.local)),
        ]);
    }
    Ok(vec![table])
}
