use plaza_db::group;
use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_keeps_its_markdown_and_serves_sanitized_html() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let source = "**Help**: <script>alert(1)</script> [docs](https://docs.example)";
    let created = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "  My printer is on fire  ", "body": source, "url": "https://shop.example/p/1"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.i64("/thread/id");
    assert_eq!(created.at("/thread/title"), "My printer is on fire");
    assert_eq!(
        created.str("/thread/url"),
        format!("{}/post/{id}", plaza.base)
    );
    assert_eq!(created.at("/thread/link"), "https://shop.example/p/1");
    assert_eq!(created.at("/thread/body_source"), source);
    let html = created.str("/thread/body");
    assert!(html.contains("<strong>Help</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert_eq!(created.at("/thread/author/name"), "ada");
    assert_eq!(created.at("/group/name"), "support");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_is_read_with_its_whole_comment_tree_in_one_request() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Question", "How?").await;
    let first = bob.reply(thread, None, "first answer").await;
    let second = ada.reply(thread, None, "second answer").await;
    // A chain six levels deep under the first answer.
    let mut parent = first;
    for level in 1..=6 {
        parent = if level % 2 == 0 { &ada } else { &bob }
            .reply(thread, Some(parent), &format!("level {level}"))
            .await;
    }
    let page = plaza
        .anonymous()
        .get(&format!("/threads/{thread}?comment_sort=old"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.at("/thread/comment_count"), 8);
    assert_eq!(page.i64("/comments/0/id"), first);
    assert_eq!(page.i64("/comments/1/id"), second);
    let mut node = &page.body["comments"][0];
    for level in 1..=6 {
        node = &node["replies"][0];
        assert_eq!(node["depth"], level, "{node}");
        assert_eq!(node["body_source"], format!("level {level}"));
    }
    assert_eq!(node["replies"].as_array().map(Vec::len), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn thread_lists_sort_by_new_active_and_top_with_pages() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let old = ada.thread("support", "old", "").await;
    let middle = ada.thread("support", "middle", "").await;
    let new = ada.thread("support", "new", "").await;
    // The old thread gets a reply (most active); the middle one a vote (top).
    bob.reply(old, None, "bump").await;
    bob.post(&format!("/threads/{middle}/vote"), &json!({"score": 1}))
        .await;

    let ids = |answer: &plaza_tests::Answer| -> Vec<i64> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect()
    };
    let anon = plaza.anonymous();
    let by_new = anon.get("/groups/support/threads?sort=new").await;
    assert_eq!(ids(&by_new), [new, middle, old]);
    let by_active = anon.get("/groups/support/threads?sort=active").await;
    assert_eq!(ids(&by_active), [old, new, middle]);
    let by_top = anon.get("/groups/support/threads?sort=top").await;
    assert_eq!(ids(&by_top)[0], middle);

    let page_one = anon.get("/groups/support/threads?limit=2").await;
    assert_eq!(ids(&page_one), [new, middle]);
    assert_eq!(page_one.at("/next_page"), 2);
    let page_two = anon.get("/groups/support/threads?limit=2&page=2").await;
    assert_eq!(ids(&page_two), [old]);
    assert!(page_two.at("/next_page").is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_author_edits_a_thread_and_omitted_fields_stay() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Title", "*body*").await;
    let edited = ada
        .patch(
            &format!("/threads/{thread}"),
            &json!({"title": "Better title"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.at("/thread/title"), "Better title");
    assert_eq!(edited.at("/thread/body_source"), "*body*");
    assert!(edited.at("/thread/updated_at").is_string());
    bob.patch(&format!("/threads/{thread}"), &json!({"title": "Mine now"}))
        .await
        .assert_error(403, "forbidden");
    ada.patch(&format!("/threads/{thread}"), &json!({"title": ""}))
        .await
        .assert_error(422, "invalid");
    let read = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(read.at("/thread/title"), "Better title");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_thread_leaves_the_list_but_its_replies_stay_readable() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Oops", "secret details").await;
    bob.reply(thread, None, "an answer").await;
    bob.delete(&format!("/threads/{thread}"))
        .await
        .assert_error(403, "forbidden");
    let deleted = ada.delete(&format!("/threads/{thread}")).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);

    let list = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
    let read = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.at("/thread/deleted"), true);
    assert_eq!(read.at("/thread/body"), "");
    assert!(read.at("/thread/body_source").is_null());
    assert_eq!(read.at("/comments/0/body_source"), "an answer");

    ada.delete(&format!("/threads/{thread}"))
        .await
        .assert_error(410, "gone");
    ada.patch(&format!("/threads/{thread}"), &json!({"title": "back"}))
        .await
        .assert_error(410, "gone");
    bob.post(
        &format!("/threads/{thread}/comments"),
        &json!({"body": "late"}),
    )
    .await
    .assert_error(410, "gone");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moderators_only_group_refuses_threads_from_members() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("boss").await;
    let created = admin
        .post(
            "/groups",
            &json!({"name": "news", "title": "News", "posting_restricted_to_mods": true}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let ada = plaza.member("ada").await;
    ada.post("/groups/news/threads", &json!({"title": "Hi"}))
        .await
        .assert_error(403, "forbidden");
    let announcement = admin.thread("news", "Release 2.0", "Out now").await;
    // Members still reply.
    ada.reply(announcement, None, "Congrats").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_banned_person_cannot_post_reply_or_vote_in_the_group() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = admin.thread("support", "Rules", "Be nice").await;
    {
        let ada_id = plaza_core::accounts::find(&plaza.ctx, "ada")
            .await
            .unwrap()
            .person_id;
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let group = group::find_local(conn, "support").await.unwrap().unwrap();
        group::ban(conn, group.id, ada_id, Some("spam"), None, None)
            .await
            .unwrap();
    }
    ada.post("/groups/support/threads", &json!({"title": "Buy pills"}))
        .await
        .assert_error(403, "forbidden");
    ada.post(
        &format!("/threads/{thread}/comments"),
        &json!({"body": "pills"}),
    )
    .await
    .assert_error(403, "forbidden");
    ada.post(&format!("/threads/{thread}/vote"), &json!({"score": -1}))
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_groups_and_threads_are_not_found() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    ada.post("/groups/nowhere/threads", &json!({"title": "Hi"}))
        .await
        .assert_error(404, "not_found");
    plaza
        .anonymous()
        .get("/groups/nowhere/threads")
        .await
        .assert_error(404, "not_found");
    plaza
        .anonymous()
        .get("/threads/999999")
        .await
        .assert_error(404, "not_found");
    ada.patch("/threads/999999", &json!({"title": "x"}))
        .await
        .assert_error(404, "not_found");
}
