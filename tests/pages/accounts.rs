//! Logging in, out and signing up in a browser: the session cookie, the form tokens, and what
//! each refusal looks like.

use plaza_tests::{PASSWORD, TestInstance};
use serde_json::json;

use crate::assert_html;

#[tokio::test]
async fn logging_in_sets_a_secure_http_only_cookie_and_the_header_shows_who() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let browser = plaza.browser();

    let form = browser.open("/login").await;
    assert_html(&form, 200);
    assert!(form.text.contains(r#"<form class="login"#), "{}", form.text);
    let first = form.header("set-cookie").to_owned();
    assert!(first.starts_with("plaza_form="), "{first}");

    let done = browser
        .submit("/login", &[("name", "ada"), ("password", PASSWORD)])
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(done.header("location"), "/");
    let cookie = done.header("set-cookie");
    assert!(cookie.starts_with("plaza_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }

    let home = browser.open("/").await;
    assert_html(&home, 200);
    assert!(
        home.text.contains(r#"<a href="/u/ada">ada</a>"#),
        "{}",
        home.text
    );
    assert!(home.text.contains(r#"<form class="logout""#));
    // The session also works on the API, as the same kind of token.
    let token = browser.cookie("plaza_session").unwrap();
    let me = plaza.anonymous().with_token(token).get("/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.str("/name"), "ada");
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_401_and_no_session() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let browser = plaza.browser();
    let page = browser
        .submit(
            "/login",
            &[("name", "ada"), ("password", "not the password")],
        )
        .await;
    assert_html(&page, 401);
    assert!(
        page.text.contains("Wrong name or password."),
        "{}",
        page.text
    );
    assert!(page.text.contains(r#"value="ada""#), "the name is kept");
    assert!(browser.cookie("plaza_session").is_none());
    // An unknown name reads the same: no account enumeration.
    let unknown = browser
        .submit("/login", &[("name", "nobody"), ("password", PASSWORD)])
        .await;
    assert_html(&unknown, 401);
    assert!(unknown.text.contains("Wrong name or password."));
}

#[tokio::test]
async fn forms_without_this_browsers_token_are_refused_and_change_nothing() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("ada").await;

    // No token, or another browser's token: a log-in does not happen.
    let stranger = plaza.browser();
    let missing = stranger
        .submit_exactly("/login", &[("name", "ada"), ("password", PASSWORD)])
        .await;
    assert_html(&missing, 403);
    assert!(
        missing.text.contains("This form has expired"),
        "{}",
        missing.text
    );
    let other = plaza.browser();
    other.open("/login").await;
    let borrowed = other.csrf().unwrap();
    stranger.open("/login").await;
    let page = stranger
        .submit_exactly(
            "/login",
            &[("csrf", &borrowed), ("name", "ada"), ("password", PASSWORD)],
        )
        .await;
    assert_html(&page, 403);
    assert!(stranger.cookie("plaza_session").is_none());

    // A signed-in browser's token changes with the session: the one from before log-in is dead.
    let ada = plaza.browser();
    ada.open("/login").await;
    let before = ada.csrf().unwrap();
    let signed_in = ada
        .submit("/login", &[("name", "ada"), ("password", PASSWORD)])
        .await;
    assert_eq!(signed_in.status, 303);
    let stale = ada
        .submit_exactly(
            "/g/support/new",
            &[("csrf", &before), ("title", "Forged"), ("intent", "post")],
        )
        .await;
    assert_html(&stale, 403);

    // A form posted from another site's page, with a valid token, is refused too.
    ada.open("/g/support/new").await;
    let cross = ada
        .submit_from(
            "https://evil.example",
            "/g/support/new",
            &[("title", "Forged"), ("intent", "post")],
        )
        .await;
    assert_html(&cross, 403);

    let threads = plaza.anonymous().get("/groups/support/threads").await;
    assert_eq!(
        threads.at("/items").as_array().unwrap().len(),
        0,
        "{}",
        threads.body
    );
}

#[tokio::test]
async fn logging_out_revokes_the_session_everywhere() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let browser = plaza.browser_as("ada").await;
    let token = browser.cookie("plaza_session").unwrap();
    browser.open("/").await;

    let out = browser.submit("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/");
    assert!(
        out.header("set-cookie").starts_with("plaza_session=;"),
        "{}",
        out.header("set-cookie")
    );
    assert!(browser.cookie("plaza_session").is_none());
    let home = browser.open("/").await;
    assert!(
        home.text.contains(r#"<a href="/login">Log in</a>"#),
        "{}",
        home.text
    );

    // The old cookie, replayed, no longer signs anyone in, nor does the token on the API.
    let api = plaza.anonymous().with_token(token).get("/me").await;
    assert_eq!(api.status, 401);
}

#[tokio::test]
async fn log_in_returns_to_the_page_asked_for_and_never_off_site() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("ada").await;

    let anonymous = plaza.browser();
    let sent = anonymous.open("/g/support/new").await;
    assert_eq!(sent.status, 303);
    assert_eq!(sent.header("location"), "/login?next=%2Fg%2Fsupport%2Fnew");
    let form = anonymous.open("/login?next=%2Fg%2Fsupport%2Fnew").await;
    assert!(
        form.text.contains(r#"name="next" value="/g/support/new""#),
        "{}",
        form.text
    );
    let back = anonymous
        .submit(
            "/login",
            &[
                ("name", "ada"),
                ("password", PASSWORD),
                ("next", "/g/support/new"),
            ],
        )
        .await;
    assert_eq!(back.header("location"), "/g/support/new");

    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let browser = plaza.browser();
        let page = browser
            .submit(
                "/login",
                &[("name", "ada"), ("password", PASSWORD), ("next", evil)],
            )
            .await;
        assert_eq!(page.status, 303);
        assert_eq!(page.header("location"), "/", "{evil}");
    }
}

#[tokio::test]
async fn signing_up_creates_the_account_and_signs_in() {
    let plaza = TestInstance::spawn().await;
    let browser = plaza.browser();
    let form = browser.open("/signup").await;
    assert_html(&form, 200);
    assert!(form.text.contains(r#"<form class="signup"#));

    let done = browser
        .submit(
            "/signup",
            &[("name", "cleo"), ("password", PASSWORD), ("email", "")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert!(browser.cookie("plaza_session").is_some());
    let home = browser.open("/").await;
    assert!(home.text.contains(r#"<a href="/u/cleo">cleo</a>"#));
    // The account is real: it logs in over the API.
    plaza.login("cleo").await;
}

#[tokio::test]
async fn sign_up_mistakes_show_the_form_again_with_what_was_typed() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let browser = plaza.browser();
    let taken = browser
        .submit(
            "/signup",
            &[
                ("name", "ada"),
                ("password", PASSWORD),
                ("email", "a@b.example"),
            ],
        )
        .await;
    assert_html(&taken, 409);
    assert!(
        taken.text.contains(r#"value="a@b.example""#),
        "{}",
        taken.text
    );

    let bad = browser
        .submit("/signup", &[("name", "Not OK"), ("password", PASSWORD)])
        .await;
    assert_html(&bad, 422);
    assert!(
        bad.text.contains("The name may contain only"),
        "{}",
        bad.text
    );

    let short = browser
        .submit("/signup", &[("name", "dan"), ("password", "short")])
        .await;
    assert_html(&short, 422);
    assert!(
        short.text.contains("The password must be"),
        "{}",
        short.text
    );
    assert!(browser.cookie("plaza_session").is_none());
    let me = plaza
        .anonymous()
        .post("/auth/login", &json!({"name": "dan", "password": "short"}))
        .await;
    assert_eq!(me.status, 401, "no account was made");
}

#[tokio::test]
async fn sign_up_is_refused_when_the_admin_closed_it() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("admin").await;
    let closed = admin
        .patch("/instance", &json!({"registrations_open": false}))
        .await;
    assert_eq!(closed.status, 200, "{}", closed.body);

    let browser = plaza.browser();
    let home = browser.open("/").await;
    assert!(!home.text.contains(r#"href="/signup""#), "no sign-up link");
    let form = browser.open("/signup").await;
    assert_html(&form, 403);
    assert!(form.text.contains("does not accept sign-ups"));
    let posted = browser
        .submit("/signup", &[("name", "eve"), ("password", PASSWORD)])
        .await;
    assert_html(&posted, 403);
    let login = plaza
        .anonymous()
        .post("/auth/login", &json!({"name": "eve", "password": PASSWORD}))
        .await;
    assert_eq!(login.status, 401, "no account was made");
}

#[tokio::test]
async fn guessing_passwords_on_the_page_and_the_api_draws_on_one_allowance() {
    let mut web = plaza_web::WebConfig::default();
    web.rate_limits.auth = plaza_web::rate_limit::Limit {
        burst: 3,
        period: std::time::Duration::from_secs(60),
    };
    let plaza = TestInstance::spawn_with(plaza_core::Settings::default(), web).await;
    plaza.member("ada").await;
    let wrong = json!({"name": "ada", "password": "wrong password"});
    for _ in 0..2 {
        let answer = plaza.anonymous().post("/auth/login", &wrong).await;
        assert_eq!(answer.status, 401);
    }
    let browser = plaza.browser();
    browser.open("/login").await;
    let page = browser
        .submit("/login", &[("name", "ada"), ("password", "wrong password")])
        .await;
    assert_html(&page, 429);
    assert!(page.text.contains("Too many tries"), "{}", page.text);
    let retry_after: u64 = page.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}
