//! A corpus of XSS vectors (`tests/fixtures/xss.txt`) sent as local Markdown through the API and
//! as remote HTML through the signed inbox: none of them reaches a page as live markup.

use plaza_tests::{TestInstance, assert_inert};

use crate::remote::FakeRemote;

fn corpus() -> Vec<String> {
    let path = format!("{}/fixtures/xss.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn xss_vectors_from_markdown_and_remote_html_never_reach_a_page_as_markup() {
    // One member posts the whole corpus: more than the posting rate limit allows.
    let web = plaza_web::WebConfig {
        rate_limits: plaza_web::rate_limit::RateLimits::unlimited(),
        ..plaza_web::WebConfig::default()
    };
    let plaza = TestInstance::spawn_with(plaza_core::Settings::default(), web).await;
    plaza.with_group("support").await;
    let mallory = plaza.member("mallory").await;
    let vectors = corpus();
    assert!(vectors.len() >= 30, "{} vectors", vectors.len());
    let thread = mallory
        .thread(
            "support",
            "<script>alert(1)</script>",
            &vectors.join("\n\n"),
        )
        .await;
    for vector in &vectors {
        mallory.reply(thread, None, vector).await;
    }

    let remote = FakeRemote::start_as(Some("lemmy"), "/u/bob").await;
    for (n, vector) in vectors.iter().enumerate() {
        let (status, body) = remote
            .send_reply(&plaza, "support", thread, n, vector)
            .await;
        assert_eq!(status, 202, "{vector}: {body}");
    }
    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(
        view.at("/comments").as_array().unwrap().len(),
        2 * vectors.len(),
        "every reply was stored"
    );

    for path in [
        format!("/post/{thread}"),
        "/g/support".to_owned(),
        "/".to_owned(),
    ] {
        let page = plaza.browse(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_inert(&page.text);
    }
    // The API's HTML bodies are the same cleaned HTML.
    for comment in view.at("/comments").as_array().unwrap() {
        assert_inert(comment["body"].as_str().unwrap());
    }
}
