//! Pictures uploaded here as other servers see them: a group's icon and banner on its actor and
//! in the `Update` its followers get, pictures on a thread's `Page` and a reply's `Note`.

use plaza_tests::TestInstance;
use plaza_tests::pictures::{jpeg, png};
use serde_json::{Value, json};

use crate::remote::{FakeRemote, publish_all};

async fn follower(plaza: &TestInstance) -> FakeRemote {
    let remote = FakeRemote::start_as(Some("lemmy"), "/u/bob").await;
    let follow = json!({
        "id": format!("{}/follows/1", remote.bob), "type": "Follow",
        "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
    });
    assert_eq!(remote.send(plaza, "/g/support/inbox", &follow).await.0, 202);
    remote
}

fn received(remote: &FakeRemote, kind: &str) -> Vec<Value> {
    remote
        .received("/inbox")
        .into_iter()
        .filter(|a| a["type"] == kind)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_group_icon_appears_on_the_actor_and_in_the_followers_update() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let remote = follower(&plaza).await;
    publish_all(&plaza).await;

    let icon = admin.upload("logo.png", "image/png", &png(256, 256)).await;
    let banner = admin
        .upload("banner.jpg", "image/jpeg", &jpeg(1200, 300))
        .await;
    assert_eq!(icon.status, 201, "{}", icon.body);
    let edited = admin
        .patch(
            "/groups/support",
            &json!({"icon_upload": icon.str("/id"), "banner_upload": banner.str("/id")}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.at("/icon_url"), icon.at("/url"));
    assert_eq!(edited.at("/banner_url"), banner.at("/url"));

    let actor = plaza.fetch("/g/support", "application/activity+json").await;
    assert_eq!(actor.at("/icon/type"), "Image");
    assert_eq!(actor.at("/icon/url"), icon.at("/url"));
    assert_eq!(actor.at("/icon/mediaType"), "image/png");
    assert_eq!(actor.at("/image/url"), banner.at("/url"));
    assert_eq!(actor.at("/image/mediaType"), "image/jpeg");

    publish_all(&plaza).await;
    // A forum gets the moderator's Update, announced by the group.
    let announced = received(&remote, "Announce");
    let update = announced
        .iter()
        .map(|a| &a["object"])
        .find(|u| u["type"] == "Update" && u["object"]["type"] == "Group")
        .unwrap_or_else(|| panic!("no Update(Group) in {announced:?}"));
    assert_eq!(update["object"]["icon"]["url"], icon.at("/url").clone());
    assert_eq!(update["object"]["image"]["url"], banner.at("/url").clone());
    // What the follower would fetch is there.
    let (status, headers, _) = plaza.fetch_bytes(&icon.str("/url")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");

    // Only the group's moderators set it, and only to pictures stored here.
    let ada = plaza.member("ada").await;
    ada.patch("/groups/support", &json!({"icon_upload": icon.str("/id")}))
        .await
        .assert_error(403, "forbidden");
    admin
        .patch("/groups/support", &json!({"icon_upload": "0".repeat(64)}))
        .await
        .assert_error(422, "invalid");
    let cleared = admin
        .patch("/groups/support", &json!({"icon_upload": ""}))
        .await;
    assert_eq!(cleared.at("/icon_url"), &Value::Null);
    assert_eq!(cleared.at("/banner_url"), banner.at("/url"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pictures_travel_as_image_attachments_with_their_descriptions() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = follower(&plaza).await;
    let ada = plaza.member("ada").await;
    publish_all(&plaza).await;

    let photo = ada
        .upload("router.jpg", "image/jpeg", &jpeg(1024, 768))
        .await;
    let thread = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Red light", "body": "It blinks",
                    "images": [{"upload": photo.str("/id"), "alt": "A router, its light red"}]}),
        )
        .await
        .i64("/thread/id");
    let shot = ada.upload("shot.png", "image/png", &png(300, 200)).await;
    let reply = ada
        .post(
            &format!("/threads/{thread}/comments"),
            &json!({"body": "From the back", "images": [{"upload": shot.str("/id"), "alt": "Cables"}]}),
        )
        .await
        .i64("/id");

    let page = plaza
        .fetch(&format!("/post/{thread}"), "application/activity+json")
        .await;
    let expected = json!({
        "type": "Image", "mediaType": "image/jpeg", "url": photo.at("/url"),
        "name": "A router, its light red", "width": 1024, "height": 768
    });
    assert_eq!(page.at("/attachment/0"), &expected, "{}", page.body);
    assert_eq!(page.at("/image/url"), photo.at("/url"));
    let note = plaza
        .fetch(&format!("/comment/{reply}"), "application/activity+json")
        .await;
    assert_eq!(note.at("/attachment/0/type"), "Image");
    assert_eq!(note.at("/attachment/0/url"), shot.at("/url"));
    assert_eq!(note.at("/attachment/0/name"), "Cables");
    assert_eq!(note.at("/attachment/0/width"), 300);

    publish_all(&plaza).await;
    let sent = remote.received("/inbox");
    let carried = sent.iter().any(|a| {
        let object = &a["object"]["object"];
        object["id"] == format!("{}/post/{thread}", plaza.base).as_str()
            && object["attachment"][0] == expected
    });
    assert!(carried, "no Create(Page) with the picture in {sent:?}");
}
