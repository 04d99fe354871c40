use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_to_a_reply_nests_under_it() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Q", "?").await;
    let answer = ada.reply(thread, None, "A").await;
    let created = ada
        .post(
            &format!("/threads/{thread}/comments"),
            &json!({"body": "**follow-up**", "parent_id": answer}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.i64("/parent_id"), answer);
    assert_eq!(created.at("/depth"), 1);
    assert_eq!(created.at("/body"), "<p><strong>follow-up</strong></p>\n");
    let id = created.i64("/id");
    assert_eq!(created.str("/url"), format!("{}/comment/{id}", plaza.base));
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_must_be_non_empty_and_stay_in_their_thread() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let one = ada.thread("support", "One", "").await;
    let two = ada.thread("support", "Two", "").await;
    let in_one = ada.reply(one, None, "here").await;
    ada.post(&format!("/threads/{one}/comments"), &json!({"body": "   "}))
        .await
        .assert_error(422, "invalid");
    let crossed = ada
        .post(
            &format!("/threads/{two}/comments"),
            &json!({"body": "x", "parent_id": in_one}),
        )
        .await;
    crossed.assert_error(422, "invalid");
    assert_eq!(crossed.at("/field"), "parent_id");
    ada.post(
        &format!("/threads/{one}/comments"),
        &json!({"body": "x", "parent_id": 999_999}),
    )
    .await
    .assert_error(404, "not_found");
    ada.post("/threads/999999/comments", &json!({"body": "x"}))
        .await
        .assert_error(404, "not_found");
    let read = plaza.anonymous().get(&format!("/threads/{two}")).await;
    assert_eq!(read.at("/thread/comment_count"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_author_edits_or_deletes_a_comment_and_replies_survive_deletion() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Q", "?").await;
    let answer = bob.reply(thread, None, "first").await;
    let follow_up = ada.reply(thread, Some(answer), "thanks").await;

    ada.patch(&format!("/comments/{answer}"), &json!({"body": "hijack"}))
        .await
        .assert_error(403, "forbidden");
    let edited = bob
        .patch(
            &format!("/comments/{answer}"),
            &json!({"body": "first, edited"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.at("/body_source"), "first, edited");
    assert!(edited.at("/updated_at").is_string());

    ada.delete(&format!("/comments/{answer}"))
        .await
        .assert_error(403, "forbidden");
    assert_eq!(bob.delete(&format!("/comments/{answer}")).await.status, 204);
    bob.delete(&format!("/comments/{answer}"))
        .await
        .assert_error(410, "gone");

    let read = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(read.i64("/comments/0/id"), answer);
    assert_eq!(read.at("/comments/0/deleted"), true);
    assert_eq!(read.at("/comments/0/body"), "");
    assert_eq!(read.i64("/comments/0/replies/0/id"), follow_up);
    // A deleted comment takes no new replies.
    ada.post(
        &format!("/threads/{thread}/comments"),
        &json!({"body": "x", "parent_id": answer}),
    )
    .await
    .assert_error(410, "gone");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_replies_are_all_stored_and_counted() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Busy thread", "").await;
    let replies = (0..20).map(|i| {
        let ada = ada.clone();
        async move { ada.reply(thread, None, &format!("reply {i}")).await }
    });
    let ids = futures::future::join_all(replies).await;
    assert_eq!(ids.len(), 20);
    let read = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(read.at("/thread/comment_count"), 20);
    assert_eq!(read.body["comments"].as_array().map(Vec::len), Some(20));
}
