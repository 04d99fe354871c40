//! In-process wake-ups for the background tasks: the core pings `events` (and `alerts`) after a
//! transaction that records events commits, the publisher pings `deliveries` after it queued
//! some, the alert evaluator pings `webhooks` after it queued calls. A ping with nobody waiting
//! is kept (one permit), so a ping that lands while a task is busy makes it look again as soon as
//! it is done instead of sleeping through its idle poll.

use std::sync::Arc;

use tokio::sync::Notify;

/// The two signals; clones share them.
#[derive(Clone, Default)]
pub struct Wakeup {
    events: Arc<Notify>,
    deliveries: Arc<Notify>,
    mails: Arc<Notify>,
    alerts: Arc<Notify>,
    webhooks: Arc<Notify>,
}

impl Wakeup {
    /// Events were committed: the publisher has work.
    pub fn events_written(&self) {
        self.events.notify_one();
        self.alerts.notify_one();
    }

    /// Alert webhook calls were queued: the webhook worker has work.
    pub fn webhooks_queued(&self) {
        self.webhooks.notify_one();
    }

    /// What the alert evaluator waits on (events were committed).
    pub fn alerts(&self) -> &Notify {
        &self.alerts
    }

    /// What the webhook worker waits on.
    pub fn webhooks(&self) -> &Notify {
        &self.webhooks
    }

    /// Deliveries were committed: the delivery worker has work.
    pub fn deliveries_queued(&self) {
        self.deliveries.notify_one();
    }

    /// Mail may have been queued: the mail worker looks.
    pub fn mails_queued(&self) {
        self.mails.notify_one();
    }

    /// What the mail worker waits on.
    pub fn mails(&self) -> &Notify {
        &self.mails
    }

    /// What the publisher waits on.
    pub fn events(&self) -> &Notify {
        &self.events
    }

    /// What the delivery worker waits on.
    pub fn deliveries(&self) -> &Notify {
        &self.deliveries
    }

    /// Passes a notification from another process on (see `plaza_db::notify`).
    pub fn wake_channel(&self, channel: &str) {
        match channel {
            plaza_db::notify::EVENTS => self.events_written(),
            plaza_db::notify::DELIVERIES => self.deliveries_queued(),
            plaza_db::notify::MAILS => self.mails_queued(),
            _ => {}
        }
    }
}

/// Runs a transaction that records events, as `plaza_db::transaction!` does, and wakes the
/// publisher once it has committed (never before: it would find nothing yet).
#[macro_export]
macro_rules! event_transaction {
    ($ctx:expr, |$conn:ident| $body:expr) => {{
        let ctx: &$crate::Context = $ctx;
        let result = plaza_db::transaction!(&ctx.db, $crate::CoreError, |$conn| $body);
        if result.is_ok() {
            ctx.wakeup.events_written();
            // The change may have notified someone who wants it by mail at once.
            ctx.wakeup.mails_queued();
        }
        result
    }};
}
