//! A visitor's home server on another loopback port, as far as remote following needs one: its
//! WebFinger names a page for following, and that page says what the visitor is asked to follow.

use std::collections::HashMap;

use axum::Json;
use axum::extract::Query;
use axum::response::Html;
use axum::routing::get;
use serde_json::{Value, json};

/// Starts the server and returns its `localhost:PORT`.
pub async fn home_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let domain = format!("localhost:{}", listener.local_addr().unwrap().port());
    let origin = format!("http://{domain}");
    let app = axum::Router::new()
        .route(
            "/.well-known/webfinger",
            get(move |Query(q): Query<HashMap<String, String>>| {
                let origin = origin.clone();
                async move {
                    Json::<Value>(json!({
                        "subject": q.get("resource"),
                        "links": [
                            {"rel": "self", "type": "application/activity+json",
                             "href": format!("{origin}/users/me")},
                            {"rel": "http://ostatus.org/schema/1.0/subscribe",
                             "template": format!("{origin}/authorize_interaction?uri={{uri}}")},
                        ],
                    }))
                }
            }),
        )
        .route(
            "/authorize_interaction",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                let uri = q.get("uri").map(String::as_str).unwrap_or_default();
                Html(format!(
                    "<!doctype html><title>Follow</title><h1>Elsewhere</h1>\
                     <p id=\"ask\">Follow <code>{}</code>?</p>",
                    escape(uri)
                ))
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    domain
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
