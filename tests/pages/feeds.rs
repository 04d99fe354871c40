use crate::instance_with_thread;

#[tokio::test]
async fn group_and_instance_feeds_parse_as_rss_and_atom_and_list_the_thread() {
    let (plaza, thread, _) = instance_with_thread().await;
    let mallory = plaza.member("mallory").await;
    mallory
        .thread("support", "Tom & Jerry <script>x</script>", "")
        .await;
    let link = format!("{}/post/{thread}", plaza.base);

    for path in ["/g/support/feed.rss", "/feed.rss"] {
        let feed = plaza.browse(path).await;
        assert_eq!(feed.status, 200, "{path}");
        assert!(
            feed.header("content-type")
                .starts_with("application/rss+xml")
        );
        let channel = rss::Channel::read_from(feed.text.as_bytes()).unwrap();
        let item = channel
            .items()
            .iter()
            .find(|i| i.title() == Some("How do I reset my router?"))
            .unwrap_or_else(|| panic!("{path}: {}", feed.text));
        assert_eq!(item.link(), Some(link.as_str()));
        assert!(
            channel
                .items()
                .iter()
                .any(|i| i.title() == Some("Tom & Jerry <script>x</script>")),
            "a title survives escaping: {}",
            feed.text
        );
    }
    for path in ["/g/support/feed.atom", "/feed.atom"] {
        let feed = plaza.browse(path).await;
        assert_eq!(feed.status, 200, "{path}");
        assert!(
            feed.header("content-type")
                .starts_with("application/atom+xml")
        );
        let atom = atom_syndication::Feed::read_from(feed.text.as_bytes()).unwrap();
        let entry = atom
            .entries()
            .iter()
            .find(|e| e.title().as_str() == "How do I reset my router?")
            .unwrap_or_else(|| panic!("{path}: {}", feed.text));
        assert_eq!(entry.id(), link);
        assert_eq!(entry.links()[0].href(), link);
    }
}

#[tokio::test]
async fn the_pages_link_their_feeds() {
    let (plaza, _, _) = instance_with_thread().await;
    let group = plaza.browse("/g/support").await;
    assert!(group.text.contains(
        r#"<link rel="alternate" type="application/rss+xml" title="Support (RSS)" href="/g/support/feed.rss">"#
    ), "{}", group.text);
    assert!(group.text.contains(
        r#"<link rel="alternate" type="application/atom+xml" title="Support (Atom)" href="/g/support/feed.atom">"#
    ));
}
