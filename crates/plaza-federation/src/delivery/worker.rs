//! The delivery worker: claims due deliveries, signs and sends them, and records the outcome.
//! Several workers (in one process or several) can run against one database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use activitypub_federation::activity_sending::SendActivityTask;
use activitypub_federation::config::{Data, FederationConfig};
use chrono::TimeDelta;
use futures::StreamExt;
use plaza_core::{Context, CoreError, CoreResult};
use plaza_db::delivery::{self, ClaimedDelivery, Retry};
use plaza_db::instance::{self, Refusal};
use plaza_db::transaction;
use url::Url;

use super::http::{self, Answer, SigningKey};
use super::signing::{Signer, StoredActivity};
use crate::AppData;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Deliveries claimed per round.
    pub batch: i64,
    /// How long a claim holds before another worker may take the delivery over.
    pub lease: Duration,
    /// Sleep between rounds when nothing is due.
    pub idle_poll: Duration,
    /// Delay before the first retry; each later one waits three times longer.
    pub first_retry: Duration,
    /// Longest delay between two attempts.
    pub max_retry: Duration,
    /// Attempts before a delivery is given up.
    pub max_attempts: i32,
    /// Consecutive failures after which a host counts as dead.
    pub dead_after: i32,
    /// How often a dead host is tried again.
    pub probe_interval: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            concurrency: 32,
            batch: 200,
            lease: Duration::from_secs(120),
            idle_poll: Duration::from_secs(1),
            first_retry: Duration::from_secs(10),
            max_retry: Duration::from_secs(24 * 3600),
            // 10 s, 30 s, 90 s … then daily: about a week in all.
            max_attempts: 16,
            dead_after: 20,
            probe_interval: Duration::from_secs(3600),
        }
    }
}

/// Delay before attempt `failures + 1`, given `failures` failed attempts so far.
fn backoff(settings: &DeliverySettings, failures: i32) -> Duration {
    let factor = 3_u32.saturating_pow(u32::try_from(failures.saturating_sub(1)).unwrap_or(0));
    settings
        .first_retry
        .checked_mul(factor)
        .unwrap_or(settings.max_retry)
        .min(settings.max_retry)
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// Sends queued deliveries.
#[derive(Clone)]
pub struct DeliveryWorker {
    ctx: Arc<Context>,
    federation: FederationConfig<AppData>,
    settings: DeliverySettings,
    client: reqwest::Client,
    keys: Arc<Mutex<KeyCache>>,
}

/// Parsed private keys by actor id, with the PEM each was parsed from: parsing an RSA key costs
/// about as much as a signature, and most rounds carry one delivery (an `Accept`, one reply).
/// A changed PEM is parsed again.
type KeyCache = HashMap<String, (String, Arc<SigningKey>)>;

/// Most keys kept; local actors that sign are few, so this only bounds a pathological case.
const MAX_CACHED_KEYS: usize = 1024;

/// A local actor that signs deliveries: the library's view of it (for its URL checks) and the
/// parsed key.
struct Sender {
    signer: Signer,
    key: Arc<SigningKey>,
}

enum Outcome {
    Delivered(Answer),
    /// Plaza does not federate with the receiving instance (blocked, or not on the allow-list):
    /// dropped without counting against its health.
    NotFederated(Refusal),
    /// The receiver refused it for good (a 4xx other than 408 and 429).
    Refused(Answer),
    /// Worth another try: no answer, or one that asks to retry (5xx, 408, 429).
    Failed {
        error: String,
        answer: Option<Answer>,
    },
    Unsendable(String),
}

impl Outcome {
    /// What an answer means for the delivery.
    fn of(answer: Answer) -> Self {
        match answer.status {
            200..=299 => Outcome::Delivered(answer),
            408 | 429 => Outcome::retry(answer),
            400..=499 => Outcome::Refused(answer),
            _ => Outcome::retry(answer),
        }
    }

    fn retry(answer: Answer) -> Self {
        Outcome::Failed {
            error: format!("status {}: {}", answer.status, answer.excerpt),
            answer: Some(answer),
        }
    }
}

fn stored(answer: &Answer) -> delivery::Answer {
    delivery::Answer {
        status: i32::from(answer.status),
        excerpt: answer.excerpt.clone(),
    }
}

impl DeliveryWorker {
    /// A worker for one instance.
    pub fn new(
        ctx: Arc<Context>,
        federation: FederationConfig<AppData>,
        settings: DeliverySettings,
    ) -> Self {
        // The instance's guarded client, without redirects (a delivery is not redirected).
        let client = federation.outgoing.for_federation();
        Self {
            ctx,
            federation,
            settings,
            client,
            keys: Arc::default(),
        }
    }

    /// Runs rounds until `shutdown` resolves. Claims in flight when it stops simply expire and
    /// are taken up again, by this process after a restart or by another one.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let idle = self.settings.idle_poll;
        let wake = self.ctx.wakeup.deliveries();
        crate::background::run_rounds("delivery", idle, wake, shutdown, || self.beat_and_run())
            .await;
    }

    /// Shows the worker is alive, then runs a round.
    async fn beat_and_run(&self) -> CoreResult<usize> {
        self.ctx.heartbeat.beat();
        self.run_once().await
    }

    /// Claims one batch of due deliveries and sends them; returns how many were handled.
    pub async fn run_once(&self) -> CoreResult<usize> {
        let lease = delta(self.settings.lease);
        let batch = self.settings.batch;
        let claimed: Vec<ClaimedDelivery> = transaction!(&self.ctx.db, CoreError, |conn| {
            Ok(delivery::claim_due(conn, batch, lease).await?)
        })?;
        let count = claimed.len();
        // One key lookup per signing actor, not per delivery: a fan-out shares its signer.
        let mut signers: HashMap<String, Result<Sender, String>> = HashMap::new();
        for d in &claimed {
            if !signers.contains_key(&d.actor_ap_id) {
                let sender = self.sender(&d.actor_ap_id).await;
                signers.insert(d.actor_ap_id.clone(), sender);
            }
        }
        // One lookup for the receiving instances: a block (or an allow-list change) since
        // queueing drops the delivery.
        let refused = self.refused(&claimed).await?;
        let data = self.federation.to_request_data();
        // Inboxes are served concurrently, each one's deliveries in the order they were queued:
        // a ban followed by its undo must not arrive the other way round.
        let mut by_inbox: Vec<Vec<ClaimedDelivery>> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut claimed = claimed;
        claimed.sort_by_key(|d| d.id);
        for d in claimed {
            match position.get(&d.inbox_url) {
                Some(&i) => by_inbox[i].push(d),
                None => {
                    position.insert(d.inbox_url.clone(), by_inbox.len());
                    by_inbox.push(vec![d]);
                }
            }
        }
        futures::stream::iter(by_inbox)
            .for_each_concurrent(self.settings.concurrency, |queue| {
                let data = &data;
                let signers = &signers;
                let refused = &refused;
                async move {
                    for d in queue {
                        let signer = &signers[&d.actor_ap_id];
                        let refusal = refused.get(&d.instance_id).copied();
                        self.deliver(&d, signer, refusal, data).await;
                        // A long round of slow hosts is still a live worker.
                        self.ctx.heartbeat.beat();
                    }
                }
            })
            .await;
        Ok(count)
    }

    /// Sends one delivery (unless its instance is not federated with) and records the outcome.
    async fn deliver(
        &self,
        d: &ClaimedDelivery,
        signer: &Result<Sender, String>,
        refusal: Option<Refusal>,
        data: &Data<AppData>,
    ) {
        let outcome = match refusal {
            Some(why) => Outcome::NotFederated(why),
            None => self.send(d, signer, data).await,
        };
        let counted = self.metric_of(d, &outcome);
        match self.record(d, outcome).await {
            Ok(()) => self.ctx.metrics.delivery(counted),
            Err(e) => tracing::error!(error = %e, delivery = d.id, "cannot record a delivery"),
        }
    }

    /// Signs (now, so a retry never carries a stale `Date`) and sends one delivery.
    async fn send(
        &self,
        d: &ClaimedDelivery,
        sender: &Result<Sender, String>,
        data: &Data<AppData>,
    ) -> Outcome {
        let activity = match StoredActivity::checked(&d.activity_ap_id, &d.actor_ap_id, &d.body) {
            Ok(a) => a,
            Err(e) => return Outcome::Unsendable(e),
        };
        let sender = match sender {
            Ok(s) => s,
            Err(e) => return Outcome::Unsendable(e.clone()),
        };
        let inbox = match Url::parse(&d.inbox_url) {
            Ok(u) => u,
            Err(e) => return Outcome::Unsendable(format!("inbox: {e}")),
        };
        // The library still decides whether the inbox may be contacted (scheme, block list,
        // private addresses): `prepare` drops inboxes its URL check refuses. Refused instances
        // were filtered out before, so an empty result means the check failed (its database
        // read, say): retry.
        match SendActivityTask::prepare(&activity, &sender.signer, vec![inbox.clone()], data).await
        {
            Ok(tasks) if tasks.is_empty() => {
                return Outcome::Failed {
                    error: format!("{} was refused by the URL check", d.inbox_url),
                    answer: None,
                };
            }
            Ok(_) => {}
            Err(e) => {
                return Outcome::Failed {
                    error: e.to_string(),
                    answer: None,
                };
            }
        }
        match http::post(
            &self.client,
            &sender.key,
            &inbox,
            d.body.clone().into_bytes(),
        )
        .await
        {
            Ok(answer) => Outcome::of(answer),
            Err(error) => Outcome::Failed {
                error,
                answer: None,
            },
        }
    }

    async fn refused(&self, claimed: &[ClaimedDelivery]) -> CoreResult<HashMap<i64, Refusal>> {
        let mut ids: Vec<i64> = claimed.iter().map(|d| d.instance_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut pooled = self.ctx.db.get().await?;
        Ok(instance::refused(&mut pooled.conn(), &ids).await?)
    }

    async fn sender(&self, actor_ap_id: &str) -> Result<Sender, String> {
        let signer = self.signer(actor_ap_id).await?;
        let key = self.key_of(&signer).await?;
        Ok(Sender { signer, key })
    }

    /// The parsed key of `signer`, parsed only when it was not before.
    async fn key_of(&self, signer: &Signer) -> Result<Arc<SigningKey>, String> {
        let id = activitypub_federation::traits::Object::id(signer).as_str();
        let cached = {
            let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
            keys.get(id)
                .filter(|(pem, _)| pem == signer.private_key())
                .map(|(_, key)| Arc::clone(key))
        };
        if let Some(key) = cached {
            return Ok(key);
        }
        let key = Arc::new(signer.signing_key().await?);
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if keys.len() >= MAX_CACHED_KEYS {
            keys.clear();
        }
        keys.insert(
            id.to_owned(),
            (signer.private_key().to_owned(), Arc::clone(&key)),
        );
        Ok(key)
    }

    async fn signer(&self, actor_ap_id: &str) -> Result<Signer, String> {
        if actor_ap_id == self.ctx.urls.instance_actor() {
            return Signer::instance(&self.ctx);
        }
        let mut pooled = self.ctx.db.get().await.map_err(|e| e.to_string())?;
        let key = delivery::signing_key(&mut pooled.conn(), actor_ap_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no local actor {actor_ap_id} with a private key"))?;
        Signer::new(actor_ap_id, key)
    }

    /// Records an attempt's outcome. One transaction: the delivery's row and its host's health
    /// (failure count, dead mark, the wake-up of its queue) change together or not at all.
    async fn record(&self, d: &ClaimedDelivery, outcome: Outcome) -> CoreResult<()> {
        transaction!(&self.ctx.db, CoreError, |conn| {
            self.record_in(conn, d, &outcome).await
        })
    }

    async fn record_in(
        &self,
        conn: &mut plaza_db::DbConn<'_>,
        d: &ClaimedDelivery,
        outcome: &Outcome,
    ) -> CoreResult<()> {
        match outcome {
            Outcome::Delivered(answer) => {
                tracing::debug!(inbox = %d.inbox_url, activity = %d.activity_ap_id, request_id = d.request_id(), "delivered");
                delivery::mark_delivered(conn, d.id, d.instance_id, Some(&stored(answer))).await?;
            }
            Outcome::NotFederated(why) => {
                let reason = format!("the instance is {why}");
                tracing::info!(inbox = %d.inbox_url, activity = %d.activity_ap_id, request_id = d.request_id(), %reason, "dropping a delivery");
                delivery::mark_dropped(conn, d.id, &reason).await?;
            }
            Outcome::Refused(answer) => {
                // A server that turns away what we send is worth an administrator's look: the
                // library would have called it a success.
                tracing::warn!(
                    inbox = %d.inbox_url,
                    activity = %d.activity_ap_id,
                    request_id = d.request_id(),
                    status = answer.status,
                    answer = %answer.excerpt,
                    "the receiving server refused a delivery"
                );
                delivery::mark_refused(conn, d.id, d.instance_id, &stored(answer)).await?;
            }
            Outcome::Unsendable(error) => {
                tracing::error!(%error, delivery = d.id, activity = %d.activity_ap_id, request_id = d.request_id(), "giving up an unsendable delivery");
                delivery::mark_failed(conn, d.id, d.instance_id, error, None, Retry::GiveUp)
                    .await?;
            }
            Outcome::Failed { error, answer } => {
                let failures = d.attempts + 1;
                let retry = if failures >= self.settings.max_attempts {
                    tracing::warn!(inbox = %d.inbox_url, activity = %d.activity_ap_id, request_id = d.request_id(), %error, "giving up a delivery");
                    Retry::GiveUp
                } else {
                    let wait = answer
                        .as_ref()
                        .and_then(|a| a.retry_after)
                        .map(|asked| asked.max(self.settings.first_retry))
                        .unwrap_or_else(|| backoff(&self.settings, failures))
                        .min(self.settings.max_retry);
                    tracing::info!(inbox = %d.inbox_url, activity = %d.activity_ap_id, request_id = d.request_id(), %error, failures, "delivery failed, will retry");
                    Retry::At(plaza_db::now() + delta(wait))
                };
                let answer = answer.as_ref().map(stored);
                let host_failures =
                    delivery::mark_failed(conn, d.id, d.instance_id, error, answer.as_ref(), retry)
                        .await?;
                if host_failures >= self.settings.dead_after {
                    let probe_at = plaza_db::now() + delta(self.settings.probe_interval);
                    delivery::mark_host_dead(conn, d.instance_id, probe_at).await?;
                }
            }
        }
        Ok(())
    }

    /// An outcome as the metrics name it.
    fn metric_of(&self, d: &ClaimedDelivery, outcome: &Outcome) -> &'static str {
        match outcome {
            Outcome::Delivered(_) => "delivered",
            Outcome::NotFederated(_) => "dropped",
            Outcome::Refused(_) => "refused",
            Outcome::Unsendable(_) => "given_up",
            Outcome::Failed { .. } if d.attempts + 1 >= self.settings.max_attempts => "given_up",
            Outcome::Failed { .. } => "retry",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_three_times_longer_each_time_up_to_the_cap() {
        let settings = DeliverySettings::default();
        let waits: Vec<u64> = (1..=4).map(|n| backoff(&settings, n).as_secs()).collect();
        assert_eq!(waits, [10, 30, 90, 270]);
        assert_eq!(backoff(&settings, 15), settings.max_retry);
        assert_eq!(backoff(&settings, i32::MAX), settings.max_retry);
    }
}
