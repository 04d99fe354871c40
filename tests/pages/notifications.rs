//! Notifications in the pages: the unread count in every page's header, the list with links to
//! what each is about, and the "Mark read" and "Mark all read" buttons.

use plaza_tests::Client;

use crate::{assert_html, instance_with_thread};

async fn unread(client: &Client) -> i64 {
    client
        .get("/notifications/unread_count")
        .await
        .i64("/unread")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_header_of_every_page_shows_the_unread_count() {
    let (plaza, thread, _) = instance_with_thread().await;
    let ada = plaza.browser_as("ada").await;
    for path in [
        "/",
        "/g/support",
        &format!("/post/{thread}"),
        "/u/bob",
        "/search?q=router",
    ] {
        let page = ada.open(path).await;
        assert_html(&page, 200);
        assert!(
            page.text.contains(
                r#"<a class="notifications" href="/notifications">Notifications <span class="unread" title="unread notifications">1</span></a>"#
            ),
            "{path}: {}",
            page.text
        );
    }
    // Nobody signed in sees no count; bob has nothing unread, so no badge.
    let anonymous = plaza.browse("/").await;
    assert!(
        !anonymous.text.contains("/notifications"),
        "{}",
        anonymous.text
    );
    let bob = plaza.browser_as("bob").await;
    let page = bob.open("/").await;
    assert!(
        page.text
            .contains(r#"<a class="notifications" href="/notifications">Notifications</a>"#),
        "{}",
        page.text
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_notifications_page_links_each_and_marks_them_read() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let bob = plaza.login("bob").await;
    let second = bob
        .reply(thread, Some(comment), "Or unplug it, @ada.")
        .await;

    let signed_out = plaza.browse("/notifications").await;
    assert_eq!(signed_out.status, 303);
    assert_eq!(
        signed_out.header("location"),
        "/login?next=%2Fnotifications"
    );

    let ada = plaza.browser_as("ada").await;
    let ada_api = plaza.login("ada").await;
    let page = ada.open("/notifications").await;
    assert_html(&page, 200);
    assert!(
        page.text.contains(&format!(
            r#"replied to your thread <a href="/post/{thread}#c-{comment}">How do I reset my router?</a>"#
        )),
        "{}",
        page.text
    );
    assert!(
        page.text.contains(&format!(
            r#"mentioned you in <a href="/post/{thread}#c-{second}">"#
        )),
        "{}",
        page.text
    );
    assert_eq!(page.text.matches(">Mark read</button>").count(), 2);
    assert!(page.text.contains(">Mark all read</button>"));

    let listed = ada_api.get("/notifications").await;
    let newest = listed.i64("/items/0/id");
    let marked = ada
        .submit("/notifications/read", &[("id", &newest.to_string())])
        .await;
    assert_eq!(marked.status, 303, "{}", marked.text);
    assert_eq!(marked.header("location"), "/notifications");
    assert_eq!(unread(&ada_api).await, 1);
    let unread_page = ada.open("/notifications?unread=1").await;
    assert_eq!(unread_page.text.matches(">Mark read</button>").count(), 1);
    assert!(!unread_page.text.contains(&format!("n-{newest}")));

    // Bob cannot mark ada's, nor mark anything without the form token.
    let bobs = plaza.browser_as("bob").await;
    bobs.open("/notifications").await;
    let others = bobs.submit("/notifications/read_all", &[]).await;
    assert_eq!(others.status, 303);
    assert_eq!(unread(&ada_api).await, 1);
    let forged = ada.submit_exactly("/notifications/read_all", &[]).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(unread(&ada_api).await, 1);
    let bad = ada.submit("/notifications/read", &[("id", "many")]).await;
    assert_html(&bad, 404);

    let all = ada.submit("/notifications/read_all", &[]).await;
    assert_eq!(all.status, 303, "{}", all.text);
    assert_eq!(unread(&ada_api).await, 0);
    let page = ada.open("/notifications").await;
    assert!(!page.text.contains(">Mark read</button>"), "{}", page.text);
    assert!(!page.text.contains(r#"class="unread""#), "{}", page.text);
}
