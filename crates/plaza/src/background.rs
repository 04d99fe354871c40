//! The work a Plaza process does besides answering HTTP: publishing events as activities,
//! delivering them, sending mail (and queueing daily digests), evaluating alert rules and calling
//! their webhook, pruning old rows, and listening for other processes' wake-ups. `plaza serve`
//! runs it beside the web server; `plaza worker` runs only this.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use plaza_core::Context;
use plaza_core::alerts::evaluate::{Evaluator, EvaluatorSettings};
use plaza_core::mail::sender::{MailWorker, MailWorkerSettings};
use plaza_db::maintenance::{self, Retention};
use plaza_federation::AppData;
use plaza_federation::activitypub_federation::config::FederationConfig;
use plaza_federation::delivery::worker::{DeliverySettings, DeliveryWorker};
use plaza_federation::publish::Publisher;
use plaza_federation::webhooks::{WebhookSettings, WebhookWorker};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cli::DeliveryArgs;

/// The running background tasks.
pub struct Background {
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Starts the publisher, the delivery worker, the alert evaluator and webhook worker, hourly
    /// pruning and the wake-up listener; they stop when `stop` turns true.
    pub fn start(
        ctx: Arc<Context>,
        federation: FederationConfig<AppData>,
        delivery: DeliveryArgs,
        stop: &watch::Receiver<bool>,
    ) -> Self {
        let webhooks = WebhookWorker::new(
            ctx.clone(),
            federation.outgoing.clone(),
            WebhookSettings::default(),
        );
        let evaluator = Evaluator::new(ctx.clone(), EvaluatorSettings::default());
        let worker = DeliveryWorker::new(ctx.clone(), federation, delivery_settings(delivery));
        let publisher = Publisher::new(ctx.clone());
        let ctx_for_mail = ctx.clone();
        let mut tasks = vec![
            tokio::spawn(worker.run(stopped(stop.clone()))),
            tokio::spawn(publisher.run(stopped(stop.clone()))),
            tokio::spawn(evaluator.run(stopped(stop.clone()))),
            tokio::spawn(webhooks.run(stopped(stop.clone()))),
            tokio::spawn(prune_hourly(ctx.clone(), stopped(stop.clone()))),
            // Other processes on the same PostgreSQL database wake this one's tasks (the polls
            // stay the fallback).
            tokio::spawn(plaza_federation::background::listen_for_wakeups(
                ctx,
                stopped(stop.clone()),
            )),
        ];
        match MailWorker::new(ctx_for_mail, MailWorkerSettings::default()) {
            Ok(Some(mail)) => tasks.push(tokio::spawn(mail.run(stopped(stop.clone())))),
            Ok(None) => tracing::info!("no PLAZA_SMTP_URL: Plaza sends no e-mail"),
            Err(e) => tracing::error!(error = %e, "the mail worker cannot start"),
        }
        Self { tasks }
    }

    /// Waits for every task to stop. Deliveries a worker had claimed are picked up again when
    /// their lease ends, by this process's next start or by another worker.
    pub async fn finished(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

fn delivery_settings(args: DeliveryArgs) -> DeliverySettings {
    DeliverySettings {
        concurrency: usize::from(args.delivery_concurrency),
        lease: Duration::from_secs(u64::from(args.delivery_lease_seconds)),
        ..DeliverySettings::default()
    }
}

/// Resolves once `stop` turns true (or its sender is gone).
pub async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Prunes finished queue rows, replay ids, processed events and unused uploads once an hour. With several
/// workers on one database, whichever takes the lock first prunes and the others skip.
async fn prune_hourly(ctx: Arc<Context>, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = every_hour.tick() => {}
        }
        match maintenance::prune_once(&ctx.db, plaza_db::now(), Retention::default()).await {
            Ok(Some(p)) => tracing::debug!(?p, "pruned old rows"),
            Ok(None) => tracing::debug!("another process is pruning; skipped"),
            Err(e) => tracing::warn!(error = %e, "pruning failed; will retry in an hour"),
        }
        match plaza_core::media::prune(&ctx, plaza_db::now()).await {
            Ok(p) => tracing::debug!(?p, "pruned unused uploads"),
            Err(e) => tracing::warn!(error = %e, "pruning uploads failed; will retry in an hour"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
