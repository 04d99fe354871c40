//! Customers helping customers, in the browser: a member asks a question, another member and
//! brand staff answer, the asker accepts staff's answer, and later a visitor finds that answer
//! through the search box on any page.

use plaza_tests::TestInstance;

use crate::driver::{Browser, publish};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_asks_staff_answer_the_asker_accepts_and_a_visitor_finds_it_by_search() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let sam = plaza.member("sam").await;
    let named = admin.put("/admin/accounts/sam/staff").await;
    assert_eq!(named.status, 200, "{}", named.body);
    plaza.member("ada").await;
    let bob = plaza.member("bob").await;

    // Ada asks, marking her thread as a question.
    let mut browser = Browser::open("answers").await;
    browser.log_in(&plaza.base, "ada").await;
    browser.goto(&format!("{}/g/support", plaza.base)).await;
    browser.click_text("a", "Start a thread").await;
    let title = "Thermostat shows E42 after the update";
    browser.fill("form.compose input[name=title]", title).await;
    browser
        .fill(
            "form.compose textarea[name=body]",
            "Since firmware 3.2 my thermostat shows **E42** every morning. What does it mean?",
        )
        .await;
    browser
        .click_text("form.compose label.check", "question")
        .await;
    browser.click_text("form.compose button", "Post").await;
    browser.find_text("h1", title).await;
    browser.find_text(".mark.question", "Question").await;
    let thread_url = browser.url().await;
    let thread: i64 = thread_url
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a thread page: {thread_url}"));

    // Another customer and the brand's staff answer.
    bob.reply(
        thread,
        None,
        "Same here. Unplugging it for a minute helps for a day.",
    )
    .await;
    let answer = sam
        .reply(
            thread,
            None,
            "E42 means the humidity sensor needs calibrating: Settings → Sensors → Calibrate. \
             Firmware 3.2.1 does it by itself.",
        )
        .await;

    // Ada accepts staff's answer from the reply itself.
    browser.goto(&thread_url).await;
    browser
        .click_text(
            &format!("#c-{answer} form.accept button"),
            "Accept as answer",
        )
        .await;
    browser
        .find_text("section.accepted-answer", "humidity sensor")
        .await;
    browser.find_text(".mark.solved", "Solved").await;
    browser
        .find_text(&format!("#c-{answer} .mark.solved"), "accepted answer")
        .await;
    browser
        .find_text(
            &format!("#c-{answer} form.accept button"),
            "Withdraw accepted answer",
        )
        .await;
    let question_page = browser.screenshot_whole_page("question-solved").await;
    publish(&question_page, "question.png");

    // A visitor with the same error searches from the group page and lands on the answer.
    browser.click_text("form.logout button", "Log out").await;
    browser.goto(&format!("{}/g/support", plaza.base)).await;
    browser.find_text(".thread-list li", "Solved").await;
    browser
        .fill("form.search input[name=q]", "E42 humidity")
        .await;
    browser.click_text("form.search button", "Search").await;
    let hit = browser.find_text("ol.results li", "calibrating").await;
    let text = hit.text().await.unwrap();
    assert!(text.contains("sam"), "{text}");
    assert!(text.contains("accepted answer"), "{text}");
    assert!(
        !text.contains("Unplugging"),
        "bob's reply has no 'humidity': {text}"
    );
    let search_page = browser.screenshot_whole_page("search").await;
    publish(&search_page, "search.png");
    browser.click_text("ol.results h2 a", title).await;
    browser
        .find_text("section.accepted-answer", "Settings → Sensors → Calibrate")
        .await;
    assert!(
        browser.url().await.ends_with(&format!("#c-{answer}")),
        "the result links to the answer's place"
    );
    browser.close().await;
}
