//! Ideas and feedback over the API: staff and moderators give an idea a status, which everyone
//! involved hears of, which lists filter by, and which only a group that collects ideas allows.

use plaza_tests::{Answer, Client, TestInstance};
use serde_json::json;

async fn set_status(client: &Client, thread: i64, body: serde_json::Value) -> Answer {
    client
        .put_with(&format!("/threads/{thread}/status"), &body)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_set_an_idea_status_that_notifies_voters_and_commenters_and_filters_lists() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let sam = plaza.member("sam").await;
    let named = admin.put("/admin/accounts/sam/staff").await;
    assert_eq!(named.status, 200, "{}", named.body);
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let cleo = plaza.member("cleo").await;
    let idea = ada
        .thread("support", "Dark mode for the app", "Please, my eyes")
        .await;
    let other = ada.thread("support", "Export to CSV", "").await;

    // Not before the group collects ideas.
    let refused = set_status(&sam, idea, json!({"status": "planned"})).await;
    refused.assert_error(422, "invalid");
    let enabled = admin
        .patch("/groups/support", &json!({"ideas": true}))
        .await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    assert_eq!(enabled.at("/ideas"), true);

    let voted = bob
        .post(&format!("/threads/{idea}/vote"), &json!({"score": 1}))
        .await;
    assert!(voted.status < 300, "{}", voted.body);
    cleo.reply(idea, None, "Yes please").await;

    // Members may not; an unknown status is refused.
    set_status(&bob, idea, json!({"status": "done"}))
        .await
        .assert_error(403, "forbidden");
    set_status(&sam, idea, json!({"status": "someday"}))
        .await
        .assert_error(422, "invalid");

    let set = set_status(
        &sam,
        idea,
        json!({"status": "planned", "note": "In the spring release."}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.at("/thread/idea/status"), "planned");
    assert_eq!(set.at("/thread/idea/label"), "Planned");
    assert_eq!(set.at("/thread/idea/note"), "In the spring release.");
    // The decision is also an official reply in the thread.
    let comments = set.at("/comments").as_array().expect("comments").clone();
    let announced = comments
        .iter()
        .find(|c| c["author"]["name"] == json!("sam"))
        .expect("staff's reply");
    assert!(
        announced["body_source"]
            .as_str()
            .unwrap()
            .starts_with("**Status: Planned**"),
        "{announced}"
    );
    assert_eq!(announced["distinguished"], json!(true), "{announced}");

    // The author, the voter and the commenter hear of it once each; staff do not.
    for (client, who) in [(&ada, "ada"), (&bob, "bob"), (&cleo, "cleo")] {
        let listed = client.get("/notifications").await;
        let kinds: Vec<(String, Option<String>)> = listed
            .at("/items")
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == json!("idea_status"))
            .map(|n| {
                (
                    n["kind"].as_str().unwrap().to_owned(),
                    n["reason"].as_str().map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            vec![("idea_status".to_owned(), Some("Planned".to_owned()))],
            "{who}: {}",
            listed.body
        );
    }
    let own = sam.get("/notifications").await;
    assert!(
        !own.body.to_string().contains("idea_status"),
        "{}",
        own.body
    );

    // The same status again changes nothing and tells nobody again.
    let again = set_status(
        &sam,
        idea,
        json!({"status": "planned", "note": "In the spring release."}),
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.i64("/thread/comment_count"), 2, "{}", again.body);

    // Lists filter by status.
    let planned = plaza
        .anonymous()
        .get("/groups/support/threads?status=planned")
        .await;
    assert_eq!(planned.status, 200, "{}", planned.body);
    let ids: Vec<i64> = planned
        .at("/items")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![idea]);
    let all = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(all.at("/items").as_array().unwrap().len(), 2);
    assert!(all.body.to_string().contains(&format!("\"id\":{other}")));
    plaza
        .anonymous()
        .get("/groups/support/threads?status=bogus")
        .await
        .assert_error(422, "invalid");

    // Cleared: no status, and a reply says so.
    let cleared = set_status(&admin, idea, json!({"status": null})).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(cleared.at("/thread/idea"), &json!(null));
    assert_eq!(cleared.i64("/thread/comment_count"), 3);
}
