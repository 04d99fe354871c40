use plaza_db::event;
use plaza_tests::TestInstance;
use serde_json::json;

async fn event_kinds(plaza: &TestInstance) -> Vec<String> {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    event::pending(&mut pooled.conn(), 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_change_writes_one_event_and_refused_changes_write_none() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Q", "?").await;
    let comment = bob.reply(thread, None, "A").await;
    bob.post(&format!("/threads/{thread}/vote"), &json!({"score": 1}))
        .await;
    // Repeating a vote changes nothing and records nothing.
    bob.post(&format!("/threads/{thread}/vote"), &json!({"score": 1}))
        .await;
    bob.patch(&format!("/comments/{comment}"), &json!({"body": "A!"}))
        .await;
    ada.patch(&format!("/threads/{thread}"), &json!({"title": "Q?"}))
        .await;
    bob.post(&format!("/threads/{thread}/vote"), &json!({"score": 0}))
        .await;
    bob.delete(&format!("/comments/{comment}")).await;
    ada.delete(&format!("/threads/{thread}")).await;
    // Refused: not the author, invalid input.
    bob.delete(&format!("/threads/{thread}")).await;
    ada.post("/groups/support/threads", &json!({"title": ""}))
        .await;

    assert_eq!(
        event_kinds(&plaza).await,
        [
            "group_created",
            "post_created",
            "comment_created",
            "vote_cast",
            "comment_updated",
            "post_updated",
            "vote_removed",
            "comment_deleted",
            "post_deleted",
        ]
    );
}
