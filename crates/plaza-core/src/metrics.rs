//! The counters and gauges an instance keeps for Prometheus. One registry per [`Context`], not a
//! process-wide one, so several instances in one process (as the tests run them) each count
//! their own. Counters are bumped where things happen; the gauges that describe stored state
//! (the queue, dead hosts, the pool) are read when the metrics are scraped ([`Metrics::render`]).
//!
//! [`Context`]: crate::Context

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use plaza_db::pool::PoolStatus;
use plaza_db::stats::QueueGauges;

/// An HTTP request's route (the matched pattern, never the raw path), method and status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub route: String,
    pub method: String,
    pub status: String,
}

/// An HTTP request's route and method, for its latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: String,
}

/// An incoming activity's type (one of the ActivityStreams types, or `other`), what became of
/// it, and why it was refused.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InboxLabels {
    pub r#type: String,
    pub outcome: String,
    pub reason: String,
}

/// What became of one delivery attempt.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub outcome: String,
}

/// The activity types Plaza names in metrics; anything else (the sender chooses the string) is
/// counted as `other`, so a sender cannot grow the number of series.
const ACTIVITY_TYPES: &[&str] = &[
    "Accept", "Add", "Announce", "Block", "Create", "Delete", "Dislike", "Flag", "Follow", "Like",
    "Lock", "Move", "Reject", "Remove", "Undo", "Update",
];

/// The metrics of one instance.
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    inbox: Family<InboxLabels, Counter>,
    deliveries: Family<DeliveryLabels, Counter>,
    mails: Family<DeliveryLabels, Counter>,
    queue_depth: Gauge,
    oldest_due_age: Gauge<f64, AtomicU64>,
    dead_hosts: Gauge,
    events_waiting: Gauge,
    pool_size: Gauge,
    pool_in_use: Gauge,
    pool_waiting: Gauge,
    database_up: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("plaza");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by matched route, method and status",
            http_requests.clone(),
        );
        let http_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by matched route and method",
            http_duration.clone(),
        );
        let inbox = Family::<InboxLabels, Counter>::default();
        registry.register(
            "inbox_activities",
            "Activities posted to the inboxes, by type, outcome and refusal reason",
            inbox.clone(),
        );
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "delivery_attempts",
            "Delivery attempts, by outcome",
            deliveries.clone(),
        );
        let mails = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "mail_attempts",
            "Attempts to send a queued mail, by outcome",
            mails.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let queue_depth = gauge(
            &mut registry,
            "delivery_queue_depth",
            "Deliveries waiting to be sent (due or not)",
        );
        let oldest_due_age = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "delivery_oldest_due_age_seconds",
            "How long the oldest due delivery has been due (0 when none is)",
            oldest_due_age.clone(),
        );
        let dead_hosts = gauge(
            &mut registry,
            "dead_hosts",
            "Remote instances marked dead after repeated delivery failures",
        );
        let events_waiting = gauge(
            &mut registry,
            "events_waiting",
            "Events not yet turned into activities by the publisher",
        );
        let pool_size = gauge(
            &mut registry,
            "db_pool_connections",
            "Database connections open in the pool",
        );
        let pool_in_use = gauge(
            &mut registry,
            "db_pool_in_use",
            "Database connections checked out of the pool",
        );
        let pool_waiting = gauge(
            &mut registry,
            "db_pool_waiting",
            "Tasks waiting for a database connection",
        );
        let database_up = gauge(
            &mut registry,
            "database_up",
            "1 if the database answered the last scrape's queries, 0 if not",
        );
        Self {
            registry,
            http_requests,
            http_duration,
            inbox,
            deliveries,
            mails,
            queue_depth,
            oldest_due_age,
            dead_hosts,
            events_waiting,
            pool_size,
            pool_in_use,
            pool_waiting,
            database_up,
        }
    }
}

fn gauge_value(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

impl Metrics {
    /// One answered HTTP request.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.http_requests
            .get_or_create(&HttpLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status: status.to_string(),
            })
            .inc();
        self.http_duration
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// One activity posted to an inbox: its type as the sender wrote it, its outcome
    /// (`accepted`, `ignored`, `replay`, `refused`, `failed`) and, unless accepted, the reason
    /// (the error code the sender got).
    pub fn inbox_activity(&self, kind: &str, outcome: &str, reason: &str) {
        let kind = ACTIVITY_TYPES
            .iter()
            .find(|known| **known == kind)
            .map_or("other", |known| known);
        self.inbox
            .get_or_create(&InboxLabels {
                r#type: kind.to_owned(),
                outcome: outcome.to_owned(),
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// One delivery attempt: `delivered`, `retry` (failed, will be tried again), `given_up`,
    /// `refused` (the receiver said no for good) or `dropped` (the instance is not federated
    /// with).
    pub fn delivery(&self, outcome: &'static str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// One attempt to send a mail: `sent`, `retry`, `given_up` or `dropped` (its reason is gone).
    pub fn mail(&self, outcome: &'static str) {
        self.mails
            .get_or_create(&DeliveryLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Sets the scrape-time gauges: the pool's state, and the queue's if the database answered.
    pub fn set_state(&self, pool: PoolStatus, queue: Option<QueueGauges>) {
        self.pool_size.set(gauge_value(pool.size));
        self.pool_in_use
            .set(gauge_value(pool.size.saturating_sub(pool.available)));
        self.pool_waiting.set(gauge_value(pool.waiting));
        self.database_up.set(i64::from(queue.is_some()));
        if let Some(queue) = queue {
            self.queue_depth.set(queue.pending);
            self.oldest_due_age
                .set(queue.oldest_due_age.map_or(0.0, |age| age.as_secs_f64()));
            self.dead_hosts.set(queue.dead_hosts);
            self.events_waiting.set(queue.events_waiting);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_types_a_sender_makes_up_are_counted_as_other() {
        let metrics = Metrics::default();
        metrics.inbox_activity("Create", "accepted", "");
        metrics.inbox_activity("Zzz-made-up-1", "ignored", "");
        metrics.inbox_activity("Zzz-made-up-2", "ignored", "");
        let text = metrics.encode();
        assert!(
            text.contains(
                r#"plaza_inbox_activities_total{type="other",outcome="ignored",reason=""} 2"#
            ),
            "{text}"
        );
        assert!(!text.contains("made-up"), "{text}");
    }
}
