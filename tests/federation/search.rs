//! Search across two instances federating over loopback: content from the other server is found
//! once it arrives, and handles or URLs typed as a search are looked up there and stored here.

use plaza_tests::{Answer, Client, TestInstance, settle};
use serde_json::Value;

fn domain(instance: &TestInstance) -> String {
    instance.base.trim_start_matches("http://").to_owned()
}

async fn search(client: &Client, q: &str) -> Answer {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", q)
        .finish();
    let answer = client.get(&format!("/search?{encoded}")).await;
    assert_eq!(answer.status, 200, "{q}: {}", answer.body);
    answer
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_content_is_found_and_typed_handles_and_urls_resolve_to_local_copies() {
    let a = TestInstance::spawn().await;
    let b = TestInstance::spawn().await;
    let both = [&a, &b];
    b.with_group("support").await;
    let bea = b.member("bea").await;
    let early = bea
        .thread(
            "support",
            "Firmware rollback steps",
            "Hold reset for ten seconds.",
        )
        .await;
    let early_url = format!("{}/post/{early}", b.base);
    let ada = a.member("ada").await;
    let root = a.admin("root").await;
    let anon = a.anonymous();

    // A person elsewhere, unknown here: found by WebFinger and stored.
    let found = search(&anon, &format!("@bea@{}", domain(&b))).await;
    assert_eq!(found.at("/resolved/kind"), "person", "{}", found.body);
    assert_eq!(
        found.str("/resolved/href"),
        format!("/u/bea@{}", domain(&b))
    );
    let person_page = a.browse(&format!("/u/bea@{}", domain(&b))).await;
    assert_eq!(person_page.status, 200, "{}", person_page.text);

    // A group elsewhere: stored here, with no page of its own here.
    let found = search(&anon, &format!("!support@{}", domain(&b))).await;
    assert_eq!(found.at("/resolved/kind"), "group", "{}", found.body);
    assert_eq!(
        found.str("/resolved/name"),
        format!("support@{}", domain(&b))
    );
    assert!(found.at("/resolved/href").is_null());
    assert_eq!(found.str("/resolved/url"), format!("{}/g/support", b.base));

    // A thread in a group nobody here follows has no place here: its group is what is found.
    let found = search(&anon, &early_url).await;
    assert_eq!(found.at("/resolved/kind"), "group", "{}", found.body);

    // Once followed, new content arrives and is found like local content.
    let followed = ada
        .post(
            &format!("/groups/support@{}/follow", domain(&b)),
            &Value::Null,
        )
        .await;
    assert_eq!(followed.status, 200, "{}", followed.body);
    settle(&both).await;
    let later = bea
        .thread(
            "support",
            "Battery drains overnight",
            "Since the last update.",
        )
        .await;
    bea.reply(later, None, "Disable wake on LAN.").await;
    settle(&both).await;
    let found = search(&anon, "battery").await;
    assert_eq!(
        found.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        found.body
    );
    assert_eq!(found.at("/items/0/group/local"), false);
    assert!(found.at("/items/0/group/href").is_null());
    assert_eq!(
        found.str("/items/0/author/handle"),
        format!("bea@{}", domain(&b))
    );
    let later_here = found.i64("/items/0/thread_id");
    let found = search(&anon, "wake lan").await;
    assert_eq!(found.at("/items/0/kind"), "comment", "{}", found.body);
    assert_eq!(found.i64("/items/0/thread_id"), later_here);
    let page = a.browse("/search?q=battery").await;
    assert!(
        page.text.contains(&format!(
            r#"<a href="/post/{later_here}">Battery drains overnight</a>"#
        )),
        "{}",
        page.text
    );

    // The thread from before the follow is now fetched, stored, and opened here.
    let found = search(&anon, &early_url).await;
    assert_eq!(found.at("/resolved/kind"), "thread", "{}", found.body);
    let href = found.str("/resolved/href");
    let page = a
        .browse(&format!(
            "/search?q={}",
            url::form_urlencoded::byte_serialize(early_url.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(page.header("location"), href);
    assert_eq!(
        search(&anon, "rollback").await.at("/items/0/title"),
        "Firmware rollback steps"
    );

    // Content from a blocked instance is no longer found, and its server is not asked.
    let blocked = root
        .put(&format!("/admin/instances/{}/block", domain(&b)))
        .await;
    assert_eq!(blocked.status, 200, "{}", blocked.body);
    for q in ["battery", "wake", "rollback"] {
        let found = search(&anon, q).await;
        assert_eq!(
            found.at("/items"),
            &Value::Array(Vec::new()),
            "{q}: {}",
            found.body
        );
    }
    b.member("carl").await;
    let found = search(&anon, &format!("@carl@{}", domain(&b))).await;
    assert!(found.at("/resolved").is_null(), "{}", found.body);
}
