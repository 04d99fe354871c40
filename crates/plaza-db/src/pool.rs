//! The connection pool: one enum over the two backends, and the macros that run one query body on
//! either of them (each arm is type-checked against its own backend).

use std::time::Duration;

use diesel::{ConnectionError, SqliteConnection};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::{DatabaseUrl, DbError, DbResult};

/// An SQLite connection usable from async code (queries run on the blocking pool).
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;
/// A PostgreSQL connection (tokio-postgres, no libpq).
pub type PgConn = AsyncPgConnection;

/// Settings every pooled SQLite connection gets: WAL so readers never block the writer, a busy
/// timeout so concurrent writers wait instead of failing, and foreign keys, which SQLite leaves
/// off unless asked per connection.
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

/// A pool of connections to whichever backend `DATABASE_URL` chose.
#[derive(Clone)]
pub enum DbPool {
    /// The embedded default.
    Sqlite(Pool<SqliteConn>),
    /// The production backend.
    Pg(Pool<PgConn>),
}

/// A borrowed connection of either backend: what every query function takes.
pub enum DbConn<'c> {
    /// SQLite.
    Sqlite(&'c mut SqliteConn),
    /// PostgreSQL.
    Pg(&'c mut PgConn),
}

/// A connection checked out of the pool; returns to it when dropped.
pub enum PooledConn {
    /// SQLite.
    Sqlite(Object<SqliteConn>),
    /// PostgreSQL (boxed: its connection is three times the size of SQLite's).
    Pg(Box<Object<PgConn>>),
}

impl PooledConn {
    /// Borrows the connection for query functions.
    pub fn conn(&mut self) -> DbConn<'_> {
        match self {
            PooledConn::Sqlite(obj) => DbConn::Sqlite(obj),
            PooledConn::Pg(obj) => DbConn::Pg(obj),
        }
    }
}

/// Runs `$body` with `$c` bound to the concrete connection of `$conn` (a `&mut DbConn`).
/// The body is compiled once per backend, so a query that one backend cannot run fails to build.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConn::Sqlite($c) => {
                let $c: &mut $crate::pool::SqliteConn = &mut **$c;
                $body
            }
            $crate::DbConn::Pg($c) => {
                let $c: &mut $crate::pool::PgConn = &mut **$c;
                $body
            }
        }
    };
}

/// Runs `$body` in one transaction on a pooled connection, with `$conn: &mut DbConn` in scope.
/// `$err` is the body's error type; it must convert from `DbError` and diesel's error. A body that
/// returns `Err` rolls everything back. SQLite transactions start with `BEGIN IMMEDIATE` so two
/// writers queue on the busy timeout instead of failing when a read lock would need upgrading.
#[macro_export]
macro_rules! transaction {
    ($pool:expr, $err:ty, |$conn:ident| $body:expr) => {
        match $pool {
            $crate::DbPool::Sqlite(pool) => {
                let mut obj = pool.get().await.map_err($crate::DbError::from)?;
                obj.immediate_transaction(async |c| -> ::std::result::Result<_, $err> {
                    let $conn = &mut $crate::DbConn::Sqlite(c);
                    $body
                })
                .await
            }
            $crate::DbPool::Pg(pool) => {
                let mut obj = pool.get().await.map_err($crate::DbError::from)?;
                $crate::reexports::diesel_async::AsyncConnection::transaction(
                    &mut *obj,
                    async |c| -> ::std::result::Result<_, $err> {
                        let $conn = &mut $crate::DbConn::Pg(c);
                        $body
                    },
                )
                .await
            }
        }
    };
}

/// The driver reports an unreachable server only as "error connecting to server"; a plain TCP
/// connect names the address and the cause, which is what an operator needs to fix it.
async fn postgres_unreachable(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    let host = url.host_str().filter(|h| !h.is_empty())?.to_owned();
    let port = url.port().unwrap_or(5432);
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(format!("cannot reach {host}:{port}: {e}")),
        Err(_) => Some(format!(
            "cannot reach {host}:{port}: no answer within 5 seconds"
        )),
    }
}

/// A pool's state at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStatus {
    /// Most connections it may open.
    pub max_size: usize,
    /// Connections open.
    pub size: usize,
    /// Open connections not lent out.
    pub available: usize,
    /// Checkouts waiting for a connection.
    pub waiting: usize,
}

/// How a pool is sized and how long it waits.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection.
    pub wait_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(30),
        }
    }
}

impl DbPool {
    /// Opens a pool and proves it works with one connection, so a bad URL, a missing server or a
    /// wrong password is reported at start-up and not at the first request.
    pub async fn connect(url: &DatabaseUrl, options: &PoolOptions) -> DbResult<Self> {
        let pool = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        DbError::Config(format!(
                            "cannot create the folder {} for the SQLite database: {e}",
                            dir.display()
                        ))
                    })?;
                }
                let mut config = ManagerConfig::<SqliteConn>::default();
                // A file on this machine cannot go away between two checkouts; a test query
                // on each one cost a trip through the blocking pool.
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(|url| {
                    async move {
                        let mut conn = SqliteConn::establish(url).await?;
                        conn.batch_execute(SQLITE_SETUP)
                            .await
                            .map_err(ConnectionError::CouldntSetupConfiguration)?;
                        Ok(conn)
                    }
                    .boxed()
                });
                let path = path.to_str().ok_or_else(|| {
                    DbError::Config("the SQLite file path is not valid UTF-8".into())
                })?;
                let manager = AsyncDieselConnectionManager::new_with_config(path, config);
                let pool = Pool::builder(manager)
                    .max_size(options.max_size)
                    .wait_timeout(Some(options.wait_timeout))
                    .runtime(deadpool::Runtime::Tokio1)
                    .build()
                    .map_err(|e| DbError::Config(e.to_string()))?;
                DbPool::Sqlite(pool)
            }
            DatabaseUrl::Postgres(raw) => {
                // No test query on each checkout (it doubled the statements of a short request):
                // a connection the server closed is known to be closed and is replaced, and one
                // that breaks under a query fails that query as "unavailable" (503, retried).
                let mut config = ManagerConfig::<PgConn>::default();
                config.recycling_method = RecyclingMethod::Fast;
                let manager =
                    AsyncDieselConnectionManager::<PgConn>::new_with_config(raw.as_str(), config);
                let pool = Pool::builder(manager)
                    .max_size(options.max_size)
                    .wait_timeout(Some(options.wait_timeout))
                    .create_timeout(Some(Duration::from_secs(10)))
                    .runtime(deadpool::Runtime::Tokio1)
                    .build()
                    .map_err(|e| DbError::Config(e.to_string()))?;
                DbPool::Pg(pool)
            }
        };
        if let Err(err) = pool.get().await {
            let DbError::Pool(reason) = err else {
                return Err(err);
            };
            let mut reason = reason
                .trim_start_matches("Error occurred while creating a new object: ")
                .to_owned();
            if let DatabaseUrl::Postgres(raw) = url
                && let Some(unreachable) = postgres_unreachable(raw).await
            {
                reason = unreachable;
            }
            return Err(DbError::Connect {
                backend: url.backend_name(),
                reason,
            });
        }
        Ok(pool)
    }

    /// Checks a connection out of the pool.
    pub async fn get(&self) -> DbResult<PooledConn> {
        Ok(match self {
            DbPool::Sqlite(pool) => PooledConn::Sqlite(pool.get().await?),
            DbPool::Pg(pool) => PooledConn::Pg(Box::new(pool.get().await?)),
        })
    }

    /// How many connections the pool holds, lends out and is asked for.
    pub fn status(&self) -> PoolStatus {
        let status = match self {
            DbPool::Sqlite(pool) => pool.status(),
            DbPool::Pg(pool) => pool.status(),
        };
        PoolStatus {
            max_size: status.max_size,
            size: status.size,
            available: status.available,
            waiting: status.waiting,
        }
    }

    /// The backend's display name.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DbPool::Sqlite(_) => "SQLite",
            DbPool::Pg(_) => "PostgreSQL",
        }
    }
}
