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
