use plaza_tests::TestInstance;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_creates_a_group_and_moderates_it() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("boss").await;
    let created = admin
        .post(
            "/groups",
            &json!({"name": "support", "title": "Support", "description": "Ask **anything**"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let domain = plaza.ctx.urls.domain().to_owned();
    assert_eq!(created.str("/handle"), format!("support@{domain}"));
    assert_eq!(created.str("/url"), format!("{}/g/support", plaza.base));
    assert_eq!(created.at("/description_source"), "Ask **anything**");
    assert!(
        created
            .str("/description")
            .contains("<strong>anything</strong>")
    );
    assert_eq!(created.at("/moderators/0/name"), "boss");

    let read = plaza.anonymous().get("/groups/support").await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.at("/title"), "Support");
    assert_eq!(read.at("/thread_count"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn members_cannot_create_groups_and_names_are_unique() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    ada.post("/groups", &json!({"name": "mine", "title": "Mine"}))
        .await
        .assert_error(403, "forbidden");
    admin
        .post("/groups", &json!({"name": "support", "title": "Again"}))
        .await
        .assert_error(409, "conflict");
    plaza
        .anonymous()
        .get("/groups/mine")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_are_listed_by_name_in_pages() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.admin("boss").await;
    for name in ["c_group", "a_group", "b_group"] {
        let answer = admin
            .post("/groups", &json!({"name": name, "title": name}))
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let first = plaza.anonymous().get("/groups?limit=2").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let names: Vec<&str> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a_group", "b_group"]);
    assert_eq!(first.at("/next_page"), 2);
    let second = plaza.anonymous().get("/groups?limit=2&page=2").await;
    assert_eq!(second.at("/items/0/name"), "c_group");
    assert!(second.at("/next_page").is_null());
}
