//! E-mail over the API, against a real SMTP server on loopback: address verification, mail for
//! notifications only when verified and wanted, password reset end to end, and digests.

use std::time::Duration;

use plaza_tests::smtp::SmtpServer;
use plaza_tests::{Client, PASSWORD, TestInstance};
use reqwest::Method;
use serde_json::json;

async fn set_email(client: &Client, email: &str) -> plaza_tests::Answer {
    client
        .send(Method::PUT, "/me/email", Some(&json!({ "email": email })))
        .await
}

fn token_of(link: &str) -> String {
    link.split_once("token=").expect("a token").1.to_owned()
}

/// Long enough for the worker (polling every 100 ms) to have sent anything queued.
async fn quiet() {
    tokio::time::sleep(Duration::from_millis(800)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_is_mailed_only_to_a_verified_address_that_wants_it() {
    let smtp = SmtpServer::start().await;
    let plaza = TestInstance::spawn_mailing(&smtp).await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let thread = ada.thread("support", "Printer jams", "Since Monday").await;

    let set = set_email(&ada, " Ada@Example.com ").await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.str("/email"), "ada@example.com");
    assert_eq!(set.at("/email_verified"), false);
    assert_eq!(set.at("/mail_enabled"), true);
    let wants = ada
        .patch("/me/mail", &json!({ "replies": "instant" }))
        .await;
    assert_eq!(wants.status, 200, "{}", wants.body);
    assert_eq!(wants.str("/preferences/replies"), "instant");
    assert_eq!(wants.str("/preferences/mentions"), "off");

    let mails = smtp.wait_for("ada@example.com", 1).await;
    assert!(
        mails[0].subject.contains("Confirm your e-mail address"),
        "{mails:?}"
    );
    let link = mails[0]
        .link(&format!("{}/verify-email?token=", plaza.base))
        .expect("a verification link");

    // Not verified yet: the reply is a notification, not a mail.
    bob.reply(thread, None, "Try a new cartridge").await;
    quiet().await;
    assert_eq!(smtp.mails_to("ada@example.com").len(), 1);

    let page = plaza.browse(link.trim_start_matches(&plaza.base)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Address verified"), "{}", page.text);
    assert_eq!(ada.get("/me/mail").await.at("/email_verified"), true);
    // A link works once.
    let again = plaza
        .anonymous()
        .post("/auth/verify-email", &json!({ "token": token_of(&link) }))
        .await;
    again.assert_error(422, "invalid");

    bob.reply(thread, None, "Or clean the rollers").await;
    let mails = smtp.wait_for("ada@example.com", 2).await;
    assert!(
        mails[1].subject.contains("bob replied to your thread"),
        "{mails:?}"
    );
    assert!(mails[1].body.contains("Printer jams"), "{}", mails[1].body);
    assert!(
        mails[1]
            .body
            .contains(&format!("{}/settings/mail", plaza.base)),
        "every mail links to the preferences: {}",
        mails[1].body
    );

    // Not wanted any more: no mail.
    ada.patch("/me/mail", &json!({ "replies": "off" })).await;
    bob.reply(thread, None, "Anyone?").await;
    quiet().await;
    assert_eq!(smtp.mails_to("ada@example.com").len(), 2);
    assert!(smtp.mails_to("bob").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let smtp = SmtpServer::start().await;
    let plaza = TestInstance::spawn_mailing(&smtp).await;
    let ada = plaza.member("ada").await;
    plaza.verify_email(&smtp, &ada, "ada@example.com").await;
    let other_session = plaza.login("ada").await;
    let chosen = ada.patch("/me/mail", &json!({ "replies": "digest" })).await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);

    let asked = plaza
        .anonymous()
        .post("/auth/password-reset", &json!({ "name_or_email": "ada" }))
        .await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    // Nobody by that name: the very same answer, and no mail.
    let unknown = plaza
        .anonymous()
        .post(
            "/auth/password-reset",
            &json!({ "name_or_email": "nobody@example.com" }),
        )
        .await;
    assert_eq!(unknown.status, asked.status);
    assert_eq!(unknown.body, asked.body);

    let mails = smtp.wait_for("ada@example.com", 2).await;
    assert!(
        mails[1].subject.contains("Reset your password"),
        "{mails:?}"
    );
    let link = mails[1]
        .link(&format!("{}/reset-password?token=", plaza.base))
        .expect("a reset link");
    let token = token_of(&link);

    let too_short = plaza
        .anonymous()
        .post(
            "/auth/password-reset/confirm",
            &json!({ "token": token, "password": "short" }),
        )
        .await;
    too_short.assert_error(422, "invalid");
    let done = plaza
        .anonymous()
        .post(
            "/auth/password-reset/confirm",
            &json!({ "token": token, "password": "a brand new password" }),
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.body);

    assert_eq!(ada.get("/me").await.status, 401);
    assert_eq!(other_session.get("/me").await.status, 401);
    let old = plaza
        .anonymous()
        .post(
            "/auth/login",
            &json!({ "name": "ada", "password": PASSWORD }),
        )
        .await;
    assert_eq!(old.status, 401);
    let new = plaza
        .anonymous()
        .post(
            "/auth/login",
            &json!({ "name": "ada", "password": "a brand new password" }),
        )
        .await;
    assert_eq!(new.status, 200, "{}", new.body);
    // A new password keeps what the person chose for their mail.
    let settings = plaza
        .anonymous()
        .with_token(new.str("/token"))
        .get("/me/mail")
        .await;
    assert_eq!(
        settings.at("/preferences/replies"),
        "digest",
        "{}",
        settings.body
    );
    let reused = plaza
        .anonymous()
        .post(
            "/auth/password-reset/confirm",
            &json!({ "token": token, "password": "yet another password" }),
        )
        .await;
    reused.assert_error(422, "invalid");

    assert!(smtp.mails_to("nobody").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_reset_link_does_not_work() {
    let smtp = SmtpServer::start().await;
    let plaza = TestInstance::spawn_mailing(&smtp).await;
    let ada = plaza.member("ada").await;
    plaza.verify_email(&smtp, &ada, "ada@example.com").await;
    // Asked by address, in any case.
    let asked = plaza
        .anonymous()
        .post(
            "/auth/password-reset",
            &json!({ "name_or_email": "ADA@example.com" }),
        )
        .await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    let mails = smtp.wait_for("ada@example.com", 2).await;
    let token = token_of(
        &mails[1]
            .link(&format!("{}/reset-password?token=", plaza.base))
            .unwrap(),
    );
    plaza_db::testing::expire_mail_tokens(&plaza.ctx.db)
        .await
        .unwrap();
    let expired = plaza
        .anonymous()
        .post(
            "/auth/password-reset/confirm",
            &json!({ "token": token, "password": "yet another password" }),
        )
        .await;
    expired.assert_error(422, "invalid");
    let old = plaza
        .anonymous()
        .post(
            "/auth/login",
            &json!({ "name": "ada", "password": PASSWORD }),
        )
        .await;
    assert_eq!(old.status, 200, "the password stays: {}", old.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_mail_server_a_reset_says_so_and_nothing_is_queued() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let set = set_email(&ada, "ada@example.com").await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.at("/mail_enabled"), false);
    let asked = plaza
        .anonymous()
        .post("/auth/password-reset", &json!({ "name_or_email": "ada" }))
        .await;
    asked.assert_error(503, "unavailable");
    let bad = ada.patch("/me/mail", &json!({ "replies": "hourly" })).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let unknown = ada
        .patch("/me/mail", &json!({ "weather": "instant" }))
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_lists_the_unread_notifications_and_is_sent_once() {
    let smtp = SmtpServer::start().await;
    let plaza = TestInstance::spawn_mailing(&smtp).await;
    let _admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    plaza.verify_email(&smtp, &ada, "ada@example.com").await;
    ada.patch(
        "/me/mail",
        &json!({ "replies": "digest", "mentions": "digest" }),
    )
    .await;
    let thread = ada.thread("support", "Printer jams", "Since Monday").await;
    bob.reply(thread, None, "Try a new cartridge").await;
    bob.reply(thread, None, "Hello @ada, any luck?").await;
    quiet().await;
    // Digests only: nothing yet.
    assert_eq!(smtp.mails_to("ada@example.com").len(), 1);

    let tomorrow = plaza_db::now() + chrono::TimeDelta::hours(25);
    let queued = plaza_core::mail::sender::queue_digests(&plaza.ctx, tomorrow)
        .await
        .unwrap();
    assert_eq!(queued, 1);
    // The same moment again, as a second worker or a restart would: nothing more.
    let again = plaza_core::mail::sender::queue_digests(&plaza.ctx, tomorrow)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let mails = smtp.wait_for("ada@example.com", 2).await;
    assert!(
        mails[1].subject.contains("unread notifications"),
        "{mails:?}"
    );
    assert!(
        mails[1].body.contains("bob replied to your thread"),
        "{}",
        mails[1].body
    );
    quiet().await;
    assert_eq!(smtp.mails_to("ada@example.com").len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_up_with_an_address_mails_its_verification_link_and_a_deleted_account_gets_no_more_mail()
 {
    let smtp = SmtpServer::start().await;
    let plaza = TestInstance::spawn_mailing(&smtp).await;
    let signed_up = plaza
        .anonymous()
        .post(
            "/accounts",
            &json!({ "name": "cyd", "password": PASSWORD, "email": "cyd@example.com" }),
        )
        .await;
    assert_eq!(signed_up.status, 201, "{}", signed_up.body);
    let mails = smtp.wait_for("cyd@example.com", 1).await;
    assert!(
        mails[0]
            .link(&format!("{}/verify-email?token=", plaza.base))
            .is_some(),
        "{mails:?}"
    );
    let cyd = plaza.anonymous().with_token(signed_up.str("/token"));
    let too_long = set_email(&cyd, &format!("{}@example.com", "a".repeat(10_000))).await;
    too_long.assert_error(422, "invalid");
    assert_eq!(cyd.get("/me/mail").await.str("/email"), "cyd@example.com");

    let deleted = cyd
        .delete_with("/me", &json!({ "password": PASSWORD }))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let asked = plaza
        .anonymous()
        .post("/auth/password-reset", &json!({ "name_or_email": "cyd" }))
        .await;
    assert_eq!(asked.status, 202);
    quiet().await;
    assert_eq!(smtp.mails_to("cyd@example.com").len(), 1);
}
