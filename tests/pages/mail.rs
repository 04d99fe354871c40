//! The e-mail pages: the settings page, and a forgotten password from the form to the mailed
//! link, with a real SMTP server on loopback.

use plaza_tests::TestInstance;
use plaza_tests::smtp::SmtpServer;

#[tokio::test(flavor = "multi_thread")]
async fn a_forgotten_password_is_reset_through_the_mailed_link_and_the_form_tells_nobody_who_exists()
 {
    let smtp = SmtpServer::start().await;
    let plaza = TestInstance::spawn_mailing(&smtp).await;
    let ada = plaza.member("ada").await;
    plaza.verify_email(&smtp, &ada, "ada@example.com").await;

    let browser = plaza.browser();
    let login = browser.open("/login").await;
    assert!(
        login.text.contains("href=\"/forgot-password\""),
        "{}",
        login.text
    );
    let form = browser.open("/forgot-password").await;
    assert_eq!(form.status, 200, "{}", form.text);
    let unknown = browser
        .submit("/forgot-password", &[("name_or_email", "nobody")])
        .await;
    let known = browser
        .submit("/forgot-password", &[("name_or_email", "ada@example.com")])
        .await;
    assert_eq!(unknown.status, 200, "{}", unknown.text);
    assert_eq!(known.status, unknown.status);
    assert!(known.text.contains("If an account"), "{}", known.text);
    let strip_csrf = |text: &str| {
        text.lines()
            .filter(|l| !l.contains("csrf"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip_csrf(&known.text), strip_csrf(&unknown.text));

    let mails = smtp.wait_for("ada@example.com", 2).await;
    let link = mails[1]
        .link(&format!("{}/reset-password?token=", plaza.base))
        .expect("a reset link");
    let path = link.trim_start_matches(&plaza.base).to_owned();
    let token = link.split_once("token=").unwrap().1.to_owned();
    let page = browser.open(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("name=\"password\""), "{}", page.text);
    let done = browser
        .submit(
            "/reset-password",
            &[("token", &token), ("password", "a brand new password")],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(done.text.contains("Password changed"), "{}", done.text);
    assert_eq!(ada.get("/me").await.status, 401);

    let fresh = plaza.browser();
    let signed_in = fresh
        .submit(
            "/login",
            &[("name", "ada"), ("password", "a brand new password")],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    let used = browser.open(&path).await;
    assert_eq!(used.status, 422, "{}", used.text);
    assert!(used.text.contains("Link not valid"), "{}", used.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mail_settings_page_saves_the_address_and_the_choice_per_kind() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let browser = plaza.browser_as("ada").await;
    let page = browser.open("/settings/mail").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("sends no e-mail"), "{}", page.text);

    let saved = browser
        .submit("/settings/mail/email", &[("email", "ada@example.com")])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let bad = browser
        .submit("/settings/mail/email", &[("email", "not an address")])
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let chosen = browser
        .submit(
            "/settings/mail/preferences",
            &[("replies", "digest"), ("reports", "instant")],
        )
        .await;
    assert_eq!(chosen.status, 303, "{}", chosen.text);
    let page = browser.open("/settings/mail?saved=1").await;
    assert!(
        page.text.contains("value=\"ada@example.com\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("Not verified yet"), "{}", page.text);
    assert!(
        page.text
            .contains("<option value=\"digest\" selected>Daily digest</option>"),
        "{}",
        page.text
    );
    let wrong = browser
        .submit("/settings/mail/preferences", &[("replies", "hourly")])
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);

    let signed_out = plaza.browser().open("/settings/mail").await;
    assert_eq!(signed_out.status, 303);
}
