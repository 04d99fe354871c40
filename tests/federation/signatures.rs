//! HTTP signatures made by hand, as another server would: the freshness of `Date` is part of
//! what the inbox checks, so a captured request cannot be replayed hours later.

use std::time::{Duration, SystemTime};

use plaza_tests::TestInstance;
use serde_json::json;

use crate::remote::FakeRemote;

#[tokio::test(flavor = "multi_thread")]
async fn a_validly_signed_activity_with_an_old_date_is_refused_and_a_fresh_one_accepted() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = FakeRemote::start().await;
    let follow = |n: u32| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{n}", remote.bob),
            "type": "Follow",
            "actor": remote.bob,
            "object": format!("{}/g/support", plaza.base)
        })
    };

    let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
    let (status, body) = remote
        .send_dated(&plaza, "/g/support/inbox", &follow(1), two_hours_ago)
        .await;
    assert_eq!(status, 401, "{body}");
    let followers = plaza.anonymous().get("/groups/support").await;
    assert_eq!(followers.i64("/follower_count"), 0, "{}", followers.body);

    // The same hand-made signature with the current date passes: the refusal above was the date.
    let (status, body) = remote
        .send_dated(&plaza, "/g/support/inbox", &follow(2), SystemTime::now())
        .await;
    assert_eq!(status, 202, "{body}");
    let followers = plaza.anonymous().get("/groups/support").await;
    assert_eq!(followers.i64("/follower_count"), 1, "{}", followers.body);
}
