//! Pictures and other files attached by other servers: stored with their descriptions, shown on
//! the thread page through this instance's media proxy, which serves only real pictures, and
//! replaced or dropped when the author edits or deletes.

use plaza_core::Settings;
use plaza_federation::config::FederationSettings;
use plaza_tests::TestInstance;
use plaza_web::WebConfig;
use plaza_web::media_proxy::MediaCache;
use serde_json::{Value, json};

use crate::remote::{FakeRemote, fixture};

const TRAY: &str = "/system/media_attachments/files/1/original/tray.png";
const LABEL: &str = "/system/media_attachments/files/2/original/label.jpg";

fn red_png() -> Vec<u8> {
    let path = format!("{}/fixtures/media/red.png", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn first_thread(plaza: &TestInstance) -> Value {
    let listed = plaza.anonymous().get("/groups/support/threads").await;
    let id = listed.at("/items/0/id").as_i64().expect("a thread");
    let answer = plaza.anonymous().get(&format!("/threads/{id}")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// GETs `path` of `plaza` as a browser loading a picture does: status, content type, body.
async fn picture(plaza: &TestInstance, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = reqwest::get(format!("{}{path}", plaza.base))
        .await
        .expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.bytes().await.expect("body").to_vec(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn mastodon_note_with_two_pictures_shows_both_with_their_descriptions() {
    let cache = tempfile::tempdir().expect("temp dir");
    let web = WebConfig {
        media_cache: MediaCache::new(cache.path().to_owned(), 1024 * 1024),
        ..WebConfig::default()
    };
    let plaza =
        TestInstance::spawn_configured(Settings::default(), web, FederationSettings::new(true))
            .await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    bob.serve_file(TRAY, "image/png", red_png());
    // What its server calls a JPEG is a web page: it must never be served as the picture.
    bob.serve_file(
        LABEL,
        "image/jpeg",
        b"<!DOCTYPE html><script>alert(document.cookie)</script>".to_vec(),
    );
    let create = fixture("mastodon/create_note_with_pictures.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/inbox", &create).await;
    assert_eq!(status, 202, "{body}");

    let view = first_thread(&plaza).await;
    let attachments = view["thread"]["attachments"]
        .as_array()
        .expect("attachments");
    assert_eq!(attachments.len(), 2, "{attachments:?}");
    assert_eq!(attachments[0]["kind"], "image");
    assert_eq!(attachments[0]["url"], format!("{}{TRAY}", bob.base));
    assert_eq!(
        attachments[0]["alt"],
        "The paper tray with a crack along its left edge"
    );
    assert_eq!(
        (&attachments[0]["width"], &attachments[0]["height"]),
        (&json!(1200), &json!(800))
    );
    assert_eq!(
        attachments[0]["blurhash"],
        "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"
    );
    assert_eq!(
        attachments[1]["alt"],
        "The label under the printer: model PX-200"
    );

    // The page shows both, each from this instance and linking to its original.
    let id = view["thread"]["id"].as_i64().unwrap();
    let page = plaza.browse(&format!("/post/{id}")).await;
    assert_eq!(page.status, 200);
    for attachment in attachments {
        let proxied = attachment["proxy_path"].as_str().expect("a picture");
        let img = format!(
            "<img src=\"{proxied}\" alt=\"{}\" loading=\"lazy\"",
            attachment["alt"].as_str().unwrap()
        );
        assert!(page.text.contains(&img), "{img} in {}", page.text);
        let link = format!("<a href=\"{}\"", attachment["url"].as_str().unwrap());
        assert!(page.text.contains(&link), "{link}");
    }

    // The picture comes from its server once, then from the cache; it is served as what its
    // bytes are, never sniffed by the browser.
    let tray = attachments[0]["proxy_path"].as_str().unwrap();
    for _ in 0..2 {
        let (status, headers, body) = picture(&plaza, tray).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "image/png");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(body, red_png());
    }
    assert_eq!(bob.fetches(TRAY), 1);

    // The web page dressed as a JPEG is refused, and not kept.
    let label = attachments[1]["proxy_path"].as_str().unwrap();
    let (status, headers, body) = picture(&plaza, label).await;
    assert_eq!(status, 502);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(!String::from_utf8_lossy(&body).contains("<script"));
    let (status, _, _) = picture(&plaza, label).await;
    assert_eq!(status, 502);
    assert_eq!(bob.fetches(LABEL), 2);

    // No such attachment: 404, and nothing fetched.
    assert_eq!(picture(&plaza, "/media/attachments/999").await.0, 404);
    assert_eq!(picture(&plaza, "/media/attachments/x").await.0, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_replaces_the_pictures_and_a_deletion_drops_them() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    bob.serve_file(TRAY, "image/png", red_png());
    let create = fixture("mastodon/create_note_with_pictures.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/inbox", &create).await.0, 202);
    let view = first_thread(&plaza).await;
    let tray = view["thread"]["attachments"][0]["proxy_path"]
        .as_str()
        .unwrap()
        .to_owned();

    // Mastodon sends the whole note again: here with one picture fewer.
    let mut note = create["object"].clone();
    note["attachment"] = json!([create["object"]["attachment"][1]]);
    note["updated"] = json!("2026-11-20T10:00:00Z");
    let update = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#updates/1", note["id"].as_str().unwrap()),
        "type": "Update", "actor": bob.bob, "object": note,
    });
    let (status, body) = bob.send(&plaza, "/inbox", &update).await;
    assert_eq!(status, 202, "{body}");
    let view = first_thread(&plaza).await;
    let attachments = view["thread"]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0]["alt"],
        "The label under the printer: model PX-200"
    );
    assert_eq!(picture(&plaza, &tray).await.0, 404, "the old one is gone");

    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#delete", note["id"].as_str().unwrap()),
        "type": "Delete", "actor": bob.bob,
        "object": {"id": note["id"], "type": "Tombstone"},
    });
    let (status, body) = bob.send(&plaza, "/inbox", &delete).await;
    assert_eq!(status, 202, "{body}");
    let id = view["thread"]["id"].as_i64().unwrap();
    let deleted = plaza.anonymous().get(&format!("/threads/{id}")).await;
    assert_eq!(
        deleted.at("/thread/deleted"),
        &json!(true),
        "{}",
        deleted.body
    );
    assert_eq!(deleted.at("/thread/attachments"), &json!([]));
    let label = attachments[0]["proxy_path"].as_str().unwrap();
    assert_eq!(picture(&plaza, label).await.0, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn lemmy_image_post_shows_its_picture_once_and_keeps_its_link() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = FakeRemote::start_as(Some("lemmy"), "/u/bob").await;
    bob.serve_file("/pictrs/image/mockup.png", "image/png", red_png());
    let create = fixture("lemmy/create_page_image.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &create).await;
    assert_eq!(status, 202, "{body}");

    let view = first_thread(&plaza).await;
    assert_eq!(view["thread"]["link"], "https://example.com/design-notes");
    let attachments = view["thread"]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    assert_eq!(
        attachments[0]["url"],
        format!("{}/pictrs/image/mockup.png", bob.base)
    );
    let (status, headers, _) =
        picture(&plaza, attachments[0]["proxy_path"].as_str().unwrap()).await;
    assert_eq!(
        (status, &headers["content-type"]),
        (200, &"image/png".parse().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mastodon_reply_with_a_picture_shows_it_under_the_comment() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Scanner jams", "Since Monday").await;
    assert_eq!(thread, 1, "the fixture answers /post/1");
    let bob = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    bob.serve_file(TRAY, "image/png", red_png());
    let mut reply = fixture("mastodon/create_note_reply.json", &bob, &plaza);
    reply["object"]["attachment"] = json!([{
        "type": "Document", "mediaType": "image/png", "url": format!("{}{TRAY}", bob.base),
        "name": "The error on the scanner's screen", "width": 2, "height": 2,
    }]);
    let (status, body) = bob.send(&plaza, "/u/ada/inbox", &reply).await;
    assert_eq!(status, 202, "{body}");

    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    let attachments = view
        .at("/comments/0/attachments")
        .as_array()
        .expect("attachments");
    assert_eq!(attachments.len(), 1, "{}", view.body);
    assert_eq!(attachments[0]["alt"], "The error on the scanner's screen");
    let proxied = attachments[0]["proxy_path"].as_str().unwrap();
    let page = plaza.browse(&format!("/post/{thread}")).await;
    let img = format!("<img src=\"{proxied}\" alt=\"The error on the scanner&#39;s screen\"");
    assert!(page.text.contains(&img), "{img} in {}", page.text);
    assert_eq!(picture(&plaza, proxied).await.0, 200);
}
