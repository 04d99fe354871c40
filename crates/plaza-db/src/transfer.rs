//! Moving an instance from SQLite to PostgreSQL: every row of every table copied as it is, in an
//! order the foreign keys accept, in one PostgreSQL transaction, then each id sequence moved past
//! the copied ids. Ids are kept, so every stored reference (and every local ActivityPub id, which
//! is built from names and ids) stays valid.
//!
//! The rows travel as JSON: SQLite writes each row with `json_object`, PostgreSQL reads a batch
//! with `json_populate_recordset`, which converts every value with the column type's own input
//! function. That covers what the schema stores (integers, text, booleans kept by SQLite as 0/1,
//! timestamps kept as text) without a copy of the schema in code. PostgreSQL's table list is the
//! reference: the SQLite-only full-text tables are not copied, and PostgreSQL's generated search
//! columns compute themselves.

use std::collections::{BTreeMap, BTreeSet};

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

use crate::pool::{PgConn, SqliteConn};
use crate::{DbConn, DbError, DbPool, DbResult, migrate, on_conn};

/// Rows read from SQLite and written to PostgreSQL per statement.
const BATCH: i64 = 500;

/// What was copied of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: String,
    pub rows: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Edge {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

fn refused(reason: impl Into<String>) -> DbError {
    DbError::Transfer(reason.into())
}

/// Tables whose first rows the migrations write (the default alert rules and the alert
/// evaluator's cursor): a new database is not empty there.
const SEEDED_BY_MIGRATIONS: [&str; 2] = ["alert_rules", "alert_state"];

/// Tables that triggers fill as the rows they count are written (the insight pages' daily
/// counts): they are rebuilt by the copy of those rows, so copying them too would count twice.
pub const DERIVED_BY_TRIGGERS: [&str; 2] = ["insight_days", "insight_day_people"];

/// Columns that triggers keep as other rows are written (what a thread knows of its replies):
/// they start from their defaults and the copy of the comments fills them, as it fills the
/// tables above.
const COLUMNS_DERIVED_BY_TRIGGERS: [(&str, &str); 3] = [
    ("posts", "live_comments"),
    ("posts", "first_reply_at"),
    ("posts", "first_reply_by"),
];

/// A table or column name, quoted for SQL. The names come from the databases' own catalogs.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Copies everything from the SQLite database `from` into the PostgreSQL database `to`, which
/// must hold no rows yet. Both are migrated first, so they have the same schema. Either every
/// row arrives and the counts match, or nothing is written.
pub async fn sqlite_to_postgres(from: &DbPool, to: &DbPool) -> DbResult<Vec<CopiedTable>> {
    let (DbPool::Sqlite(_), DbPool::Pg(_)) = (from, to) else {
        return Err(refused(
            "the copy goes from an SQLite database to a PostgreSQL one",
        ));
    };
    migrate::run_pending(from).await?;
    migrate::run_pending(to).await?;
    let mut source = from.get().await?;
    let mut target = to.get().await?;
    let (DbConn::Sqlite(sqlite), DbConn::Pg(pg)) = (source.conn(), target.conn()) else {
        unreachable!("the pools' backends were checked above");
    };
    // One read transaction: the copy is a snapshot even if something writes meanwhile.
    diesel::sql_query("BEGIN").execute(sqlite).await?;
    // Plain statements rather than diesel's transaction closure: the body borrows both
    // connections. Nothing is committed unless every table arrived whole.
    diesel::sql_query("BEGIN").execute(pg).await?;
    let copied = copy_all(sqlite, pg).await;
    let finished = match copied {
        Ok(_) => diesel::sql_query("COMMIT").execute(pg).await,
        Err(_) => diesel::sql_query("ROLLBACK").execute(pg).await,
    };
    let ended = diesel::sql_query("COMMIT").execute(sqlite).await;
    let copied = copied?;
    finished?;
    ended?;
    Ok(copied)
}

async fn copy_all(sqlite: &mut SqliteConn, pg: &mut PgConn) -> DbResult<Vec<CopiedTable>> {
    let tables: Vec<String> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '__diesel_schema_migrations'",
    )
    .load::<Name>(pg)
    .await?
    .into_iter()
    .map(|row| row.name)
    .collect();
    for table in &tables {
        if SEEDED_BY_MIGRATIONS.contains(&table.as_str()) {
            continue;
        }
        if count(&mut DbConn::Pg(pg), table).await? > 0 {
            return Err(refused(format!(
                "the PostgreSQL database already holds data (table {table}); \
                 copy into a new, empty database"
            )));
        }
    }
    let edges = diesel::sql_query(
        "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent \
         FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
    )
    .load::<Edge>(pg)
    .await?;
    // The source has these rows too (as written by the same migrations, or as changed since):
    // its copy replaces them.
    for table in SEEDED_BY_MIGRATIONS {
        if tables.iter().any(|t| t == table) {
            diesel::sql_query(format!("DELETE FROM {}", quoted(table)))
                .execute(pg)
                .await?;
        }
    }
    let mut copied = Vec::new();
    for table in dependency_order(&tables, &edges)? {
        if DERIVED_BY_TRIGGERS.contains(&table.as_str()) {
            continue;
        }
        let columns = columns(sqlite, pg, &table).await?;
        let rows = copy_table(sqlite, pg, &table, &columns).await?;
        let arrived = count(&mut DbConn::Pg(pg), &table).await?;
        if arrived != rows {
            return Err(refused(format!(
                "table {table}: {rows} rows read, {arrived} written"
            )));
        }
        if columns.iter().any(|column| column == "id") {
            // Identity columns do not advance when ids are given: move each past the copied ids.
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE(MAX(id), 0) + 1, false) \
                 FROM {t} HAVING pg_get_serial_sequence('{t}', 'id') IS NOT NULL",
                t = quoted(&table)
            ))
            .execute(pg)
            .await?;
        }
        copied.push(CopiedTable { table, rows });
    }
    Ok(copied)
}

/// The tables in an order where each comes after the tables its foreign keys name. A table that
/// references itself (a comment's parent) is copied in its own rowid order, which is the order
/// the rows were made in.
fn dependency_order(tables: &[String], edges: &[Edge]) -> DbResult<Vec<String>> {
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|table| (table.as_str(), BTreeSet::new()))
        .collect();
    for edge in edges {
        let (child, parent) = (edge.child.trim_matches('"'), edge.parent.trim_matches('"'));
        if child != parent
            && let Some(set) = parents.get_mut(child)
        {
            set.insert(parent);
        }
    }
    let mut order: Vec<String> = Vec::new();
    while !parents.is_empty() {
        let ready: Vec<&str> = parents
            .iter()
            .filter(|(_, needs)| needs.iter().all(|p| !parents.contains_key(p)))
            .map(|(table, _)| *table)
            .collect();
        if ready.is_empty() {
            return Err(refused(format!(
                "the foreign keys between {:?} form a cycle",
                parents.keys().collect::<Vec<_>>()
            )));
        }
        for table in ready {
            parents.remove(table);
            order.push(table.to_owned());
        }
    }
    Ok(order)
}

/// The columns to copy: PostgreSQL's, less the generated ones and those triggers derive. SQLite
/// must have each of them, or the two schemas differ and nothing should be copied.
async fn columns(sqlite: &mut SqliteConn, pg: &mut PgConn, table: &str) -> DbResult<Vec<String>> {
    let wanted: Vec<String> = diesel::sql_query(
        "SELECT column_name::text AS name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' \
         ORDER BY ordinal_position",
    )
    .bind::<Text, _>(table)
    .load::<Name>(pg)
    .await?
    .into_iter()
    .map(|row| row.name)
    .filter(|column| !COLUMNS_DERIVED_BY_TRIGGERS.contains(&(table, column.as_str())))
    .collect();
    let present: BTreeSet<String> = diesel::sql_query("SELECT name FROM pragma_table_info(?)")
        .bind::<Text, _>(table)
        .load::<Name>(sqlite)
        .await?
        .into_iter()
        .map(|row| row.name)
        .collect();
    if let Some(missing) = wanted.iter().find(|column| !present.contains(*column)) {
        return Err(refused(format!(
            "the SQLite database has no column {table}.{missing}: are both at the same version?"
        )));
    }
    Ok(wanted)
}

async fn copy_table(
    sqlite: &mut SqliteConn,
    pg: &mut PgConn,
    table: &str,
    columns: &[String],
) -> DbResult<i64> {
    let object = columns
        .iter()
        .map(|column| format!("'{}', {}", column.replace('\'', "''"), quoted(column)))
        .collect::<Vec<_>>()
        .join(", ");
    let read = format!(
        "SELECT rowid AS position, json_object({object}) AS row FROM {} \
         WHERE rowid > ? ORDER BY rowid LIMIT {BATCH}",
        quoted(table)
    );
    let list = columns
        .iter()
        .map(|column| quoted(column))
        .collect::<Vec<_>>()
        .join(", ");
    let write = format!(
        "INSERT INTO {t} ({list}) OVERRIDING SYSTEM VALUE \
         SELECT {list} FROM json_populate_recordset(NULL::{t}, $1::json)",
        t = quoted(table)
    );
    let mut after = 0_i64;
    let mut total = 0_i64;
    loop {
        let rows = diesel::sql_query(&read)
            .bind::<BigInt, _>(after)
            .load::<JsonRow>(sqlite)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(total);
        };
        after = last.position;
        let batch = format!(
            "[{}]",
            rows.iter()
                .map(|row| row.row.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        total += diesel::sql_query(&write)
            .bind::<Text, _>(batch)
            .execute(pg)
            .await? as i64;
    }
}

async fn count(conn: &mut DbConn<'_>, table: &str) -> DbResult<i64> {
    let query = format!("SELECT COUNT(*) AS count FROM {}", quoted(table));
    let rows: Vec<Count> = on_conn!(conn, |c| diesel::sql_query(&query).load(c).await)?;
    Ok(rows.into_iter().next().map_or(0, |row| row.count))
}

/// Rows per table, for comparing two databases after a copy.
pub async fn row_counts(pool: &DbPool, tables: &[&str]) -> DbResult<Vec<(String, i64)>> {
    let mut pooled = pool.get().await?;
    let mut counts = Vec::new();
    for table in tables {
        counts.push(((*table).to_owned(), count(&mut pooled.conn(), table).await?));
    }
    Ok(counts)
}

/// Writes a consistent, compacted copy of the SQLite database to `file` (SQLite's `VACUUM
/// INTO`), while other connections go on reading and writing. `file` must not exist yet.
/// PostgreSQL has its own tools for this (`pg_dump`).
pub async fn backup_sqlite(pool: &DbPool, file: &std::path::Path) -> DbResult<()> {
    let DbPool::Sqlite(_) = pool else {
        return Err(refused(
            "this backup is for SQLite; back up PostgreSQL with pg_dump",
        ));
    };
    if file.exists() {
        return Err(refused(format!("{} exists already", file.display())));
    }
    let target = file
        .to_str()
        .ok_or_else(|| refused("the backup file's path is not valid UTF-8"))?;
    let mut pooled = pool.get().await?;
    let DbConn::Sqlite(c) = pooled.conn() else {
        unreachable!("the pool's backend was checked above");
    };
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(c)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(child: &str, parent: &str) -> Edge {
        Edge {
            child: child.into(),
            parent: parent.into(),
        }
    }

    #[test]
    fn parents_come_before_the_tables_that_reference_them() {
        let tables: Vec<String> = ["votes", "comments", "posts", "people", "groups"]
            .map(String::from)
            .to_vec();
        let edges = [
            edge("votes", "comments"),
            edge("comments", "posts"),
            edge("comments", "comments"),
            edge("posts", "groups"),
            edge("posts", "people"),
        ];
        let order = dependency_order(&tables, &edges).expect("an order");
        let at = |t: &str| order.iter().position(|x| x == t).expect("listed");
        assert_eq!(order.len(), 5);
        assert!(at("groups") < at("posts") && at("people") < at("posts"));
        assert!(at("posts") < at("comments") && at("comments") < at("votes"));
    }

    #[test]
    fn a_cycle_between_tables_is_refused() {
        let tables: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let error = dependency_order(&tables, &[edge("a", "b"), edge("b", "a")]);
        assert!(matches!(error, Err(DbError::Transfer(_))));
    }
}
