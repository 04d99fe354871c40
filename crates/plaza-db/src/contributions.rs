//! What one person wrote, as their page lists it: their threads and comments, newest first, with
//! the same visibility rules as search (the shared SQL in [`crate::search`]), and a few counts.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;

use crate::schema::{comments, posts};
use crate::search::{SearchHit, VISIBLE_AND_ORDERED};
use crate::{DbConn, DbResult, Page, on_conn};

/// Every visible thread and comment by the author (`$3`); `$1` and `$2` are the shared query's
/// search words and group, unused here. The rank is the same for all, so the order is by time.
const SQLITE_BY_AUTHOR: &str = "\
SELECT p.id AS post_id, NULL AS comment_id, p.author_id AS author_id, p.created_at AS created_at, \
       COALESCE(p.body_source, p.body_html) AS body, p.body_source IS NULL AS body_is_html, 0.0 AS rank \
  FROM posts p WHERE p.author_id = $3 AND NOT p.deleted AND NOT p.removed \
UNION ALL \
SELECT c.post_id, c.id, c.author_id, c.created_at, \
       COALESCE(c.body_source, c.body_html), c.body_source IS NULL, 0.0 \
  FROM comments c WHERE c.author_id = $3 AND NOT c.deleted AND NOT c.removed";

/// The same for PostgreSQL, which wants the NULL and the rank typed.
const PG_BY_AUTHOR: &str = "\
SELECT p.id AS post_id, NULL::int8 AS comment_id, p.author_id AS author_id, p.created_at AS created_at, \
       COALESCE(p.body_source, p.body_html) AS body, p.body_source IS NULL AS body_is_html, 0.0::float8 AS rank \
  FROM posts p WHERE p.author_id = $3 AND NOT p.deleted AND NOT p.removed \
UNION ALL \
SELECT c.post_id, c.id, c.author_id, c.created_at, \
       COALESCE(c.body_source, c.body_html), c.body_source IS NULL, 0.0::float8 \
  FROM comments c WHERE c.author_id = $3 AND NOT c.deleted AND NOT c.removed";

/// One page of what `author_id` wrote that anyone may read, newest first; one row more than the
/// page when another page follows.
pub async fn by_author(
    conn: &mut DbConn<'_>,
    author_id: i64,
    page: Page,
) -> DbResult<Vec<SearchHit>> {
    // The shared query filters on `$1` nowhere and on `$2` only when it is set.
    let rows = match conn {
        DbConn::Sqlite(c) => {
            let sql = VISIBLE_AND_ORDERED
                .replace("HITS", SQLITE_BY_AUTHOR)
                .replace('$', "?");
            diesel::sql_query(sql)
                .bind::<Text, _>("")
                .bind::<Nullable<BigInt>, _>(None::<i64>)
                .bind::<Nullable<BigInt>, _>(Some(author_id))
                .bind::<BigInt, _>(page.fetch_limit())
                .bind::<BigInt, _>(page.offset())
                .load(&mut **c)
                .await?
        }
        DbConn::Pg(c) => {
            let sql = VISIBLE_AND_ORDERED.replace("HITS", PG_BY_AUTHOR);
            diesel::sql_query(sql)
                .bind::<Text, _>("")
                .bind::<Nullable<BigInt>, _>(None::<i64>)
                .bind::<Nullable<BigInt>, _>(Some(author_id))
                .bind::<BigInt, _>(page.fetch_limit())
                .bind::<BigInt, _>(page.offset())
                .load(&mut **c)
                .await?
        }
    };
    Ok(rows)
}

/// How much a person has written, as their page counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContributionCounts {
    /// Threads neither deleted nor removed.
    pub threads: i64,
    /// Comments neither deleted nor removed.
    pub comments: i64,
    /// Their comments that are a thread's accepted answer.
    pub accepted_answers: i64,
}

/// The counts for `author_id`.
pub async fn counts(conn: &mut DbConn<'_>, author_id: i64) -> DbResult<ContributionCounts> {
    on_conn!(conn, |c| {
        let threads: i64 = posts::table
            .filter(posts::author_id.eq(author_id))
            .filter(posts::deleted.eq(false))
            .filter(posts::removed.eq(false))
            .count()
            .get_result(c)
            .await?;
        let comments: i64 = comments::table
            .filter(comments::author_id.eq(author_id))
            .filter(comments::deleted.eq(false))
            .filter(comments::removed.eq(false))
            .count()
            .get_result(c)
            .await?;
        let accepted_answers: i64 = posts::table
            .inner_join(comments::table.on(posts::accepted_comment_id.eq(comments::id.nullable())))
            .filter(comments::author_id.eq(author_id))
            .filter(comments::deleted.eq(false))
            .filter(comments::removed.eq(false))
            .filter(posts::deleted.eq(false))
            .filter(posts::removed.eq(false))
            .count()
            .get_result(c)
            .await?;
        Ok(ContributionCounts {
            threads,
            comments,
            accepted_answers,
        })
    })
}
