//! Shapes of other software through the real inbox, signed by the fake remote server: a
//! Friendica link share keeps its link, and a Mobilizon event becomes a thread that tells when and
//! where it happens.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::remote::{FakeRemote, fixture};

async fn stored_post(plaza: &TestInstance, ap_id: &str) -> plaza_db::post::PostRow {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    plaza_db::post::find_by_ap_id(&mut pooled.conn(), ap_id)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{ap_id} was not stored"))
}

/// Friendica shares a link as a `Note` whose `url` is the shared page (a URL, or a `Link` with
/// `href`), not the note's own page as on other servers. The thread keeps it as its link.
#[tokio::test(flavor = "multi_thread")]
async fn a_friendica_link_share_keeps_its_url_as_the_threads_link() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("friendica"), "/profile/bob").await;
    let shared = "https://news.example/2026/11/printer-firmware-breaks-duplex";

    let create = fixture("friendica/create_note_link_share.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    let post = stored_post(&plaza, create["object"]["id"].as_str().unwrap()).await;
    assert_eq!(post.title, "Printer firmware 4.2 breaks duplex printing");
    assert_eq!(post.url.as_deref(), Some(shared));

    // The same share with the link as a `Link` object.
    let mut as_link = create.clone();
    let id = format!("{}/objects/second", bob.base);
    as_link["id"] = json!(format!("{id}/Create"));
    as_link["object"]["id"] = json!(id);
    as_link["object"]["url"] = json!({"type": "Link", "href": shared, "mediaType": "text/html"});
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &as_link).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(stored_post(&plaza, &id).await.url.as_deref(), Some(shared));
}

/// Mobilizon publishes events as `Event` objects (`startTime`, `endTime`, a `Place` with a
/// `PostalAddress`). Addressed to a group here, one becomes a thread titled with its name, whose
/// body says when (in the event's time zone) and where before its description.
#[tokio::test(flavor = "multi_thread")]
async fn a_mobilizon_event_becomes_a_thread_with_its_time_and_place() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("mobilizon"), "/@bob").await;
    let mut actor = bob.document("/@bob");
    actor["preferredUsername"] = json!("bob");
    bob.serve("/@bob", actor);

    let create = fixture("mobilizon/create_event.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    let post = stored_post(&plaza, create["object"]["id"].as_str().unwrap()).await;
    assert_eq!(post.title, "Printer repair café");
    assert!(
        post.body_html
            .contains("<strong>When:</strong> 2026-12-12 14:00 – 17:00 (UTC+01:00)"),
        "{}",
        post.body_html
    );
    assert!(
        post.body_html
            .contains("<strong>Where:</strong> Town library, 1 Main Street, 75001 Paris, France"),
        "{}",
        post.body_html
    );
    assert!(post.body_html.contains("Bring your jammed printers"));
    assert_eq!(post.url, None, "the event's own page is no link");
}
