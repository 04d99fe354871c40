//! The loop shared by the background tasks (delivery, publishing): run rounds while there is
//! work, wait for a wake-up (or, as a fallback, the idle poll) while there is none, stop when
//! told.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Notify;

use plaza_core::CoreResult;

/// Calls `round` until `shutdown` resolves. A round returns how many items it handled; after an
/// empty or failed round the loop waits for `wake` or for `idle` to pass, whichever comes first
/// (a failure is logged, and the next round retries). A wake-up sent while a round runs is not
/// lost: `Notify` keeps it as a permit, so the next wait ends at once and the new work is picked
/// up by the round after.
pub async fn run_rounds<F, Fut>(
    name: &str,
    idle: Duration,
    wake: &Notify,
    shutdown: impl Future<Output = ()>,
    mut round: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = CoreResult<usize>>,
{
    tokio::pin!(shutdown);
    loop {
        let worked = match round().await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::error!(error = %e, task = name, "background round failed");
                false
            }
        };
        if worked {
            continue;
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(idle) => {}
        }
    }
    tracing::info!(task = name, "stopped");
}

/// Turns notifications from other processes (PostgreSQL `NOTIFY`) into this process's
/// wake-ups, until `shutdown` resolves. On SQLite it only waits.
pub async fn listen_for_wakeups(
    ctx: std::sync::Arc<plaza_core::Context>,
    shutdown: impl Future<Output = ()>,
) {
    use plaza_db::notify::{DELIVERIES, EVENTS, MAILS};
    let wakeup = ctx.wakeup.clone();
    let wake = move |channel: &str| wakeup.wake_channel(channel);
    plaza_db::notify::listen(ctx.db.clone(), &[EVENTS, DELIVERIES, MAILS], wake, shutdown).await;
}
