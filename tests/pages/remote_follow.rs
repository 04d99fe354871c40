use axum::Json;
use axum::extract::Query;
use axum::routing::get;
use serde_json::{Value, json};

use plaza_web::pages::remote_follow::{LookupError, subscribe_url};

use crate::{assert_html, instance_with_thread};

/// A fediverse server on a loopback port whose WebFinger answers every `acct:` with a document;
/// with `template`, it offers a remote-follow page. Returns its `localhost:PORT`.
async fn fake_server(template: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let domain = format!("localhost:{}", listener.local_addr().unwrap().port());
    let origin = format!("http://{domain}");
    let app = axum::Router::new().route(
        "/.well-known/webfinger",
        get(
            move |Query(q): Query<std::collections::HashMap<String, String>>| {
                let origin = origin.clone();
                async move {
                    let mut links = vec![json!({
                        "rel": "self",
                        "type": "application/activity+json",
                        "href": format!("{origin}/users/me"),
                    })];
                    if template {
                        links.push(json!({
                            "rel": "http://ostatus.org/schema/1.0/subscribe",
                            "template": format!("{origin}/authorize_interaction?uri={{uri}}"),
                        }));
                    }
                    Json::<Value>(json!({"subject": q.get("resource"), "links": links}))
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    domain
}

#[tokio::test]
async fn following_a_group_from_a_fediverse_account_redirects_to_its_server_with_the_group_id() {
    let (plaza, _, _) = instance_with_thread().await;
    let server = fake_server(true).await;
    let answer = plaza
        .submit_form("/g/support/follow", &[("handle", &format!("@me@{server}"))])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let group_id = format!("{}/g/support", plaza.base);
    let encoded: String = url::form_urlencoded::byte_serialize(group_id.as_bytes()).collect();
    assert_eq!(
        answer.header("location"),
        format!("http://{server}/authorize_interaction?uri={encoded}")
    );
    assert!(encoded.contains("%3A%2F%2F"), "{encoded}");
}

#[tokio::test]
async fn replying_from_a_fediverse_account_redirects_with_the_thread_id() {
    let (plaza, thread, _) = instance_with_thread().await;
    let server = fake_server(true).await;
    let answer = plaza
        .submit_form(
            &format!("/post/{thread}/reply"),
            &[("handle", &format!("me@{server}"))],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let post_id = format!("{}/post/{thread}", plaza.base);
    let encoded: String = url::form_urlencoded::byte_serialize(post_id.as_bytes()).collect();
    assert_eq!(
        answer.header("location"),
        format!("http://{server}/authorize_interaction?uri={encoded}")
    );
}

#[tokio::test]
async fn a_bad_handle_gets_the_form_again_with_a_message() {
    let (plaza, _, _) = instance_with_thread().await;
    for handle in ["", "me", "not a handle@x", "<script>@x.example"] {
        let page = plaza
            .submit_form("/g/support/follow", &[("handle", handle)])
            .await;
        assert_html(&page, 400);
        assert!(
            page.text.contains("That is not a fediverse handle"),
            "{handle}: {}",
            page.text
        );
        assert!(page.text.contains(r#"action="/g/support/follow""#));
        assert!(!page.text.contains("<script>"), "{}", page.text);
    }
}

#[tokio::test]
async fn an_unreachable_server_or_one_without_remote_follow_gets_the_form_with_a_message() {
    let (plaza, _, _) = instance_with_thread().await;
    // A port nothing listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let page = plaza
        .submit_form(
            "/g/support/follow",
            &[("handle", &format!("@me@localhost:{closed}"))],
        )
        .await;
    assert_html(&page, 502);
    assert!(
        page.text.contains("We could not look your account up"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!("value=\"@me@localhost:{closed}\""))
    );

    let server = fake_server(false).await;
    let page = plaza
        .submit_form("/g/support/follow", &[("handle", &format!("@me@{server}"))])
        .await;
    assert_html(&page, 502);
    assert!(
        page.text.contains("does not offer a way to follow"),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn outside_development_mode_loopback_servers_and_ports_are_never_asked() {
    let (plaza, _, _) = instance_with_thread().await;
    let server = fake_server(true).await;
    let federation = plaza_federation::config::federation_config(plaza.ctx.clone(), false)
        .await
        .unwrap();
    let state = plaza_web::AppState {
        ctx: plaza.ctx.clone(),
        config: std::sync::Arc::new(plaza_web::WebConfig::default()),
        federation,
    };
    let group_id = format!("{}/g/support", plaza.base);
    assert_eq!(
        subscribe_url(&state, &format!("@me@{server}"), &group_id).await,
        Err(LookupError::BadHandle),
        "an explicit port is for development only"
    );
    assert_eq!(
        subscribe_url(&state, "@me@localhost", &group_id).await,
        Err(LookupError::NotPublic("localhost".to_owned()))
    );
}
