//! Full-text search over threads and comments. Each backend matches with its own index (SQLite:
//! the FTS5 table `content_search`; PostgreSQL: the `search_vector` columns), kept up to date by
//! the database itself in the same transaction as every write (see the search migration). Only
//! the matching part of the query differs; what may be shown, and the order, is one SQL text.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamp};
use diesel_async::RunQueryDsl;

use crate::{DbConn, DbResult, Page};

/// What to look for. `terms` are words as typed, already checked: no control characters, at
/// most a few, each of bounded length (see `plaza_core::search`).
#[derive(Debug, Clone, Default)]
pub struct SearchFilter<'a> {
    /// Every term must occur (in any order) in the title or body.
    pub terms: &'a [String],
    /// Only content in this group.
    pub group_id: Option<i64>,
    /// Only content by this person.
    pub author_id: Option<i64>,
}

/// One thread or comment found, with what a result list shows.
#[derive(Debug, Clone, QueryableByName)]
pub struct SearchHit {
    /// The thread (for a comment: the thread it is in).
    #[diesel(sql_type = BigInt)]
    pub post_id: i64,
    /// The comment, when the hit is one.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub comment_id: Option<i64>,
    /// The thread's title.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// The hit's text: its Markdown source where there is one, else its HTML.
    #[diesel(sql_type = Text)]
    pub body: String,
    /// Whether `body` is HTML (content from another server without a source).
    #[diesel(sql_type = Bool)]
    pub body_is_html: bool,
    /// When the hit was written.
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub group_id: i64,
    #[diesel(sql_type = Text)]
    pub group_name: String,
    #[diesel(sql_type = Text)]
    pub group_title: String,
    #[diesel(sql_type = Bool)]
    pub group_local: bool,
    #[diesel(sql_type = Text)]
    pub group_domain: String,
    #[diesel(sql_type = BigInt)]
    pub author_id: i64,
    #[diesel(sql_type = Text)]
    pub author_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub author_display_name: Option<String>,
    #[diesel(sql_type = Bool)]
    pub author_local: bool,
    #[diesel(sql_type = Text)]
    pub author_domain: String,
    /// The hit is a comment that its thread accepted as the answer.
    #[diesel(sql_type = Bool)]
    pub accepted: bool,
    /// The hit's thread has an accepted answer.
    #[diesel(sql_type = Bool)]
    pub solved: bool,
}

/// SQLite: FTS5 matches a query string in its own syntax, built here from the terms only, each
/// quoted as a phrase (a quote inside doubled), so nothing typed is read as an operator. bm25 is
/// lower for better matches; a title word weighs three times a body word. The matches are
/// materialized so that the index is read once for both threads and comments.
const SQLITE_HITS: &str = "\
WITH m AS MATERIALIZED (SELECT rowid AS doc, -bm25(content_search, 3.0, 1.0) AS rank \
           FROM content_search WHERE content_search MATCH $1) \
SELECT p.id AS post_id, NULL AS comment_id, p.author_id AS author_id, p.created_at AS created_at, \
       COALESCE(p.body_source, p.body_html) AS body, p.body_source IS NULL AS body_is_html, m.rank AS rank \
  FROM m JOIN posts p ON p.id = m.doc / 2 \
 WHERE m.doc % 2 = 0 AND NOT p.deleted AND NOT p.removed \
UNION ALL \
SELECT c.post_id, c.id, c.author_id, c.created_at, \
       COALESCE(c.body_source, c.body_html), c.body_source IS NULL, m.rank \
  FROM m JOIN comments c ON c.id = m.doc / 2 \
 WHERE m.doc % 2 = 1 AND NOT c.deleted AND NOT c.removed";

/// PostgreSQL: `plainto_tsquery` reads any text as words joined by AND and has no syntax to get
/// wrong; the terms are passed space-separated.
const PG_HITS: &str = "\
SELECT p.id AS post_id, NULL::int8 AS comment_id, p.author_id AS author_id, p.created_at AS created_at, \
       COALESCE(p.body_source, p.body_html) AS body, p.body_source IS NULL AS body_is_html, \
       ts_rank(p.search_vector, plainto_tsquery('simple', $1))::float8 AS rank \
  FROM posts p \
 WHERE p.search_vector @@ plainto_tsquery('simple', $1) AND NOT p.deleted AND NOT p.removed \
UNION ALL \
SELECT c.post_id, c.id, c.author_id, c.created_at, \
       COALESCE(c.body_source, c.body_html), c.body_source IS NULL, \
       ts_rank(c.search_vector, plainto_tsquery('simple', $1))::float8 \
  FROM comments c \
 WHERE c.search_vector @@ plainto_tsquery('simple', $1) AND NOT c.deleted AND NOT c.removed";

/// What may be shown, for both backends: a comment of a removed thread is as hidden as the
/// thread; nothing in a deleted group, nor from (or in a group of) a blocked instance.
/// Ranked by relevance, then newest first.
pub(crate) const VISIBLE_AND_ORDERED: &str = "\
SELECT h.post_id, h.comment_id, t.title, h.body, h.body_is_html, h.created_at, \
       g.id AS group_id, g.name AS group_name, g.title AS group_title, g.local AS group_local, \
       gi.domain AS group_domain, a.id AS author_id, a.name AS author_name, \
       a.display_name AS author_display_name, a.local AS author_local, ai.domain AS author_domain, \
       COALESCE(t.accepted_comment_id = h.comment_id, FALSE) AS accepted, \
       t.accepted_comment_id IS NOT NULL AS solved \
  FROM (HITS) h \
  JOIN posts t ON t.id = h.post_id \
  JOIN \"groups\" g ON g.id = t.group_id \
  JOIN instances gi ON gi.id = g.instance_id \
  JOIN persons a ON a.id = h.author_id \
  JOIN instances ai ON ai.id = a.instance_id \
 WHERE NOT t.removed AND NOT g.deleted AND NOT gi.blocked AND NOT ai.blocked \
   AND ($2 IS NULL OR g.id = $2) AND ($3 IS NULL OR a.id = $3) \
 ORDER BY h.rank DESC, h.created_at DESC, h.post_id DESC, h.comment_id DESC \
 LIMIT $4 OFFSET $5";

/// The FTS5 query for `terms`: each one a quoted phrase, all required.
fn fts5_query(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// One page of visible threads and comments matching every term, best first; one row more than
/// the page when another page follows. No terms match nothing.
pub async fn search(
    conn: &mut DbConn<'_>,
    filter: &SearchFilter<'_>,
    page: Page,
) -> DbResult<Vec<SearchHit>> {
    if filter.terms.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<SearchHit> = match conn {
        DbConn::Sqlite(c) => {
            // SQLite numbers its parameters `?N`.
            let sql = VISIBLE_AND_ORDERED
                .replace("HITS", SQLITE_HITS)
                .replace('$', "?");
            diesel::sql_query(sql)
                .bind::<Text, _>(fts5_query(filter.terms))
                .bind::<Nullable<BigInt>, _>(filter.group_id)
                .bind::<Nullable<BigInt>, _>(filter.author_id)
                .bind::<BigInt, _>(page.fetch_limit())
                .bind::<BigInt, _>(page.offset())
                .load(&mut **c)
                .await?
        }
        DbConn::Pg(c) => {
            let sql = VISIBLE_AND_ORDERED.replace("HITS", PG_HITS);
            diesel::sql_query(sql)
                .bind::<Text, _>(filter.terms.join(" "))
                .bind::<Nullable<BigInt>, _>(filter.group_id)
                .bind::<Nullable<BigInt>, _>(filter.author_id)
                .bind::<BigInt, _>(page.fetch_limit())
                .bind::<BigInt, _>(page.offset())
                .load(&mut **c)
                .await?
        }
    };
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_terms_are_quoted_phrases_joined_by_and() {
        let terms = vec![
            "printer".to_owned(),
            "say \"hi\"".to_owned(),
            "OR".to_owned(),
        ];
        assert_eq!(
            fts5_query(&terms),
            "\"printer\" AND \"say \"\"hi\"\"\" AND \"OR\""
        );
    }
}
