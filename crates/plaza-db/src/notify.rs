//! Wake-ups between processes (PostgreSQL only): a write that gives the background tasks work
//! sends `NOTIFY` inside its transaction, which PostgreSQL delivers only when (and if) the
//! transaction commits; [`listen`] holds one connection with `LISTEN` and reports each
//! notification. SQLite is single-process, so there the in-process wake-ups suffice.

use std::future::Future;
use std::time::Duration;

use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::deadpool::Object;
use futures_util::StreamExt;

use crate::pool::PgConn;
use crate::{DbConn, DbPool, DbResult};

/// Events were recorded: the publisher has work.
pub const EVENTS: &str = "plaza_events";
/// Deliveries were queued: the delivery worker has work.
pub const DELIVERIES: &str = "plaza_deliveries";
/// Mail was queued: the mail worker has work.
pub const MAILS: &str = "plaza_mails";

/// How long the listener waits for a notification before it checks that its connection still
/// answers (a connection dropped without a goodbye would otherwise wait forever).
const HEALTH_CHECK: Duration = Duration::from_secs(30);
/// The first and the longest pause before reconnecting.
const BACKOFF_START: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Sends `NOTIFY channel` in the caller's transaction (nothing on SQLite). PostgreSQL holds it
/// back until commit and drops it on rollback, so listeners never look before the rows exist.
pub(crate) async fn send(conn: &mut DbConn<'_>, channel: &'static str) -> DbResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query(format!("NOTIFY {channel}"))
            .execute(&mut **c)
            .await?;
    }
    Ok(())
}

/// Listens on `channels` until `shutdown` resolves, calling `wake(channel)` for each
/// notification. After every (re)connection it also calls `wake` for each channel, since
/// notifications sent while it was away are lost. A lost connection is retried with a backoff
/// that doubles up to 30 s. On SQLite it only waits for `shutdown`.
pub async fn listen(
    pool: DbPool,
    channels: &'static [&'static str],
    wake: impl Fn(&str),
    shutdown: impl Future<Output = ()>,
) {
    let DbPool::Pg(pg) = pool else {
        shutdown.await;
        return;
    };
    tokio::pin!(shutdown);
    let mut backoff = BACKOFF_START;
    loop {
        let session = async {
            // Taken out of the pool for good: a listening connection is never handed to a request.
            let mut conn = Object::take(pg.get().await?);
            for channel in channels {
                diesel::sql_query(format!("LISTEN {channel}"))
                    .execute(&mut conn)
                    .await?;
            }
            tracing::debug!(?channels, "listening for wake-ups");
            receive(&mut conn, channels, &wake, &mut backoff).await
        };
        tokio::select! {
            () = &mut shutdown => return,
            result = session => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, retry_in = ?backoff, "wake-up listener lost its connection");
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Passes notifications on until the connection fails.
async fn receive(
    conn: &mut PgConn,
    channels: &[&str],
    wake: &impl Fn(&str),
    backoff: &mut Duration,
) -> DbResult<()> {
    *backoff = BACKOFF_START;
    for channel in channels {
        wake(channel);
    }
    loop {
        let next = {
            let mut stream = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(HEALTH_CHECK, stream.next()).await
        };
        match next {
            Ok(Some(Ok(notification))) => wake(&notification.channel),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => {
                return Err(crate::DbError::Pool(
                    "the listening connection closed".into(),
                ));
            }
            Err(_quiet) => {
                diesel::sql_query("SELECT 1").execute(conn).await?;
            }
        }
    }
}
