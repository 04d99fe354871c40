//! The loop shared by the background tasks (delivery, publishing): run rounds while there is
//! work, sleep while there is none, stop when told.

use std::future::Future;
use std::time::Duration;

use plaza_core::CoreResult;

/// Calls `round` until `shutdown` resolves. A round returns how many items it handled; after an
/// empty or failed round the loop sleeps `idle` (a failure is logged, and the next round retries).
pub async fn run_rounds<F, Fut>(
    name: &str,
    idle: Duration,
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
            () = tokio::time::sleep(idle) => {}
        }
    }
    tracing::info!(task = name, "stopped");
}
