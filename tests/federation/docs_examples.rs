//! Every JSON example in docs/federation.md marked `<!-- checked: PATH -->` must match what the
//! instance serves at PATH: each documented field present with the documented value (times and
//! keys only by type), each documented array as long as the served one.

use plaza_tests::TestInstance;
use serde_json::Value;

use crate::MASTODON_ACCEPT;

const DOC: &str = include_str!("../../docs/federation.md");
/// Fields whose values change from run to run.
const VOLATILE: [&str; 3] = ["published", "updated", "publicKeyPem"];

/// (path, example) pairs, with the example instance's URLs replaced by the test instance's.
fn examples(base: &str, domain: &str) -> Vec<(String, Value)> {
    let doc = DOC
        .replace("https://brand.example", base)
        .replace("brand.example", domain);
    let mut found = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("<!-- checked: ") {
        rest = &rest[start + "<!-- checked: ".len()..];
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

fn compare(path: &str, at: &str, doc: &Value, live: &Value, problems: &mut Vec<String>) {
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
    let examples = examples(&plaza.base, &domain);
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
