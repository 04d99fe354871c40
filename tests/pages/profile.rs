//! The profile page: a member changes their display name, bio and avatar; a mistake keeps what
//! was typed; visitors are sent to log in.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::assert_html;

#[tokio::test]
async fn a_member_edits_their_profile_and_their_page_shows_it() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let ada = plaza.browser_as("ada").await;
    let home = ada.open("/").await;
    assert!(
        home.text
            .contains(r#"<a href="/settings/profile">Profile</a>"#),
        "{}",
        home.text
    );
    let form = ada.open("/settings/profile").await;
    assert_html(&form, 200);

    let saved = ada
        .submit(
            "/settings/profile",
            &[
                ("display_name", "Ada from Support"),
                ("bio", "I answer *router* questions."),
                ("avatar_url", "https://cdn.brand.example/ada.png"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(saved.header("location"), "/settings/profile?saved=1");
    let form = ada.open("/settings/profile?saved=1").await;
    assert!(form.text.contains("Saved."), "{}", form.text);
    assert!(form.text.contains(r#"value="Ada from Support""#));
    let page = plaza.browse("/u/ada").await;
    assert!(
        page.text.contains("<h1>Ada from Support</h1>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("<em>router</em>"), "{}", page.text);

    // A mistake: refused, explained, and what was typed is kept.
    let refused = ada
        .submit(
            "/settings/profile",
            &[
                ("display_name", "Ada"),
                ("bio", "Still here."),
                ("avatar_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains(r#"role="alert""#), "{}", refused.text);
    assert!(refused.text.contains("Still here.</textarea>"));
    let page = plaza.browse("/u/ada").await;
    assert!(page.text.contains("<h1>Ada from Support</h1>"));
}

#[tokio::test]
async fn a_visitor_is_sent_to_log_in_before_editing_a_profile() {
    let plaza = TestInstance::spawn().await;
    let page = plaza.browse("/settings/profile").await;
    assert_eq!(page.status, 303);
    assert!(
        page.header("location").starts_with("/login"),
        "{}",
        page.header("location")
    );
}

#[tokio::test]
async fn a_member_deletes_their_account_with_their_password() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let ada = plaza.browser_as("ada").await;
    let form = ada.open("/settings/profile").await;
    assert!(
        form.text.contains(r#"action="/settings/delete""#),
        "{}",
        form.text
    );

    let refused = ada
        .submit("/settings/delete", &[("password", "wrong")])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(refused.text.contains("not deleted"), "{}", refused.text);

    let deleted = ada
        .submit("/settings/delete", &[("password", plaza_tests::PASSWORD)])
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    assert_eq!(deleted.header("location"), "/");
    let home = ada.open("/").await;
    assert!(
        home.text.contains(r#"href="/login""#),
        "signed out: {}",
        home.text
    );
    let page = plaza.browse("/u/ada").await;
    assert!(page.text.contains("deleted"), "{}", page.text);
}

#[tokio::test]
async fn a_person_page_lists_their_threads_and_comments_and_counts_accepted_answers() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let asked = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Printer jams", "body": "Please help", "question": true}),
        )
        .await
        .i64("/thread/id");
    let answer = bob.reply(asked, None, "Clean the rollers first").await;
    let spam = bob.reply(asked, None, "Buy my printer now").await;
    bob.thread("support", "Scanner is slow", "Since the update")
        .await;
    let accepted = ada
        .post(
            &format!("/threads/{asked}/accept"),
            &json!({"comment_id": answer}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let removed = admin
        .post(
            &format!("/comments/{spam}/moderate"),
            &json!({"action": "remove", "reason": "spam"}),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);

    let page = plaza.browse("/u/bob").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text
            .contains("1 thread · 1 comment · 1 accepted answer"),
        "{}",
        page.text
    );
    // Newest first: the thread Bob started after answering, then his answer.
    let thread_at = page.text.find("Scanner is slow").expect("his thread");
    let answer_at = page
        .text
        .find("Clean the rollers first")
        .expect("his answer");
    assert!(thread_at < answer_at, "{}", page.text);
    assert!(
        page.text
            .contains(&format!(r#"href="/post/{asked}#c-{answer}""#)),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains("Buy my printer"),
        "removed: {}",
        page.text
    );

    let asker = plaza.browse("/u/ada").await;
    assert!(
        asker
            .text
            .contains("1 thread · 0 comments · 0 accepted answers"),
        "{}",
        asker.text
    );
    let beyond = plaza.browse("/u/bob?page=2").await;
    assert_eq!(beyond.status, 200);
    assert!(
        beyond.text.contains("Nothing here on this page"),
        "{}",
        beyond.text
    );
    assert!(
        beyond.text.contains(r#"href="/u/bob?page=1""#),
        "{}",
        beyond.text
    );
}
