//! Searching threads and comments through the API: ranking, filters, pages, what never appears,
//! edits, and any text as a query.

use plaza_tests::queries::hostile_queries;
use plaza_tests::{Answer, Client, TestInstance};
use serde_json::json;

async fn search(client: &Client, query: &[(&str, &str)]) -> Answer {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let answer = client.get(&format!("/search?{encoded}")).await;
    assert_eq!(answer.status, 200, "{query:?}: {}", answer.body);
    answer
}

/// `(thread_id, comment_id)` of each result, in order.
fn hits(answer: &Answer) -> Vec<(i64, Option<i64>)> {
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["thread_id"].as_i64().unwrap(), i["comment_id"].as_i64()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn words_find_threads_and_comments_best_match_first_then_newest() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let titled = ada
        .thread("support", "Printer jams on startup", "It stops at once.")
        .await;
    let mentioned = bob
        .thread(
            "support",
            "Scanner question",
            "Unlike my printer, it never jams.",
        )
        .await;
    let other = bob.thread("support", "Toner", "Where to buy toner?").await;
    let answer = bob
        .reply(titled, None, "Clean the rollers; the printer jams less.")
        .await;

    let found = search(&plaza.anonymous(), &[("q", "printer JAMS")]).await;
    let ids = hits(&found);
    assert_eq!(ids.len(), 3, "{}", found.body);
    // The title weighs more than a body.
    assert_eq!(ids[0], (titled, None), "{}", found.body);
    assert!(ids.contains(&(mentioned, None)));
    assert!(ids.contains(&(titled, Some(answer))));
    assert!(!ids.iter().any(|(t, _)| *t == other));

    let first = &found.body["items"][0];
    assert_eq!(first["kind"], "thread");
    assert_eq!(first["title"], "Printer jams on startup");
    assert_eq!(first["href"], format!("/post/{titled}"));
    assert_eq!(first["group"]["name"], "support");
    assert_eq!(first["group"]["href"], "/g/support");
    assert_eq!(first["author"]["name"], "ada");
    assert!(first["created_at"].is_string());
    let comment = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "comment")
        .unwrap();
    assert_eq!(comment["title"], "Printer jams on startup");
    assert_eq!(comment["href"], format!("/post/{titled}#c-{answer}"));
    assert!(
        comment["snippet"]
            .as_str()
            .unwrap()
            .contains("printer jams")
    );

    // Equally good matches: the newest first.
    let older = ada.thread("support", "Wifi drops", "Same text.").await;
    let newer = ada.thread("support", "Wifi drops", "Same text.").await;
    let found = search(&plaza.anonymous(), &[("q", "wifi")]).await;
    assert_eq!(hits(&found), [(newer, None), (older, None)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn group_and_author_filters_narrow_and_results_come_in_pages() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let created = admin
        .post("/groups", &json!({"name": "billing", "title": "Billing"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let in_support = ada.thread("support", "Refund question", "refund").await;
    let in_billing = bob.thread("billing", "Refund question", "refund").await;
    let by_ada_in_billing = ada.thread("billing", "Another refund", "").await;
    let anon = plaza.anonymous();

    let found = search(&anon, &[("q", "refund"), ("group", "support")]).await;
    assert_eq!(hits(&found), [(in_support, None)]);
    let found = search(&anon, &[("q", "refund"), ("author", "bob")]).await;
    assert_eq!(hits(&found), [(in_billing, None)]);
    let found = search(
        &anon,
        &[("q", "refund"), ("group", "billing"), ("author", "@ada")],
    )
    .await;
    assert_eq!(hits(&found), [(by_ada_in_billing, None)]);
    // A filter naming nobody finds nothing rather than failing.
    for (key, value) in [
        ("group", "nowhere"),
        ("author", "nobody@far.example"),
        ("group", "a\0b"),
    ] {
        let found = search(&anon, &[("q", "refund"), (key, value)]).await;
        assert!(hits(&found).is_empty(), "{key}={value:?}: {}", found.body);
    }

    let first = search(&anon, &[("q", "refund"), ("limit", "2")]).await;
    assert_eq!(hits(&first).len(), 2);
    assert_eq!(first.at("/next_page"), 2);
    let second = search(&anon, &[("q", "refund"), ("limit", "2"), ("page", "2")]).await;
    assert_eq!(hits(&second).len(), 1);
    assert!(second.at("/next_page").is_null());
    let mut all: Vec<_> = hits(&first).into_iter().chain(hits(&second)).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 3);

    anon.get("/search?q=refund&page=0")
        .await
        .assert_error(422, "invalid");
}

async fn delete_group(plaza: &TestInstance, name: &str) {
    use plaza_db::reexports::diesel_async::RunQueryDsl;
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let sql = format!("UPDATE groups SET deleted = TRUE WHERE name = '{name}'");
    plaza_db::on_conn!(conn, |c| {
        plaza_db::reexports::diesel::sql_query(sql.clone())
            .execute(c)
            .await
            .unwrap()
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_deleted_and_hidden_content_never_appears() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    admin
        .post("/groups", &json!({"name": "closed", "title": "Closed"}))
        .await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let kept = ada.thread("support", "kept zebra", "").await;
    let removed = ada.thread("support", "removed zebra", "").await;
    let deleted = ada.thread("support", "deleted zebra", "").await;
    let under_removed = bob
        .reply(removed, None, "zebra under a removed thread")
        .await;
    let under_deleted = bob
        .reply(deleted, None, "zebra under a deleted thread")
        .await;
    let removed_comment = bob.reply(kept, None, "removed zebra comment").await;
    let deleted_comment = bob.reply(kept, None, "deleted zebra comment").await;
    ada.thread("closed", "zebra in a deleted group", "").await;

    let moderated = admin
        .post(
            &format!("/threads/{removed}/moderate"),
            &json!({"action": "remove"}),
        )
        .await;
    assert_eq!(moderated.status, 204, "{}", moderated.body);
    let moderated = admin
        .post(
            &format!("/comments/{removed_comment}/moderate"),
            &json!({"action": "remove"}),
        )
        .await;
    assert_eq!(moderated.status, 204, "{}", moderated.body);
    assert_eq!(ada.delete(&format!("/threads/{deleted}")).await.status, 204);
    assert_eq!(
        bob.delete(&format!("/comments/{deleted_comment}"))
            .await
            .status,
        204
    );
    delete_group(&plaza, "closed").await;

    // Not even a moderator finds removed content through search.
    for client in [plaza.anonymous(), admin] {
        let found = search(&client, &[("q", "zebra")]).await;
        let mut ids = hits(&found);
        ids.sort_unstable();
        // The replies under a thread its author deleted stay readable, as on its page.
        let mut expected = vec![(kept, None), (deleted, Some(under_deleted))];
        expected.sort_unstable();
        assert_eq!(ids, expected, "{}", found.body);
        assert!(!ids.contains(&(removed, Some(under_removed))));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_change_what_is_found() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada
        .thread("support", "Blue screen", "After the update")
        .await;
    let comment = ada.reply(thread, None, "Try safe mode").await;
    let anon = plaza.anonymous();
    assert_eq!(hits(&search(&anon, &[("q", "blue")]).await).len(), 1);

    let edited = ada
        .patch(
            &format!("/threads/{thread}"),
            &json!({"title": "Green screen", "body": "Since the firmware"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let edited = ada
        .patch(
            &format!("/comments/{comment}"),
            &json!({"body": "Try recovery mode"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);

    for gone in ["blue", "update", "safe"] {
        assert!(
            hits(&search(&anon, &[("q", gone)]).await).is_empty(),
            "{gone}"
        );
    }
    assert_eq!(
        hits(&search(&anon, &[("q", "green firmware")]).await),
        [(thread, None)]
    );
    assert_eq!(
        hits(&search(&anon, &[("q", "recovery")]).await),
        [(thread, Some(comment))]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn any_text_is_a_valid_search() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada
        .thread(
            "support",
            "Printer jam",
            "The printer jams: 打印机 принтер طابعة",
        )
        .await;
    let anon = plaza.anonymous();
    for query in hostile_queries() {
        let answer = search(&anon, &[("q", &query)]).await;
        assert!(answer.at("/items").is_array(), "{query:?}: {}", answer.body);
    }
    // Sensible queries among them still find the thread.
    for query in [
        "printer\0jam",
        "\"printer jam",
        "((printer",
        "-printer",
        "printer:*",
        "🔥printer🔥",
        "принтер",
        "طابعة",
        "打印机",
    ] {
        let found = search(&anon, &[("q", query)]).await;
        assert_eq!(
            hits(&found).first(),
            Some(&(thread, None)),
            "{query:?}: {}",
            found.body
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn results_say_which_comment_is_the_accepted_answer_and_which_threads_are_solved() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let asked = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Kettle error E7", "body": "What is E7?", "question": true}),
        )
        .await
        .i64("/thread/id");
    let guess = bob.reply(asked, None, "E7 might be the lid").await;
    let answer = bob.reply(asked, None, "E7 is the scale sensor").await;
    let accepted = ada
        .post(
            &format!("/threads/{asked}/accept"),
            &json!({"comment_id": answer}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);

    let found = search(&plaza.anonymous(), &[("q", "E7")]).await;
    let results = found.at("/items").as_array().expect("items").clone();
    assert_eq!(results.len(), 3, "{}", found.body);
    for result in &results {
        assert_eq!(result["solved"], json!(true), "{result}");
        let is_answer = result["comment_id"] == json!(answer);
        assert_eq!(result["accepted_answer"], json!(is_answer), "{result}");
    }
    assert!(results.iter().any(|r| r["comment_id"] == json!(guess)));

    let page = plaza.browse("/search?q=scale+sensor").await;
    assert!(
        page.text
            .contains(r#"<span class="mark solved">accepted answer</span>"#),
        "{}",
        page.text
    );
}
