//! Instance-wide counts, for NodeInfo.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{comments, local_users, posts};
use crate::{DbConn, DbResult, on_conn};

/// What NodeInfo reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Local accounts.
    pub users: i64,
    /// Local accounts that posted or commented in the last 30 days.
    pub active_month: i64,
    /// Local accounts that posted or commented in the last 180 days.
    pub active_halfyear: i64,
    /// Threads started here and not deleted.
    pub local_posts: i64,
    /// Comments written here and not deleted.
    pub local_comments: i64,
}

async fn active_since(conn: &mut DbConn<'_>, since: NaiveDateTime) -> DbResult<i64> {
    let (post_authors, comment_authors): (Vec<i64>, Vec<i64>) = on_conn!(conn, |c| {
        let p = posts::table
            .filter(posts::local.eq(true))
            .filter(posts::created_at.gt(since))
            .select(posts::author_id)
            .distinct()
            .load(c)
            .await?;
        let m = comments::table
            .filter(comments::local.eq(true))
            .filter(comments::created_at.gt(since))
            .select(comments::author_id)
            .distinct()
            .load(c)
            .await?;
        Ok::<_, crate::DbError>((p, m))
    })?;
    let active: HashSet<i64> = post_authors.into_iter().chain(comment_authors).collect();
    Ok(i64::try_from(active.len()).unwrap_or(i64::MAX))
}

/// Counts for NodeInfo.
pub async fn usage(conn: &mut DbConn<'_>, now: NaiveDateTime) -> DbResult<Usage> {
    let (users, local_posts, local_comments): (i64, i64, i64) = on_conn!(conn, |c| {
        let users = local_users::table.count().get_result(c).await?;
        let local_posts = posts::table
            .filter(posts::local.eq(true))
            .filter(posts::deleted.eq(false))
            .count()
            .get_result(c)
            .await?;
        let local_comments = comments::table
            .filter(comments::local.eq(true))
            .filter(comments::deleted.eq(false))
            .count()
            .get_result(c)
            .await?;
        Ok::<_, crate::DbError>((users, local_posts, local_comments))
    })?;
    Ok(Usage {
        users,
        active_month: active_since(conn, now - chrono::TimeDelta::days(30)).await?,
        active_halfyear: active_since(conn, now - chrono::TimeDelta::days(180)).await?,
        local_posts,
        local_comments,
    })
}
