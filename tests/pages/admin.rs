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

#[tokio::test]
async fn the_logo_is_set_from_the_settings_page_and_a_bad_one_is_refused() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    let admin = plaza.browser_as("admin").await;
    admin.open("/admin").await;
    let logo = "https://brand.example/logo.png";
    let saved = admin
        .submit(
            "/admin",
            &[
                ("name", "Acme"),
                ("icon_url", logo),
                ("registrations_open", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let home = plaza.browse("/").await;
    assert!(
        home.text
            .contains(&format!(r#"<img class="logo" src="{logo}""#)),
        "{}",
        home.text
    );
    assert!(
        admin
            .open("/admin")
            .await
            .text
            .contains(&format!(r#"name="icon_url" type="url" inputmode="url" placeholder="https://brand.example/logo.png" value="{logo}""#))
    );

    let refused = admin
        .submit(
            "/admin",
            &[
                ("name", "Acme"),
                ("icon_url", "javascript:alert(1)"),
                ("registrations_open", "on"),
            ],
        )
        .await;
    assert_html(&refused, 422);
    assert!(refused.text.contains("The icon_url"), "{}", refused.text);
    assert!(refused.text.contains(r#"value="javascript:alert(1)""#));
    plaza_tests::assert_inert(&refused.text.replace(r#"value="javascript:alert(1)""#, ""));
    let instance = plaza.anonymous().get("/instance").await;
    assert_eq!(instance.str("/icon_url"), logo, "{}", instance.body);

    // An empty field takes the logo away.
    let cleared = admin
        .submit(
            "/admin",
            &[
                ("name", "Acme"),
                ("icon_url", ""),
                ("registrations_open", "on"),
            ],
        )
        .await;
    assert_eq!(cleared.status, 303);
    assert!(!plaza.browse("/").await.text.contains(r#"class="logo""#));
}

#[tokio::test]
async fn an_administrator_keeps_an_allow_list_and_switches_its_mode() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    let admin = plaza.browser_as("admin").await;
    let page = admin.open("/admin/instances").await;
    assert!(page.text.contains("<strong>Off:</strong>"), "{}", page.text);
    assert!(page.text.contains("The allow-list is empty"));

    let allowed = admin
        .submit("/admin/instances/allow", &[("domain", "Lemmy.Example")])
        .await;
    assert_eq!(allowed.status, 303, "{}", allowed.text);
    assert_eq!(allowed.header("location"), "/admin/instances");
    let list = plaza
        .login("admin")
        .await
        .get("/admin/instances?allowed=true")
        .await;
    assert_eq!(list.at("/0/domain"), "lemmy.example", "{}", list.body);

    let on = admin
        .submit("/admin/instances/allowlist", &[("on", "true")])
        .await;
    assert_eq!(on.status, 303, "{}", on.text);
    let instance = plaza.anonymous().get("/instance").await;
    assert_eq!(
        instance.at("/federation_allowlist"),
        true,
        "{}",
        instance.body
    );
    let page = admin.open("/admin/instances").await;
    assert!(page.text.contains("<strong>On:</strong>"), "{}", page.text);
    assert!(
        page.text
            .contains(r#"<input type="hidden" name="domain" value="lemmy.example"><button type="submit">Disallow</button>"#),
        "{}",
        page.text
    );
    // A server taken off the list is one this instance no longer federates with.
    for (path, domain) in [
        ("/admin/instances/allow", "other.example"),
        ("/admin/instances/disallow", "other.example"),
    ] {
        let done = admin.submit(path, &[("domain", domain)]).await;
        assert_eq!(done.status, 303, "{path}: {}", done.text);
    }
    let page = admin.open("/admin/instances").await;
    let known = page.text.split("<h2>Known</h2>").nth(1).unwrap();
    let entry = |domain: &str| {
        known
            .split("<li>")
            .find(|li| li.contains(&format!(r#"<strong class="domain">{domain}</strong>"#)))
            .unwrap_or_else(|| panic!("{domain} in {known}"))
            .to_owned()
    };
    assert!(entry("lemmy.example").contains(r#"<span class="mark">federating</span>"#));
    assert!(entry("other.example").contains("not federating"), "{known}");

    let own = plaza.base.trim_start_matches("http://").to_owned();
    let refused = admin
        .submit("/admin/instances/allow", &[("domain", &own)])
        .await;
    assert_html(&refused, 422);
    assert!(refused.text.contains("always allowed"), "{}", refused.text);
    let odd = admin
        .submit("/admin/instances/allowlist", &[("on", "maybe")])
        .await;
    assert_html(&odd, 422);

    let disallowed = admin
        .submit("/admin/instances/disallow", &[("domain", "lemmy.example")])
        .await;
    assert_eq!(disallowed.status, 303);
    let off = admin
        .submit("/admin/instances/allowlist", &[("on", "false")])
        .await;
    assert_eq!(off.status, 303);
    let instance = plaza.anonymous().get("/instance").await;
    assert_eq!(instance.at("/federation_allowlist"), false);
    let list = plaza
        .login("admin")
        .await
        .get("/admin/instances?allowed=true")
        .await;
    assert!(list.body.as_array().unwrap().is_empty(), "{}", list.body);
}

#[tokio::test]
async fn a_member_cannot_touch_the_allow_list() {
    let plaza = TestInstance::spawn().await;
    plaza.admin("admin").await;
    plaza.member("eve").await;
    let eve = plaza.browser_as("eve").await;
    eve.open("/").await;
    let allow = eve
        .submit("/admin/instances/allow", &[("domain", "eve.example")])
        .await;
    assert_html(&allow, 403);
    let mode = eve
        .submit("/admin/instances/allowlist", &[("on", "true")])
        .await;
    assert_html(&mode, 403);
    let instance = plaza.anonymous().get("/instance").await;
    assert_eq!(instance.at("/federation_allowlist"), false);
    let list = plaza
        .login("admin")
        .await
        .get("/admin/instances?allowed=true")
        .await;
    assert!(list.body.as_array().unwrap().is_empty(), "{}", list.body);
}
