//! Ideas on the pages: the status form staff and moderators see on a thread, the badge and note
//! everyone sees, and the group page's status filters.

use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn staff_set_an_idea_status_from_the_thread_page_and_the_group_page_filters_by_it() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("ideas").await;
    let ada = plaza.member("ada").await;
    let thread = ada
        .thread("ideas", "Dark mode for the app", "Please, my eyes")
        .await;
    ada.thread("ideas", "Export to CSV", "").await;

    // Before the group collects ideas, nobody gets the form and the group page no filter.
    let staff = plaza.browser_as("admin").await;
    let page = staff.open(&format!("/post/{thread}")).await;
    assert!(
        !page.text.contains("class=\"idea-status\""),
        "{}",
        page.text
    );
    let group = plaza.browse("/g/ideas").await;
    assert!(!group.text.contains("filter=planned"), "{}", group.text);

    let enabled = admin.patch("/groups/ideas", &json!({"ideas": true})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let page = staff.open(&format!("/post/{thread}")).await;
    assert!(page.text.contains("class=\"idea-status\""), "{}", page.text);
    // The author is a member, not a moderator: no form, and the handler refuses.
    let author = plaza.browser_as("ada").await;
    let own = author.open(&format!("/post/{thread}")).await;
    assert!(!own.text.contains("class=\"idea-status\""), "{}", own.text);
    let refused = author
        .submit(
            &format!("/post/{thread}/status"),
            &[("status", "done"), ("note", "")],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let unknown = staff
        .submit(
            &format!("/post/{thread}/status"),
            &[("status", "someday"), ("note", "")],
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);

    let set = staff
        .submit(
            &format!("/post/{thread}/status"),
            &[
                ("status", "planned"),
                ("note", "In the spring <b>release</b>."),
            ],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.text);
    assert_eq!(set.header("location"), format!("/post/{thread}"));

    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert!(
        page.text
            .contains("<span class=\"mark idea planned\">Planned</span>"),
        "{}",
        page.text
    );
    // The note is text, never markup.
    assert!(
        page.text
            .contains("<strong>Planned:</strong> In the spring &#60;b&#62;release"),
        "{}",
        page.text
    );
    // The decision is also a reply in the thread.
    assert!(page.text.contains("Status: Planned"), "{}", page.text);

    let planned = plaza.browse("/g/ideas?filter=planned").await;
    assert!(
        planned.text.contains("Dark mode for the app"),
        "{}",
        planned.text
    );
    assert!(!planned.text.contains("Export to CSV"), "{}", planned.text);
    let done = plaza.browse("/g/ideas?filter=done").await;
    assert!(
        !done.text.contains("Dark mode for the app"),
        "{}",
        done.text
    );

    // Cleared from the page: the badge goes.
    let cleared = staff
        .submit(
            &format!("/post/{thread}/status"),
            &[("status", ""), ("note", "")],
        )
        .await;
    assert_eq!(cleared.status, 303, "{}", cleared.text);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert!(!page.text.contains("mark idea"), "{}", page.text);
}
