//! Notifications over the API: who is told of replies, mentions, moderation and reports, and
//! how a person reads and marks their own (and no one else's).

use plaza_tests::{Answer, Client, TestInstance};
use serde_json::json;

async fn notifications(client: &Client) -> Answer {
    let answer = client.get("/notifications").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer
}

fn items(answer: &Answer) -> &Vec<serde_json::Value> {
    answer.at("/items").as_array().expect("items")
}

async fn unread(client: &Client) -> i64 {
    let answer = client.get("/notifications/unread_count").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.i64("/unread")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_by_another_person_notifies_the_thread_author_once() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Printer jams", "Since Monday").await;
    let reply = bob.reply(thread, None, "Try a new cartridge").await;

    let listed = notifications(&ada).await;
    assert_eq!(items(&listed).len(), 1, "{}", listed.body);
    assert_eq!(listed.str("/items/0/kind"), "post_reply");
    assert_eq!(listed.str("/items/0/actor/name"), "bob");
    assert_eq!(listed.i64("/items/0/thread/id"), thread);
    assert_eq!(listed.str("/items/0/thread/title"), "Printer jams");
    assert_eq!(listed.i64("/items/0/comment/id"), reply);
    assert!(
        listed
            .str("/items/0/comment/url")
            .ends_with(&format!("/comment/{reply}")),
        "{}",
        listed.body
    );
    assert_eq!(listed.str("/items/0/group/name"), "support");
    assert_eq!(listed.at("/items/0/read"), false);
    assert_eq!(unread(&ada).await, 1);
    assert!(items(&notifications(&bob).await).is_empty());

    // A reply to bob's comment tells bob, not the thread's author again.
    ada.reply(thread, Some(reply), "It worked").await;
    let bobs = notifications(&bob).await;
    assert_eq!(items(&bobs).len(), 1, "{}", bobs.body);
    assert_eq!(bobs.str("/items/0/kind"), "comment_reply");
    assert_eq!(items(&notifications(&ada).await).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn ones_own_reply_notifies_nobody() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Printer jams", "").await;
    let mine = ada.reply(thread, None, "Also the scanner, @ada").await;
    ada.reply(thread, Some(mine), "And the fax").await;
    assert!(items(&notifications(&ada).await).is_empty());
    assert_eq!(unread(&ada).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mention_notifies_the_person_mentioned() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let carol = plaza.member("carol").await;
    let domain = plaza.ctx.urls.domain().to_owned();
    let thread = ada
        .thread("support", "Printer jams", "@bob have you seen this?")
        .await;
    let reply = carol
        .reply(
            thread,
            None,
            &format!("Same here. @Bob@{domain}, and @nobody, and @ada@elsewhere.example"),
        )
        .await;

    let bobs = notifications(&bob).await;
    let kinds: Vec<&str> = items(&bobs)
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["comment_mention", "post_mention"], "{}", bobs.body);
    assert_eq!(bobs.i64("/items/0/comment/id"), reply);
    assert_eq!(bobs.str("/items/0/actor/name"), "carol");
    assert_eq!(bobs.str("/items/1/actor/name"), "ada");
    // Ada hears of the reply to her thread once, not also of a mention on another server.
    let adas = notifications(&ada).await;
    assert_eq!(items(&adas).len(), 1, "{}", adas.body);
    assert_eq!(adas.str("/items/0/kind"), "post_reply");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removal_with_a_reason_notifies_the_author_with_the_reason() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let eve = plaza.member("eve").await;
    let thread = ada.thread("support", "Printer jams", "").await;
    let comment = eve.reply(thread, None, "Buy my printer!!!").await;
    let removed = admin
        .post(
            &format!("/comments/{comment}/moderate"),
            &json!({"action": "remove", "reason": "spam"}),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    admin
        .post(
            &format!("/threads/{thread}/moderate"),
            &json!({"action": "lock"}),
        )
        .await;
    let banned = admin
        .post(
            "/groups/support/bans",
            &json!({"person": "eve", "reason": "spammer"}),
        )
        .await;
    assert_eq!(banned.status, 204, "{}", banned.body);

    let eves = notifications(&eve).await;
    assert_eq!(items(&eves).len(), 2, "{}", eves.body);
    assert_eq!(eves.str("/items/0/kind"), "banned");
    assert_eq!(eves.str("/items/0/reason"), "spammer");
    assert_eq!(eves.str("/items/1/kind"), "comment_removed");
    assert_eq!(eves.str("/items/1/reason"), "spam");
    assert_eq!(eves.str("/items/1/actor/name"), "admin");
    assert_eq!(eves.i64("/items/1/comment/id"), comment);
    // Locking tells nobody; the reply was eve's own doing, so ada has one notification.
    let adas = notifications(&ada).await;
    assert_eq!(items(&adas).len(), 1, "{}", adas.body);
    assert_eq!(adas.str("/items/0/kind"), "post_reply");
    // The moderator hears nothing of their own actions.
    assert_eq!(unread(&admin).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_notifies_the_groups_moderators_and_not_its_members() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let mo = plaza.member("mo").await;
    let added = admin.put("/groups/support/moderators/mo").await;
    assert!(added.status < 300, "{}", added.body);
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let eve = plaza.member("eve").await;
    let thread = ada.thread("support", "Printer jams", "").await;
    let comment = eve.reply(thread, None, "Buy my printer!!!").await;
    let reported = bob
        .post(
            &format!("/comments/{comment}/report"),
            &json!({"reason": "advertising"}),
        )
        .await;
    assert_eq!(reported.status, 201, "{}", reported.body);

    for moderator in [&mo, &admin] {
        let listed = notifications(moderator).await;
        assert_eq!(items(&listed).len(), 1, "{}", listed.body);
        assert_eq!(listed.str("/items/0/kind"), "report");
        assert_eq!(listed.str("/items/0/reason"), "advertising");
        assert_eq!(listed.i64("/items/0/comment/id"), comment);
        assert_eq!(listed.str("/items/0/actor/name"), "bob");
    }
    assert!(items(&notifications(&bob).await).is_empty());
    assert!(items(&notifications(&eve).await).is_empty());
    // Ada only hears of the reply.
    assert_eq!(items(&notifications(&ada).await).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_are_marked_read_one_by_one_or_all_at_once() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Printer jams", "").await;
    for body in ["one", "two", "three"] {
        bob.reply(thread, None, body).await;
    }
    assert_eq!(unread(&ada).await, 3);
    let listed = notifications(&ada).await;
    let first = listed.i64("/items/0/id");

    let marked = ada
        .post("/notifications/read", &json!({"ids": [first]}))
        .await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert_eq!(marked.i64("/marked"), 1);
    assert_eq!(unread(&ada).await, 2);
    let unread_only = ada.get("/notifications?unread=true").await;
    assert_eq!(items(&unread_only).len(), 2, "{}", unread_only.body);
    assert!(
        items(&unread_only)
            .iter()
            .all(|n| n["id"].as_i64() != Some(first))
    );
    let all = notifications(&ada).await;
    assert_eq!(items(&all).len(), 3);
    assert_eq!(all.at("/items/0/read"), true);

    let paged = ada.get("/notifications?limit=2&page=2").await;
    assert_eq!(items(&paged).len(), 1, "{}", paged.body);
    assert_eq!(paged.at("/next_page"), &serde_json::Value::Null);

    let everything = ada.post("/notifications/read_all", &json!({})).await;
    assert_eq!(everything.status, 200, "{}", everything.body);
    assert_eq!(everything.i64("/marked"), 2);
    assert_eq!(unread(&ada).await, 0);
    assert!(items(&ada.get("/notifications?unread=true").await).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_reads_or_marks_someone_elses_notifications() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Printer jams", "").await;
    bob.reply(thread, None, "Same here").await;
    let adas = notifications(&ada).await.i64("/items/0/id");

    assert!(items(&notifications(&bob).await).is_empty());
    let marked = bob
        .post("/notifications/read", &json!({"ids": [adas]}))
        .await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert_eq!(marked.i64("/marked"), 0);
    bob.post("/notifications/read_all", &json!({})).await;
    assert_eq!(unread(&ada).await, 1);

    for path in ["/notifications", "/notifications/unread_count"] {
        plaza
            .anonymous()
            .get(path)
            .await
            .assert_error(401, "unauthorized");
    }
    plaza
        .anonymous()
        .post("/notifications/read_all", &json!({}))
        .await
        .assert_error(401, "unauthorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_to_mark_read_are_refused_and_change_nothing() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Printer jams", "").await;
    bob.reply(thread, None, "Same here").await;

    ada.post("/notifications/read", &json!({"ids": []}))
        .await
        .assert_error(422, "invalid");
    let too_many: Vec<i64> = (1..=101).collect();
    ada.post("/notifications/read", &json!({ "ids": too_many }))
        .await
        .assert_error(422, "invalid");
    ada.post("/notifications/read", &json!({"ids": ["one"]}))
        .await
        .assert_error(422, "invalid");
    ada.post("/notifications/read", &json!({}))
        .await
        .assert_error(422, "invalid");
    ada.get("/notifications?unread=maybe")
        .await
        .assert_error(400, "bad_request");
    ada.get("/notifications?page=0")
        .await
        .assert_error(422, "invalid");
    assert_eq!(unread(&ada).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_accepted_answer_tells_its_author_and_the_asker_once() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let created = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Where is my parcel?", "body": "Ordered Monday", "question": true}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let thread = created.i64("/thread/id");
    let answer = bob.reply(thread, None, "Ask the courier").await;
    ada.post("/notifications/read_all", &json!({})).await;

    // The asker accepts: Bob hears of it; Ada, who did it, does not.
    let accepted = ada
        .post(
            &format!("/threads/{thread}/accept"),
            &json!({"comment_id": answer}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let bobs = notifications(&bob).await;
    let kinds: Vec<&str> = items(&bobs)
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["answer_accepted"], "{}", bobs.body);
    assert_eq!(bobs.i64("/items/0/comment/id"), answer);
    assert_eq!(unread(&ada).await, 0);

    // Staff withdraw and accept it again: the same answer is not announced twice, but the
    // asker hears that their question is solved.
    let admin_name = admin.get("/me").await.str("/name").to_owned();
    assert_eq!(
        admin
            .delete(&format!("/threads/{thread}/accept"))
            .await
            .status,
        200
    );
    let again = admin
        .post(
            &format!("/threads/{thread}/accept"),
            &json!({"comment_id": answer}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    let adas = notifications(&ada).await;
    assert_eq!(
        adas.str("/items/0/kind"),
        "question_solved",
        "{}",
        adas.body
    );
    assert_eq!(adas.str("/items/0/actor/name"), admin_name);
    assert_eq!(items(&notifications(&bob).await).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_that_adds_a_mention_notifies_the_newly_mentioned_once() {
    let plaza = TestInstance::spawn().await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let cleo = plaza.member("cleo").await;
    let dan = plaza.member("dan").await;
    let thread = ada.thread("support", "Printer jams", "Since Monday").await;
    let reply = bob.reply(thread, None, "Try a new cartridge").await;
    assert!(items(&notifications(&cleo).await).is_empty());

    let edited = bob
        .patch(
            &format!("/comments/{reply}"),
            &json!({"body": "Try a new cartridge, @cleo knows how. @ada?"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let cleos = notifications(&cleo).await;
    assert_eq!(items(&cleos).len(), 1, "{}", cleos.body);
    assert_eq!(cleos.str("/items/0/kind"), "comment_mention");
    assert_eq!(cleos.i64("/items/0/comment/id"), reply);
    // Ada already heard of this reply to her thread.
    let adas = notifications(&ada).await;
    assert_eq!(items(&adas).len(), 1, "{}", adas.body);
    assert_eq!(adas.str("/items/0/kind"), "post_reply");

    // Another edit keeping the mention tells nobody again; a new name is told.
    bob.patch(
        &format!("/comments/{reply}"),
        &json!({"body": "A new cartridge, @cleo and @dan know how"}),
    )
    .await;
    assert_eq!(items(&notifications(&cleo).await).len(), 1);
    assert_eq!(items(&notifications(&dan).await).len(), 1);

    // The same for a thread's body.
    let edited = ada
        .patch(
            &format!("/threads/{thread}"),
            &json!({"body": "Since Monday. @dan, is this yours?"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let dans = notifications(&dan).await;
    assert_eq!(items(&dans).len(), 2, "{}", dans.body);
    assert_eq!(dans.str("/items/0/kind"), "post_mention");
    ada.patch(
        &format!("/threads/{thread}"),
        &json!({"body": "Since Monday! @dan, is this yours?"}),
    )
    .await;
    assert_eq!(items(&notifications(&dan).await).len(), 2);
}
