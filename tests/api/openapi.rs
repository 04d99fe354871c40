use plaza_tests::TestInstance;

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_description_lists_every_endpoint() {
    let plaza = TestInstance::spawn().await;
    let doc = plaza.anonymous().get("/openapi.json").await;
    assert_eq!(doc.status, 200);
    assert!(doc.str("/openapi").starts_with("3."), "{}", doc.body);
    let paths = doc.body["paths"].as_object().expect("paths");
    for path in [
        "/instance",
        "/accounts",
        "/auth/login",
        "/auth/logout",
        "/me",
        "/admin/accounts",
        "/admin/instances",
        "/admin/instances/{domain}/block",
        "/admin/instances/{domain}/allow",
        "/admin/federation/allowlist",
        "/groups",
        "/groups/{name}",
        "/groups/{name}/threads",
        "/threads/{id}",
        "/threads/{id}/vote",
        "/threads/{id}/comments",
        "/comments/{id}",
        "/comments/{id}/vote",
        "/groups/{name}/follow",
        "/threads/{id}/moderate",
        "/comments/{id}/moderate",
        "/groups/{name}/bans",
        "/groups/{name}/modlog",
        "/groups/{name}/reports",
        "/reports/{id}/resolve",
        "/search",
        "/notifications",
        "/notifications/unread_count",
        "/notifications/read",
        "/notifications/read_all",
        "/uploads",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc.at("/components/securitySchemes/bearer").is_object());
    assert!(doc.at("/components/schemas/ErrorBody").is_object());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_instance_describes_itself() {
    let plaza = TestInstance::spawn().await;
    let info = plaza.anonymous().get("/instance").await;
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.str("/domain"), plaza.ctx.urls.domain());
    assert_eq!(info.at("/registrations_open"), true);
    assert_eq!(info.at("/federation_allowlist"), false);
    assert!(info.at("/icon_url").is_null(), "{}", info.body);
}

/// Reading a thread its author deleted answers 200 with `deleted: true` (its replies stay
/// readable); only a moderator's removal answers 410. The served description says so, as the
/// README does.
#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_description_says_a_deleted_thread_is_read_and_a_removed_one_is_gone() {
    let plaza = TestInstance::spawn().await;
    let doc = plaza.anonymous().get("/openapi.json").await;
    let responses = doc.at("/paths/~1threads~1{id}/get/responses").clone();
    let described = |status: &str| {
        responses[status]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(described("200").contains("deleted: true"), "{responses}");
    assert!(described("410").contains("removed"), "{responses}");
    assert!(!described("410").contains("deleted"), "{responses}");
}
