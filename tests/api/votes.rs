use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn one_vote_per_person_changeable_and_removable() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Vote on me", "").await;
    let path = format!("/threads/{thread}/vote");

    let up = bob.post(&path, &json!({"score": 1})).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(
        (up.i64("/upvotes"), up.i64("/downvotes"), up.i64("/score")),
        (1, 0, 1)
    );
    assert_eq!(up.at("/my_vote"), 1);
    // The same vote again changes nothing.
    let again = bob.post(&path, &json!({"score": 1})).await;
    assert_eq!((again.i64("/upvotes"), again.i64("/score")), (1, 1));
    let down = bob.post(&path, &json!({"score": -1})).await;
    assert_eq!(
        (
            down.i64("/upvotes"),
            down.i64("/downvotes"),
            down.i64("/score")
        ),
        (0, 1, -1)
    );
    let ada_up = ada.post(&path, &json!({"score": 1})).await;
    assert_eq!(
        (
            ada_up.i64("/upvotes"),
            ada_up.i64("/downvotes"),
            ada_up.i64("/score")
        ),
        (1, 1, 0)
    );
    let withdrawn = bob.post(&path, &json!({"score": 0})).await;
    assert_eq!(
        (withdrawn.i64("/upvotes"), withdrawn.i64("/downvotes")),
        (1, 0)
    );
    assert!(withdrawn.at("/my_vote").is_null());

    let as_ada = ada.get(&format!("/threads/{thread}")).await;
    assert_eq!(as_ada.at("/thread/my_vote"), 1);
    assert_eq!(as_ada.at("/thread/score"), 1);
    let as_anon = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert!(as_anon.at("/thread/my_vote").is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn comment_votes_show_in_the_tree_for_the_voter() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Q", "").await;
    let weak = ada.reply(thread, None, "meh").await;
    let good = ada.reply(thread, None, "the answer").await;
    let voted = bob
        .post(&format!("/comments/{good}/vote"), &json!({"score": 1}))
        .await;
    assert_eq!(voted.status, 200, "{}", voted.body);
    bob.post(&format!("/comments/{weak}/vote"), &json!({"score": -1}))
        .await;
    let page = bob
        .get(&format!("/threads/{thread}?comment_sort=top"))
        .await;
    assert_eq!(page.i64("/comments/0/id"), good);
    assert_eq!(page.at("/comments/0/my_vote"), 1);
    assert_eq!(page.at("/comments/1/my_vote"), -1);
    assert_eq!(page.at("/comments/1/downvotes"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn votes_other_than_up_down_or_withdraw_are_refused() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Q", "").await;
    ada.post(&format!("/threads/{thread}/vote"), &json!({"score": 5}))
        .await
        .assert_error(422, "invalid");
    ada.post("/threads/424242/vote", &json!({"score": 1}))
        .await
        .assert_error(404, "not_found");
    ada.post("/comments/424242/vote", &json!({"score": 1}))
        .await
        .assert_error(404, "not_found");
    plaza
        .anonymous()
        .post(&format!("/threads/{thread}/vote"), &json!({"score": 1}))
        .await
        .assert_error(401, "unauthorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_vote_sent_many_times_at_once_counts_once() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Race", "").await;
    let comment = ada.reply(thread, None, "race too").await;
    for path in [
        format!("/threads/{thread}/vote"),
        format!("/comments/{comment}/vote"),
    ] {
        let votes = (0..10).map(|_| {
            let bob = bob.clone();
            let path = path.clone();
            async move { bob.post(&path, &json!({"score": 1})).await.status }
        });
        let statuses = futures::future::join_all(votes).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    }
    let page = ada.get(&format!("/threads/{thread}")).await;
    assert_eq!(page.at("/thread/upvotes"), 1, "{}", page.body);
    assert_eq!(page.at("/comments/0/upvotes"), 1, "{}", page.body);
}
