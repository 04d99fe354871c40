use plaza_tests::assert_inert;

use crate::{TestInstance, assert_html};

const CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' https: data:; style-src 'self'";

const NASTY: &str =
    "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1))";

#[tokio::test]
async fn script_in_titles_and_comments_is_shown_as_text_never_run() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let mallory = plaza.member("mallory").await;
    let title = "<script>alert(1)</script><img src=x onerror=alert(1)>";
    let thread = mallory.thread("support", title, NASTY).await;
    mallory.reply(thread, None, NASTY).await;

    for path in [
        format!("/post/{thread}"),
        "/g/support".to_owned(),
        "/".to_owned(),
    ] {
        let page = plaza.browse(&path).await;
        assert_html(&page, 200);
        assert_inert(&page.text);
    }
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert!(
        page.text.contains(
            "&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;"
        ),
        "the title is shown escaped: {}",
        page.text
    );
}

#[tokio::test]
async fn every_page_carries_the_content_security_policy_and_safety_headers() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    for path in ["/", "/g/support", "/g/nothing", "/g/support/follow"] {
        let page = plaza.browse(path).await;
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(page.header("content-security-policy"), CSP, "{path}");
        assert_eq!(page.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(page.header("referrer-policy"), "same-origin", "{path}");
    }
    let css = plaza.browse("/static/plaza.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
}

#[tokio::test]
async fn no_public_page_feed_or_document_shows_emails_keys_hashes_or_tokens() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let signed_up = plaza
        .anonymous()
        .post(
            "/accounts",
            &serde_json::json!({"name": "ada", "password": plaza_tests::PASSWORD, "email": "ada@mail.example"}),
        )
        .await;
    assert_eq!(signed_up.status, 201);
    let ada = plaza.anonymous().with_token(signed_up.str("/token"));
    let thread = ada.thread("support", "A question", "Hello").await;
    let comment = ada.reply(thread, None, "More detail").await;
    let session = plaza
        .browser_as("ada")
        .await
        .cookie("plaza_session")
        .unwrap();
    let token = signed_up.str("/token");

    let secrets = [
        "ada@mail.example",
        "PRIVATE KEY",
        "$argon2",
        &token,
        &session,
    ];
    let paths = [
        "/".to_owned(),
        "/g/support".to_owned(),
        format!("/post/{thread}"),
        format!("/comment/{comment}"),
        "/u/ada".to_owned(),
        "/feed.rss".to_owned(),
        "/feed.atom".to_owned(),
        "/g/support/feed.rss".to_owned(),
    ];
    for path in &paths {
        let page = plaza.browse(path).await;
        assert_eq!(page.status, 200, "{path}");
        for secret in secrets {
            assert!(!page.text.contains(secret), "{secret} on {path}");
        }
    }
    for path in ["/u/ada", "/g/support", &format!("/post/{thread}")] {
        let document = plaza.fetch(path, "application/activity+json").await;
        assert_eq!(document.status, 200, "{path}");
        for secret in secrets {
            assert!(
                !document.body.to_string().contains(secret),
                "{secret} in {path}"
            );
        }
    }
    for path in [
        "/groups/support",
        &format!("/threads/{thread}"),
        "/instance",
    ] {
        let answer = plaza.anonymous().get(path).await;
        assert_eq!(answer.status, 200, "{path}");
        for secret in secrets {
            assert!(
                !answer.body.to_string().contains(secret),
                "{secret} in /api/v1{path}"
            );
        }
    }
}
