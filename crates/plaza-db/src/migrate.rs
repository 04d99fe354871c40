//! The embedded migrations, one set per backend with identical version names.

use diesel_async::AsyncMigrationHarness;
use diesel_async::SimpleAsyncConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{DbError, DbPool, DbResult};

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
