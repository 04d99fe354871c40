use crate::{assert_html, instance_with_thread};

#[tokio::test]
async fn unknown_groups_threads_comments_and_people_get_a_friendly_404_page() {
    let (plaza, _, _) = instance_with_thread().await;
    for path in [
        "/g/nothing",
        "/u/nobody",
        "/u/nobody@elsewhere.example",
        "/post/999999",
        "/post/not-a-number",
        "/comment/999999",
        "/g/nothing/feed.rss",
        "/g/nothing/follow",
    ] {
        let page = plaza.browse(path).await;
        assert_html(&page, 404);
        assert!(
            page.text.contains("<h1>Not found</h1>"),
            "{path}: {}",
            page.text
        );
        assert!(!page.text.contains("\"error\""), "{path}");
    }
}

#[tokio::test]
async fn a_deleted_thread_answers_410_and_keeps_its_replies_readable() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let ada = plaza.login("ada").await;
    assert_eq!(ada.delete(&format!("/threads/{thread}")).await.status, 204);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert_html(&page, 410);
    assert!(page.text.contains("This thread was deleted by its author."));
    assert!(!page.text.contains("blinking"));
    assert!(page.text.contains("Hold the button for ten seconds."));

    let bob = plaza.login("bob").await;
    assert_eq!(
        bob.delete(&format!("/comments/{comment}")).await.status,
        204
    );
    let gone = plaza.browse(&format!("/comment/{comment}")).await;
    assert_html(&gone, 410);
    assert!(gone.text.contains("<h1>Gone</h1>"));
}

#[tokio::test]
async fn a_browser_asking_for_a_path_that_does_not_exist_gets_the_404_page_and_others_json() {
    let (plaza, _, _) = instance_with_thread().await;
    let page = plaza.browse("/no/such/path").await;
    assert_html(&page, 404);
    let json = plaza.fetch("/no/such/path", "application/json").await;
    assert_eq!(json.status, 404);
    assert_eq!(json.str("/error"), "not_found");
}
