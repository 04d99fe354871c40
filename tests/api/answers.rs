use plaza_tests::{Answer, Client, TestInstance};
use serde_json::json;

async fn accept(client: &Client, thread: i64, comment: i64) -> Answer {
    client
        .post(
            &format!("/threads/{thread}/accept"),
            &json!({"comment_id": comment}),
        )
        .await
}

async fn question(client: &Client, title: &str) -> i64 {
    let created = client
        .post(
            "/groups/support/threads",
            &json!({"title": title, "body": "Please help", "question": true}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.at("/thread/question"), true);
    created.i64("/thread/id")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_asker_a_moderator_and_staff_accept_answers_and_others_may_not() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let mo = plaza.member("mo").await;
    let sam = plaza.member("sam").await;
    let added = admin.put("/groups/support/moderators/mo").await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(admin.put("/admin/accounts/sam/staff").await.status, 200);

    let thread = question(&ada, "Where is my parcel?").await;
    let answer = bob.reply(thread, None, "Ask the courier").await;
    let other = mo.reply(thread, None, "It is in the depot").await;

    accept(&plaza.anonymous(), thread, answer)
        .await
        .assert_error(401, "unauthorized");
    accept(&bob, thread, answer)
        .await
        .assert_error(403, "forbidden");
    bob.delete(&format!("/threads/{thread}/accept"))
        .await
        .assert_error(403, "forbidden");

    let by_asker = accept(&ada, thread, answer).await;
    assert_eq!(by_asker.status, 200, "{}", by_asker.body);
    assert_eq!(by_asker.at("/thread/solved"), true);
    assert_eq!(by_asker.i64("/thread/accepted_answer/comment_id"), answer);
    assert_eq!(by_asker.at("/thread/accepted_answer/author/name"), "bob");
    assert_eq!(
        by_asker.at("/thread/accepted_answer/accepted_by/name"),
        "ada"
    );

    // A moderator changes it, staff change it back.
    let by_moderator = accept(&mo, thread, other).await;
    assert_eq!(by_moderator.status, 200, "{}", by_moderator.body);
    assert_eq!(
        by_moderator.i64("/thread/accepted_answer/comment_id"),
        other
    );
    assert_eq!(
        by_moderator.at("/thread/accepted_answer/accepted_by/name"),
        "mo"
    );
    let by_staff = accept(&sam, thread, answer).await;
    assert_eq!(by_staff.status, 200, "{}", by_staff.body);
    assert_eq!(by_staff.i64("/thread/accepted_answer/comment_id"), answer);

    // Withdrawn, the thread is a question without an answer again.
    let withdrawn = ada.delete(&format!("/threads/{thread}/accept")).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(withdrawn.at("/thread/solved"), false);
    assert!(withdrawn.at("/thread/accepted_answer").is_null());
    assert_eq!(withdrawn.at("/thread/question"), true);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_live_reply_of_the_same_question_can_be_accepted() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = question(&ada, "How do I reset it?").await;
    let elsewhere = question(&ada, "Another question").await;
    let foreign = bob.reply(elsewhere, None, "Answer to the other one").await;
    let gone = bob.reply(thread, None, "I take this back").await;
    assert_eq!(bob.delete(&format!("/comments/{gone}")).await.status, 204);

    accept(&ada, thread, foreign)
        .await
        .assert_error(422, "invalid");
    accept(&ada, thread, gone)
        .await
        .assert_error(422, "invalid");
    accept(&ada, thread, 999_999)
        .await
        .assert_error(422, "invalid");
    let missing_field = ada
        .post(&format!("/threads/{thread}/accept"), &json!({"comment": 1}))
        .await;
    assert_eq!(missing_field.status, 422, "{}", missing_field.body);

    // A thread that is not a question takes no accepted answer.
    let chat = ada.thread("support", "Just saying hi", "").await;
    let hello = bob.reply(chat, None, "Hello").await;
    accept(&ada, chat, hello).await.assert_error(422, "invalid");
    let page = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert!(page.at("/thread/accepted_answer").is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_or_removing_the_accepted_answer_clears_it() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = question(&ada, "Which cable?").await;
    let first = bob.reply(thread, None, "The blue one").await;
    let second = bob.reply(thread, None, "The red one").await;

    assert_eq!(accept(&ada, thread, first).await.status, 200);
    assert_eq!(bob.delete(&format!("/comments/{first}")).await.status, 204);
    let page = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(page.at("/thread/solved"), false, "{}", page.body);
    assert!(page.at("/thread/accepted_answer").is_null());

    assert_eq!(accept(&ada, thread, second).await.status, 200);
    let removed = admin
        .post(
            &format!("/comments/{second}/moderate"),
            &json!({"action": "remove"}),
        )
        .await;
    assert!(removed.status < 300, "{}", removed.body);
    let page = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(page.at("/thread/solved"), false, "{}", page.body);
    // Restoring the comment does not bring the choice back by itself.
    admin
        .post(
            &format!("/comments/{second}/moderate"),
            &json!({"action": "restore"}),
        )
        .await;
    let page = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert!(page.at("/thread/accepted_answer").is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_qa_group_makes_every_thread_a_question_and_the_asker_may_mark_one_elsewhere() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let plain = ada.thread("support", "Before", "").await;
    let page = plaza.anonymous().get(&format!("/threads/{plain}")).await;
    assert_eq!(page.at("/thread/question"), false);
    let marked = ada
        .patch(&format!("/threads/{plain}"), &json!({"question": true}))
        .await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert_eq!(marked.at("/thread/question"), true);

    ada.patch("/groups/support", &json!({"qa": true}))
        .await
        .assert_error(403, "forbidden");
    let set = admin.patch("/groups/support", &json!({"qa": true})).await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.at("/qa"), true);
    let asked = ada.thread("support", "After", "").await;
    let page = plaza.anonymous().get(&format!("/threads/{asked}")).await;
    assert_eq!(page.at("/thread/question"), true);
    assert_eq!(page.at("/group/qa"), true);
}

#[tokio::test(flavor = "multi_thread")]
async fn thread_lists_filter_unanswered_unsolved_and_solved() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let waiting = question(&ada, "waiting").await;
    let replied = question(&ada, "replied").await;
    let solved = question(&ada, "solved").await;
    let chat = ada.thread("support", "chat", "").await;
    let deleted_only = question(&ada, "deleted reply only").await;
    bob.reply(replied, None, "maybe").await;
    let answer = bob.reply(solved, None, "yes").await;
    assert_eq!(accept(&ada, solved, answer).await.status, 200);
    let gone = bob.reply(deleted_only, None, "oops").await;
    bob.delete(&format!("/comments/{gone}")).await;

    let ids = |filter: &'static str| {
        let anonymous = plaza.anonymous();
        async move {
            let list = anonymous
                .get(&format!("/groups/support/threads?filter={filter}"))
                .await;
            assert_eq!(list.status, 200, "{}", list.body);
            let mut ids: Vec<i64> = list.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap())
                .collect();
            ids.sort_unstable();
            ids
        }
    };
    let mut unanswered = vec![waiting, chat, deleted_only];
    unanswered.sort_unstable();
    assert_eq!(ids("unanswered").await, unanswered);
    let mut unsolved = vec![waiting, replied, deleted_only];
    unsolved.sort_unstable();
    assert_eq!(ids("unsolved").await, unsolved);
    assert_eq!(ids("solved").await, vec![solved]);

    let listed = plaza.anonymous().get("/groups/support/threads").await;
    let item = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == solved)
        .unwrap()
        .clone();
    assert_eq!(item["solved"], true);
    assert_eq!(item["accepted_answer"]["comment_id"], answer);

    plaza
        .anonymous()
        .get("/groups/support/threads?filter=everything")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_list_unanswered_questions_oldest_first_and_members_may_not() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let sam = plaza.member("sam").await;
    assert_eq!(admin.put("/admin/accounts/sam/staff").await.status, 200);
    let older = question(&ada, "older").await;
    let answered = question(&ada, "answered").await;
    ada.thread("support", "not a question", "").await;
    let newer = question(&ada, "newer").await;
    bob.reply(answered, None, "here you go").await;

    plaza
        .anonymous()
        .get("/admin/unanswered")
        .await
        .assert_error(401, "unauthorized");
    bob.get("/admin/unanswered")
        .await
        .assert_error(403, "forbidden");
    for client in [&sam, &admin] {
        let list = client.get("/admin/unanswered").await;
        assert_eq!(list.status, 200, "{}", list.body);
        let items = list.body["items"].as_array().unwrap();
        let ids: Vec<i64> = items
            .iter()
            .map(|t| t["thread_id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![older, newer]);
        assert_eq!(items[0]["group"], "support");
        assert!(items[0]["waiting_seconds"].as_i64().unwrap() >= 0);
        assert!(
            items[0]["waiting_seconds"].as_i64() >= items[1]["waiting_seconds"].as_i64(),
            "{}",
            list.body
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_question_whose_only_reply_is_removed_waits_again_until_it_is_restored() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = question(&ada, "Which plug?").await;
    let first = bob.reply(thread, None, "The round one").await;
    let second = ada.reply(thread, None, "Thanks, I will try").await;

    let waiting = || async {
        let list = admin.get("/admin/unanswered").await;
        assert_eq!(list.status, 200, "{}", list.body);
        let staff: Vec<i64> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["thread_id"].as_i64().unwrap())
            .collect();
        let list = plaza
            .anonymous()
            .get("/groups/support/threads?filter=unanswered")
            .await;
        assert_eq!(list.status, 200, "{}", list.body);
        let filtered: Vec<i64> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert_eq!(staff, filtered, "the staff's list and the filter agree");
        staff == vec![thread]
    };
    assert!(!waiting().await, "two live replies");

    // The asker's own reply counts as a reply too, until it is deleted.
    assert_eq!(ada.delete(&format!("/comments/{second}")).await.status, 204);
    assert!(!waiting().await, "one live reply left");

    let moderate = |action: &'static str| {
        let admin = &admin;
        async move {
            let done = admin
                .post(
                    &format!("/comments/{first}/moderate"),
                    &json!({"action": action}),
                )
                .await;
            assert!(done.status < 300, "{}", done.body);
        }
    };
    moderate("remove").await;
    assert!(
        waiting().await,
        "every reply is gone: the question waits again"
    );
    moderate("restore").await;
    assert!(!waiting().await, "the restored reply answers it again");
}
