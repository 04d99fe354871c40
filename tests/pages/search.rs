//! The search box in every page's header, the results page, and handles or URLs typed into it.

use plaza_tests::assert_inert;
use plaza_tests::queries::hostile_queries;

use crate::{assert_html, instance_with_thread};

fn search_path(pairs: &[(&str, &str)]) -> String {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/search?{encoded}")
}

#[tokio::test]
async fn every_page_has_a_search_box_in_its_header() {
    let (plaza, thread, _) = instance_with_thread().await;
    for path in [
        "/",
        "/g/support",
        &format!("/post/{thread}"),
        "/login",
        "/search",
    ] {
        let page = plaza.browse(path).await;
        assert_html(&page, 200);
        assert!(
            page.text
                .contains(r#"<form class="search" method="get" action="/search" role="search">"#),
            "{path}: {}",
            page.text
        );
    }
}

#[tokio::test]
async fn the_results_page_lists_threads_and_comments_with_their_context() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let page = plaza.browse(&search_path(&[("q", "router button")])).await;
    assert_html(&page, 200);
    assert!(
        page.text.contains("Nothing found"),
        "both words in no one text: {}",
        page.text
    );

    let page = plaza.browse(&search_path(&[("q", "button")])).await;
    assert_html(&page, 200);
    let text = &page.text;
    assert!(
        text.contains(&format!(
            r#"<a href="/post/{thread}#c-{comment}">How do I reset my router?</a>"#
        )),
        "{text}"
    );
    assert!(text.contains("Hold the button for ten seconds."), "{text}");
    assert!(
        text.contains(r#"<a href="/g/support">Support</a>"#),
        "{text}"
    );
    assert!(text.contains(">bob</a>"), "{text}");
    assert!(text.contains("<time datetime="), "{text}");
    // The header's box keeps the search.
    assert!(text.contains(r#"name="q" value="button""#), "{text}");

    let page = plaza
        .browse(&search_path(&[
            ("q", "router"),
            ("group", "support"),
            ("author", "ada"),
        ]))
        .await;
    assert!(
        page.text.contains(&format!(r#"<a href="/post/{thread}">"#)),
        "{}",
        page.text
    );
    let page = plaza
        .browse(&search_path(&[("q", "router"), ("author", "bob")]))
        .await;
    assert!(page.text.contains("Nothing found"), "{}", page.text);
}

#[tokio::test]
async fn any_text_typed_gives_a_results_page_and_stays_inert() {
    let (plaza, thread, _) = instance_with_thread().await;
    for query in hostile_queries() {
        let page = plaza
            .browse(&search_path(&[("q", &query), ("page", "x")]))
            .await;
        assert_html(&page, 200);
        assert_inert(&page.text);
    }
    for query in ["\"router", "router))", "reset*", "🔥router"] {
        let page = plaza.browse(&search_path(&[("q", query)])).await;
        assert!(
            page.text.contains(&format!(r#"<a href="/post/{thread}">"#)),
            "{query}: {}",
            page.text
        );
    }
}

#[tokio::test]
async fn a_local_handle_or_url_typed_opens_its_page() {
    let (plaza, thread, comment) = instance_with_thread().await;
    let domain = plaza.ctx.urls.domain().to_owned();
    for (typed, location) in [
        (format!("!support@{domain}"), "/g/support".to_owned()),
        (format!("@ada@{domain}"), "/u/ada".to_owned()),
        (
            format!("{}/post/{thread}", plaza.base),
            format!("/post/{thread}"),
        ),
        (
            format!("{}/comment/{comment}", plaza.base),
            format!("/post/{thread}#c-{comment}"),
        ),
        (format!("{}/g/support", plaza.base), "/g/support".to_owned()),
    ] {
        let page = plaza.browse(&search_path(&[("q", &typed)])).await;
        assert_eq!(page.status, 303, "{typed}: {}", page.text);
        assert_eq!(page.header("location"), location, "{typed}");
    }
    // A handle nobody has is searched as words.
    let page = plaza
        .browse(&search_path(&[("q", &format!("!nobody@{domain}"))]))
        .await;
    assert_html(&page, 200);
}
