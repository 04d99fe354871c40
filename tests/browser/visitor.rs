//! A visitor without an account: from the home page to a group and a thread's comment tree, then
//! following the group from their fediverse account.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::driver::{Browser, publish};
use crate::fediverse;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_reads_a_group_and_a_comment_tree_and_follows_the_group_from_elsewhere() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let described = admin
        .patch(
            "/groups/support",
            &json!({"description": "Questions about the **Acme** router, answered by the team."}),
        )
        .await;
    assert_eq!(described.status, 200, "{}", described.body);
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let cleo = plaza.member("cleo").await;
    let title = "How do I reset my router?";
    let thread = ada
        .thread(
            "support",
            title,
            "It keeps **blinking** orange since the update.\n\nUnplugging it did not help.",
        )
        .await;
    let hint = bob
        .reply(thread, None, "Hold the *reset* button for ten seconds.")
        .await;
    let question = ada
        .reply(thread, Some(hint), "Which button? There are two.")
        .await;
    let answer = bob
        .reply(
            thread,
            Some(question),
            "The small one next to the power socket.",
        )
        .await;
    cleo.reply(thread, None, "Same here since Tuesday.").await;
    let official = admin
        .reply(
            thread,
            None,
            "A fix is on its way in firmware 2.1; until then, a reset as Bob says clears it.",
        )
        .await;
    let marked = admin.distinguish(official, true).await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    let domain = plaza.ctx.urls.domain().to_owned();

    let mut browser = Browser::open("visitor").await;
    browser.goto(&format!("{}/", plaza.base)).await;
    browser.find_text("h1", "Plaza").await;
    browser.find_text(".groups li", "1 thread").await;
    browser.screenshot("home").await;

    browser.click_text(".groups a", "Support").await;
    browser.find_text("h1", "Support").await;
    browser
        .find_text(".description", "answered by the team")
        .await;
    browser
        .find_text(".follow", &format!("@support@{domain}"))
        .await;
    browser
        .find_text(".follow", &format!("!support@{domain}"))
        .await;
    browser.find_text(".moderators", "admin").await;
    browser.find_text(".thread-list", "5 comments").await;
    browser.screenshot("group").await;

    browser.click_text("a.title", title).await;
    browser.find_text("h1", title).await;
    browser.find_text(".post .body strong", "blinking").await;
    // Each answer is shown inside the reply list of the comment it answers.
    let nested = browser
        .find(&format!(
            "#c-{hint} > ol.replies > #c-{question} > ol.replies > #c-{answer}"
        ))
        .await;
    let text = nested.text().await.unwrap();
    assert!(
        text.contains("The small one next to the power socket."),
        "{text}"
    );
    assert!(text.contains(&format!("bob@{domain}")), "{text}");
    browser
        .find_text(&format!("#c-{official}"), "official answer")
        .await;
    browser
        .find_text(".comments", "Same here since Tuesday.")
        .await;
    let thread_page = browser.screenshot_whole_page("thread").await;
    publish(&thread_page, "thread.png");

    // Following from elsewhere: the visitor's server is asked by WebFinger, then the browser is
    // sent on to its page for following, naming the group.
    let home = fediverse::home_server().await;
    browser.click_text(".post .group a", "Support").await;
    // The thread page has a handle field too: fill the group's only once it is there.
    browser.find_text("h1", "Support").await;
    browser
        .fill("input[name=handle]", &format!("@me@{home}"))
        .await;
    browser.screenshot("follow-handle").await;
    browser.click_text(".follow button", "Continue").await;
    browser
        .find_text("#ask", &format!("{}/g/support", plaza.base))
        .await;
    assert!(
        browser.url().await.starts_with(&format!("http://{home}/")),
        "{}",
        browser.url().await
    );
    browser.screenshot("follow-at-home").await;

    browser.goto(&format!("{}/g/support", plaza.base)).await;
    browser.fill("input[name=handle]", "not a handle").await;
    browser.click_text(".follow button", "Continue").await;
    browser
        .find_text("[role=alert]", "That is not a fediverse handle")
        .await;
    browser.screenshot("follow-bad-handle").await;
    browser.close().await;
}
