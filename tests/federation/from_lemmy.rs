//! Lemmy-shaped activities (`tests/fixtures/lemmy/`) through the real inbox, signed by the fake
//! remote server: a Page starts a thread, a Note with unknown parents has them fetched (within a
//! bound), votes keep the counts right, and a moderator's Delete removes.

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::remote::{FakeRemote, fixture};

async fn lemmy() -> FakeRemote {
    FakeRemote::start_as(Some("lemmy"), "/u/bob").await
}

pub(crate) async fn stored_post(
    plaza: &TestInstance,
    ap_id: &str,
) -> Option<plaza_db::post::PostRow> {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    plaza_db::post::find_by_ap_id(&mut pooled.conn(), ap_id)
        .await
        .unwrap()
}

pub(crate) async fn stored_comment(
    plaza: &TestInstance,
    ap_id: &str,
) -> Option<plaza_db::comment::CommentRow> {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    plaza_db::comment::find_by_ap_id(&mut pooled.conn(), ap_id)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn lemmy_page_starts_a_thread_and_its_edit_and_delete_follow() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = lemmy().await;
    let create = fixture("lemmy/create_page.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &create).await;
    assert_eq!(status, 202, "{body}");

    let page_id = create["object"]["id"].as_str().unwrap();
    let post = stored_post(&plaza, page_id).await.expect("stored");
    assert!(!post.local);
    assert_eq!(post.title, "Feature request: dark mode for the app");
    assert_eq!(
        post.body_source.as_deref(),
        Some("Please add a **dark mode**.")
    );
    assert_eq!(
        post.url.as_deref(),
        Some(format!("{}/pictrs/image/mockup.png", bob.base).as_str())
    );
    assert!(post.body_html.contains("<strong>dark mode</strong>"));
    assert!(!post.body_html.contains("onerror"), "{}", post.body_html);
    assert_eq!(
        post.created_at.and_utc().to_rfc3339(),
        "2026-11-21T08:00:00.123456+00:00",
        "the published time is kept"
    );

    let update = fixture("lemmy/update_page.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/g/support/inbox", &update).await.0, 202);
    let post = stored_post(&plaza, page_id).await.unwrap();
    assert_eq!(post.title, "Feature request: dark mode for app and web");
    assert!(post.updated_at.is_some());

    let delete = fixture("lemmy/delete_page.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/g/support/inbox", &delete).await.0, 202);
    let post = stored_post(&plaza, page_id).await.unwrap();
    assert!(post.deleted);
    assert!(!post.removed);
}

#[tokio::test(flavor = "multi_thread")]
async fn lemmy_reply_with_unknown_parents_fetches_them_first() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = lemmy().await;
    bob.serve("/comment/20", fixture("lemmy/note_20.json", &bob, &plaza));
    bob.serve("/post/8", fixture("lemmy/page_8.json", &bob, &plaza));

    let reply = fixture("lemmy/create_note_reply.json", &bob, &plaza);
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &reply).await;
    assert_eq!(status, 202, "{body}");

    let thread = stored_post(&plaza, &format!("{}/post/8", bob.base))
        .await
        .expect("the thread was fetched");
    assert_eq!(thread.title, "Sync fails on large folders");
    assert_eq!(thread.comment_count, 2);
    let parent = stored_comment(&plaza, &format!("{}/comment/20", bob.base))
        .await
        .expect("the parent comment was fetched");
    let child = stored_comment(&plaza, &format!("{}/comment/21", bob.base))
        .await
        .unwrap();
    assert_eq!(parent.post_id, thread.id);
    assert_eq!((parent.parent_id, parent.depth), (None, 0));
    assert_eq!((child.parent_id, child.depth), (Some(parent.id), 1));
    assert_eq!(bob.fetches("/comment/20"), 1);
    assert_eq!(bob.fetches("/post/8"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_chain_longer_than_the_fetch_bound_is_not_followed() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = lemmy().await;
    bob.serve("/post/8", fixture("lemmy/page_8.json", &bob, &plaza));
    let group = format!("{}/g/support", plaza.base);
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let note = |n: u32, parent: String| {
        json!({
            "id": format!("{}/comment/{n}", bob.base), "type": "Note",
            "attributedTo": bob.bob, "to": [group, public], "audience": group,
            "content": format!("<p>{n}</p>"), "inReplyTo": parent
        })
    };
    // /comment/100 answers the thread; each next one answers the one before, 30 deep.
    bob.serve("/comment/100", note(100, format!("{}/post/8", bob.base)));
    for n in 101..130 {
        bob.serve(
            &format!("/comment/{n}"),
            note(n, format!("{}/comment/{}", bob.base, n - 1)),
        );
    }
    let create = json!({
        "id": format!("{}/activities/create/deep", bob.base), "type": "Create",
        "actor": bob.bob, "to": [group, public],
        "object": note(130, format!("{}/comment/129", bob.base))
    });
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    let fetched = (100..130)
        .filter(|n| bob.fetches(&format!("/comment/{n}")) > 0)
        .count();
    assert!(fetched <= 10, "fetched {fetched} parents");
    assert!(
        stored_post(&plaza, &format!("{}/post/8", bob.base))
            .await
            .is_none()
    );
    assert!(
        stored_comment(&plaza, &format!("{}/comment/130", bob.base))
            .await
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lemmy_dislike_and_its_undo_keep_the_counts_right() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let post = plaza
        .member("ada")
        .await
        .thread("support", "Pricing", "")
        .await;
    let bob = lemmy().await;
    let counts = |plaza: &TestInstance| {
        let plaza_ctx = plaza.ctx.clone();
        async move {
            let mut pooled = plaza_ctx.db.get().await.unwrap();
            let row = plaza_db::post::find(&mut pooled.conn(), post)
                .await
                .unwrap();
            (row.upvotes, row.downvotes, row.score)
        }
    };
    let dislike = fixture("lemmy/dislike_page.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/g/support/inbox", &dislike).await.0, 202);
    assert_eq!(counts(&plaza).await, (0, 1, -1));
    let undo = fixture("lemmy/undo_dislike_page.json", &bob, &plaza);
    assert_eq!(bob.send(&plaza, "/g/support/inbox", &undo).await.0, 202);
    assert_eq!(counts(&plaza).await, (0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn lemmy_moderator_delete_removes_a_comment_and_others_are_refused() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let post = ada.thread("support", "Pricing", "").await;
    let comment = ada.reply(post, None, "Buy now!!!").await;
    assert_eq!(comment, 1, "the fixture removes /comment/1");
    let bob = lemmy().await;
    let remove = fixture("lemmy/remove_comment.json", &bob, &plaza);

    // Not a moderator yet: refused, nothing changes.
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &remove).await;
    assert_eq!(status, 403, "{body}");
    let ap_id = format!("{}/comment/1", plaza.base);
    assert!(!stored_comment(&plaza, &ap_id).await.unwrap().removed);

    bob.make_moderator(&plaza, "support").await;
    let mut again: Value = remove.clone();
    again["id"] = Value::String(format!("{}/again", remove["id"].as_str().unwrap()));
    let (status, body) = bob.send(&plaza, "/g/support/inbox", &again).await;
    assert_eq!(status, 202, "{body}");
    let row = stored_comment(&plaza, &ap_id).await.unwrap();
    assert!(row.removed);
    assert!(!row.deleted, "a removal keeps the content for review");
}
