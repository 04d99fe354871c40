//! Notifications of local people caused by activities from other servers: a reply or mention
//! arriving in the inbox is told once, however often it is delivered.

use plaza_tests::{Client, TestInstance};
use serde_json::{Value, json};

use crate::remote::{FakeRemote, fixture, replay};

async fn notifications(client: &Client) -> Vec<Value> {
    let answer = client.get("/notifications").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.at("/items").as_array().expect("items").clone()
}

/// bob's reply to `thread` as a Lemmy `Create` of a `Note`, with the activity id `activity`.
fn reply(
    plaza: &TestInstance,
    remote: &FakeRemote,
    thread: i64,
    activity: &str,
    html: &str,
) -> Value {
    let group = format!("{}/g/support", plaza.base);
    let public = "https://www.w3.org/ns/activitystreams#Public";
    json!({
        "id": format!("{}/activities/create/{activity}", remote.base), "type": "Create",
        "actor": remote.bob, "to": [group, public],
        "object": {
            "id": format!("{}/comment/1", remote.base), "type": "Note",
            "attributedTo": remote.bob, "to": [group, public], "audience": group,
            "inReplyTo": format!("{}/post/{thread}", plaza.base),
            "content": html, "mediaType": "text/html"
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_from_another_server_notifies_the_local_author_once_however_often_it_arrives() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Printer jams", "Since Monday").await;
    let remote = FakeRemote::start().await;

    let create = reply(&plaza, &remote, thread, "1", "<p>Try a new cartridge</p>");
    let signed = remote.sign(&plaza, "/inbox", &create).await;
    let (status, body) = replay(&plaza, &signed, None, None).await;
    assert_eq!(status, 202, "{body}");
    // The same delivery again, and the same reply in another activity (as a second inbox or a
    // retry after a lost answer would bring it).
    let (status, _) = replay(&plaza, &signed, None, None).await;
    assert_eq!(status, 202);
    let again = reply(&plaza, &remote, thread, "2", "<p>Try a new cartridge</p>");
    let (status, body) = remote.send(&plaza, "/inbox", &again).await;
    assert!(status < 300, "{status} {body}");

    let adas = notifications(&ada).await;
    assert_eq!(adas.len(), 1, "{adas:?}");
    assert_eq!(adas[0]["kind"], "post_reply");
    assert_eq!(adas[0]["actor"]["url"], remote.bob);
    assert_eq!(adas[0]["actor"]["local"], false);
    assert_eq!(adas[0]["thread"]["id"], thread);
    assert_eq!(
        adas[0]["comment"]["url"],
        format!("{}/comment/1", remote.base)
    );
    let unread = ada.get("/notifications/unread_count").await;
    assert_eq!(unread.i64("/unread"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mention_from_another_server_notifies_the_local_person_it_links_to() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let carol = plaza.member("carol").await;
    let thread = carol.thread("support", "Printer jams", "").await;
    let remote = FakeRemote::start().await;
    // As Mastodon writes a mention: a link to the person's page, `@name` without the domain.
    // A bare `@carol` there would be someone on that server, so it tells carol nothing more.
    let html = format!(
        "<p><span class=\"h-card\"><a href=\"{}/u/ada\" class=\"u-url mention\">@<span>ada</span></a></span> knows this one. Ask @carol</p>",
        plaza.base
    );
    let (status, body) = remote
        .send(
            &plaza,
            "/inbox",
            &reply(&plaza, &remote, thread, "1", &html),
        )
        .await;
    assert_eq!(status, 202, "{body}");

    let adas = notifications(&ada).await;
    assert_eq!(adas.len(), 1, "{adas:?}");
    assert_eq!(adas[0]["kind"], "comment_mention");
    let carols = notifications(&carol).await;
    assert_eq!(carols.len(), 1, "{carols:?}");
    assert_eq!(carols[0]["kind"], "post_reply");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remote_moderators_ban_and_a_flag_notify_once_each() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let eve = plaza.member("eve").await;
    assert_eq!(eve.thread("support", "Cheap watches", "").await, 1);

    let mastodon = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let flag = fixture("mastodon/flag.json", &mastodon, &plaza);
    for _ in 0..2 {
        assert_eq!(mastodon.send(&plaza, "/inbox", &flag).await.0, 202);
    }
    let reports = notifications(&admin).await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0]["kind"], "report");
    assert_eq!(
        reports[0]["reason"],
        "Selling counterfeits in the support forum"
    );
    assert!(notifications(&eve).await.is_empty());

    let lemmy = FakeRemote::start_as(Some("lemmy"), "/u/bob").await;
    let block = fixture("lemmy/block_user.json", &lemmy, &plaza);
    // Not a moderator yet: refused, and nobody is told.
    assert_eq!(lemmy.send(&plaza, "/g/support/inbox", &block).await.0, 403);
    assert!(notifications(&eve).await.is_empty());
    lemmy.make_moderator(&plaza, "support").await;
    let mut block_again = block.clone();
    block_again["id"] = json!(format!("{}/again", block["id"].as_str().unwrap()));
    assert_eq!(
        lemmy.send(&plaza, "/g/support/inbox", &block_again).await.0,
        202
    );
    let eves = notifications(&eve).await;
    assert_eq!(eves.len(), 1, "{eves:?}");
    assert_eq!(eves[0]["kind"], "banned");
    assert_eq!(eves[0]["reason"], "spam");
    assert_eq!(eves[0]["actor"]["url"], lemmy.bob);
}
