//! Where people come from: followers (now) and active people (in the period) by home instance
//! and by the software it runs, and the share from this instance against other servers.

use std::collections::{BTreeMap, HashMap, HashSet};

use plaza_db::insight::{self, Home};

use super::report::{Cell, Chart, Table, col};
use super::{Conn, Scope};
use crate::CoreResult;

/// What the software column says for this instance's own people.
pub const HERE: &str = "this instance";

/// What it says when another server's NodeInfo was never read.
pub const UNKNOWN: &str = "unknown";

#[derive(Default)]
struct Tally {
    software: String,
    local: bool,
    followers: i64,
    active: i64,
}

#[allow(clippy::cast_precision_loss)]
fn share(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| part as f64 * 100.0 / whole as f64)
}

fn software_of(home: &Home) -> String {
    if home.local {
        HERE.to_owned()
    } else {
        home.software
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map_or_else(|| UNKNOWN.to_owned(), str::to_lowercase)
    }
}

pub(super) async fn tables(conn: Conn<'_, '_>, scope: &Scope<'_>) -> CoreResult<Vec<Table>> {
    let window = scope.period.window(scope.group_id);
    let followers = insight::follower_ids(conn, scope.group_id).await?;
    let active: HashSet<i64> = insight::active_people(conn, window)
        .await?
        .into_iter()
        .collect();

    let mut people: Vec<i64> = followers
        .iter()
        .copied()
        .chain(active.iter().copied())
        .collect();
    people.sort_unstable();
    people.dedup();
    let homes: HashMap<i64, Home> = insight::homes(conn, &people)
        .await?
        .into_iter()
        .map(|h| (h.person_id, h))
        .collect();

    let mut by_domain: BTreeMap<String, Tally> = BTreeMap::new();
    let mut tally = |person: &i64, follower: bool| {
        let Some(home) = homes.get(person) else {
            return;
        };
        let t = by_domain
            .entry(home.domain.clone())
            .or_insert_with(|| Tally {
                software: software_of(home),
                local: home.local,
                ..Tally::default()
            });
        if follower {
            t.followers += 1;
        } else {
            t.active += 1;
        }
    };
    for p in &followers {
        tally(p, true);
    }
    for p in &active {
        tally(p, false);
    }

    let mut ranked: Vec<(&String, &Tally)> = by_domain.iter().collect();
    ranked.sort_by(|a, b| {
        (b.1.followers + b.1.active)
            .cmp(&(a.1.followers + a.1.active))
            .then_with(|| a.0.cmp(b.0))
    });
    let mut instances = Table::new(
        "instances",
        "Home instances",
        vec![
            col("instance", "Instance"),
            col("software", "Software"),
            col("followers", "Followers"),
            col("active_people", "Active people"),
        ],
    )
    .noting(
        "Followers as of now; active people started a thread, commented or voted in the period.",
    )
    .charted(Chart::Bars { label: 0, value: 2 });
    for (domain, t) in &ranked {
        instances.rows.push(vec![
            Cell::Text((*domain).clone()),
            Cell::Text(t.software.clone()),
            Cell::Int(t.followers),
            Cell::Int(t.active),
        ]);
    }

    let mut by_software: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for t in by_domain.values() {
        let e = by_software.entry(t.software.as_str()).or_default();
        e.0 += 1;
        e.1 += t.followers;
        e.2 += t.active;
    }
    let mut software_ranked: Vec<(&str, (i64, i64, i64))> = by_software.into_iter().collect();
    software_ranked.sort_by(|a, b| {
        (b.1.1 + b.1.2)
            .cmp(&(a.1.1 + a.1.2))
            .then_with(|| a.0.cmp(b.0))
    });
    let mut software = Table::new(
        "software",
        "Server software",
        vec![
            col("software", "Software"),
            col("instances", "Instances"),
            col("followers", "Followers"),
            col("active_people", "Active people"),
        ],
    )
    .noting("As each server's NodeInfo names it; unknown when it was never read.")
    .charted(Chart::Bars { label: 0, value: 2 });
    for (name, (n, f, a)) in software_ranked {
        software.rows.push(vec![
            Cell::from(name),
            Cell::Int(n),
            Cell::Int(f),
            Cell::Int(a),
        ]);
    }

    let (mut here, mut there) = ((0, 0), (0, 0));
    for t in by_domain.values() {
        let side = if t.local { &mut here } else { &mut there };
        side.0 += t.followers;
        side.1 += t.active;
    }
    let total = (here.0 + there.0, here.1 + there.1);
    let mut split = Table::new(
        "local_remote",
        "This instance and other servers",
        vec![
            col("people_from", "People from"),
            col("followers", "Followers"),
            col("followers_percent", "Followers (%)"),
            col("active_people", "Active people"),
            col("active_percent", "Active people (%)"),
        ],
    )
    .charted(Chart::Bars { label: 0, value: 3 });
    for (name, (f, a)) in [("this instance", here), ("other servers", there)] {
        split.rows.push(vec![
            Cell::from(name),
            Cell::Int(f),
            Cell::num(share(f, total.0)),
            Cell::Int(a),
            Cell::num(share(a, total.1)),
        ]);
    }
    Ok(vec![split, instances, software])
}
