//! The administrators' pages: the instance's settings and the block list, each closed to
//! everyone else.

use plaza_tests::TestInstance;

use crate::assert_html;

async fn blocked_domains(plaza: &TestInstance) -> Vec<String> {
    let list = plaza
        .login("admin")
        .await
        .get("/admin/instances?blocked=true")
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    list.body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["domain"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_administrator_renames_the_instance_and_closes_sign_ups() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    let admin = plaza.browser_as("admin").await;
    let home = admin.open("/").await;
    assert!(
        home.text.contains(r#"<a href="/admin">Settings</a>"#),
        "{}",
        home.text
    );
    let form = admin.open("/admin").await;
    assert_html(&form, 200);
    assert!(form.text.contains(r#"value="Plaza""#), "{}", form.text);
    assert!(
        form.text
            .contains(r#"name="registrations_open" value="on" checked"#)
    );

    let saved = admin
        .submit(
            "/admin",
            &[
                ("name", "Acme Community"),
                ("description", "Help for Acme routers."),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(saved.header("location"), "/admin?saved=1");
    assert!(admin.open("/admin?saved=1").await.text.contains("Saved."));
    let home = plaza.browse("/").await;
    assert!(
        home.text.contains("<h1>Acme Community</h1>"),
        "{}",
        home.text
    );
    assert!(home.text.contains("Help for Acme routers."));
    let instance = plaza.anonymous().get("/instance").await;
    assert_eq!(
        instance.at("/registrations_open"),
        false,
        "{}",
        instance.body
    );
    assert_html(&plaza.browse("/signup").await, 403);
}

#[tokio::test]
async fn a_bad_name_keeps_the_form_and_changes_nothing() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    let admin = plaza.browser_as("admin").await;
    admin.open("/admin").await;
    let page = admin
        .submit(
            "/admin",
            &[
                ("name", "  "),
                ("description", "Kept"),
                ("registrations_open", "on"),
            ],
        )
        .await;
    assert_html(&page, 422);
    assert!(
        page.text.contains("The name must not be empty."),
        "{}",
        page.text
    );
    assert!(page.text.contains("Kept</textarea>"));
    let instance = plaza.anonymous().get("/instance").await;
    assert_eq!(instance.str("/name"), "Plaza", "{}", instance.body);
}

#[tokio::test]
async fn the_admin_pages_are_closed_to_everyone_else() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    plaza.member("eve").await;
    for path in ["/admin", "/admin/instances"] {
        let page = plaza.browse(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(
            page.header("location"),
            format!("/login?next={}", path.replace('/', "%2F"))
        );
    }
    let eve = plaza.browser_as("eve").await;
    assert!(!eve.open("/").await.text.contains(r#"href="/admin""#));
    for path in ["/admin", "/admin/instances"] {
        let page = eve.open(path).await;
        assert_html(&page, 403);
        assert!(page.text.contains("administrators"), "{}", page.text);
    }
    let renamed = eve.submit("/admin", &[("name", "Eve's place")]).await;
    assert_html(&renamed, 403);
    let blocked = eve
        .submit("/admin/instances/block", &[("domain", "friendly.example")])
        .await;
    assert_html(&blocked, 403);
    let instance = plaza.anonymous().get("/instance").await;
    assert_eq!(instance.str("/name"), "Plaza");
    assert!(blocked_domains(&plaza).await.is_empty());
}

#[tokio::test]
async fn an_administrator_blocks_and_unblocks_a_domain() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    let admin = plaza.browser_as("admin").await;
    let page = admin.open("/admin/instances").await;
    assert_html(&page, 200);
    assert!(
        page.text.contains("No instance is blocked."),
        "{}",
        page.text
    );

    let blocked = admin
        .submit("/admin/instances/block", &[("domain", " Spam.Example ")])
        .await;
    assert_eq!(blocked.status, 303, "{}", blocked.text);
    assert_eq!(blocked.header("location"), "/admin/instances");
    assert_eq!(blocked_domains(&plaza).await, ["spam.example"]);
    let page = admin.open("/admin/instances").await;
    assert!(
        page.text
            .contains(r#"<input type="hidden" name="domain" value="spam.example"><button type="submit">Unblock</button>"#),
        "{}",
        page.text
    );

    let unblocked = admin
        .submit("/admin/instances/unblock", &[("domain", "spam.example")])
        .await;
    assert_eq!(unblocked.status, 303, "{}", unblocked.text);
    assert!(blocked_domains(&plaza).await.is_empty());
    let page = admin.open("/admin/instances").await;
    assert!(
        page.text
            .contains(r#"<input type="hidden" name="domain" value="spam.example"><button type="submit">Block</button>"#),
        "an instance met before stays listed: {}",
        page.text
    );
}

#[tokio::test]
async fn a_domain_that_is_not_one_is_refused_with_the_reason_and_kept_in_the_form() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    let admin = plaza.browser_as("admin").await;
    admin.open("/admin/instances").await;
    let page = admin
        .submit(
            "/admin/instances/block",
            &[("domain", "https://spam.example/users/x")],
        )
        .await;
    assert_html(&page, 422);
    assert!(
        page.text.contains("without a scheme or a path"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(r#"value="https://spam.example/users/x""#)
    );
    let own = plaza.base.trim_start_matches("http://").to_owned();
    let page = admin
        .submit("/admin/instances/block", &[("domain", &own)])
        .await;
    assert_html(&page, 422);
    assert!(page.text.contains("own domain"), "{}", page.text);
    assert!(blocked_domains(&plaza).await.is_empty());
}
