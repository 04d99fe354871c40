//! Writing in a browser: starting a thread and replying, with the Markdown preview, and what
//! each refusal looks like.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::{assert_html, instance_with_thread};

async fn thread_count(plaza: &TestInstance) -> usize {
    let threads = plaza.anonymous().get("/groups/support/threads").await;
    threads.at("/items").as_array().unwrap().len()
}

#[tokio::test]
async fn a_member_starts_a_thread_from_the_group_page() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("ada").await;
    let ada = plaza.browser_as("ada").await;

    let group = ada.open("/g/support").await;
    assert!(
        group
            .text
            .contains(r#"href="/g/support/new">Start a thread</a>"#),
        "{}",
        group.text
    );
    let form = ada.open("/g/support/new").await;
    assert_html(&form, 200);
    assert!(
        form.text.contains(r#"<form class="compose"#),
        "{}",
        form.text
    );

    let posted = ada
        .submit(
            "/g/support/new",
            &[
                ("title", "Router blinks orange"),
                ("url", ""),
                ("body", "Since the update it **blinks**."),
                ("intent", "post"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let location = posted.header("location").to_owned();
    assert!(location.starts_with("/post/"), "{location}");
    let page = ada.open(&location).await;
    assert_html(&page, 200);
    assert!(page.text.contains("Router blinks orange"));
    assert!(page.text.contains("<strong>blinks</strong>"));
    assert_eq!(thread_count(&plaza).await, 1);
}

#[tokio::test]
async fn preview_renders_the_markdown_and_stores_nothing() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("ada").await;
    let ada = plaza.browser_as("ada").await;
    ada.open("/g/support/new").await;

    let preview = ada
        .submit(
            "/g/support/new",
            &[
                ("title", "Draft"),
                ("body", "A *draft* <script>alert(1)</script>"),
                ("intent", "preview"),
            ],
        )
        .await;
    assert_html(&preview, 200);
    assert!(
        preview
            .text
            .contains(r#"<div class="preview body"><p>A <em>draft</em>"#),
        "{}",
        preview.text
    );
    // The source stays in the form, escaped; the preview carries no script.
    assert!(
        preview.text.contains("A *draft* &#60;script&#62;")
            || preview.text.contains("A *draft* &lt;script&gt;"),
        "{}",
        preview.text
    );
    plaza_tests::assert_inert(&preview.text);
    assert!(preview.text.contains(r#"value="Draft""#));
    assert_eq!(thread_count(&plaza).await, 0);
}

#[tokio::test]
async fn an_empty_title_shows_the_form_again_with_422_and_keeps_the_text() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("ada").await;
    let ada = plaza.browser_as("ada").await;
    ada.open("/g/support/new").await;
    let page = ada
        .submit(
            "/g/support/new",
            &[
                ("title", "   "),
                ("body", "My long question"),
                ("intent", "post"),
            ],
        )
        .await;
    assert_html(&page, 422);
    assert!(page.text.contains("The title"), "{}", page.text);
    assert!(page.text.contains("My long question</textarea>"));
    assert_eq!(thread_count(&plaza).await, 0);
}

#[tokio::test]
async fn writing_needs_a_log_in_and_a_group_that_exists() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("ada").await;

    let anonymous = plaza.browser();
    anonymous.open("/login").await;
    let refused = anonymous
        .submit("/g/support/new", &[("title", "Hi"), ("intent", "post")])
        .await;
    assert_html(&refused, 401);
    assert_eq!(thread_count(&plaza).await, 0);

    let ada = plaza.browser_as("ada").await;
    let missing = ada.open("/g/nowhere/new").await;
    assert_html(&missing, 404);
    ada.open("/g/support/new").await;
    let posted = ada
        .submit("/g/nowhere/new", &[("title", "Hi"), ("intent", "post")])
        .await;
    assert_html(&posted, 404);
    let bad_thread = ada
        .submit(
            "/post/999999/comment",
            &[("body", "Hi"), ("intent", "post")],
        )
        .await;
    assert_html(&bad_thread, 404);
}

#[tokio::test]
async fn a_group_where_only_moderators_post_refuses_a_member_with_403() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let restricted = admin
        .patch(
            "/groups/support",
            &json!({"posting_restricted_to_mods": true}),
        )
        .await;
    assert_eq!(restricted.status, 200, "{}", restricted.body);
    plaza.member("ada").await;
    let ada = plaza.browser_as("ada").await;
    ada.open("/g/support/new").await;
    let page = ada
        .submit("/g/support/new", &[("title", "Mine"), ("intent", "post")])
        .await;
    assert_html(&page, 403);
    assert_eq!(thread_count(&plaza).await, 0);
}

#[tokio::test]
async fn a_member_replies_to_the_thread_and_to_a_comment() {
    let (plaza, thread, comment) = instance_with_thread().await;
    plaza.member("cleo").await;
    let cleo = plaza.browser_as("cleo").await;

    let page = cleo.open(&format!("/post/{thread}")).await;
    assert!(
        page.text.contains(r#"<form class="compose reply"#),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!(r#"href="/comment/{comment}/reply">Reply</a>"#))
    );

    let replied = cleo
        .submit(
            &format!("/post/{thread}/comment"),
            &[("body", "Same here."), ("intent", "post")],
        )
        .await;
    assert_eq!(replied.status, 303, "{}", replied.text);
    assert!(
        replied
            .header("location")
            .starts_with(&format!("/post/{thread}#c-"))
    );

    let form = cleo.open(&format!("/comment/{comment}/reply")).await;
    assert_html(&form, 200);
    assert!(
        form.text.contains("Hold the button for ten seconds."),
        "the answered comment is quoted"
    );
    let preview = cleo
        .submit(
            &format!("/post/{thread}/comment"),
            &[
                ("body", "That *worked*"),
                ("parent", &comment.to_string()),
                ("intent", "preview"),
            ],
        )
        .await;
    assert_html(&preview, 200);
    assert!(preview.text.contains("That <em>worked</em>"));
    assert!(
        preview
            .text
            .contains(&format!(r#"name="parent" value="{comment}""#))
    );
    let nested = cleo
        .submit(
            &format!("/post/{thread}/comment"),
            &[
                ("body", "That worked"),
                ("parent", &comment.to_string()),
                ("intent", "post"),
            ],
        )
        .await;
    assert_eq!(nested.status, 303, "{}", nested.text);

    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    let top = view.at("/comments").as_array().unwrap();
    assert_eq!(top.len(), 2, "{}", view.body);
    let answered = top.iter().find(|c| c["id"] == comment).unwrap();
    assert_eq!(
        answered["replies"][0]["body_source"], "That worked",
        "{}",
        view.body
    );
}

#[tokio::test]
async fn empty_replies_and_replies_to_locked_threads_are_refused() {
    let (plaza, thread, _) = instance_with_thread().await;
    let admin = plaza.login("admin").await;
    plaza.member("cleo").await;
    let cleo = plaza.browser_as("cleo").await;
    cleo.open(&format!("/post/{thread}")).await;

    let empty = cleo
        .submit(
            &format!("/post/{thread}/comment"),
            &[("body", "  "), ("intent", "post")],
        )
        .await;
    assert_html(&empty, 422);
    assert!(
        empty.text.contains("The body must not be empty."),
        "{}",
        empty.text
    );

    let locked = admin
        .post(
            &format!("/threads/{thread}/moderate"),
            &json!({"action": "lock"}),
        )
        .await;
    assert_eq!(locked.status, 204);
    let page = cleo.open(&format!("/post/{thread}")).await;
    assert!(!page.text.contains(r#"<form class="compose reply"#));
    assert!(page.text.contains("This thread is locked"));
    let refused = cleo
        .submit(
            &format!("/post/{thread}/comment"),
            &[("body", "Still?"), ("intent", "post")],
        )
        .await;
    assert_html(&refused, 403);
    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(view.i64("/thread/comment_count"), 1, "{}", view.body);
}
