//! Administration over the API: the instance's settings, its block list and its allow-list.

use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_renames_the_instance_and_closes_sign_ups() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let ada = plaza.member("ada").await;
    ada.patch("/instance", &json!({"name": "Mine now"}))
        .await
        .assert_error(403, "forbidden");
    admin
        .patch("/instance", &json!({"name": "   "}))
        .await
        .assert_error(422, "invalid");

    let changed = admin
        .patch(
            "/instance",
            &json!({"name": "Acme Support", "description": "Ask us anything", "registrations_open": false}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let info = plaza.anonymous().get("/instance").await;
    assert_eq!(info.at("/name"), "Acme Support");
    assert_eq!(info.at("/description"), "Ask us anything");
    assert_eq!(info.at("/registrations_open"), false);
    let refused = plaza
        .anonymous()
        .post(
            "/accounts",
            &json!({"name": "zed", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_blocks_and_unblocks_an_instance() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let ada = plaza.member("ada").await;
    ada.put("/admin/instances/evil.example/block")
        .await
        .assert_error(403, "forbidden");
    admin
        .put("/admin/instances/evil.example%2Fpath/block")
        .await
        .assert_error(422, "invalid");

    let blocked = admin.put("/admin/instances/Evil.Example/block").await;
    assert_eq!(blocked.status, 200, "{}", blocked.body);
    assert_eq!(blocked.at("/domain"), "evil.example");
    assert_eq!(blocked.at("/was_blocked"), false);
    let listed = admin.get("/admin/instances?blocked=true").await;
    assert_eq!(listed.at("/0/domain"), "evil.example");
    assert_eq!(listed.at("/0/blocked"), true);

    let unblocked = admin.delete("/admin/instances/evil.example/block").await;
    assert_eq!(unblocked.at("/was_blocked"), true);
    let listed = admin.get("/admin/instances?blocked=true").await;
    assert!(listed.body.as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_sets_and_clears_the_logo() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let ada = plaza.member("ada").await;
    ada.patch(
        "/instance",
        &json!({"icon_url": "https://brand.example/logo.png"}),
    )
    .await
    .assert_error(403, "forbidden");
    assert!(
        plaza
            .anonymous()
            .get("/instance")
            .await
            .at("/icon_url")
            .is_null()
    );

    let set = admin
        .patch(
            "/instance",
            &json!({"icon_url": "https://brand.example/logo.png"}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.at("/icon_url"), "https://brand.example/logo.png");
    // Other settings leave it as it is.
    admin.patch("/instance", &json!({"name": "Acme"})).await;
    let info = plaza.anonymous().get("/instance").await;
    assert_eq!(info.at("/icon_url"), "https://brand.example/logo.png");

    for bad in [
        "logo.png",
        "/static/logo.png",
        "javascript:alert(1)",
        "ftp://brand.example/l.png",
    ] {
        let refused = admin.patch("/instance", &json!({"icon_url": bad})).await;
        refused.assert_error(422, "invalid");
        assert_eq!(refused.at("/field"), "icon_url", "{bad}");
    }
    let refused = admin
        .patch("/instance", &json!({"icon_url": "logo.png"}))
        .await;
    assert!(
        refused.str("/message").contains("is not an absolute URL"),
        "{}",
        refused.body
    );
    assert_eq!(
        plaza.anonymous().get("/instance").await.at("/icon_url"),
        "https://brand.example/logo.png",
        "a refused change keeps the logo"
    );

    let cleared = admin.patch("/instance", &json!({"icon_url": ""})).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert!(cleared.at("/icon_url").is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn only_administrators_keep_the_allow_list_and_switch_its_mode() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    for refused in [
        ada.put("/admin/instances/friend.example/allow").await,
        ada.delete("/admin/instances/friend.example/allow").await,
        ada.put("/admin/federation/allowlist").await,
        ada.delete("/admin/federation/allowlist").await,
        ada.get("/admin/instances?allowed=true").await,
    ] {
        refused.assert_error(403, "forbidden");
    }
    plaza
        .anonymous()
        .put("/admin/federation/allowlist")
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(
        plaza
            .anonymous()
            .get("/instance")
            .await
            .at("/federation_allowlist"),
        false,
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_domain_for_the_allow_list_is_refused_with_a_reason() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let own = plaza.ctx.urls.domain().to_owned();
    for (path, expected) in [
        (
            "/admin/instances/friend.example%2Fpath/allow",
            "a domain has no '/'",
        ),
        (
            "/admin/instances/*.example/allow",
            "wildcards are not supported",
        ),
        (
            &format!("/admin/instances/{own}/allow") as &str,
            "it is always allowed",
        ),
    ] {
        let answer = admin.put(path).await;
        answer.assert_error(422, "invalid");
        assert_eq!(answer.at("/field"), "domain", "{path}");
        assert!(
            answer.str("/message").contains(expected),
            "{path}: {}",
            answer.body
        );
    }
    admin
        .delete(&format!("/admin/instances/{own}/allow"))
        .await
        .assert_error(422, "invalid");
    admin
        .get("/admin/instances?allowed=true&blocked=true")
        .await
        .assert_error(422, "invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_allows_instances_and_switches_allow_list_mode() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    admin.put("/admin/instances/stranger.example/block").await;
    admin
        .delete("/admin/instances/stranger.example/block")
        .await;

    let allowed = admin.put("/admin/instances/Friend.Example/allow").await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(allowed.at("/domain"), "friend.example");
    assert_eq!(allowed.at("/allowed"), true);
    assert_eq!(allowed.at("/was_allowed"), false);
    assert_eq!(allowed.at("/blocked"), false);
    let again = admin.put("/admin/instances/friend.example/allow").await;
    assert_eq!(again.at("/was_allowed"), true);

    let listed = admin.get("/admin/instances?allowed=true").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.body
    );
    assert_eq!(listed.at("/0/domain"), "friend.example");
    assert_eq!(listed.at("/0/allowed"), true);

    // Mode off: everyone not blocked federates.
    let all = admin.get("/admin/instances").await;
    assert_eq!(all.at("/1/domain"), "stranger.example", "{}", all.body);
    assert_eq!(all.at("/1/federating"), true);

    let on = admin.put("/admin/federation/allowlist").await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(on.at("/allowlist"), true);
    assert_eq!(on.at("/was_on"), false);
    assert_eq!(on.at("/allowed_instances"), 1);
    assert_eq!(
        plaza
            .anonymous()
            .get("/instance")
            .await
            .at("/federation_allowlist"),
        true
    );
    let all = admin.get("/admin/instances").await;
    assert_eq!(all.at("/0/domain"), "friend.example");
    assert_eq!(all.at("/0/federating"), true);
    assert_eq!(all.at("/1/federating"), false, "{}", all.body);

    // A block wins over an allow.
    admin.put("/admin/instances/friend.example/block").await;
    let all = admin.get("/admin/instances").await;
    assert_eq!(all.at("/0/federating"), false, "{}", all.body);
    let still = admin.put("/admin/instances/friend.example/allow").await;
    assert_eq!(still.at("/blocked"), true);
    admin.delete("/admin/instances/friend.example/block").await;

    let taken_off = admin.delete("/admin/instances/friend.example/allow").await;
    assert_eq!(taken_off.status, 200, "{}", taken_off.body);
    assert_eq!(taken_off.at("/allowed"), false);
    assert_eq!(taken_off.at("/was_allowed"), true);
    assert!(
        admin
            .get("/admin/instances?allowed=true")
            .await
            .body
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let off = admin.delete("/admin/federation/allowlist").await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(off.at("/allowlist"), false);
    assert_eq!(off.at("/was_on"), true);
    let all = admin.get("/admin/instances").await;
    assert_eq!(all.at("/1/federating"), true, "{}", all.body);
}
