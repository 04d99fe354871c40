//! The alerts page: staff see open incidents with links to their evidence, acknowledge and
//! resolve them, change rules and (administrators) the webhook by form; members are refused and
//! visitors sent to log in, without a word of any incident.

use plaza_tests::TestInstance;
use serde_json::json;

use crate::assert_html;

#[tokio::test(flavor = "multi_thread")]
async fn staff_handle_incidents_and_rules_on_the_alerts_page() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let rules = admin.get("/admin/alerts/rules").await;
    let words_rule = rules.body["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "watch_words")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let browser = plaza.browser_as("admin").await;
    let page = browser.open("/admin/alerts").await;
    assert_html(&page, 200);
    assert!(page.text.contains("Nothing open"), "{}", page.text);
    assert!(page.text.contains(r#"<a href="/admin/alerts">Alerts</a>"#));

    // Watch words are set with the rule's form.
    let saved = browser
        .submit(
            &format!("/admin/alerts/rules/{words_rule}"),
            &[
                ("enabled", "on"),
                ("group", ""),
                ("words", "refund\n<b>broken</b>"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let refused = browser
        .submit(
            &format!("/admin/alerts/rules/{words_rule}"),
            &[("enabled", "on"), ("threshold", "-3"), ("group", "")],
        )
        .await;
    assert_html(&refused, 422);
    assert!(refused.text.contains("threshold"), "{}", refused.text);

    let ann = plaza.member("ann").await;
    let thread = ann
        .thread("support", "<script>alert(1)</script> refund", "please")
        .await;
    plaza.evaluate_alerts().await;
    let page = browser.open("/admin/alerts").await;
    assert_html(&page, 200);
    let text = &page.text;
    assert!(text.contains("names refund"), "{text}");
    assert!(!text.contains("<script>alert"), "{text}");
    assert!(
        text.contains(&format!(r#"href="/post/{thread}""#)),
        "{text}"
    );
    let id = admin.get("/admin/alerts/incidents").await.body["incidents"][0]["id"]
        .as_i64()
        .unwrap();
    assert!(text.contains(&format!(r#"id="incident-{id}""#)), "{text}");

    let ack = browser
        .submit(&format!("/admin/alerts/incidents/{id}/acknowledge"), &[])
        .await;
    assert_eq!(ack.status, 303, "{}", ack.text);
    let resolved = browser
        .submit(&format!("/admin/alerts/incidents/{id}/resolve"), &[])
        .await;
    assert_eq!(resolved.status, 303, "{}", resolved.text);
    let open = browser.open("/admin/alerts").await;
    assert!(open.text.contains("Nothing open"), "{}", open.text);
    let past = browser.open("/admin/alerts?past=1").await;
    assert!(past.text.contains("names refund"), "{}", past.text);
    assert!(
        past.text.contains(r#"class="incident resolved""#),
        "{}",
        past.text
    );

    // The webhook, by form.
    let hook = browser
        .submit(
            "/admin/alerts/webhook",
            &[("url", "gopher://hooks.example/"), ("secret", "")],
        )
        .await;
    assert_html(&hook, 422);
    let hook = browser
        .submit(
            "/admin/alerts/webhook",
            &[("url", "http://127.0.0.1:9/hook"), ("secret", "")],
        )
        .await;
    assert_eq!(hook.status, 303, "{}", hook.text);
    let settings = admin.get("/admin/alerts/webhook").await;
    assert_eq!(settings.body["url"], json!("http://127.0.0.1:9/hook"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_alerts_page_is_closed_to_members_and_visitors() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let rules = admin.get("/admin/alerts/rules").await;
    let words_rule = rules.body["rules"][4]["id"].as_i64().unwrap();
    let set = admin
        .patch(
            &format!("/admin/alerts/rules/{words_rule}"),
            &json!({"words": ["refund"], "enabled": true}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let ann = plaza.member("ann").await;
    ann.thread("support", "Secret refund plan", "x").await;
    plaza.evaluate_alerts().await;
    let id = admin.get("/admin/alerts/incidents").await.body["incidents"][0]["id"]
        .as_i64()
        .unwrap();

    let page = plaza.browse("/admin/alerts").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), "/login?next=%2Fadmin%2Falerts");
    let mia = plaza.browser_as("ann").await;
    let page = mia.open("/admin/alerts").await;
    assert_html(&page, 403);
    assert!(!page.text.contains("Secret refund plan"), "{}", page.text);
    for path in [
        format!("/admin/alerts/incidents/{id}/resolve"),
        format!("/admin/alerts/rules/{words_rule}"),
        "/admin/alerts/webhook".to_owned(),
    ] {
        let refused = mia.submit(&path, &[("url", "http://127.0.0.1/")]).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.text);
    }
    let still = admin.get("/admin/alerts/incidents").await;
    assert_eq!(still.body["incidents"].as_array().unwrap().len(), 1);
    assert!(still.body["incidents"][0]["resolved_at"].is_null());
}
