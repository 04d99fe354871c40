use plaza_tests::TestInstance;

use crate::MASTODON_ACCEPT;

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_is_a_page_addressed_to_its_group() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let created = ada
        .post(
            "/groups/support/threads",
            &serde_json::json!({"title": "Printer on fire", "body": "**Help**", "url": "https://shop.example/p/1"}),
        )
        .await;
    let id = created.i64("/thread/id");
    let base = &plaza.base;
    let page = plaza.fetch(&format!("/post/{id}"), MASTODON_ACCEPT).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.at("/type"), "Page");
    assert_eq!(page.str("/id"), format!("{base}/post/{id}"));
    assert_eq!(page.str("/attributedTo"), format!("{base}/u/ada"));
    assert_eq!(page.str("/to/0"), format!("{base}/g/support"));
    assert_eq!(
        page.at("/to/1"),
        "https://www.w3.org/ns/activitystreams#Public"
    );
    assert_eq!(page.str("/audience"), format!("{base}/g/support"));
    assert_eq!(page.at("/name"), "Printer on fire");
    assert_eq!(page.at("/content"), "<p><strong>Help</strong></p>\n");
    assert_eq!(page.at("/mediaType"), "text/html");
    assert_eq!(page.at("/source/content"), "**Help**");
    assert_eq!(page.at("/attachment/0/href"), "https://shop.example/p/1");
    assert_eq!(page.at("/commentsEnabled"), true);
    assert_eq!(page.at("/stickied"), false);
    assert_eq!(page.at("/tag/0/type"), "Mention");
    assert_eq!(page.str("/tag/0/href"), format!("{base}/g/support"));
    assert_eq!(
        page.str("/tag/0/name"),
        format!("@support@{}", plaza.ctx.urls.domain())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_comment_is_a_note_replying_to_its_parent() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Q", "?").await;
    let answer = ada.reply(thread, None, "top-level").await;
    let nested = ada.reply(thread, Some(answer), "nested").await;
    let base = &plaza.base;

    let top = plaza
        .fetch(&format!("/comment/{answer}"), MASTODON_ACCEPT)
        .await;
    assert_eq!(top.status, 200, "{}", top.body);
    assert_eq!(top.at("/type"), "Note");
    assert_eq!(top.str("/inReplyTo"), format!("{base}/post/{thread}"));
    assert_eq!(top.str("/audience"), format!("{base}/g/support"));
    assert_eq!(
        top.at("/to/0"),
        "https://www.w3.org/ns/activitystreams#Public"
    );
    assert_eq!(top.str("/cc/0"), format!("{base}/g/support"));
    assert_eq!(top.at("/source/content"), "top-level");

    let reply = plaza
        .fetch(&format!("/comment/{nested}"), MASTODON_ACCEPT)
        .await;
    assert_eq!(reply.str("/inReplyTo"), format!("{base}/comment/{answer}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_content_answers_gone_with_a_tombstone() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Oops", "secret").await;
    let comment = ada.reply(thread, None, "also secret").await;
    ada.delete(&format!("/comments/{comment}")).await;
    ada.delete(&format!("/threads/{thread}")).await;

    for (path, former) in [
        (format!("/post/{thread}"), "Page"),
        (format!("/comment/{comment}"), "Note"),
    ] {
        let answer = plaza.fetch(&path, MASTODON_ACCEPT).await;
        assert_eq!(answer.status, 410, "{path}: {}", answer.body);
        assert_eq!(answer.at("/type"), "Tombstone");
        assert_eq!(answer.str("/id"), format!("{}{path}", plaza.base));
        assert_eq!(answer.at("/formerType"), former);
        assert!(!answer.body.to_string().contains("secret"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_objects_are_not_found() {
    let plaza = TestInstance::spawn().await;
    for path in ["/post/4242", "/comment/4242"] {
        let answer = plaza.fetch(path, MASTODON_ACCEPT).await;
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
    }
}
