use plaza_tests::TestInstance;

use crate::{LD_ACCEPT, MASTODON_ACCEPT};

#[tokio::test(flavor = "multi_thread")]
async fn the_group_actor_has_the_fields_lemmy_and_mastodon_read() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("boss").await;
    admin
        .post(
            "/groups",
            &serde_json::json!({"name": "support", "title": "Support", "description": "Ask **us**", "posting_restricted_to_mods": true}),
        )
        .await;
    let base = &plaza.base;
    for accept in [MASTODON_ACCEPT, LD_ACCEPT, "application/activity+json"] {
        let group = plaza.fetch("/g/support", accept).await;
        assert_eq!(group.status, 200, "{accept}: {}", group.body);
        assert_eq!(
            group.headers["content-type"], "application/activity+json; charset=utf-8",
            "{accept}"
        );
        assert_eq!(group.headers["vary"], "Accept");
        assert_eq!(
            group.at("/@context/0"),
            "https://www.w3.org/ns/activitystreams"
        );
        assert_eq!(group.at("/type"), "Group");
        assert_eq!(group.str("/id"), format!("{base}/g/support"));
        assert_eq!(group.at("/preferredUsername"), "support");
        assert_eq!(group.at("/name"), "Support");
        assert_eq!(group.at("/summary"), "<p>Ask <strong>us</strong></p>\n");
        assert_eq!(group.at("/source/content"), "Ask **us**");
        assert_eq!(group.at("/source/mediaType"), "text/markdown");
        assert_eq!(group.str("/inbox"), format!("{base}/g/support/inbox"));
        assert_eq!(group.str("/outbox"), format!("{base}/g/support/outbox"));
        assert_eq!(
            group.str("/followers"),
            format!("{base}/g/support/followers")
        );
        assert_eq!(group.str("/featured"), format!("{base}/g/support/featured"));
        assert_eq!(
            group.str("/attributedTo"),
            format!("{base}/g/support/moderators")
        );
        assert_eq!(group.str("/endpoints/sharedInbox"), format!("{base}/inbox"));
        assert_eq!(group.at("/postingRestrictedToMods"), true);
        assert_eq!(
            group.str("/publicKey/id"),
            format!("{base}/g/support#main-key")
        );
        assert_eq!(group.str("/publicKey/owner"), format!("{base}/g/support"));
        assert!(
            group
                .str("/publicKey/publicKeyPem")
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        assert!(
            group
                .at("/published")
                .as_str()
                .is_some_and(|p| p.ends_with('Z'))
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_actor_publishes_the_public_key_and_nothing_private() {
    let plaza = TestInstance::spawn().await;
    plaza
        .anonymous()
        .post(
            "/accounts",
            &serde_json::json!({"name": "ada", "password": plaza_tests::PASSWORD, "email": "ada@example.com"}),
        )
        .await;
    let person = plaza.fetch("/u/ada", MASTODON_ACCEPT).await;
    assert_eq!(person.status, 200, "{}", person.body);
    assert_eq!(person.at("/type"), "Person");
    assert_eq!(person.at("/preferredUsername"), "ada");
    assert_eq!(person.str("/inbox"), format!("{}/u/ada/inbox", plaza.base));
    assert!(person.str("/publicKey/publicKeyPem").contains("PUBLIC KEY"));
    let text = person.body.to_string();
    for secret in ["PRIVATE KEY", "ada@example.com", "argon2"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let outbox = plaza.fetch("/u/ada/outbox", MASTODON_ACCEPT).await;
    assert_eq!(outbox.at("/type"), "OrderedCollection");
    assert_eq!(outbox.at("/totalItems"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_instance_actor_is_an_application_with_a_key() {
    let plaza = TestInstance::spawn().await;
    let actor = plaza.fetch("/actor", MASTODON_ACCEPT).await;
    assert_eq!(actor.status, 200, "{}", actor.body);
    assert_eq!(actor.at("/type"), "Application");
    assert_eq!(actor.str("/id"), format!("{}/actor", plaza.base));
    assert_eq!(actor.str("/preferredUsername"), plaza.ctx.urls.domain());
    assert_eq!(
        actor.str("/publicKey/publicKeyPem"),
        plaza.ctx.instance_keys().public_pem
    );
    assert!(!actor.body.to_string().contains("PRIVATE KEY"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_instance_actor_carries_the_logo_and_the_description_as_html() {
    let plaza = TestInstance::spawn().await;
    let actor = plaza.fetch("/actor", MASTODON_ACCEPT).await;
    assert!(actor.at("/icon").is_null(), "{}", actor.body);
    let admin = plaza.admin("admin").await;
    let changed = admin
        .patch(
            "/instance",
            &serde_json::json!({
                "description": "Ask **us**",
                "icon_url": "https://brand.example/logo.png"
            }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let actor = plaza.fetch("/actor", MASTODON_ACCEPT).await;
    assert_eq!(actor.at("/icon/type"), "Image");
    assert_eq!(actor.at("/icon/url"), "https://brand.example/logo.png");
    assert_eq!(actor.at("/summary"), "<p>Ask <strong>us</strong></p>\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_actors_are_not_found() {
    let plaza = TestInstance::spawn().await;
    for path in [
        "/g/nothing",
        "/u/nobody",
        "/g/nothing/outbox",
        "/u/nobody/outbox",
    ] {
        let answer = plaza.fetch(path, MASTODON_ACCEPT).await;
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn group_collections_show_follower_count_moderators_pins_and_announced_threads() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let first = ada.thread("support", "First", "one").await;
    let second = ada.thread("support", "Second", "two").await;
    let base = &plaza.base;

    let followers = plaza.fetch("/g/support/followers", MASTODON_ACCEPT).await;
    assert_eq!(followers.at("/type"), "Collection");
    assert_eq!(followers.at("/totalItems"), 0);
    assert!(followers.at("/items").is_null(), "followers are not listed");

    let mods = plaza.fetch("/g/support/moderators", MASTODON_ACCEPT).await;
    assert_eq!(mods.at("/type"), "OrderedCollection");
    assert_eq!(mods.str("/orderedItems/0"), format!("{base}/u/admin"));

    let featured = plaza.fetch("/g/support/featured", MASTODON_ACCEPT).await;
    assert_eq!(featured.at("/totalItems"), 0);

    let outbox = plaza.fetch("/g/support/outbox", MASTODON_ACCEPT).await;
    assert_eq!(outbox.status, 200, "{}", outbox.body);
    assert_eq!(outbox.at("/totalItems"), 2);
    let announce = outbox.at("/orderedItems/0");
    assert_eq!(announce["type"], "Announce");
    assert_eq!(announce["actor"], format!("{base}/g/support"));
    assert_eq!(announce["cc"][0], format!("{base}/g/support/followers"));
    assert_eq!(announce["object"]["type"], "Create");
    assert_eq!(announce["object"]["actor"], format!("{base}/u/ada"));
    assert_eq!(
        announce["object"]["object"]["id"],
        format!("{base}/post/{second}")
    );
    assert_eq!(
        announce["id"],
        format!("{base}/activities/announce/create/post/{second}")
    );
    assert_eq!(
        outbox.at("/orderedItems/1/object/object/id"),
        format!("{base}/post/{first}").as_str()
    );
    // Activity ids are derived, so a second read gives the same document.
    let again = plaza.fetch("/g/support/outbox", MASTODON_ACCEPT).await;
    assert_eq!(outbox.body, again.body);
}

/// Lemmy looks for a site's actor at the origin (`https://host/`) with an ActivityPub `Accept`
/// header, to show the instance's name, description and icon; it used to get the home page's
/// HTML. The origin answers the instance actor's document (id `/actor`), and Lemmy's federation
/// library, finding another id than the URL it asked for on the same host, fetches `/actor`.
#[tokio::test(flavor = "multi_thread")]
async fn lemmy_finds_the_instance_actor_at_the_origin() {
    use plaza_federation::activitypub_federation::config::FederationConfig;
    use plaza_federation::activitypub_federation::fetch::fetch_object_http;

    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let changed = admin
        .patch(
            "/instance",
            &serde_json::json!({
                "name": "Brand Support",
                "description": "Ask **us**",
                "icon_url": "https://brand.example/logo.png"
            }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);

    for accept in ["application/activity+json", LD_ACCEPT] {
        let origin = plaza.fetch("/", accept).await;
        assert_eq!(origin.status, 200, "{}", origin.body);
        assert!(
            origin.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/activity+json")
        );
        assert_eq!(origin.headers["vary"], "Accept");
        assert_eq!(origin.at("/type"), "Application");
        assert_eq!(origin.str("/id"), format!("{}/actor", plaza.base));
        assert_eq!(origin.at("/name"), "Brand Support");
        assert_eq!(origin.at("/summary"), "<p>Ask <strong>us</strong></p>\n");
        assert_eq!(origin.at("/icon/url"), "https://brand.example/logo.png");
        assert_eq!(origin.body, plaza.fetch("/actor", accept).await.body);
    }
    let home = plaza.browse("/").await;
    assert_eq!(home.status, 200);
    assert!(home.header("content-type").starts_with("text/html"));
    assert_eq!(home.header("vary"), "Accept");

    // As Lemmy's fetch does it: the origin, then the id it names.
    let lemmy = FederationConfig::builder()
        .domain("lemmy.test")
        .app_data(())
        .debug(true)
        .build()
        .await
        .unwrap();
    let origin = url::Url::parse(&format!("{}/", plaza.base)).unwrap();
    let fetched = fetch_object_http::<_, serde_json::Value>(&origin, &lemmy.to_request_data())
        .await
        .unwrap();
    assert_eq!(fetched.url.as_str(), format!("{}/actor", plaza.base));
    assert_eq!(fetched.object["name"], "Brand Support");
}
