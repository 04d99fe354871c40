use plaza_tests::BROWSER_ACCEPT;

use crate::{assert_html, instance_with_thread};

const ACTIVITY_JSON: &str = "application/activity+json";
const LD_JSON: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

#[tokio::test]
async fn a_browser_gets_the_page_and_a_server_gets_the_activitypub_document_at_every_shared_url() {
    let (plaza, thread, comment) = instance_with_thread().await;
    for path in [
        "/g/support".to_owned(),
        "/u/ada".to_owned(),
        format!("/post/{thread}"),
        format!("/comment/{comment}"),
    ] {
        let page = plaza.browse(&path).await;
        assert_html(&page, 200);
        assert_eq!(page.header("vary"), "Accept", "{path}");

        for accept in [
            ACTIVITY_JSON,
            LD_JSON,
            "application/activity+json, application/ld+json",
        ] {
            let document = plaza.fetch(&path, accept).await;
            assert_eq!(document.status, 200, "{path} {accept}: {}", document.body);
            assert_eq!(
                document.headers["content-type"], "application/activity+json; charset=utf-8",
                "{path} {accept}"
            );
            assert_eq!(document.headers["vary"], "Accept", "{path} {accept}");
            assert_eq!(
                document.str("/id"),
                format!("{}{path}", plaza.base),
                "{path} {accept}"
            );
        }
    }
}

#[tokio::test]
async fn a_request_that_prefers_html_over_activitypub_or_names_no_type_gets_the_page() {
    let (plaza, thread, _) = instance_with_thread().await;
    let path = format!("/post/{thread}");
    for accept in [
        BROWSER_ACCEPT,
        "*/*",
        "text/html, application/activity+json;q=0.5",
    ] {
        let page = plaza.fetch(&path, accept).await;
        assert_eq!(page.status, 200, "{accept}");
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{accept}"
        );
    }
}

#[tokio::test]
async fn a_server_asking_for_something_missing_still_gets_the_json_error() {
    let (plaza, _, _) = instance_with_thread().await;
    let missing = plaza.fetch("/g/nothing", ACTIVITY_JSON).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.str("/error"), "not_found");
    assert_eq!(missing.headers["vary"], "Accept");
}
