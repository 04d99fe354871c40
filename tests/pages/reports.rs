//! Reporting from the pages and the moderators' queue: the Report links, the form and its
//! refusals, and the queue with its Remove and Resolve buttons.

use plaza_tests::TestInstance;

use crate::{assert_html, instance_with_thread};

async fn open_reports(plaza: &TestInstance) -> Vec<serde_json::Value> {
    let queue = plaza
        .login("admin")
        .await
        .get("/groups/support/reports")
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    queue.at("/items").as_array().unwrap().clone()
}

#[tokio::test]
async fn signed_in_people_get_report_links_and_a_form_that_stores_the_report() {
    let (plaza, thread, comment) = instance_with_thread().await;
    plaza.member("cleo").await;
    let anonymous = plaza.browse(&format!("/post/{thread}")).await;
    assert!(!anonymous.text.contains("/report\""), "{}", anonymous.text);
    let form = plaza.browse(&format!("/comment/{comment}/report")).await;
    assert_eq!(form.status, 303);
    assert_eq!(
        form.header("location"),
        format!("/login?next=%2Fcomment%2F{comment}%2Freport")
    );

    let cleo = plaza.browser_as("cleo").await;
    let page = cleo.open(&format!("/post/{thread}")).await;
    assert!(
        page.text
            .contains(&format!(r#"href="/post/{thread}/report">Report</a>"#)),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!(r#"href="/comment/{comment}/report">Report</a>"#))
    );

    let form = cleo.open(&format!("/comment/{comment}/report")).await;
    assert_html(&form, 200);
    assert!(
        form.text.contains("Hold the button for ten seconds."),
        "the comment is quoted: {}",
        form.text
    );
    let empty = cleo
        .submit(&format!("/comment/{comment}/report"), &[("reason", "  ")])
        .await;
    assert_html(&empty, 422);
    assert!(
        empty.text.contains("The reason must not be empty."),
        "{}",
        empty.text
    );
    let long = "x".repeat(1_001);
    let too_long = cleo
        .submit(&format!("/post/{thread}/report"), &[("reason", &long)])
        .await;
    assert_html(&too_long, 422);
    assert!(too_long.text.contains(&long), "the typed reason is kept");
    assert!(open_reports(&plaza).await.is_empty());

    let sent = cleo
        .submit(
            &format!("/comment/{comment}/report"),
            &[("reason", "Dangerous advice")],
        )
        .await;
    assert_html(&sent, 200);
    assert!(sent.text.contains("Report sent"), "{}", sent.text);
    assert!(
        sent.text
            .contains(&format!(r#"href="/post/{thread}#c-{comment}""#))
    );
    let reports = open_reports(&plaza).await;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["reason"], "Dangerous advice");
    assert_eq!(reports[0]["comment_id"], comment);
}

#[tokio::test]
async fn what_is_gone_or_missing_cannot_be_reported() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let bob = plaza.login("bob").await;
    assert_eq!(
        bob.delete(&format!("/comments/{comment}")).await.status,
        204
    );
    let bob = plaza.browser_as("bob").await;
    assert_html(&bob.open(&format!("/comment/{comment}/report")).await, 410);
    bob.open(&format!("/post/{thread}")).await;
    let refused = bob
        .submit(&format!("/comment/{comment}/report"), &[("reason", "spam")])
        .await;
    assert_html(&refused, 410);
    assert_html(&bob.open("/post/999999/report").await, 404);
    let missing = bob
        .submit("/post/999999/report", &[("reason", "spam")])
        .await;
    assert_html(&missing, 404);
    assert!(open_reports(&plaza).await.is_empty());
}

#[tokio::test]
async fn the_queue_is_for_moderators_and_removes_and_resolves_in_place() {
    let (plaza, thread, comment) = instance_with_thread().await;
    plaza.member("cleo").await;
    let cleo = plaza.browser_as("cleo").await;
    cleo.open(&format!("/post/{thread}")).await;
    for (path, reason) in [
        (format!("/comment/{comment}/report"), "Rude"),
        (format!("/post/{thread}/report"), "Duplicate"),
    ] {
        let sent = cleo.submit(&path, &[("reason", reason)]).await;
        assert_html(&sent, 200);
    }

    let anonymous = plaza.browse("/g/support/reports").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.header("location"),
        "/login?next=%2Fg%2Fsupport%2Freports"
    );
    assert_html(&cleo.open("/g/support/reports").await, 403);

    let admin = plaza.browser_as("admin").await;
    let group = admin.open("/g/support").await;
    assert!(
        group
            .text
            .contains(r#"href="/g/support/reports">Reports</a>"#),
        "{}",
        group.text
    );
    let queue = admin.open("/g/support/reports").await;
    assert_html(&queue, 200);
    for expected in [
        "Rude",
        "Duplicate",
        "How do I reset my router?",
        &format!(r#"href="/post/{thread}#c-{comment}""#),
        r#"href="/u/cleo""#,
        r#"<button type="submit">Resolve</button>"#,
        &format!(r#"action="/comment/{comment}/moderate""#),
        r#"name="back" value="/g/support/reports""#,
    ] {
        assert!(queue.text.contains(expected), "{expected}: {}", queue.text);
    }

    let removed = admin
        .submit(
            &format!("/comment/{comment}/moderate"),
            &[
                ("action", "remove"),
                ("reason", "rude"),
                ("back", "/g/support/reports"),
            ],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.text);
    assert_eq!(removed.header("location"), "/g/support/reports");
    let queue = admin.open("/g/support/reports").await;
    assert!(
        queue.text.contains(r#"<span class="mark">removed</span>"#),
        "{}",
        queue.text
    );
    // A `back` that leaves the site is not followed.
    let elsewhere = admin
        .submit(
            &format!("/comment/{comment}/moderate"),
            &[("action", "restore"), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(elsewhere.header("location"), "/");

    let reports = open_reports(&plaza).await;
    let first = reports[0]["id"].as_i64().unwrap();
    let refused = cleo
        .submit(&format!("/g/support/reports/{first}/resolve"), &[])
        .await;
    assert_html(&refused, 403);
    assert_eq!(open_reports(&plaza).await.len(), 2);
    let resolved = admin
        .submit(&format!("/g/support/reports/{first}/resolve"), &[])
        .await;
    assert_eq!(resolved.status, 303, "{}", resolved.text);
    assert_eq!(resolved.header("location"), "/g/support/reports");
    let left = open_reports(&plaza).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["reason"], "Duplicate");
}
