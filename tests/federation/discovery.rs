use plaza_tests::TestInstance;

#[tokio::test(flavor = "multi_thread")]
async fn webfinger_finds_a_group_for_mastodon_and_lemmy_handles() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let domain = plaza.ctx.urls.domain().to_owned();
    let group_id = format!("{}/g/support", plaza.base);
    for resource in [
        format!("acct:support@{domain}"),
        format!("acct:Support@{}", domain.to_uppercase()),
        group_id.clone(),
    ] {
        let answer = plaza
            .fetch(
                &format!("/.well-known/webfinger?resource={resource}"),
                "application/jrd+json",
            )
            .await;
        assert_eq!(answer.status, 200, "{resource}: {}", answer.body);
        assert_eq!(
            answer.headers["content-type"], "application/jrd+json",
            "{resource}"
        );
        assert_eq!(answer.str("/subject"), format!("acct:support@{domain}"));
        let self_link = answer.body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "self")
            .unwrap();
        assert_eq!(self_link["href"], group_id.as_str());
        assert_eq!(self_link["type"], "application/activity+json");
        assert_eq!(
            self_link["properties"]["https://www.w3.org/ns/activitystreams#type"],
            "Group"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn webfinger_lists_the_group_first_when_a_person_has_the_same_name() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("support").await;
    let domain = plaza.ctx.urls.domain().to_owned();
    let answer = plaza
        .fetch(
            &format!("/.well-known/webfinger?resource=acct:support@{domain}"),
            "*/*",
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let kinds: Vec<&str> = answer.body["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rel"] == "self")
        .map(|l| {
            l["properties"]["https://www.w3.org/ns/activitystreams#type"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(kinds, ["Group", "Person"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn webfinger_refuses_other_domains_unknown_names_and_empty_queries() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let domain = plaza.ctx.urls.domain().to_owned();
    for (query, status) in [
        ("resource=acct:support@elsewhere.example".to_owned(), 404),
        (format!("resource=acct:nobody@{domain}"), 404),
        ("resource=".to_owned(), 400),
        (String::new(), 400),
    ] {
        let answer = plaza
            .fetch(&format!("/.well-known/webfinger?{query}"), "*/*")
            .await;
        assert_eq!(answer.status, status, "{query}: {}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn webfinger_finds_the_instance_actor_by_domain() {
    let plaza = TestInstance::spawn().await;
    let domain = plaza.ctx.urls.domain().to_owned();
    let answer = plaza
        .fetch(
            &format!("/.well-known/webfinger?resource=acct:{domain}@{domain}"),
            "*/*",
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.str("/links/0/href"), format!("{}/actor", plaza.base));
}

#[tokio::test(flavor = "multi_thread")]
async fn nodeinfo_links_both_versions_and_counts_local_activity() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Q", "?").await;
    ada.reply(thread, None, "A").await;

    let links = plaza
        .fetch("/.well-known/nodeinfo", "application/json")
        .await;
    assert_eq!(links.status, 200);
    let hrefs: Vec<&str> = links.body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        [
            format!("{}/nodeinfo/2.0", plaza.base),
            format!("{}/nodeinfo/2.1", plaza.base)
        ]
    );

    let info = plaza.fetch("/nodeinfo/2.1", "application/json").await;
    assert_eq!(info.status, 200, "{}", info.body);
    assert!(
        info.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("schema/2.1#"),
        "{:?}",
        info.headers["content-type"]
    );
    assert_eq!(info.at("/version"), "2.1");
    assert_eq!(info.at("/software/name"), "plaza");
    assert!(info.at("/software/repository").is_string());
    assert_eq!(info.at("/protocols/0"), "activitypub");
    assert_eq!(info.at("/openRegistrations"), true);
    // The admin and ada; only ada wrote anything.
    assert_eq!(info.at("/usage/users/total"), 2);
    assert_eq!(info.at("/usage/users/activeMonth"), 1);
    assert_eq!(info.at("/usage/users/activeHalfyear"), 1);
    assert_eq!(info.at("/usage/localPosts"), 1);
    assert_eq!(info.at("/usage/localComments"), 1);

    let old = plaza.fetch("/nodeinfo/2.0", "application/json").await;
    assert_eq!(old.at("/version"), "2.0");
    assert!(
        old.at("/software/repository").is_null(),
        "2.0 has no repository field"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn host_meta_points_at_webfinger() {
    let plaza = TestInstance::spawn().await;
    let response = reqwest::get(format!("{}/.well-known/host-meta", plaza.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xrd+xml")
    );
    let body = response.text().await.unwrap();
    let expected = format!(
        "template=\"{}/.well-known/webfinger?resource={{uri}}\"",
        plaza.base
    );
    assert!(body.contains(&expected), "{body}");
}
