//! When this process's delivery worker last showed it was alive. Readiness reports a worker
//! that stopped beating (stuck, or its task died) as not ready; a process that runs no worker
//! (the tests', or one serving only the web) has no heartbeat to check.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The worker's last beat, shared by clones; never beaten means no worker runs here.
#[derive(Clone, Default)]
pub struct Heartbeat {
    /// Milliseconds since the Unix epoch of the last beat; 0 before the first.
    last_ms: Arc<AtomicU64>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Heartbeat {
    /// The worker is alive now.
    pub fn beat(&self) {
        self.last_ms.store(now_ms().max(1), Ordering::Relaxed);
    }

    /// How long ago the last beat was, if the worker ever ran in this process.
    pub fn age(&self) -> Option<Duration> {
        match self.last_ms.load(Ordering::Relaxed) {
            0 => None,
            last => Some(Duration::from_millis(now_ms().saturating_sub(last))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_has_no_age_until_the_first_beat() {
        let heartbeat = Heartbeat::default();
        assert_eq!(heartbeat.age(), None);
        heartbeat.clone().beat();
        assert!(
            heartbeat
                .age()
                .is_some_and(|age| age < Duration::from_secs(5))
        );
    }
}
