//! Throw-away databases for tests. With `PLAZA_TEST_DATABASE_URL=postgres://…` (a server where
//! the user may create databases) each test gets its own fresh PostgreSQL database; without it,
//! its own SQLite file. Either way the database is migrated and removed afterwards.

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use rand::RngCore;

use crate::{DatabaseUrl, DbError, DbPool, DbResult, PoolOptions, migrate};

/// The variable that selects PostgreSQL for the test suite.
pub const TEST_DATABASE_ENV: &str = "PLAZA_TEST_DATABASE_URL";

/// A migrated database that disappears when dropped.
pub struct TestDatabase {
    /// A pool on it.
    pub pool: DbPool,
    /// Its URL (for code under test that opens its own pool).
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// Creates and migrates a database on the backend the environment selects.
    pub async fn create() -> DbResult<Self> {
        match std::env::var(TEST_DATABASE_ENV) {
            Ok(admin_url) if !admin_url.trim().is_empty() => Self::postgres(admin_url).await,
            _ => Self::sqlite().await,
        }
    }

    async fn sqlite() -> DbResult<Self> {
        let dir = tempfile::tempdir().map_err(|e| DbError::Config(e.to_string()))?;
        let url = DatabaseUrl::Sqlite(dir.path().join("plaza.db"));
        Self::open(url, Cleanup::Sqlite(dir)).await
    }

    async fn postgres(admin_url: String) -> DbResult<Self> {
        let name = format!("plaza_test_{:016x}", rand::rngs::OsRng.next_u64());
        let mut admin = AsyncPgConnection::establish(&admin_url)
            .await
            .map_err(|e| DbError::Connect {
                backend: "PostgreSQL",
                reason: format!("{TEST_DATABASE_ENV}: {e}"),
            })?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
        let mut url = url::Url::parse(&admin_url)
            .map_err(|e| DbError::Config(format!("{TEST_DATABASE_ENV}: {e}")))?;
        url.set_path(&name);
        let cleanup = Cleanup::Postgres { admin_url, name };
        Self::open(DatabaseUrl::Postgres(url.into()), cleanup).await
    }

    async fn open(url: DatabaseUrl, cleanup: Cleanup) -> DbResult<Self> {
        let options = PoolOptions {
            max_size: 5,
            ..PoolOptions::default()
        };
        let pool = DbPool::connect(&url, &options).await?;
        migrate::run_pending(&pool).await?;
        Ok(Self { pool, url, cleanup })
    }
}

impl TestDatabase {
    /// Takes the database away from its pool, as a stopped server or a lost disk would: a
    /// PostgreSQL database is dropped (which ends its connections); an SQLite file's folder is
    /// removed. Either way the pool's idle connections are closed and new ones cannot open.
    pub async fn make_unreachable(&self) -> DbResult<()> {
        match (&self.cleanup, &self.pool) {
            (Cleanup::Postgres { admin_url, name }, DbPool::Pg(pool)) => {
                let mut admin = AsyncPgConnection::establish(admin_url)
                    .await
                    .map_err(|e| DbError::Config(e.to_string()))?;
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                pool.retain(|_, _| false);
            }
            (Cleanup::Sqlite(dir), DbPool::Sqlite(pool)) => {
                std::fs::remove_dir_all(dir.path()).map_err(|e| DbError::Config(e.to_string()))?;
                pool.retain(|_, _| false);
            }
            _ => {
                return Err(DbError::Config(
                    "the pool is not the test database's".into(),
                ));
            }
        }
        Ok(())
    }

    /// Makes the database look as if its newest migration had not been applied (the
    /// migration's changes stay; only the record of it goes).
    pub async fn forget_newest_migration(&self) -> DbResult<()> {
        let mut pooled = self.pool.get().await?;
        let sql = "DELETE FROM __diesel_schema_migrations WHERE version = \
                   (SELECT MAX(version) FROM __diesel_schema_migrations)";
        match &mut pooled {
            crate::PooledConn::Sqlite(c) => c.batch_execute(sql).await?,
            crate::PooledConn::Pg(c) => c.batch_execute(sql).await?,
        }
        Ok(())
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside any async context we could borrow: use a short-lived runtime on
            // a thread of its own, and wait so the next test starts with the database gone.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        if let Ok(mut admin) = AsyncPgConnection::establish(&admin_url).await {
                            let _ = admin
                                .batch_execute(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                }
            });
            let _ = dropped.join();
        }
    }
}

/// Stores `count` people of the server at `base` (whose domain is `domain`) as followers of the
/// group `group_id`, as the inbox stores accepted follows; with `shared`, they name the server's
/// shared inbox (`BASE/inbox`). For tests and benchmarks that need many followers without
/// playing each one's Follow.
pub async fn add_remote_followers(
    conn: &mut crate::DbConn<'_>,
    group_id: i64,
    base: &str,
    domain: &str,
    count: usize,
    shared: bool,
) -> DbResult<()> {
    use crate::{group, instance, person};
    let host = instance::upsert(conn, domain).await?;
    let shared_inbox = format!("{base}/inbox");
    for n in 0..count {
        let id = format!("{base}/users/user{n}");
        let inbox = format!("{id}/inbox");
        let follower = person::upsert_remote(
            conn,
            &person::RemotePerson {
                ap_id: &id,
                instance_id: host.id,
                name: &format!("user{n}"),
                display_name: None,
                bio_html: None,
                avatar_url: None,
                inbox_url: &inbox,
                shared_inbox_url: shared.then_some(shared_inbox.as_str()),
                public_key: "(not used for sending)",
                bot: false,
            },
        )
        .await?;
        group::add_follower(conn, group_id, follower.id, &format!("{id}/follows/1")).await?;
    }
    Ok(())
}

/// Makes every link mailed so far look expired, as if its lifetime had passed.
pub async fn expire_mail_tokens(pool: &DbPool) -> DbResult<usize> {
    use crate::reexports::diesel::prelude::*;
    use crate::schema::mail_tokens;
    use diesel_async::RunQueryDsl;
    let past = crate::now() - chrono::TimeDelta::seconds(1);
    let mut pooled = pool.get().await?;
    let conn = &mut pooled.conn();
    crate::on_conn!(conn, |c| Ok(diesel::update(mail_tokens::table)
        .set(mail_tokens::expires_at.eq(past))
        .execute(c)
        .await?))
}
