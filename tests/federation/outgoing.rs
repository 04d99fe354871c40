//! Every outgoing request goes through the instance's one client. Outside development mode none
//! reaches a loopback server, whatever kind of request it is; in development mode all of them do
//! (which also shows the count of connections below can see them).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use plaza_db::transaction;
use plaza_federation::activitypub_federation::config::FederationConfig;
use plaza_federation::activitypub_federation::fetch::object_id::ObjectId;
use plaza_federation::config::{FederationSettings, configure};
use plaza_federation::delivery::worker::{DeliverySettings, DeliveryWorker};
use plaza_federation::objects::person::ApubPerson;
use plaza_federation::{AppData, discovery, following};
use plaza_tests::TestInstance;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server on a loopback port that answers 404 to everything, closing each connection, and
/// counts the connections it accepted.
async fn counting_server() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
            });
        }
    });
    (port, accepted)
}

/// Makes one request of each kind towards `base` (`SCHEME://localhost:PORT`): an actor fetch, a
/// WebFinger lookup, a NodeInfo lookup and a delivery. Their outcomes do not matter here.
async fn one_of_each_kind(
    plaza: &TestInstance,
    config: &FederationConfig<AppData>,
    base: &str,
    n: usize,
) {
    let data = &config.to_request_data();
    let actor = url::Url::parse(&format!("{base}/users/bob{n}")).unwrap();
    let _ = ObjectId::<ApubPerson>::from(actor.clone())
        .dereference(data)
        .await;
    let domain = base.split("://").nth(1).unwrap();
    let _ = following::resolve(data, &format!("group{n}@{domain}")).await;
    discovery::software::learn(data, &actor).await;
    let group = plaza.ctx.urls.group("support");
    let id = format!("{}/activities/test/{n}", plaza.base);
    let activity = json!({"id": id, "type": "Create", "actor": group, "object": "x"});
    let inbox = format!("{base}/inbox");
    let queued = async {
        transaction!(&plaza.ctx.db, plaza_core::CoreError, |conn| {
            plaza_federation::delivery::enqueue(conn, &id, &group, &activity, [inbox.clone()])
                .await
                .map_err(|e| plaza_core::CoreError::Internal(e.to_string()))
        })
    };
    queued.await.unwrap();
    let worker = DeliveryWorker::new(
        plaza.ctx.clone(),
        config.clone(),
        DeliverySettings::default(),
    );
    worker.run_once().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_dev_mode_no_kind_of_request_reaches_a_loopback_server() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let (port, accepted) = counting_server().await;
    let production = configure(plaza.ctx.clone(), FederationSettings::new(false))
        .await
        .unwrap();
    one_of_each_kind(&plaza, &production, &format!("https://localhost:{port}"), 1).await;
    one_of_each_kind(&plaza, &production, &format!("http://localhost:{port}"), 2).await;
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "a request reached loopback outside dev mode"
    );

    // A server of its own: the refused NodeInfo lookups were recorded for the first one, and it
    // is not asked again within a day.
    let (port, accepted) = counting_server().await;
    let dev = configure(plaza.ctx.clone(), FederationSettings::new(true))
        .await
        .unwrap();
    one_of_each_kind(&plaza, &dev, &format!("http://localhost:{port}"), 3).await;
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        4,
        "in dev mode each kind of request reaches the server"
    );
}
