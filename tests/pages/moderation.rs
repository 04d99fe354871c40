//! Moderating from the thread page: one small form per action for the group's moderators, none
//! for anyone else; each action comes back to the thread, and a refused one changes nothing.

use plaza_tests::TestInstance;

use crate::{assert_html, instance_with_thread};

/// The thread as the API shows it to nobody in particular.
async fn thread_json(plaza: &TestInstance, thread: i64) -> plaza_tests::Answer {
    plaza.anonymous().get(&format!("/threads/{thread}")).await
}

async fn log_actions(plaza: &TestInstance) -> Vec<String> {
    let log = plaza
        .login("admin")
        .await
        .get("/groups/support/modlog")
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    log.at("/items")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_button(page: &str, target: &str, action: &str, label: &str) {
    let open = format!(r#"<form class="moderate" method="post" action="{target}">"#);
    let form = page
        .split(&open)
        .skip(1)
        .map(|rest| rest.split("</form>").next().unwrap_or(rest))
        .find(|form| form.contains(&format!(r#"name="action" value="{action}""#)))
        .unwrap_or_else(|| panic!("no {action} form for {target} in {page}"));
    assert!(
        form.contains(&format!(r#"<button type="submit">{label}</button>"#)),
        "{form}"
    );
}

#[tokio::test]
async fn moderators_see_one_form_per_action_and_others_see_none() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let admin = plaza.browser_as("admin").await;
    let page = admin.open(&format!("/post/{thread}")).await;
    assert_html(&page, 200);
    let thread_target = format!("/post/{thread}/moderate");
    assert_button(&page.text, &thread_target, "pin", "Pin");
    assert_button(&page.text, &thread_target, "lock", "Lock");
    assert_button(&page.text, &thread_target, "remove", "Remove");
    assert_button(
        &page.text,
        &format!("/comment/{comment}/moderate"),
        "remove",
        "Remove",
    );
    assert!(
        page.text.contains(r#"name="reason""#),
        "removing takes a reason"
    );

    let bob = plaza.browser_as("bob").await;
    let as_member = bob.open(&format!("/post/{thread}")).await;
    assert_html(&as_member, 200);
    assert!(!as_member.text.contains("class=\"moderate\""));
    assert!(!as_member.text.contains("/moderate\""));
    let anonymous = plaza.browse(&format!("/post/{thread}")).await;
    assert!(!anonymous.text.contains("class=\"moderate\""));
}

#[tokio::test]
async fn pin_lock_and_remove_come_back_to_the_thread_and_flip_their_button() {
    let (plaza, thread, _) = instance_with_thread().await;
    let admin = plaza.browser_as("admin").await;
    admin.open(&format!("/post/{thread}")).await;
    let target = format!("/post/{thread}/moderate");

    for (action, undo, label) in [("pin", "unpin", "Unpin"), ("lock", "unlock", "Unlock")] {
        let done = admin.submit(&target, &[("action", action)]).await;
        assert_eq!(done.status, 303, "{action}: {}", done.text);
        assert_eq!(done.header("location"), format!("/post/{thread}"));
        let page = admin.open(&format!("/post/{thread}")).await;
        assert_button(&page.text, &target, undo, label);
    }
    let view = thread_json(&plaza, thread).await;
    assert_eq!(view.at("/thread/pinned"), true, "{}", view.body);
    assert_eq!(view.at("/thread/locked"), true, "{}", view.body);

    let removed = admin
        .submit(&target, &[("action", "remove"), ("reason", "off topic")])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.text);
    assert_html(&plaza.browse(&format!("/post/{thread}")).await, 410);
    // The moderator still sees it, marked, with the button to restore it.
    let page = admin.open(&format!("/post/{thread}")).await;
    assert_html(&page, 200);
    assert!(
        page.text.contains("removed by a moderator"),
        "{}",
        page.text
    );
    assert_button(&page.text, &target, "restore", "Restore");

    let restored = admin.submit(&target, &[("action", "restore")]).await;
    assert_eq!(restored.status, 303, "{}", restored.text);
    assert_html(&plaza.browse(&format!("/post/{thread}")).await, 200);
    assert_eq!(
        log_actions(&plaza).await,
        ["restore_post", "remove_post", "lock", "pin"]
    );
    let log = plaza
        .login("admin")
        .await
        .get("/groups/support/modlog")
        .await;
    assert_eq!(log.at("/items/1/reason"), "off topic");
}

#[tokio::test]
async fn a_removed_comment_leaves_the_thread_but_not_the_moderators_view() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let admin = plaza.browser_as("admin").await;
    admin.open(&format!("/post/{thread}")).await;
    let target = format!("/comment/{comment}/moderate");

    let removed = admin
        .submit(&target, &[("action", "remove"), ("reason", "spam")])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.text);
    assert_eq!(
        removed.header("location"),
        format!("/post/{thread}#c-{comment}")
    );
    let public = plaza.browse(&format!("/post/{thread}")).await;
    assert!(!public.text.contains("Hold the button"), "{}", public.text);
    let page = admin.open(&format!("/post/{thread}")).await;
    assert!(page.text.contains("Hold the button"), "{}", page.text);
    assert_button(&page.text, &target, "restore", "Restore");

    let restored = admin.submit(&target, &[("action", "restore")]).await;
    assert_eq!(restored.status, 303);
    let public = plaza.browse(&format!("/post/{thread}")).await;
    assert!(public.text.contains("Hold the button"), "{}", public.text);
    assert_eq!(
        log_actions(&plaza).await,
        ["restore_comment", "remove_comment"]
    );
}

#[tokio::test]
async fn a_member_posting_a_moderation_form_gets_403_and_nothing_changes() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let bob = plaza.browser_as("bob").await;
    bob.open(&format!("/post/{thread}")).await;

    let lock = bob
        .submit(&format!("/post/{thread}/moderate"), &[("action", "lock")])
        .await;
    assert_html(&lock, 403);
    assert!(lock.text.contains("moderators"), "{}", lock.text);
    let remove = bob
        .submit(
            &format!("/comment/{comment}/moderate"),
            &[("action", "remove")],
        )
        .await;
    assert_html(&remove, 403);

    let anonymous = plaza.browser();
    anonymous.open("/login").await;
    let refused = anonymous
        .submit(&format!("/post/{thread}/moderate"), &[("action", "pin")])
        .await;
    assert_html(&refused, 401);

    // A moderator's form without this browser's token, or with an action that does not exist.
    let admin = plaza.browser_as("admin").await;
    let forged = admin
        .submit_exactly(&format!("/post/{thread}/moderate"), &[("action", "lock")])
        .await;
    assert_html(&forged, 403);
    admin.open(&format!("/post/{thread}")).await;
    let unknown = admin
        .submit(
            &format!("/post/{thread}/moderate"),
            &[("action", "explode")],
        )
        .await;
    assert_html(&unknown, 422);
    let missing = admin
        .submit("/post/999999/moderate", &[("action", "lock")])
        .await;
    assert_html(&missing, 404);

    let view = thread_json(&plaza, thread).await;
    assert_eq!(view.at("/thread/locked"), false, "{}", view.body);
    assert_eq!(view.at("/thread/pinned"), false, "{}", view.body);
    assert_eq!(view.at("/comments").as_array().unwrap().len(), 1);
    assert!(log_actions(&plaza).await.is_empty());
}

#[tokio::test]
async fn a_moderator_marks_their_own_answer_official_and_a_member_cannot() {
    let (plaza, thread, bobs) = instance_with_thread().await;
    let answer = plaza
        .login("admin")
        .await
        .reply(thread, None, "Staff here: update the firmware.")
        .await;
    let admin = plaza.browser_as("admin").await;
    let page = admin.open(&format!("/post/{thread}")).await;
    let mark = format!(r#"action="/comment/{answer}/official""#);
    assert!(page.text.contains(&mark), "{}", page.text);
    assert!(page.text.contains("Mark as official answer"));
    assert!(
        !page
            .text
            .contains(&format!(r#"action="/comment/{bobs}/official""#)),
        "only one's own answers"
    );

    let marked = admin
        .submit(
            &format!("/comment/{answer}/official"),
            &[("official", "true")],
        )
        .await;
    assert_eq!(marked.status, 303, "{}", marked.text);
    assert_eq!(
        marked.header("location"),
        format!("/post/{thread}#c-{answer}")
    );
    let page = admin.open(&format!("/post/{thread}")).await;
    assert!(
        page.text.contains("official answer</span>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Unmark official answer"));
    let unmarked = admin
        .submit(
            &format!("/comment/{answer}/official"),
            &[("official", "false")],
        )
        .await;
    assert_eq!(unmarked.status, 303);
    let view = thread_json(&plaza, thread).await;
    let official = |id: i64| {
        view.at("/comments")
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["distinguished"]
            .clone()
    };
    assert_eq!(official(answer), false, "{}", view.body);

    // A member sees no such button on their own comment and is refused if they post it.
    let bob = plaza.browser_as("bob").await;
    let page = bob.open(&format!("/post/{thread}")).await;
    assert!(!page.text.contains("/official\""), "{}", page.text);
    let refused = bob
        .submit(
            &format!("/comment/{bobs}/official"),
            &[("official", "true")],
        )
        .await;
    assert_html(&refused, 403);
    let view = thread_json(&plaza, thread).await;
    assert_eq!(
        view.at("/comments")
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == bobs)
            .unwrap()["distinguished"],
        false
    );
}
