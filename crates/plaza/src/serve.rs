//! The long-running commands: `plaza serve` (HTTP, and by default the background work too) and
//! `plaza worker` (the background work only).

use std::sync::Arc;

use plaza_db::DatabaseUrl;
use plaza_federation::config::federation_config;
use plaza_web::media_proxy::MediaCache;
use plaza_web::rate_limit::RateLimits;
use plaza_web::{AppState, WebConfig};

use crate::background::{Background, shutdown_signal, stopped};
use crate::cli::{GlobalArgs, Role, ServeArgs, WorkerArgs};
use crate::commands::{CliError, open};
use crate::sqlite_lock::{self, SqliteLock};

/// `plaza serve`.
pub async fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<(), CliError> {
    let url = DatabaseUrl::parse(&global.database_url)?;
    let _lock = single_process(&url, args.role == Role::All, "plaza serve --role web")?;
    let ctx = open(global).await?;
    ctx.media_store.check().await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {}: {e}", args.listen)))?;
    let bound = listener.local_addr().unwrap_or(args.listen);
    tracing::info!(
        "Plaza listening on http://{bound} (public URL {}), database: {}, role: {}, uploads in {}",
        ctx.urls.base(),
        url.redacted(),
        match args.role {
            Role::All => "all",
            Role::Web => "web",
        },
        ctx.media_store.describe()
    );
    if args.dev_mode {
        tracing::warn!("development mode: federation allows http, ports and loopback addresses");
    }
    let ctx = Arc::new(ctx);
    let federation = federation_config(ctx.clone(), args.dev_mode).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let metrics = serve_metrics(args.metrics_listen, &ctx, &stop_rx).await?;
    let background = (args.role == Role::All)
        .then(|| Background::start(ctx.clone(), federation.clone(), args.delivery, &stop_rx));
    let state = AppState {
        ctx,
        config: Arc::new(WebConfig {
            max_body_bytes: args.max_body_bytes,
            rate_limits: RateLimits {
                auth: args.rate_limits.rate_limit_auth,
                posting: args.rate_limits.rate_limit_posting,
                any_post: args.rate_limits.rate_limit_any_post,
                inbox: args.rate_limits.rate_limit_inbox,
                behind_proxy: args.behind_proxy,
            },
            secure_cookies: !args.dev_mode,
            media_cache: if args.media_cache_dir.trim().is_empty() {
                MediaCache::default()
            } else {
                MediaCache::new(
                    args.media_cache_dir.clone().into(),
                    args.media_cache_mb.saturating_mul(1024 * 1024),
                )
            },
            ..WebConfig::default()
        }),
        federation,
    };
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let served = plaza_web::serve(listener, state, stopped(stop_rx)).await;
    if let Some(background) = background {
        background.finished().await;
    }
    finish_metrics(metrics).await;
    served.map_err(|e| CliError::Io(format!("server failed: {e}")))?;
    tracing::info!("Plaza stopped");
    Ok(())
}

/// `plaza worker`.
pub async fn worker(global: &GlobalArgs, args: WorkerArgs) -> Result<(), CliError> {
    let url = DatabaseUrl::parse(&global.database_url)?;
    let _lock = single_process(&url, false, "plaza worker")?;
    let ctx = Arc::new(open(global).await?);
    ctx.media_store.check().await?;
    tracing::info!(
        "Plaza worker running (public URL {}), database: {}, uploads in {}",
        ctx.urls.base(),
        url.redacted(),
        ctx.media_store.describe()
    );
    let federation = federation_config(ctx.clone(), args.dev_mode).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let metrics = serve_metrics(args.metrics_listen, &ctx, &stop_rx).await?;
    let background = Background::start(ctx, federation, args.delivery, &stop_rx);
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    background.finished().await;
    finish_metrics(metrics).await;
    tracing::info!("Plaza worker stopped");
    Ok(())
}

type MetricsTask = tokio::task::JoinHandle<std::io::Result<()>>;

/// Serves `/metrics` on `address`, when one is set, until `stop` turns true.
async fn serve_metrics(
    address: Option<std::net::SocketAddr>,
    ctx: &Arc<plaza_core::Context>,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<Option<MetricsTask>, CliError> {
    let Some(address) = address else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {address} for metrics: {e}")))?;
    tracing::info!(
        "metrics at http://{}/metrics",
        listener.local_addr().unwrap_or(address)
    );
    Ok(Some(tokio::spawn(plaza_web::metrics::serve(
        listener,
        ctx.clone(),
        stopped(stop.clone()),
    ))))
}

async fn finish_metrics(metrics: Option<MetricsTask>) {
    if let Some(metrics) = metrics
        && let Ok(Err(e)) = metrics.await
    {
        tracing::warn!(error = %e, "the metrics server failed");
    }
}

/// On SQLite: refuses a split role (`what`) outright, since the one process must run
/// everything, and otherwise takes the database's lock so that a second process stops at once.
/// PostgreSQL needs neither: processes share the work through the database.
fn single_process(
    url: &DatabaseUrl,
    runs_everything: bool,
    what: &str,
) -> Result<Option<SqliteLock>, CliError> {
    let DatabaseUrl::Sqlite(path) = url else {
        return Ok(None);
    };
    if !runs_everything {
        return Err(CliError::Io(format!(
            "`{what}` needs PostgreSQL: an SQLite database serves one process, which runs everything (`plaza serve`)"
        )));
    }
    sqlite_lock::acquire(path)
        .map(Some)
        .map_err(|e| CliError::Io(e.to_string()))
}
