//! Idea statuses across servers: the thread's `Page` carries `ideaStatus`, a change goes to forum
//! followers as an `Update` of it, and the official reply that announces it reaches every
//! follower as a normal comment.

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::docs_examples::{compare, marked};
use crate::remote::{FakeRemote, publish_all};

/// What the group announced to `remote`: the wrapped activities of type `verb` on `kind`.
fn announced(remote: &FakeRemote, verb: &str, kind: &str) -> Vec<Value> {
    remote
        .received("/inbox")
        .into_iter()
        .filter(|a| {
            a["type"] == "Announce"
                && a["object"]["type"] == verb
                && a["object"]["object"]["type"] == kind
        })
        .map(|a| a["object"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idea_status_reaches_forum_followers_as_an_update_and_a_staff_reply() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("ideas").await;
    let enabled = admin.patch("/groups/ideas", &json!({"ideas": true})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let lemmy = FakeRemote::start_as(Some("lemmy"), "/u/carol").await;
    let follow = json!({
        "id": format!("{}/follows/1", lemmy.bob), "type": "Follow",
        "actor": lemmy.bob, "object": format!("{}/g/ideas", plaza.base)
    });
    assert_eq!(lemmy.send(&plaza, "/g/ideas/inbox", &follow).await.0, 202);
    let ada = plaza.member("ada").await;
    let thread = ada
        .thread("ideas", "Dark mode for the app", "Please, my eyes")
        .await;
    publish_all(&plaza).await;
    assert!(announced(&lemmy, "Update", "Page").is_empty());
    let replies_before = announced(&lemmy, "Create", "Note").len();

    let set = admin
        .put_with(
            &format!("/threads/{thread}/status"),
            &json!({"status": "planned", "note": "In the spring release."}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    publish_all(&plaza).await;

    let page_id = format!("{}/post/{thread}", plaza.base);
    let updates = announced(&lemmy, "Update", "Page");
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["object"]["id"], page_id);
    assert_eq!(updates[0]["object"]["ideaStatus"], "planned");
    assert_eq!(updates[0]["actor"], format!("{}/u/ada", plaza.base));
    let replies = announced(&lemmy, "Create", "Note");
    assert_eq!(replies.len(), replies_before + 1, "{replies:?}");
    let reply = &replies[replies.len() - 1]["object"];
    assert_eq!(reply["inReplyTo"], page_id);
    assert_eq!(reply["distinguished"], true);
    let text = reply["source"]["content"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("**Status: Planned**") && text.contains("In the spring release."),
        "{reply}"
    );

    // The served Page is the documented one, with the term in its context.
    let domain = plaza.ctx.urls.domain().to_owned();
    let examples = marked("<!-- checked-idea: ", &plaza.base, &domain);
    assert_eq!(examples.len(), 1, "one documented idea");
    let mut problems = Vec::new();
    for (path, example) in &examples {
        let live = plaza.fetch(path, crate::MASTODON_ACCEPT).await;
        assert_eq!(live.status, 200, "{path}: {}", live.body);
        compare(path, "", example, &live.body, &mut problems);
        let context = live.at("/@context").to_string();
        assert!(context.contains("ideaStatus"), "{context}");
    }
    assert!(
        problems.is_empty(),
        "docs/federation.md is out of date:\n{}",
        problems.join("\n")
    );

    // Withdrawn: another Update, without the property.
    let cleared = admin
        .put_with(
            &format!("/threads/{thread}/status"),
            &json!({"status": null}),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    publish_all(&plaza).await;
    let updates = announced(&lemmy, "Update", "Page");
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert!(updates[1]["object"].get("ideaStatus").is_none());
}
