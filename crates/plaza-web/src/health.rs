//! `/healthz` and `/readyz`, for load balancers and orchestrators. Liveness only says the
//! process answers. Readiness says whether this process can do its work: the database answers
//! within a few seconds, every migration this build knows is applied, and the delivery worker,
//! where this process runs one, beat recently. Both are cheap, set no cookie, are not cached,
//! and are GETs, which no rate limit counts.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plaza_core::Context;
use serde::Serialize;

use crate::AppState;

/// A worker that has not beaten for this long counts as stuck. Its rounds beat at least every
/// idle poll and after every delivery, and a delivery's request times out well within this.
pub const WORKER_STALE_AFTER: Duration = Duration::from_secs(120);
/// How long readiness waits for the database.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(3);

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The state of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// It passed.
    Ok,
    /// It failed: the process is not ready.
    Failing,
    /// Nothing to check here (no worker runs in this process; migrations cannot be read while
    /// the database is unreachable).
    Skipped,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub state: CheckState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Check {
    fn ok() -> Self {
        Self {
            state: CheckState::Ok,
            detail: None,
        }
    }

    fn failing(detail: String) -> Self {
        Self {
            state: CheckState::Failing,
            detail: Some(detail),
        }
    }

    fn skipped(detail: &str) -> Self {
        Self {
            state: CheckState::Skipped,
            detail: Some(detail.to_owned()),
        }
    }
}

/// The readiness answer.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: &'static str,
    pub checks: Checks,
}

/// Every check, by name.
#[derive(Debug, Clone, Serialize)]
pub struct Checks {
    pub database: Check,
    pub migrations: Check,
    pub delivery_worker: Check,
}

fn uncached(status: StatusCode, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn healthz() -> Response {
    uncached(StatusCode::OK, serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(ctx): State<Arc<Context>>) -> Response {
    let readiness = readiness(&ctx).await;
    let status = if readiness.status == "ready" {
        StatusCode::OK
    } else {
        tracing::warn!(checks = ?readiness.checks, "not ready");
        StatusCode::SERVICE_UNAVAILABLE
    };
    uncached(status, readiness)
}

/// Runs every check.
pub async fn readiness(ctx: &Context) -> Readiness {
    let read = tokio::time::timeout(DATABASE_TIMEOUT, async {
        let mut pooled = ctx.db.get().await?;
        plaza_db::migrate::pending(&mut pooled.conn()).await
    })
    .await;
    let (database, migrations) = match read {
        Ok(Ok(pending)) if pending.is_empty() => (Check::ok(), Check::ok()),
        Ok(Ok(pending)) => (
            Check::ok(),
            Check::failing(format!(
                "{} pending: {}; run `plaza migrate` or restart `plaza serve`",
                pending.len(),
                pending.join(", ")
            )),
        ),
        Ok(Err(e)) => (
            Check::failing(e.to_string()),
            Check::skipped("the database is unreachable"),
        ),
        Err(_) => (
            Check::failing(format!("no answer within {} s", DATABASE_TIMEOUT.as_secs())),
            Check::skipped("the database is unreachable"),
        ),
    };
    let delivery_worker = match ctx.heartbeat.age() {
        None => Check::skipped("no delivery worker runs in this process"),
        Some(age) if age > WORKER_STALE_AFTER => {
            Check::failing(format!("the last heartbeat was {} s ago", age.as_secs()))
        }
        Some(_) => Check::ok(),
    };
    let ready = [&database, &migrations, &delivery_worker]
        .iter()
        .all(|check| check.state != CheckState::Failing);
    Readiness {
        status: if ready { "ready" } else { "not_ready" },
        checks: Checks {
            database,
            migrations,
            delivery_worker,
        },
    }
}
