//! The embedded migrations, one set per backend with identical version names.

use diesel::QueryableByName;
use diesel::migration::MigrationSource;
use diesel::sql_types::Text;
use diesel_async::{AsyncMigrationHarness, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{DbConn, DbError, DbPool, DbResult, on_conn};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Arbitrary constant key for the advisory lock that keeps two starting processes from
/// migrating the same PostgreSQL database at once.
const PG_MIGRATION_LOCK: i64 = 0x0070_6c61_7a61;

/// Applies every pending migration; returns the versions applied.
pub async fn run_pending(pool: &DbPool) -> DbResult<Vec<String>> {
    let err = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match pool {
        DbPool::Sqlite(pool) => {
            let conn = pool.get().await?;
            // The harness blocks its thread; keep that off the async workers.
            tokio::task::spawn_blocking(move || {
                let mut harness = AsyncMigrationHarness::new(conn);
                harness
                    .run_pending_migrations(SQLITE)
                    .map(|v| v.iter().map(ToString::to_string).collect())
                    .map_err(err)
            })
            .await
            .map_err(|e| DbError::Migration(e.to_string()))?
        }
        DbPool::Pg(pool) => {
            // Detached from the pool: if the migration fails or panics, the connection closes
            // and PostgreSQL releases the session lock with it, instead of a pooled connection
            // keeping it and blocking every later start.
            let mut conn = deadpool::managed::Object::take(pool.get().await?);
            conn.batch_execute(&format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))
                .await?;
            let (mut conn, applied) = tokio::task::spawn_blocking(move || {
                let mut harness = AsyncMigrationHarness::new(conn);
                let applied = harness
                    .run_pending_migrations(POSTGRES)
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())
                    .map_err(err);
                (harness.into_inner(), applied)
            })
            .await
            .map_err(|e| DbError::Migration(e.to_string()))?;
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))
                .await?;
            applied
        }
    }
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The versions of the migrations this build has that the database has not applied: empty when
/// the schema is current. One read of diesel's bookkeeping table, cheap enough for a readiness
/// probe.
pub async fn pending(conn: &mut DbConn<'_>) -> DbResult<Vec<String>> {
    let query = "SELECT version FROM __diesel_schema_migrations";
    let (applied, known): (Vec<AppliedVersion>, Vec<String>) = on_conn!(conn, |c| {
        let applied = diesel::sql_query(query).load(c).await?;
        let known = embedded_versions(c)?;
        Ok::<_, DbError>((applied, known))
    })?;
    let applied: std::collections::HashSet<String> =
        applied.into_iter().map(|row| row.version).collect();
    Ok(known
        .into_iter()
        .filter(|version| !applied.contains(version))
        .collect())
}

/// The versions of the migrations embedded for the backend of `conn`.
fn embedded_versions<C>(_conn: &mut C) -> DbResult<Vec<String>>
where
    C: EmbeddedFor,
{
    let migrations = MigrationSource::<C::Backend>::migrations(&C::MIGRATIONS)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

/// Which embedded set belongs to a connection type.
trait EmbeddedFor {
    type Backend: diesel::backend::Backend;
    const MIGRATIONS: EmbeddedMigrations;
}

impl EmbeddedFor for crate::pool::SqliteConn {
    type Backend = diesel::sqlite::Sqlite;
    const MIGRATIONS: EmbeddedMigrations = SQLITE;
}

impl EmbeddedFor for crate::pool::PgConn {
    type Backend = diesel::pg::Pg;
    const MIGRATIONS: EmbeddedMigrations = POSTGRES;
}
