//! Three whole Plaza instances federating over loopback HTTP with real signatures: `a` hosts the
//! group, `b`'s member follows it and starts a thread, `c`'s member follows, replies and votes;
//! the thread is edited and deleted, and `c` unfollows. Each step checks what every side stores.

use plaza_tests::{Client, TestInstance, settle};
use serde_json::Value;

fn domain(instance: &TestInstance) -> String {
    instance.base.trim_start_matches("http://").to_owned()
}

/// The thread in `instance`'s copy of the group (`group` as that instance names it).
async fn only_thread(client: &Client, group: &str) -> Value {
    let answer = client.get(&format!("/groups/{group}/threads")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let items = answer.at("/items").as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    items[0].clone()
}

async fn thread_page(client: &Client, id: i64) -> Value {
    let answer = client.get(&format!("/threads/{id}")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

#[tokio::test(flavor = "multi_thread")]
async fn three_instances_follow_post_reply_vote_edit_delete_and_unfollow() {
    let a = TestInstance::spawn().await;
    let b = TestInstance::spawn().await;
    let c = TestInstance::spawn().await;
    let all = [&a, &b, &c];
    a.with_group("support").await;
    let group = format!("support@{}", domain(&a));
    let bea = b.member("bea").await;
    let cal = c.member("cal").await;

    // Follow: looked up by WebFinger, pending until the group's Accept arrives.
    for member in [&bea, &cal] {
        let answer = member
            .post(&format!("/groups/{group}/follow"), &Value::Null)
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.at("/pending"), true);
        assert_eq!(answer.at("/group/local"), false);
    }
    settle(&all).await;
    assert_eq!(
        a.anonymous()
            .get("/groups/support")
            .await
            .i64("/follower_count"),
        2
    );
    let again = bea
        .post(&format!("/groups/{group}/follow"), &Value::Null)
        .await;
    assert_eq!(again.at("/pending"), false, "accepted: {}", again.body);

    // bea starts a thread in the group on a; a announces it; c fetches it from b, its home.
    let on_b = bea
        .thread(
            &group,
            "Export to CSV breaks on commas",
            "Quotes are missing.",
        )
        .await;
    settle(&all).await;
    let on_a = only_thread(&a.anonymous(), "support").await;
    let on_c = only_thread(&c.anonymous(), &group).await;
    for copy in [&on_a, &on_c] {
        assert_eq!(copy["title"], "Export to CSV breaks on commas");
        assert_eq!(copy["author"]["handle"], format!("bea@{}", domain(&b)));
        assert_eq!(copy["url"], format!("{}/post/{on_b}", b.base));
    }

    // cal replies on c and upvotes; both reach a, and through a's announces, b.
    let on_c_id = on_c["id"].as_i64().unwrap();
    cal.reply(on_c_id, None, "Wrap the fields in quotes, it works.")
        .await;
    let vote = cal
        .post(
            &format!("/threads/{on_c_id}/vote"),
            &serde_json::json!({"score": 1}),
        )
        .await;
    assert_eq!(vote.status, 200, "{}", vote.body);
    settle(&all).await;
    let on_a_id = on_a["id"].as_i64().unwrap();
    for (client, id) in [
        (a.anonymous(), on_a_id),
        (b.anonymous(), on_b),
        (c.anonymous(), on_c_id),
    ] {
        let page = thread_page(&client, id).await;
        assert_eq!(page["thread"]["comment_count"], 1, "{page}");
        assert_eq!(page["thread"]["upvotes"], 1, "{page}");
        let reply = &page["comments"][0];
        assert_eq!(reply["author"]["handle"], format!("cal@{}", domain(&c)));
        assert!(
            reply["body"]
                .as_str()
                .unwrap()
                .contains("Wrap the fields in quotes")
        );
    }

    // bea edits the thread; every copy follows.
    let edit = bea
        .patch(
            &format!("/threads/{on_b}"),
            &serde_json::json!({"title": "Export to CSV: commas in fields"}),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    settle(&all).await;
    assert_eq!(
        only_thread(&a.anonymous(), "support").await["title"],
        "Export to CSV: commas in fields"
    );
    assert_eq!(
        only_thread(&c.anonymous(), &group).await["title"],
        "Export to CSV: commas in fields"
    );

    // cal withdraws the vote; the counts follow everywhere.
    cal.post(
        &format!("/threads/{on_c_id}/vote"),
        &serde_json::json!({"score": 0}),
    )
    .await;
    settle(&all).await;
    assert_eq!(
        thread_page(&a.anonymous(), on_a_id).await["thread"]["upvotes"],
        0
    );
    assert_eq!(
        thread_page(&b.anonymous(), on_b).await["thread"]["upvotes"],
        0
    );

    // bea deletes the thread; a and c mark their copies deleted.
    assert_eq!(bea.delete(&format!("/threads/{on_b}")).await.status, 204);
    settle(&all).await;
    for (instance, id) in [(&a, on_a_id), (&c, on_c_id)] {
        let mut pooled = instance.ctx.db.get().await.unwrap();
        let row = plaza_db::post::find(&mut pooled.conn(), id).await.unwrap();
        assert!(row.deleted, "{} keeps a deleted thread", instance.base);
    }

    // cal unfollows: a drops the follower.
    let gone = cal.delete(&format!("/groups/{group}/follow")).await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    settle(&all).await;
    assert_eq!(
        a.anonymous()
            .get("/groups/support")
            .await
            .i64("/follower_count"),
        1
    );
}
