//! Voting from the pages: up and down buttons that show the visitor's vote, pressing one's
//! vote again withdraws it, and what is refused.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::{assert_html, instance_with_thread};

async fn scores(plaza: &TestInstance, thread: i64, comment: i64) -> (i64, i64) {
    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    let comment_score = view
        .at("/comments")
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == comment)
        .unwrap()["score"]
        .as_i64()
        .unwrap();
    (view.i64("/thread/score"), comment_score)
}

#[tokio::test]
async fn a_vote_is_cast_shown_and_withdrawn_from_the_buttons() {
    let (plaza, thread, comment) = instance_with_thread().await;
    plaza.member("cleo").await;
    let anonymous = plaza.browse(&format!("/post/{thread}")).await;
    assert!(!anonymous.text.contains(r#"<form class="vote""#));

    let cleo = plaza.browser_as("cleo").await;
    let page = cleo.open(&format!("/post/{thread}")).await;
    assert!(
        page.text.contains(&format!(
            r#"<form class="vote" method="post" action="/post/{thread}/vote">"#
        )),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!(r#"action="/comment/{comment}/vote""#))
    );
    assert!(
        page.text
            .contains(r#"name="score" value="1" class="up" aria-pressed="false""#)
    );

    let up = cleo
        .submit(&format!("/post/{thread}/vote"), &[("score", "1")])
        .await;
    assert_eq!(up.status, 303, "{}", up.text);
    assert_eq!(up.header("location"), format!("/post/{thread}"));
    let down = cleo
        .submit(&format!("/comment/{comment}/vote"), &[("score", "-1")])
        .await;
    assert_eq!(down.status, 303, "{}", down.text);
    assert_eq!(
        down.header("location"),
        format!("/post/{thread}#c-{comment}")
    );
    assert_eq!(scores(&plaza, thread, comment).await, (1, -1));

    // The pressed button shows, and sends 0 to take the vote back.
    let page = cleo.open(&format!("/post/{thread}")).await;
    assert!(
        page.text
            .contains(r#"name="score" value="0" class="up pressed" aria-pressed="true""#),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(r#"name="score" value="0" class="down pressed" aria-pressed="true""#)
    );
    let withdrawn = cleo
        .submit(&format!("/post/{thread}/vote"), &[("score", "0")])
        .await;
    assert_eq!(withdrawn.status, 303);
    assert_eq!(scores(&plaza, thread, comment).await, (0, -1));
}

#[tokio::test]
async fn bad_votes_and_votes_of_the_banned_change_nothing() {
    let (plaza, thread, comment) = instance_with_thread().await;
    plaza.member("cleo").await;
    let cleo = plaza.browser_as("cleo").await;
    cleo.open(&format!("/post/{thread}")).await;
    let odd = cleo
        .submit(&format!("/post/{thread}/vote"), &[("score", "5")])
        .await;
    assert_html(&odd, 422);
    let missing = cleo.submit("/comment/999999/vote", &[("score", "1")]).await;
    assert_html(&missing, 404);

    let anonymous = plaza.browser();
    anonymous.open("/login").await;
    let refused = anonymous
        .submit(&format!("/post/{thread}/vote"), &[("score", "1")])
        .await;
    assert_html(&refused, 401);

    let banned = plaza
        .login("admin")
        .await
        .post("/groups/support/bans", &json!({"person": "cleo"}))
        .await;
    assert_eq!(banned.status, 204, "{}", banned.body);
    let refused = cleo
        .submit(&format!("/comment/{comment}/vote"), &[("score", "1")])
        .await;
    assert_html(&refused, 403);
    assert_eq!(scores(&plaza, thread, comment).await, (0, 0));
}
