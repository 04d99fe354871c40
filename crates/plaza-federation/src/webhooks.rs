//! The alert webhook worker: claims queued calls with a lease (several workers share the queue;
//! a crashed one's claims come back when the lease ends), signs each body with the secret set
//! now, POSTs it through the instance's outgoing client, and retries with a growing pause up to
//! a cap. A call the receiver accepted is never sent again; one whose answer was lost may be, so
//! receivers recognise a repeat by the incident id.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use plaza_core::alerts::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use plaza_core::{Context, CoreError, CoreResult};
use plaza_db::alert::{self, WebhookRow};
use plaza_db::{now, transaction};
use url::Url;

use crate::outgoing::{FetchError, Outgoing};

/// The header naming the queued call, the same on every attempt.
pub const DELIVERY_HEADER: &str = "X-Plaza-Delivery";

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Calls claimed per round.
    pub batch: i64,
    /// How long a claim holds.
    pub lease: Duration,
    /// The fallback poll when nothing wakes the worker.
    pub idle_poll: Duration,
    /// Attempts before a call is given up.
    pub max_attempts: i32,
    /// The first pause after a failure; each next one is four times longer, up to six hours.
    pub first_retry: Duration,
    /// How long one call may take.
    pub timeout: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            batch: 20,
            lease: Duration::from_secs(120),
            idle_poll: Duration::from_secs(30),
            max_attempts: 8,
            first_retry: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Sends the alert webhook queue.
pub struct WebhookWorker {
    ctx: Arc<Context>,
    outgoing: Outgoing,
    settings: WebhookSettings,
}

impl WebhookWorker {
    /// A worker sending through `outgoing`.
    pub fn new(ctx: Arc<Context>, outgoing: Outgoing, settings: WebhookSettings) -> Self {
        Self {
            ctx,
            outgoing,
            settings,
        }
    }

    /// Runs rounds until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let worked = match self.run_once().await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::error!(error = %e, task = "webhooks", "background round failed");
                    false
                }
            };
            if worked {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.ctx.wakeup.webhooks().notified() => {}
                () = tokio::time::sleep(self.settings.idle_poll) => {}
            }
        }
        tracing::info!(task = "webhooks", "stopped");
    }

    /// Claims and sends one batch; returns how many calls it handled.
    pub async fn run_once(&self) -> CoreResult<usize> {
        let lease = TimeDelta::from_std(self.settings.lease)
            .map_err(|e| CoreError::Config(format!("webhook lease: {e}")))?;
        let (claimed, state) = transaction!(&self.ctx.db, CoreError, |conn| {
            let claimed = alert::claim_webhooks(conn, self.settings.batch, lease).await?;
            Ok((claimed, alert::state(conn).await?))
        })?;
        for row in &claimed {
            let outcome = match &state.webhook_secret {
                Some(secret) => self.send(row, secret).await,
                None => Err(FetchError::Refused("the webhook was removed".into())),
            };
            self.finish(row, outcome).await?;
        }
        Ok(claimed.len())
    }

    async fn send(&self, row: &WebhookRow, secret: &str) -> Result<u16, FetchError> {
        let url = Url::parse(&row.url).map_err(|e| FetchError::Refused(e.to_string()))?;
        let timestamp = chrono::Utc::now().timestamp();
        let headers = [
            (TIMESTAMP_HEADER, timestamp.to_string()),
            (SIGNATURE_HEADER, sign(secret, timestamp, &row.body)),
            (DELIVERY_HEADER, row.id.to_string()),
        ];
        self.outgoing
            .post_json(&url, &headers, row.body.clone(), self.settings.timeout)
            .await
    }

    async fn finish(&self, row: &WebhookRow, outcome: Result<u16, FetchError>) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        let mut conn = pooled.conn();
        match outcome {
            Ok(status) => {
                tracing::info!(
                    webhook = row.id,
                    incident = row.incident_id,
                    status,
                    "alert webhook sent"
                );
                alert::webhook_sent(&mut conn, row.id).await?;
            }
            Err(error) => {
                let attempts = row.attempts + 1;
                let permanent = matches!(error, FetchError::Refused(_));
                let retry_at = (!permanent && attempts < self.settings.max_attempts)
                    .then(|| retry_time(now(), self.settings.first_retry, attempts));
                tracing::warn!(webhook = row.id, incident = row.incident_id, attempts,
                    error = %error, retry = retry_at.is_some(), "an alert webhook call failed");
                alert::webhook_failed(&mut conn, row.id, &error.to_string(), retry_at).await?;
            }
        }
        Ok(())
    }
}

/// When to try again after the `attempts`-th failure.
fn retry_time(from: NaiveDateTime, first: Duration, attempts: i32) -> NaiveDateTime {
    let factor = 4_u32.saturating_pow(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0));
    let pause = first
        .saturating_mul(factor)
        .min(Duration::from_secs(6 * 3600));
    from + TimeDelta::from_std(pause).unwrap_or(TimeDelta::hours(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        let start = now();
        let waits: Vec<i64> = (1..=8)
            .map(|n| (retry_time(start, Duration::from_secs(60), n) - start).num_seconds())
            .collect();
        assert_eq!(&waits[..3], &[60, 240, 960]);
        assert_eq!(waits[7], 6 * 3600);
    }
}
