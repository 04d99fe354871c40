use std::time::Duration;

use plaza_core::Settings;
use plaza_tests::{PASSWORD, TestInstance};
use plaza_web::WebConfig;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_returns_a_token_that_identifies_the_account() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let me = ada.get("/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.at("/name"), "ada");
    assert_eq!(me.at("/admin"), false);
    let domain = plaza.ctx.urls.domain().to_owned();
    assert_eq!(me.str("/handle"), format!("ada@{domain}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_taken_name_is_a_conflict() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let again = plaza
        .anonymous()
        .post("/accounts", &json!({"name": "ada", "password": PASSWORD}))
        .await;
    again.assert_error(409, "conflict");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_names_passwords_and_emails_are_refused_with_the_field_named() {
    let plaza = TestInstance::spawn().await;
    let anon = plaza.anonymous();
    let cases = [
        (
            json!({"name": "Ada Lovelace", "password": PASSWORD}),
            "name",
        ),
        (json!({"name": "", "password": PASSWORD}), "name"),
        (json!({"name": "ada", "password": "short"}), "password"),
        (
            json!({"name": "ada", "password": PASSWORD, "email": "nope"}),
            "email",
        ),
    ];
    for (body, field) in cases {
        let answer = anon.post("/accounts", &body).await;
        answer.assert_error(422, "invalid");
        assert_eq!(answer.at("/field"), field, "{body}");
    }
    // Nothing was created along the way.
    let login = anon
        .post("/auth/login", &json!({"name": "ada", "password": PASSWORD}))
        .await;
    login.assert_error(401, "unauthorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_and_an_unknown_name_get_the_same_answer() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let anon = plaza.anonymous();
    let wrong = anon
        .post(
            "/auth/login",
            &json!({"name": "ada", "password": "not the password"}),
        )
        .await;
    let unknown = anon
        .post(
            "/auth/login",
            &json!({"name": "nobody", "password": PASSWORD}),
        )
        .await;
    wrong.assert_error(401, "unauthorized");
    unknown.assert_error(401, "unauthorized");
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_without_a_valid_token_are_unauthorized() {
    let plaza = TestInstance::spawn().await;
    let missing = plaza.anonymous().get("/me").await;
    missing.assert_error(401, "unauthorized");
    assert!(
        missing.headers.get("www-authenticate").is_some(),
        "401 without WWW-Authenticate"
    );
    let forged = plaza
        .anonymous()
        .with_token("f00d".repeat(16))
        .get("/me")
        .await;
    forged.assert_error(401, "unauthorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refused_with_a_hint_to_log_in_again() {
    let settings = Settings {
        token_lifetime: Duration::ZERO,
        ..Settings::default()
    };
    let plaza = TestInstance::spawn_with(settings, WebConfig::default()).await;
    let ada = plaza.member("ada").await;
    let answer = ada.get("/me").await;
    answer.assert_error(401, "unauthorized");
    assert!(
        answer.str("/message").contains("expired"),
        "{}",
        answer.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_revokes_the_token() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let out = ada.post("/auth/logout", &json!({})).await;
    assert_eq!(out.status, 204, "{}", out.body);
    ada.get("/me").await.assert_error(401, "unauthorized");
    // Logging in again works.
    let again = plaza.login("ada").await;
    assert_eq!(again.get("/me").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn administrators_create_accounts_and_members_cannot() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("boss").await;
    let created = admin
        .post(
            "/admin/accounts",
            &json!({"name": "staffer", "password": PASSWORD, "admin": false}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.at("/name"), "staffer");
    let staffer = plaza.login("staffer").await;
    staffer
        .post(
            "/admin/accounts",
            &json!({"name": "x", "password": PASSWORD}),
        )
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test]
async fn the_last_administrator_cannot_delete_their_account_but_one_of_two_can() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.admin("ada").await;
    let refused = ada.delete_with("/me", &json!({"password": PASSWORD})).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.to_string().contains("last administrator"),
        "{}",
        refused.body
    );
    assert_eq!(ada.get("/me").await.status, 200, "nothing was erased");

    let bea = plaza.admin("bea").await;
    let deleted = ada.delete_with("/me", &json!({"password": PASSWORD})).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    // Bea is now the last one.
    let refused = bea.delete_with("/me", &json!({"password": PASSWORD})).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
}
