//! What a group's moderators read: its moderation log and the bans in force, each with the
//! people and threads it names, so a reader sees who and what rather than ids.

use std::collections::HashMap;

use plaza_db::group::{self, BanRow};
use plaza_db::mod_log::{self, ModLogRow};
use plaza_db::person::PersonBrief;
use plaza_db::{Page, post};

use crate::participation::ensure_moderator;
use crate::people::briefs;
use crate::{Account, Context, CoreResult, Listing};

/// One entry of the log, with the people and the thread it names.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The stored entry.
    pub row: ModLogRow,
    /// Who acted (`None` when the moderator's row is gone).
    pub moderator: Option<PersonBrief>,
    /// Whom it concerned: the author of what was moderated, the banned person, the new moderator.
    pub person: Option<PersonBrief>,
    /// The title of the thread it concerned.
    pub thread_title: Option<String>,
}

/// A ban in force.
#[derive(Debug, Clone)]
pub struct Ban {
    /// Its reason and times.
    pub row: BanRow,
    /// Who is banned.
    pub person: PersonBrief,
    /// Who banned them (`None` for a ban received without one).
    pub banned_by: Option<PersonBrief>,
}

/// A group's moderation log, newest first, for its moderators.
pub async fn log(
    ctx: &Context,
    account: &Account,
    group_id: i64,
    page: Page,
) -> CoreResult<Listing<LogEntry>> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    ensure_moderator(conn, group_id, account.into(), "read its log").await?;
    let rows = mod_log::list(conn, group_id, page).await?;
    let person_ids = rows
        .iter()
        .flat_map(|r| [r.moderator_id, r.person_id])
        .flatten()
        .collect();
    let people = briefs(conn, person_ids).await?;
    let post_ids: Vec<i64> = rows.iter().filter_map(|r| r.post_id).collect();
    let titles: HashMap<i64, String> = post::find_many(conn, &post_ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    let entries = rows
        .into_iter()
        .map(|row| LogEntry {
            moderator: row.moderator_id.and_then(|id| people.get(&id).cloned()),
            person: row.person_id.and_then(|id| people.get(&id).cloned()),
            thread_title: row.post_id.and_then(|id| titles.get(&id).cloned()),
            row,
        })
        .collect();
    Ok(Listing::from_rows(entries, page))
}

/// The bans in force in a group, newest first, for its moderators.
pub async fn bans(ctx: &Context, account: &Account, group_id: i64) -> CoreResult<Vec<Ban>> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    ensure_moderator(conn, group_id, account.into(), "see its bans").await?;
    let rows = group::bans(conn, group_id).await?;
    let banned_by = rows.iter().filter_map(|(row, _)| row.banned_by).collect();
    let people = briefs(conn, banned_by).await?;
    Ok(rows
        .into_iter()
        .map(|(row, person)| Ban {
            banned_by: row.banned_by.and_then(|id| people.get(&id).cloned()),
            person,
            row,
        })
        .collect())
}
