//! Questions on the pages: the accepted answer under the question, the Accept button for the
//! asker, the badges and filters of the group page.

use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn the_accepted_answer_is_shown_under_the_question_with_a_link_to_its_place() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let asked = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Which fuse?", "body": "The oven is dark", "question": true}),
        )
        .await;
    let thread = asked.i64("/thread/id");
    bob.reply(thread, None, "Maybe the wiring").await;
    let answer = bob.reply(thread, None, "Swap the 10 A fuse").await;

    // The asker gets an Accept button on each reply; a bystander gets none.
    let asker = plaza.browser_as("ada").await;
    let page = asker.open(&format!("/post/{thread}")).await;
    assert!(page.text.contains("Accept as answer"), "{}", page.text);
    let carol = plaza.member("carol").await;
    drop(carol);
    let bystander = plaza.browser_as("carol").await;
    let other = bystander.open(&format!("/post/{thread}")).await;
    assert!(!other.text.contains("Accept as answer"), "{}", other.text);

    let done = asker
        .submit(
            &format!("/post/{thread}/accept"),
            &[("action", "accept"), ("comment", &answer.to_string())],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(
        done.header("location"),
        format!("/post/{thread}#c-{answer}")
    );

    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert_eq!(page.status, 200);
    let text = &page.text;
    let post_end = text.find("</article>").unwrap();
    let section = text
        .find("Accepted answer")
        .expect("the accepted answer is shown");
    let tree = text.find("class=\"comment-tree\"").unwrap();
    assert!(post_end < section && section < tree, "{text}");
    let shown = &text[section..tree];
    assert!(shown.contains("Swap the 10 A fuse"), "{shown}");
    assert!(!shown.contains("Maybe the wiring"), "{shown}");
    assert!(shown.contains("accepted by"), "{shown}");
    assert!(
        shown.contains(&format!("href=\"/post/{thread}#c-{answer}\"")),
        "{shown}"
    );
    assert!(text.contains(&format!("id=\"c-{answer}\"")), "{text}");

    // The group page marks it solved and filters on it.
    let group = plaza.browse("/g/support?filter=solved").await;
    assert!(group.text.contains("Which fuse?"), "{}", group.text);
    assert!(group.text.contains(">Solved</span>"), "{}", group.text);
    let unsolved = plaza.browse("/g/support?filter=unsolved").await;
    assert!(!unsolved.text.contains("Which fuse?"), "{}", unsolved.text);
    assert!(
        unsolved
            .text
            .contains(r#"<strong aria-current="true">Unsolved</strong>"#),
        "{}",
        unsolved.text
    );

    // Withdrawn from the page: the section goes.
    let withdrawn = asker
        .submit(&format!("/post/{thread}/accept"), &[("action", "withdraw")])
        .await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.text);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert!(!page.text.contains("Accepted answer"), "{}", page.text);
    assert!(page.text.contains(">Question</span>"), "{}", page.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_group_feed_takes_the_answer_filters() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let asked = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Solved one", "question": true}),
        )
        .await;
    let solved = asked.i64("/thread/id");
    let answer = bob.reply(solved, None, "Here").await;
    ada.post(
        &format!("/threads/{solved}/accept"),
        &json!({"comment_id": answer}),
    )
    .await;
    ada.thread("support", "Waiting one", "").await;

    let feed = plaza.browse("/g/support/feed.rss?filter=solved").await;
    assert_eq!(feed.status, 200);
    assert!(feed.text.contains("Solved one"), "{}", feed.text);
    assert!(!feed.text.contains("Waiting one"), "{}", feed.text);
    let all = plaza.browse("/g/support/feed.atom").await;
    assert!(all.text.contains("Solved one") && all.text.contains("Waiting one"));
    let unanswered = plaza.browse("/g/support/feed.atom?filter=unanswered").await;
    assert!(
        !unanswered.text.contains("Solved one"),
        "{}",
        unanswered.text
    );
    assert!(
        unanswered.text.contains("Waiting one"),
        "{}",
        unanswered.text
    );
}
