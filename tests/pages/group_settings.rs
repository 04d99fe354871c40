//! A group's settings page: its moderators change the title, the description and who starts
//! threads, and appoint and remove moderators; mistakes keep what was typed.

use plaza_tests::TestInstance;

use crate::assert_html;

async fn group_json(plaza: &TestInstance) -> plaza_tests::Answer {
    plaza.anonymous().get("/groups/support").await
}

fn moderator_names(group: &plaza_tests::Answer) -> Vec<String> {
    group
        .at("/moderators")
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_moderator_changes_the_settings_and_the_group_page_shows_them() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let admin = plaza.browser_as("admin").await;
    let group = admin.open("/g/support").await;
    assert!(
        group
            .text
            .contains(r#"href="/g/support/settings">Settings</a>"#),
        "{}",
        group.text
    );
    let form = admin.open("/g/support/settings").await;
    assert_html(&form, 200);
    assert!(form.text.contains(r#"value="Support""#), "{}", form.text);

    let saved = admin
        .submit(
            "/g/support/settings",
            &[
                ("title", "Router help"),
                ("description", "Be **kind**."),
                ("moderators_only", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(saved.header("location"), "/g/support/settings?saved=1");
    let form = admin.open("/g/support/settings?saved=1").await;
    assert!(form.text.contains("Saved."), "{}", form.text);
    assert!(form.text.contains("Be **kind**.</textarea>"));
    assert!(form.text.contains(r#"value="on" checked"#));
    let page = plaza.browse("/g/support").await;
    assert!(page.text.contains("<h1>Router help</h1>"), "{}", page.text);
    assert!(page.text.contains("<strong>kind</strong>"));
    let json = group_json(&plaza).await;
    assert_eq!(
        json.at("/posting_restricted_to_mods"),
        true,
        "{}",
        json.body
    );

    // An unticked box is not sent at all: the rule is lifted.
    let saved = admin
        .submit(
            "/g/support/settings",
            &[("title", "Router help"), ("description", "")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let json = group_json(&plaza).await;
    assert_eq!(json.at("/posting_restricted_to_mods"), false);
    assert!(json.at("/description").is_null(), "{}", json.body);
}

#[tokio::test]
async fn an_empty_title_keeps_the_form_and_changes_nothing() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let admin = plaza.browser_as("admin").await;
    admin.open("/g/support/settings").await;
    let page = admin
        .submit(
            "/g/support/settings",
            &[("title", " "), ("description", "New rules")],
        )
        .await;
    assert_html(&page, 422);
    assert!(
        page.text.contains("The title must not be empty."),
        "{}",
        page.text
    );
    assert!(page.text.contains("New rules</textarea>"));
    let json = group_json(&plaza).await;
    assert_eq!(json.str("/title"), "Support");
    assert!(json.at("/description").is_null());
}

#[tokio::test]
async fn moderators_are_appointed_and_removed_but_one_stays() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("ada").await;
    let admin = plaza.browser_as("admin").await;
    admin.open("/g/support/settings").await;

    let unknown = admin
        .submit(
            "/g/support/settings/moderators",
            &[("action", "add"), ("person", "nobody")],
        )
        .await;
    assert_html(&unknown, 422);
    assert!(
        unknown.text.contains("is not known here"),
        "{}",
        unknown.text
    );
    assert!(
        unknown.text.contains(r#"value="nobody""#),
        "the name is kept"
    );

    let added = admin
        .submit(
            "/g/support/settings/moderators",
            &[("action", "add"), ("person", "ada")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text);
    assert_eq!(moderator_names(&group_json(&plaza).await), ["admin", "ada"]);
    // The new moderator now reaches the settings.
    let ada = plaza.browser_as("ada").await;
    assert_html(&ada.open("/g/support/settings").await, 200);

    let removed = ada
        .submit(
            "/g/support/settings/moderators",
            &[("action", "remove"), ("person", "admin")],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.text);
    let last = ada
        .submit(
            "/g/support/settings/moderators",
            &[("action", "remove"), ("person", "ada")],
        )
        .await;
    assert_html(&last, 409);
    assert!(
        last.text.contains("at least one moderator"),
        "{}",
        last.text
    );
    assert_eq!(moderator_names(&group_json(&plaza).await), ["ada"]);
}

#[tokio::test]
async fn members_cannot_open_or_post_the_settings() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    plaza.member("eve").await;
    let anonymous = plaza.browse("/g/support/settings").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.header("location"),
        "/login?next=%2Fg%2Fsupport%2Fsettings"
    );
    let eve = plaza.browser_as("eve").await;
    assert_html(&eve.open("/g/support/settings").await, 403);
    let refused = eve
        .submit("/g/support/settings", &[("title", "Mine now")])
        .await;
    assert_html(&refused, 403);
    let refused = eve
        .submit(
            "/g/support/settings/moderators",
            &[("action", "add"), ("person", "eve")],
        )
        .await;
    assert_html(&refused, 403);
    let json = group_json(&plaza).await;
    assert_eq!(json.str("/title"), "Support");
    assert_eq!(moderator_names(&json), ["admin"]);
}
