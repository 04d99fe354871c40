//! Brand staff at work in the browser: logging in from a group page, starting a thread and
//! answering a member, each time through the Markdown preview first; then moderating: pinning and
//! locking the thread, removing a reported comment, resolving the report, reading the log; and
//! what a visitor sees afterwards.

use fantoccini::Locator;
use plaza_tests::{PASSWORD, TestInstance};
use serde_json::json;

use crate::driver::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_log_in_write_through_the_preview_and_moderate_a_thread() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    plaza.member("sam").await;
    let named = admin.put("/admin/accounts/sam/staff").await;
    assert_eq!(named.status, 200, "{}", named.body);
    let appointed = admin.put("/groups/support/moderators/sam").await;
    assert!(appointed.status < 300, "{}", appointed.body);
    let ada = plaza.member("ada").await;
    let mallory = plaza.member("mallory").await;

    let mut browser = Browser::open("staff").await;
    browser.goto(&format!("{}/g/support", plaza.base)).await;
    browser.find_text("h1", "Support").await;
    browser.screenshot("group").await;

    // Logging in.
    browser.click_text("nav.account a", "Log in").await;
    browser.fill("form.login input[name=name]", "sam").await;
    browser
        .fill("form.login input[name=password]", PASSWORD)
        .await;
    browser.screenshot("login").await;
    browser.click_text("form.login button", "Log in").await;
    browser.find("form.logout").await;
    browser.find_text("nav.account a", "sam").await;
    browser.find_text("form.logout button", "Log out").await;
    assert_eq!(browser.url().await, format!("{}/", plaza.base));
    browser.screenshot("logged-in").await;

    // Starting a thread: the preview first, then the thread itself.
    browser.click_text(".groups a", "Support").await;
    browser.click_text("a", "Start a thread").await;
    browser.find("form.compose").await;
    let title = "Firmware 2.1 is out";
    browser.fill("form.compose input[name=title]", title).await;
    browser
        .fill(
            "form.compose textarea[name=body]",
            "It fixes the **blinking light**. Update from the app.",
        )
        .await;
    browser.click_text("form.compose button", "Preview").await;
    browser.find_text(".preview strong", "blinking light").await;
    // The form comes back as it was filled, ready to post.
    let kept = browser
        .find("form.compose input[name=title]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some(title));
    browser.screenshot("thread-preview").await;
    browser.click_text("form.compose button", "Post").await;
    browser.find_text("h1", title).await;
    browser
        .find_text(".post .body strong", "blinking light")
        .await;
    browser.find_text(".post .meta", "sam").await;
    let thread_url = browser.url().await;
    let thread: i64 = thread_url
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a thread page: {thread_url}"));
    browser.screenshot("thread-posted").await;

    // A member asks; staff answer from the comment's Reply link.
    let question = ada
        .reply(thread, None, "Does it fix the orange light too?")
        .await;
    browser.goto(&thread_url).await;
    browser
        .click_text(&format!("#c-{question} a.reply-link"), "Reply")
        .await;
    // The thread page has a reply form too: this one quotes the comment it answers.
    browser
        .find_text("blockquote.quoted", "orange light too")
        .await;
    browser
        .fill(
            "form.compose.reply textarea[name=body]",
            "Yes: *orange* and blinking are the same fault.",
        )
        .await;
    browser
        .click_text("form.compose.reply button", "Preview")
        .await;
    browser.find_text(".preview em", "orange").await;
    browser.screenshot("reply-preview").await;
    browser
        .click_text("form.compose.reply button", "Reply")
        .await;
    let answer = browser
        .find_text(
            &format!("#c-{question} > ol.replies > li.comment"),
            "are the same fault",
        )
        .await;
    let text = answer.text().await.unwrap();
    assert!(text.contains("sam"), "{text}");
    // Members see who answers for the brand.
    assert!(text.contains("staff"), "{text}");
    browser.screenshot("reply-posted").await;

    // Moderating: the thread is pinned and locked from its page, then a comment a member
    // reported is removed there, with a reason.
    let spam = mallory
        .reply(thread, None, "Cheap watches at watches.example!")
        .await;
    let reported = ada
        .post(
            &format!("/comments/{spam}/report"),
            &json!({"reason": "An advert for watches"}),
        )
        .await;
    assert_eq!(reported.status, 201, "{}", reported.body);
    browser.goto(&thread_url).await;
    browser.click_text(".post .mod-tools button", "Pin").await;
    browser.find_text(".post .meta .mark", "pinned").await;
    browser.click_text(".post .mod-tools button", "Lock").await;
    browser.find_text(".post .meta", "locked").await;
    browser
        .find_text(".hint.locked", "takes no new replies")
        .await;
    browser.find_text(".post .mod-tools button", "Unlock").await;
    browser.find_text(".post .mod-tools button", "Unpin").await;
    browser.screenshot("pinned-and-locked").await;
    let tools = format!("#c-{spam} .mod-tools form.moderate");
    browser
        .fill(&format!("{tools} input[name=reason]"), "Advertising")
        .await;
    browser
        .click_text(&format!("{tools} button"), "Remove")
        .await;
    // Moderators still see what they removed, marked, and may restore it.
    browser
        .find_text(&format!("#c-{spam} .mark"), "removed")
        .await;
    browser
        .find_text(&format!("{tools} button"), "Restore")
        .await;
    browser.screenshot("comment-removed").await;

    // The report queue, then the log of all of it.
    browser.click_text(".post .group a", "Support").await;
    browser.click_text("nav.mod-nav a", "Reports").await;
    browser
        .find_text(".reports .reason", "An advert for watches")
        .await;
    browser.find_text(".reports .target", title).await;
    browser.screenshot("reports").await;
    browser
        .click_text(".reports form.resolve button", "Resolve")
        .await;
    browser.find_text("main p", "No open reports").await;
    browser.click_text("nav.mod-nav a", "Moderation log").await;
    for entry in [
        "pinned a thread",
        "locked a thread",
        "removed a comment",
        "Advertising",
        "resolved a report by",
    ] {
        browser.find_text("table.modlog", entry).await;
    }
    browser.screenshot("modlog").await;

    // Logging out; a visitor sees the thread pinned and locked, and the advert gone.
    browser.click_text("form.logout button", "Log out").await;
    browser.find_text("nav.account a", "Log in").await;
    browser.goto(&format!("{}/g/support", plaza.base)).await;
    let listed = browser.find_text(".thread-list li", title).await;
    let listed = listed.text().await.unwrap();
    assert!(
        listed.contains("pinned") && listed.contains("locked"),
        "{listed}"
    );
    browser.screenshot("logged-out").await;
    browser.goto(&thread_url).await;
    browser
        .find_text(".hint.locked", "takes no new replies")
        .await;
    browser.find_text(".comments", "are the same fault").await;
    let removed = browser
        .client
        .find_all(Locator::Css(&format!("#c-{spam}")))
        .await
        .unwrap();
    assert!(
        removed.is_empty(),
        "a removed comment without replies is not shown"
    );
    let shown = browser.find("main").await.text().await.unwrap();
    assert!(!shown.contains("Cheap watches"), "{shown}");
    assert!(
        browser
            .client
            .find_all(Locator::Css("form.moderate, form.compose"))
            .await
            .unwrap()
            .is_empty(),
        "a visitor gets neither moderation buttons nor a reply form"
    );
    browser.screenshot("visitor-view").await;
    browser.close().await;
}
