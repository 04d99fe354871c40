//! Every JSON example in docs/federation.md marked `<!-- checked: PATH -->` must match what the
//! instance serves at PATH: each documented field present with the documented value (times and
//! keys only by type), each documented array as long as the served one. Examples marked
//! `<!-- checked-sent: forum|microblog -->` must match what such a follower receives for a new
//! thread, and those marked `<!-- fixture: FILE -->` must be the fixture file the tests feed
//! through the inbox.

use plaza_tests::TestInstance;
use serde_json::Value;

use crate::MASTODON_ACCEPT;
use crate::remote::{FakeRemote, publish_all};

const DOC: &str = include_str!("../../docs/federation.md");
/// Fields whose values change from run to run.
const VOLATILE: [&str; 3] = ["published", "updated", "publicKeyPem"];

/// (path, example) pairs after `marker`, with the example instance's URLs replaced by the test
/// instance's.
pub(crate) fn marked(marker: &str, base: &str, domain: &str) -> Vec<(String, Value)> {
    marked_with(marker, base, domain, &[])
}

/// [`marked`], with more placeholders replaced (`(placeholder, value)`).
fn marked_with(
    marker: &str,
    base: &str,
    domain: &str,
    replacements: &[(&str, &str)],
) -> Vec<(String, Value)> {
    let mut doc = DOC
        .replace("https://brand.example", base)
        .replace("brand.example", domain);
    for (placeholder, value) in replacements {
        doc = doc.replace(placeholder, value);
    }
    let mut found = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find(marker) {
        rest = &rest[start + marker.len()..];
        let (path, after) = rest.split_once(" -->").expect("unclosed marker");
        let after = after
            .trim_start()
            .strip_prefix("```json")
            .expect("a json block after the marker");
        let (json, after) = after.split_once("```").expect("unclosed json block");
        let example = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("example for {path} is not JSON: {e}"));
        found.push((path.to_owned(), example));
        rest = after;
    }
    found
}

pub(crate) fn compare(path: &str, at: &str, doc: &Value, live: &Value, problems: &mut Vec<String>) {
    let key = at.rsplit('/').next().unwrap_or_default();
    match (doc, live) {
        (Value::Object(doc), Value::Object(live)) => {
            for (k, v) in doc {
                match live.get(k) {
                    Some(l) => compare(path, &format!("{at}/{k}"), v, l, problems),
                    None => problems.push(format!("{path}: {at}/{k} is documented but not served")),
                }
            }
        }
        (Value::Array(doc), Value::Array(live)) => {
            if doc.len() != live.len() {
                problems.push(format!(
                    "{path}: {at} has {} items, documented {}",
                    live.len(),
                    doc.len()
                ));
            }
            for (i, (d, l)) in doc.iter().zip(live).enumerate() {
                compare(path, &format!("{at}/{i}"), d, l, problems);
            }
        }
        (Value::String(_), Value::String(_)) if VOLATILE.contains(&key) => {}
        (d, l) if d == l => {}
        (d, l) => problems.push(format!("{path}: {at} is {l}, documented {d}")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_federation_docs_show_what_the_instance_serves() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Printer on fire", "**Help**").await;
    ada.reply(thread, None, "Unplug it first.").await;

    let domain = plaza.ctx.urls.domain().to_owned();
    let examples = marked("<!-- checked: ", &plaza.base, &domain);
    assert!(
        examples.len() >= 5,
        "only {} checked examples found",
        examples.len()
    );
    let mut problems = Vec::new();
    for (path, example) in &examples {
        let live = plaza.fetch(path, MASTODON_ACCEPT).await;
        assert_eq!(live.status, 200, "{path}: {}", live.body);
        compare(path, "", example, &live.body, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "docs/federation.md is out of date:\n{}",
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_federation_docs_show_what_followers_are_sent() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let mut received = Vec::new();
    for (software, path) in [("lemmy", "/u/bob"), ("mastodon", "/users/bob")] {
        let remote = FakeRemote::start_as(Some(software), path).await;
        let follow = serde_json::json!({
            "id": format!("{}/follows/1", remote.bob), "type": "Follow",
            "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
        });
        assert_eq!(
            remote.send(&plaza, "/g/support/inbox", &follow).await.0,
            202
        );
        received.push(remote);
    }
    let ada = plaza.member("ada").await;
    ada.thread("support", "Printer on fire", "**Help**").await;
    publish_all(&plaza).await;

    let domain = plaza.ctx.urls.domain().to_owned();
    let examples = marked("<!-- checked-sent: ", &plaza.base, &domain);
    assert_eq!(examples.len(), 2, "one example per kind of follower");
    let mut problems = Vec::new();
    for (kind, example) in &examples {
        let remote = match kind.as_str() {
            "forum" => &received[0],
            "microblog" => &received[1],
            other => panic!("unknown kind of follower {other}"),
        };
        let sent = remote.received("/inbox");
        assert_eq!(sent.len(), 1, "{kind}: {sent:?}");
        compare(kind, "", example, &sent[0], &mut problems);
    }
    assert!(
        problems.is_empty(),
        "docs/federation.md is out of date:\n{}",
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_federation_docs_show_pictures_as_served() {
    use plaza_tests::pictures::{jpeg, png};
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let icon = admin.upload("logo.png", "image/png", &png(128, 128)).await;
    let edited = admin
        .patch(
            "/groups/support",
            &serde_json::json!({"icon_upload": icon.str("/id")}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let ada = plaza.member("ada").await;
    let photo = ada
        .upload("router.jpg", "image/jpeg", &jpeg(800, 600))
        .await;
    let created = ada
        .post(
            "/groups/support/threads",
            &serde_json::json!({"title": "Red light", "images": [
                {"upload": photo.str("/id"), "alt": "The router's front, its status light red"}
            ]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    let domain = plaza.ctx.urls.domain().to_owned();
    let (icon_hash, photo_hash) = (icon.str("/id"), photo.str("/id"));
    let examples = marked_with(
        "<!-- checked-pictures: ",
        &plaza.base,
        &domain,
        &[("ICON_HASH", &icon_hash), ("PHOTO_HASH", &photo_hash)],
    );
    assert_eq!(examples.len(), 2, "a thread's and a group's pictures");
    let mut problems = Vec::new();
    for (path, example) in &examples {
        let live = plaza.fetch(path, MASTODON_ACCEPT).await;
        assert_eq!(live.status, 200, "{path}: {}", live.body);
        compare(path, "", example, &live.body, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "docs/federation.md is out of date:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_federation_docs_quote_the_fixtures_the_tests_send() {
    let examples = marked("<!-- fixture: ", "https://brand.example", "brand.example");
    assert!(!examples.is_empty());
    for (file, example) in examples {
        let path = format!("{}/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let fixture: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(example, fixture, "docs/federation.md quotes {file} wrongly");
    }
}
