//! Banning from the pages: from a comment to the ban form, the bans in force, lifting a ban from
//! that list or from the moderation log, and the log itself, which only moderators read.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::{assert_html, instance_with_thread};

/// `name@localhost:PORT`, a local person's full handle.
fn handle(plaza: &TestInstance, name: &str) -> String {
    format!("{name}@{}", plaza.base.trim_start_matches("http://"))
}

async fn bob_may_reply(plaza: &TestInstance, thread: i64) -> bool {
    let answer = plaza
        .login("bob")
        .await
        .post(
            &format!("/threads/{thread}/comments"),
            &json!({"body": "Can I still write?"}),
        )
        .await;
    match answer.status {
        201 => true,
        403 => false,
        other => panic!("unexpected {other}: {}", answer.body),
    }
}

#[tokio::test]
async fn a_moderator_bans_the_author_of_a_comment_and_lifts_the_ban() {
    let (plaza, thread, _) = instance_with_thread().await;
    let bob = handle(&plaza, "bob");
    let admin = plaza.browser_as("admin").await;
    let page = admin.open(&format!("/post/{thread}")).await;
    let link = format!(
        "/g/support/ban?person={}",
        bob.replace('@', "%40").replace(':', "%3A")
    );
    assert!(
        page.text.contains(&format!(r#"href="{link}""#)),
        "{}",
        page.text
    );
    let form = admin.open(&link).await;
    assert_html(&form, 200);
    assert!(
        form.text.contains(&format!(r#"value="{bob}""#)),
        "{}",
        form.text
    );

    let banned = admin
        .submit(
            "/g/support/ban",
            &[("person", &bob), ("reason", "spam links"), ("days", "7")],
        )
        .await;
    assert_eq!(banned.status, 303, "{}", banned.text);
    assert_eq!(banned.header("location"), "/g/support/bans");
    assert!(!bob_may_reply(&plaza, thread).await);
    let list = admin.open("/g/support/bans").await;
    assert_html(&list, 200);
    for expected in ["spam links", r#"href="/u/bob""#, "until", "Unban"] {
        assert!(list.text.contains(expected), "{expected}: {}", list.text);
    }
    let log = plaza
        .login("admin")
        .await
        .get("/groups/support/modlog")
        .await;
    let expires = log.str("/items/0/expires_at");
    assert!(expires.starts_with("20"), "{}", log.body);

    let lifted = admin.submit("/g/support/unban", &[("person", &bob)]).await;
    assert_eq!(lifted.status, 303, "{}", lifted.text);
    assert!(bob_may_reply(&plaza, thread).await);
    let list = admin.open("/g/support/bans").await;
    assert!(list.text.contains("No one is banned"), "{}", list.text);
}

#[tokio::test]
async fn ban_mistakes_show_the_form_again_and_ban_no_one() {
    let (plaza, thread, _) = instance_with_thread().await;
    let admin = plaza.browser_as("admin").await;
    admin.open("/g/support/ban").await;
    for days in ["0", "-2", "two", "36501"] {
        let page = admin
            .submit(
                "/g/support/ban",
                &[("person", "bob"), ("reason", "spam"), ("days", days)],
            )
            .await;
        assert_html(&page, 422);
        assert!(page.text.contains("whole number of days"), "{}", page.text);
        assert!(page.text.contains(r#"value="spam""#), "the reason is kept");
    }
    let unknown = admin
        .submit("/g/support/ban", &[("person", "nobody"), ("days", "")])
        .await;
    assert_html(&unknown, 422);
    assert!(
        unknown.text.contains("&#39;nobody&#39; is not known here")
            || unknown.text.contains("'nobody' is not known here"),
        "{}",
        unknown.text
    );
    let too_long = "x".repeat(1_001);
    let long = admin
        .submit(
            "/g/support/ban",
            &[("person", "bob"), ("reason", &too_long)],
        )
        .await;
    assert_html(&long, 422);
    assert!(bob_may_reply(&plaza, thread).await);
    let log = plaza
        .login("admin")
        .await
        .get("/groups/support/modlog")
        .await;
    assert!(log.at("/items").as_array().unwrap().is_empty());
}

#[tokio::test]
async fn members_cannot_ban_and_anonymous_visitors_are_sent_to_log_in() {
    let (plaza, thread, _) = instance_with_thread().await;
    for path in ["/g/support/ban", "/g/support/bans", "/g/support/modlog"] {
        let page = plaza.browse(path).await;
        assert_eq!(page.status, 303, "{path}");
        let next = path.replace('/', "%2F");
        assert_eq!(page.header("location"), format!("/login?next={next}"));
    }
    let ada = plaza.browser_as("ada").await;
    for path in ["/g/support/ban", "/g/support/bans", "/g/support/modlog"] {
        let page = ada.open(path).await;
        assert_html(&page, 403);
        assert!(page.text.contains("moderators"), "{}", page.text);
    }
    let refused = ada
        .submit("/g/support/ban", &[("person", "bob"), ("days", "")])
        .await;
    assert_html(&refused, 403);
    assert!(bob_may_reply(&plaza, thread).await);
    let group = ada.open("/g/support").await;
    assert!(!group.text.contains("/g/support/modlog"), "{}", group.text);
    assert_html(
        &plaza
            .browser_as("admin")
            .await
            .open("/g/nowhere/bans")
            .await,
        404,
    );
}

#[tokio::test]
async fn the_log_shows_who_did_what_to_what_and_why_and_lifts_bans() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let admin = plaza.browser_as("admin").await;
    admin.open(&format!("/post/{thread}")).await;
    let removed = admin
        .submit(
            &format!("/comment/{comment}/moderate"),
            &[("action", "remove"), ("reason", "not helpful")],
        )
        .await;
    assert_eq!(removed.status, 303);
    let banned = admin
        .submit("/g/support/ban", &[("person", "bob"), ("reason", "again")])
        .await;
    assert_eq!(banned.status, 303, "{}", banned.text);

    let log = admin.open("/g/support/modlog").await;
    assert_html(&log, 200);
    for expected in [
        "removed a comment",
        "not helpful",
        &format!(r#"href="/post/{thread}#c-{comment}""#),
        "How do I reset my router?",
        "banned",
        "again",
        r#"href="/u/admin""#,
        r#"href="/u/bob""#,
    ] {
        assert!(log.text.contains(expected), "{expected}: {}", log.text);
    }
    // The ban is lifted from its entry in the log.
    assert!(log.text.contains(r#"action="/g/support/unban""#));
    let lifted = admin
        .submit("/g/support/unban", &[("person", &handle(&plaza, "bob"))])
        .await;
    assert_eq!(lifted.status, 303);
    assert!(bob_may_reply(&plaza, thread).await);
    let log = admin.open("/g/support/modlog").await;
    assert!(log.text.contains("lifted the ban of"), "{}", log.text);
    assert!(!log.text.contains(r#"action="/g/support/unban""#));
}
