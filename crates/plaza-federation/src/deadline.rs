//! One deadline for all the work of one inbox request. Each fetch is bounded on its own, but a
//! chain of missing parents that each answer just in time would add up (ten fetches of eight
//! seconds held a request for over a minute). When the deadline passes, the sender gets its
//! answer and the work goes on in the background, a few activities at a time and within a second
//! deadline; when those few slots are taken, the activity is dropped with a log line and the
//! sender is asked to try again later.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tracing::Instrument;

/// How long an inbox request may work before it is answered.
pub const INBOX_DEADLINE: Duration = Duration::from_secs(15);
/// Activities finished in the background at once, past their request's deadline.
pub const BACKGROUND_SLOTS: usize = 4;
/// How much longer an activity may work in the background.
pub const BACKGROUND_DEADLINE: Duration = Duration::from_secs(120);

/// The inbox's limits, shared by all requests of one instance.
#[derive(Clone, Debug)]
pub struct InboxLimits {
    deadline: Duration,
    background_deadline: Duration,
    background: Arc<Semaphore>,
}

impl Default for InboxLimits {
    fn default() -> Self {
        Self::new(INBOX_DEADLINE, BACKGROUND_SLOTS, BACKGROUND_DEADLINE)
    }
}

/// How an activity's work ended, as far as its request knows.
#[derive(Debug)]
pub enum Finished<T> {
    /// Within the deadline, with this result.
    Done(T),
    /// Past the deadline; it goes on in the background.
    Background,
    /// Past the deadline with no background slot free: abandoned.
    Dropped,
    /// It panicked (logged).
    Crashed,
}

impl InboxLimits {
    /// Limits with these values.
    pub fn new(deadline: Duration, background_slots: usize, background_deadline: Duration) -> Self {
        Self {
            deadline,
            background_deadline,
            background: Arc::new(Semaphore::new(background_slots)),
        }
    }

    /// Runs `work` for the activity `id`, waiting for it up to the deadline.
    pub async fn run<T: Send + 'static>(
        &self,
        id: &str,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Finished<T> {
        // The work stays the request's: in its log span, and in what it writes.
        let request_id = plaza_db::correlation::current();
        let work = plaza_db::correlation::scope(request_id, work);
        let mut task = tokio::spawn(work.instrument(tracing::Span::current()));
        match tokio::time::timeout(self.deadline, &mut task).await {
            Ok(Ok(result)) => return Finished::Done(result),
            Ok(Err(e)) => {
                tracing::error!(%id, error = %e, "an activity's work panicked");
                return Finished::Crashed;
            }
            Err(_) => {}
        }
        let Ok(slot) = self.background.clone().try_acquire_owned() else {
            task.abort();
            tracing::warn!(%id, deadline = ?self.deadline, "dropping an activity: its work passed the deadline and no background slot is free");
            return Finished::Dropped;
        };
        tracing::info!(%id, deadline = ?self.deadline, "an activity's work passed the deadline; finishing it in the background");
        let id = id.to_owned();
        let extra = self.background_deadline;
        tokio::spawn(async move {
            let _slot = slot;
            if tokio::time::timeout(extra, &mut task).await.is_err() {
                task.abort();
                tracing::warn!(%id, "dropping an activity: its work passed the background deadline");
            }
        });
        Finished::Background
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_past_the_deadline_goes_on_in_the_background_while_a_slot_is_free() {
        let limits = InboxLimits::new(Duration::from_millis(20), 1, Duration::from_secs(5));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let outcome = limits
            .run("a", async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _ = tx.send(());
            })
            .await;
        assert!(matches!(outcome, Finished::Background), "{outcome:?}");
        // The only slot is taken: the next late one is dropped.
        let dropped = limits
            .run("b", tokio::time::sleep(Duration::from_secs(5)))
            .await;
        assert!(matches!(dropped, Finished::Dropped), "{dropped:?}");
        assert!(rx.await.is_ok(), "the background work was not finished");
        let quick = limits.run("c", async { 7 }).await;
        assert!(matches!(quick, Finished::Done(7)), "{quick:?}");
    }
}
