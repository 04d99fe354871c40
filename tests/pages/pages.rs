use plaza_core::comments::{self, RemoteReply};
use plaza_core::{Origin, Participant, RemoteContent};
use plaza_db::instance;
use plaza_db::person::{self, PersonRow, RemotePerson};
use serde_json::json;

use crate::{assert_html, instance_with_thread};

#[tokio::test]
async fn the_home_page_shows_the_site_and_its_groups_with_their_counts() {
    let (plaza, _, _) = instance_with_thread().await;
    let home = plaza.browse("/").await;
    assert_html(&home, 200);
    assert!(home.text.contains("<h1>Plaza</h1>"), "{}", home.text);
    assert!(home.text.contains(r#"<a href="/g/support">Support</a>"#));
    assert!(home.text.contains("1 thread<"), "{}", home.text);
    assert!(home.text.contains("0 followers"), "{}", home.text);
    assert!(
        home.text
            .contains(r#"<link rel="alternate" type="application/rss+xml""#)
    );
    assert!(home.text.contains(r#"href="/static/plaza.css""#));
}

#[tokio::test]
async fn the_group_page_shows_moderators_handles_threads_and_the_follow_form() {
    let (plaza, thread, _) = instance_with_thread().await;
    let domain = plaza.ctx.urls.domain().to_owned();
    let page = plaza.browse("/g/support").await;
    assert_html(&page, 200);
    let text = &page.text;
    assert!(text.contains("<h1>Support</h1>"), "{text}");
    assert!(text.contains(&format!("@support@{domain}")), "{text}");
    assert!(text.contains(&format!("!support@{domain}")), "{text}");
    assert!(
        text.contains(&format!("admin@{domain}")),
        "the moderator: {text}"
    );
    assert!(text.contains(&format!(
        r#"href="/post/{thread}">How do I reset my router?</a>"#
    )));
    assert!(text.contains(r#"action="/g/support/follow""#));
    assert!(text.contains(r#"href="/g/support/feed.atom""#));
    assert!(text.contains("<time datetime="), "{text}");
    assert!(text.contains("just now"), "{text}");
}

#[tokio::test]
async fn the_group_page_sorts_and_pages_its_threads() {
    let plaza = crate::TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    for n in 0..21 {
        ada.thread("support", &format!("Question number {n}"), "")
            .await;
    }
    let first = plaza.browse("/g/support?sort=top").await;
    assert_html(&first, 200);
    assert!(
        first
            .text
            .contains(r#"<strong aria-current="page">Top</strong>"#)
    );
    assert!(
        first
            .text
            .contains(r#"href="/g/support?sort=top&#38;page=2""#),
        "{}",
        first.text
    );
    assert!(
        !first.text.contains("Question number 0<"),
        "the oldest is on page 2"
    );
    assert!(
        first.text.contains(&format!(
            r#"<link rel="canonical" href="{}/g/support">"#,
            plaza.base
        )),
        "{}",
        first.text
    );
    let second = plaza.browse("/g/support?sort=new&page=2").await;
    assert!(
        second.text.contains("Question number 0<"),
        "{}",
        second.text
    );
    assert!(second.text.contains(r#"rel="prev""#));
    let odd = plaza.browse("/g/support?sort=nonsense&page=abc").await;
    assert_html(&odd, 200);
}

#[tokio::test]
async fn the_thread_page_shows_the_post_and_the_comment_tree_with_full_handles() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let ada = plaza.login("ada").await;
    let answer = ada
        .reply(thread, Some(comment), "Thanks, that worked!")
        .await;
    let domain = plaza.ctx.urls.domain().to_owned();
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert_html(&page, 200);
    let text = &page.text;
    assert!(
        text.contains("<h1>How do I reset my router?</h1>"),
        "{text}"
    );
    assert!(text.contains("<strong>blinking</strong>"), "{text}");
    assert!(text.contains(&format!("ada@{domain}")));
    assert!(text.contains(&format!("bob@{domain}")));
    assert!(text.contains("Hold the button for ten seconds."));
    // The answer is nested in the reply list of the comment it answers.
    let parent = text.find(&format!(r#"id="c-{comment}""#)).unwrap();
    let replies = text[parent..].find(r#"<ol class="replies">"#).unwrap() + parent;
    let child = text.find(&format!(r#"id="c-{answer}""#)).unwrap();
    assert!(parent < replies && replies < child, "{text}");
    assert!(text.contains("points"));
    assert!(text.contains(&format!(r#"action="/post/{thread}/reply""#)));
    assert!(!text.contains("remote</span>"), "everyone here is local");
}

#[tokio::test]
async fn deleted_comments_are_shown_as_deleted_and_keep_their_replies() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let ada = plaza.login("ada").await;
    ada.reply(thread, Some(comment), "What button?").await;
    let bob = plaza.login("bob").await;
    assert_eq!(
        bob.delete(&format!("/comments/{comment}")).await.status,
        204
    );
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert_html(&page, 200);
    assert!(
        page.text.contains("[deleted by its author]"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("Hold the button"));
    assert!(page.text.contains("What button?"));
}

#[tokio::test]
async fn the_comment_page_shows_the_comment_within_its_thread() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let page = plaza.browse(&format!("/comment/{comment}")).await;
    assert_html(&page, 200);
    assert!(page.text.contains("Hold the button for ten seconds."));
    assert!(
        page.text
            .contains(&format!(r#"href="/post/{thread}#c-{comment}""#))
    );
}

#[tokio::test]
async fn the_person_page_shows_local_and_remote_people_with_their_handles() {
    let (plaza, _, _) = instance_with_thread().await;
    let domain = plaza.ctx.urls.domain().to_owned();
    let local = plaza.browse("/u/ada").await;
    assert_html(&local, 200);
    assert!(
        local.text.contains(&format!("@ada@{domain}")),
        "{}",
        local.text
    );
    assert!(local.text.contains("Joined"));

    remote_person(&plaza).await;
    let remote = plaza.browse("/u/cleo@social.example").await;
    assert_html(&remote, 200);
    assert!(remote.text.contains("@cleo@social.example"));
    assert!(
        remote.text.contains("Cleo &#60;b&#62;the bold&#60;/b&#62;"),
        "{}",
        remote.text
    );
    assert!(remote.text.contains("<p>Hello from afar</p>"));
    assert!(remote.text.contains(r#"<span class="mark">remote</span>"#));
    assert!(
        remote
            .text
            .contains(r#"href="https://social.example/users/cleo""#)
    );
}

/// Stores `cleo@social.example`, as if her server had been asked about her.
async fn remote_person(plaza: &crate::TestInstance) -> PersonRow {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let remote = instance::upsert(conn, "social.example").await.unwrap();
    person::upsert_remote(
        conn,
        &RemotePerson {
            ap_id: "https://social.example/users/cleo",
            instance_id: remote.id,
            name: "cleo",
            display_name: Some("Cleo <b>the bold</b>"),
            bio_html: Some("<p>Hello from afar</p>"),
            avatar_url: None,
            inbox_url: "https://social.example/users/cleo/inbox",
            shared_inbox_url: None,
            public_key: "key",
            bot: false,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_reply_from_elsewhere_shows_its_author_as_remote_and_its_cleaned_html() {
    let (plaza, thread, _) = instance_with_thread().await;
    let cleo = remote_person(&plaza).await;
    comments::receive(
        &plaza.ctx,
        RemoteReply {
            post_id: thread,
            parent_id: None,
            content: RemoteContent {
                ap_id: "https://social.example/notes/1".to_owned(),
                html: "<p>Try <em>turning it off</em> <script>alert(1)</script>\
                       <a href=\"javascript:alert(1)\">here</a></p>"
                    .to_owned(),
                source: None,
                published: None,
                author: Participant::remote(cleo.id),
                attachments: Vec::new(),
            },
        },
        Origin::Fetched,
    )
    .await
    .unwrap();
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert_html(&page, 200);
    let text = &page.text;
    assert!(text.contains("<em>turning it off</em>"), "{text}");
    assert!(!text.contains("<script>"), "{text}");
    assert!(!text.contains("javascript:"), "{text}");
    assert!(
        text.contains(
            r#"<a class="person" href="/u/cleo@social.example" title="cleo@social.example">Cleo &#60;b&#62;the bold&#60;/b&#62;</a> <span class="handle">cleo@social.example</span> <span class="mark">remote</span>"#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn moderator_actions_show_removed_comments_locked_threads_and_gone_removed_threads() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let ada = plaza.login("ada").await;
    ada.reply(thread, Some(comment), "Which button?").await;
    let admin = plaza.login("admin").await;
    let moderate = |path: String, action: &'static str| {
        let admin = &admin;
        async move {
            let answer = admin.post(&path, &json!({"action": action})).await;
            assert_eq!(answer.status, 204, "{action}: {}", answer.body);
        }
    };
    moderate(format!("/comments/{comment}/moderate"), "remove").await;
    moderate(format!("/threads/{thread}/moderate"), "lock").await;
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert_html(&page, 200);
    assert!(
        page.text.contains("[removed by a moderator]"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("Hold the button"));
    assert!(page.text.contains("Which button?"));
    assert!(page.text.contains(r#"<span class="mark">locked</span>"#));
    assert!(
        !page.text.contains(r#"action="/post/"#),
        "no reply form on a locked thread"
    );
    assert_html(&plaza.browse(&format!("/comment/{comment}")).await, 410);

    moderate(format!("/threads/{thread}/moderate"), "remove").await;
    assert_html(&plaza.browse(&format!("/post/{thread}")).await, 410);
}

/// The meta line of comment `id` on a thread page (author, time, marks).
fn comment_meta(page: &str, id: i64) -> &str {
    let start = page
        .find(&format!(r#"<li id="c-{id}""#))
        .unwrap_or_else(|| panic!("no comment {id} in {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</div>").unwrap()]
}

#[tokio::test]
async fn marking_an_answer_official_is_not_an_edit_but_changing_its_text_is() {
    let (plaza, thread, _) = instance_with_thread().await;
    let admin = plaza.login("admin").await;
    let answer = admin.reply(thread, None, "Hold it for ten seconds.").await;
    let marked = admin.distinguish(answer, true).await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert!(marked.at("/edited_at").is_null(), "{}", marked.body);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    let meta = comment_meta(&page.text, answer);
    assert!(meta.contains("official answer"), "{meta}");
    assert!(!meta.contains("edited"), "{meta}");

    let edited = admin
        .patch(
            &format!("/comments/{answer}"),
            &json!({"body": "Hold it for thirty seconds."}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert!(edited.at("/edited_at").is_string(), "{}", edited.body);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert!(comment_meta(&page.text, answer).contains(" · edited"));
}

#[tokio::test]
async fn a_deleted_thread_is_not_shown_as_edited() {
    let (plaza, thread, _) = instance_with_thread().await;
    let ada = plaza.login("ada").await;
    assert_eq!(ada.delete(&format!("/threads/{thread}")).await.status, 204);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    let meta = &page.text[page.text.find(r#"<div class="meta">by "#).unwrap()..];
    let meta = &meta[..meta.find("</div>").unwrap()];
    assert!(!meta.contains("edited"), "{meta}");
}

#[tokio::test]
async fn an_official_answer_is_marked_as_such() {
    let (plaza, thread, _) = instance_with_thread().await;
    let admin = plaza.login("admin").await;
    let answer = admin
        .reply(thread, None, "Hold it for thirty seconds.")
        .await;
    let marked = admin.distinguish(answer, true).await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert!(
        page.text
            .contains(&format!(r#"<li id="c-{answer}" class="comment official">"#)),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(r#"<span class="mark official">official answer</span>"#)
    );
}

#[tokio::test]
async fn the_home_page_shows_the_name_as_text_and_the_description_as_cleaned_markdown() {
    let (plaza, _, _) = instance_with_thread().await;
    let admin = plaza.login("admin").await;
    let changed = admin
        .patch(
            "/instance",
            &json!({
                "name": "Brand <Community>",
                "description": "Ask us **anything**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))"
            }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let home = plaza.browse("/").await;
    assert_html(&home, 200);
    assert!(
        home.text.contains("<h1>Brand &#60;Community&#62;</h1>"),
        "{}",
        home.text
    );
    assert!(
        home.text
            .contains("<p>Ask us <strong>anything</strong>.</p>"),
        "{}",
        home.text
    );
    plaza_tests::assert_inert(&home.text);
    assert!(!home.text.contains("alert("), "{}", home.text);
}

#[tokio::test]
async fn the_home_page_shows_the_logo_the_administrator_set() {
    let (plaza, _, _) = instance_with_thread().await;
    let home = plaza.browse("/").await;
    assert!(!home.text.contains(r#"class="logo""#), "no logo yet");
    let admin = plaza.login("admin").await;
    let changed = admin
        .patch(
            "/instance",
            &json!({"name": "Acme", "icon_url": "https://brand.example/logo.png?size=2&dark=1"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let home = plaza.browse("/").await;
    assert_html(&home, 200);
    assert!(
        home.text.contains(
            r#"<img class="logo" src="https://brand.example/logo.png?size=2&#38;dark=1" alt="Acme logo">"#
        ),
        "{}",
        home.text
    );
}

/// The HTML of the comment `id` on a thread page: from its list item to the next one.
fn comment_html(page: &str, id: i64) -> &str {
    let start = page
        .find(&format!(r#"<li id="c-{id}""#))
        .unwrap_or_else(|| panic!("comment {id} on the page: {page}"));
    let rest = &page[start + 1..];
    let end = rest.find("<li id=").map_or(page.len(), |e| start + 1 + e);
    &page[start..end]
}

#[tokio::test]
async fn staff_and_the_groups_moderators_are_marked_on_the_thread_page() {
    let (plaza, thread, bob_reply) = instance_with_thread().await;
    let admin = plaza.login("admin").await;
    let carol = plaza.member("carol").await;
    let dave = plaza.member("dave").await;
    assert_eq!(admin.put("/admin/accounts/carol/staff").await.status, 200);
    let appointed = admin.put("/groups/support/moderators/dave").await;
    assert_eq!(appointed.status, 200, "{}", appointed.body);
    let staff_reply = carol.reply(thread, Some(bob_reply), "We are on it.").await;
    let moderator_reply = dave.reply(thread, None, "Pinned the guide.").await;

    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert_html(&page, 200);
    let staff_mark = r#"<span class="mark staff">staff</span>"#;
    let moderator_mark = r#"<span class="mark moderator">moderator</span>"#;
    let staff = comment_html(&page.text, staff_reply);
    assert!(staff.contains(staff_mark), "{staff}");
    assert!(!staff.contains(moderator_mark), "{staff}");
    let member = comment_html(&page.text, bob_reply);
    assert!(!member.contains(staff_mark), "{member}");
    assert!(!member.contains(moderator_mark), "{member}");
    let moderator = comment_html(&page.text, moderator_reply);
    assert!(moderator.contains(moderator_mark), "{moderator}");
    assert!(!moderator.contains(staff_mark), "{moderator}");
    // The opening post's author, ada, is a plain member.
    let opening = &page.text[..page.text.find(r#"<section class="comments">"#).unwrap()];
    assert!(!opening.contains(staff_mark) && !opening.contains(moderator_mark));

    // The comment page marks them too.
    let alone = plaza.browse(&format!("/comment/{staff_reply}")).await;
    assert!(comment_html(&alone.text, staff_reply).contains(staff_mark));
}
