//! Moderation over the API: only the group's moderators act, each action changes what members
//! can do, and the group's log records it; reports queue up for the moderators.

use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn moderators_remove_lock_pin_and_ban_and_the_log_records_it() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let eve = plaza.member("eve").await;
    let thread = ada.thread("support", "Printer jams", "").await;
    let comment = eve.reply(thread, None, "Buy my printer!!!").await;

    // Members cannot moderate.
    let refused = eve
        .post(
            &format!("/comments/{comment}/moderate"),
            &json!({"action": "remove"}),
        )
        .await;
    refused.assert_error(403, "forbidden");
    let bad = admin
        .post(
            &format!("/threads/{thread}/moderate"),
            &json!({"action": "explode"}),
        )
        .await;
    bad.assert_error(422, "invalid");

    let removed = admin
        .post(
            &format!("/comments/{comment}/moderate"),
            &json!({"action": "remove", "reason": "spam"}),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert!(
        view.at("/comments").as_array().unwrap().is_empty(),
        "a removed comment without replies leaves the tree: {}",
        view.body
    );

    let locked = admin
        .post(
            &format!("/threads/{thread}/moderate"),
            &json!({"action": "lock"}),
        )
        .await;
    assert_eq!(locked.status, 204);
    ada.post(
        &format!("/threads/{thread}/comments"),
        &json!({"body": "hello?"}),
    )
    .await
    .assert_error(403, "forbidden");
    admin
        .post(
            &format!("/threads/{thread}/moderate"),
            &json!({"action": "unlock"}),
        )
        .await;
    ada.reply(thread, None, "Thanks").await;

    admin
        .post(
            &format!("/threads/{thread}/moderate"),
            &json!({"action": "pin"}),
        )
        .await;
    let listed = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(listed.at("/items/0/pinned"), true);

    let banned = admin
        .post(
            "/groups/support/bans",
            &json!({"person": "eve", "reason": "spam", "expires_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(banned.status, 204, "{}", banned.body);
    eve.post("/groups/support/threads", &json!({"title": "Again"}))
        .await
        .assert_error(403, "forbidden");
    assert_eq!(admin.delete("/groups/support/bans/eve").await.status, 204);
    eve.thread("support", "Sorry", "").await;

    let log = admin.get("/groups/support/modlog").await;
    assert_eq!(log.status, 200, "{}", log.body);
    let actions: Vec<&str> = log
        .at("/items")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["unban", "ban", "pin", "unlock", "lock", "remove_comment"],
        "newest first"
    );
    assert_eq!(log.at("/items/1/reason"), "spam");
    ada.get("/groups/support/modlog")
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_queue_up_for_moderators_until_resolved() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let eve = plaza.member("eve").await;
    let thread = eve.thread("support", "Cheap watches", "").await;

    ada.post(&format!("/threads/{thread}/report"), &json!({"reason": ""}))
        .await
        .assert_error(422, "invalid");
    let report = ada
        .post(
            &format!("/threads/{thread}/report"),
            &json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.body);
    let id = report.i64("/id");

    ada.get("/groups/support/reports")
        .await
        .assert_error(403, "forbidden");
    let queue = admin.get("/groups/support/reports").await;
    assert_eq!(queue.at("/items").as_array().unwrap().len(), 1);
    assert_eq!(queue.at("/items/0/reason"), "spam");
    assert_eq!(queue.at("/items/0/thread_id"), thread);

    let resolved = admin
        .post(&format!("/reports/{id}/resolve"), &json!({}))
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert_eq!(resolved.at("/resolved"), true);
    let queue = admin.get("/groups/support/reports").await;
    assert!(queue.at("/items").as_array().unwrap().is_empty());
    let log = admin.get("/groups/support/modlog").await;
    assert_eq!(log.at("/items/0/action"), "resolve_report");
}

#[tokio::test(flavor = "multi_thread")]
async fn moderators_change_the_group_settings_and_appoint_moderators() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    ada.patch("/groups/support", &json!({"title": "Mine"}))
        .await
        .assert_error(403, "forbidden");

    let changed = admin
        .patch(
            "/groups/support",
            &json!({"description": "Rules: be kind.", "posting_restricted_to_mods": true}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.at("/posting_restricted_to_mods"), true);
    assert_eq!(changed.at("/description_source"), "Rules: be kind.");
    assert_eq!(changed.at("/title"), "Support", "omitted fields stay");
    ada.post("/groups/support/threads", &json!({"title": "Hi"}))
        .await
        .assert_error(403, "forbidden");

    let appointed = admin.put("/groups/support/moderators/ada").await;
    assert_eq!(appointed.status, 200, "{}", appointed.body);
    assert_eq!(appointed.at("/moderators").as_array().unwrap().len(), 2);
    ada.thread("support", "Announcement", "").await;

    assert_eq!(
        admin.delete("/groups/support/moderators/ada").await.status,
        200
    );
    admin
        .delete("/groups/support/moderators/admin")
        .await
        .assert_error(409, "conflict");
    let log = admin.get("/groups/support/modlog").await;
    assert_eq!(log.at("/items/0/action"), "remove_moderator");
    assert_eq!(log.at("/items/1/action"), "add_moderator");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_mark_their_answer_official_and_members_cannot() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Where is my order?", "").await;
    let question = ada.reply(thread, None, "Ordered on Monday").await;
    ada.distinguish(question, true)
        .await
        .assert_error(403, "forbidden");

    // An administrator names ada staff; then she can.
    ada.put("/admin/accounts/ada/staff")
        .await
        .assert_error(403, "forbidden");
    let named = admin.put("/admin/accounts/ada/staff").await;
    assert_eq!(named.status, 200, "{}", named.body);
    assert_eq!(named.at("/staff"), true);
    let own = ada.distinguish(question, true).await;
    assert_eq!(own.status, 200, "{}", own.body);
    ada.distinguish(question, false).await;
    assert_eq!(
        admin.delete("/admin/accounts/ada/staff").await.at("/staff"),
        false
    );

    let answer = admin.reply(thread, None, "It ships today.").await;
    let marked = admin.distinguish(answer, true).await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert_eq!(marked.at("/distinguished"), true);
    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    let official: Vec<bool> = view
        .at("/comments")
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["distinguished"].as_bool().unwrap())
        .collect();
    assert!(
        official.contains(&true) && official.contains(&false),
        "{official:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_are_marked_wherever_people_are_shown_and_members_are_not() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    assert_eq!(admin.put("/admin/accounts/ada/staff").await.status, 200);
    let thread = bob.thread("support", "Where is my order?", "").await;
    let answer = ada.reply(thread, None, "It ships today.").await;
    let thanks = bob.reply(thread, Some(answer), "Thanks!").await;

    let page = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.at("/thread/author/name"), "bob");
    assert_eq!(page.at("/thread/author/staff"), false);
    assert_eq!(page.at("/comments/0/id").as_i64(), Some(answer));
    assert_eq!(page.at("/comments/0/author/staff"), true, "{}", page.body);
    assert_eq!(page.at("/comments/0/replies/0/id").as_i64(), Some(thanks));
    assert_eq!(page.at("/comments/0/replies/0/author/staff"), false);
    let threads = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(
        threads.at("/items/0/author/staff"),
        false,
        "{}",
        threads.body
    );
    let group = plaza.anonymous().get("/groups/support").await;
    assert_eq!(group.at("/moderators/0/name"), "admin", "{}", group.body);
    assert_eq!(
        group.at("/moderators/0/staff"),
        true,
        "administrators are staff from the start"
    );

    // No longer staff: no longer marked.
    admin.delete("/admin/accounts/ada/staff").await;
    let page = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(page.at("/comments/0/author/staff"), false);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_shows_a_removed_thread_to_moderators_only() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Router", "").await;
    let comment = bob
        .reply(thread, None, "Hold the button for ten seconds.")
        .await;
    for (path, action) in [
        (format!("/comments/{comment}/moderate"), "remove"),
        (format!("/threads/{thread}/moderate"), "remove"),
    ] {
        let done = admin.post(&path, &json!({"action": action})).await;
        assert_eq!(done.status, 204, "{}", done.body);
    }
    plaza
        .anonymous()
        .get(&format!("/threads/{thread}"))
        .await
        .assert_error(410, "gone");
    bob.get(&format!("/threads/{thread}"))
        .await
        .assert_error(410, "gone");
    let seen = admin.get(&format!("/threads/{thread}")).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.at("/thread/removed"), true);
    assert_eq!(seen.at("/comments/0/removed"), true, "{}", seen.body);
    assert_eq!(
        seen.at("/comments/0/body_source"),
        "Hold the button for ten seconds."
    );
}
