//! NodeInfo 2.0 and 2.1: what software this is and how big. Peers use it to decide how to talk
//! to us; directories use it to list us.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use plaza_core::Context;
use plaza_db::stats;
use serde::Serialize;
use serde_json::{Value, json};

use crate::response::FederationError;

const SCHEMA_20: &str = "http://nodeinfo.diaspora.software/ns/schema/2.0";
const SCHEMA_21: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

/// `/.well-known/nodeinfo`: where the documents are.
pub async fn links(State(ctx): State<Arc<Context>>) -> Json<Value> {
    let base = ctx.urls.base().as_str().trim_end_matches('/');
    Json(json!({
        "links": [
            { "rel": SCHEMA_20, "href": format!("{base}/nodeinfo/2.0") },
            { "rel": SCHEMA_21, "href": format!("{base}/nodeinfo/2.1") }
        ]
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Users {
    total: i64,
    active_month: i64,
    active_halfyear: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Usage {
    users: Users,
    local_posts: i64,
    local_comments: i64,
}

async fn document(ctx: &Context, version: &str) -> Result<Response, FederationError> {
    let site = plaza_core::site::get(ctx).await?;
    let usage = {
        let mut pooled = ctx.db.get().await?;
        stats::usage(&mut pooled.conn(), plaza_db::now()).await?
    };
    let mut software = json!({ "name": "plaza", "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" {
        software["repository"] = json!(env!("CARGO_PKG_REPOSITORY"));
        software["homepage"] = json!(env!("CARGO_PKG_REPOSITORY"));
    }
    let body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": site.registrations_open,
        "usage": Usage {
            users: Users {
                total: usage.users,
                active_month: usage.active_month,
                active_halfyear: usage.active_halfyear,
            },
            local_posts: usage.local_posts,
            local_comments: usage.local_comments,
        },
        "metadata": { "nodeName": site.name },
    });
    let profile = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\""
    );
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&profile) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

/// NodeInfo 2.0.
pub async fn v20(State(ctx): State<Arc<Context>>) -> Result<Response, FederationError> {
    document(&ctx, "2.0").await
}

/// NodeInfo 2.1.
pub async fn v21(State(ctx): State<Arc<Context>>) -> Result<Response, FederationError> {
    document(&ctx, "2.1").await
}
