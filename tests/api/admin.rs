//! Administration over the API: the instance's settings and its block list.

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
