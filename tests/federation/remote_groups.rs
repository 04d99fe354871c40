//! A group on another server, played by the fake remote server as a Lemmy community: a local
//! person follows it, it accepts, and what it announces lands in our copy of it — including a
//! removal by one of its moderators, whom only the community knows. Its moderators are read
//! when it is fetched, and its updates of itself change our copy.

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::remote::{FakeRemote, deliver_all, fixture};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// ada follows `community` by its id (the Follow goes to its inbox, signed by ada) and the
/// community accepts.
pub(crate) async fn follow_community(plaza: &TestInstance, community: &FakeRemote) {
    let group = community.bob.clone();
    let account = plaza_core::accounts::find(&plaza.ctx, "ada").await.unwrap();
    let data = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap()
        .to_request_data();
    let state = plaza_federation::following::follow(&data, &account, &group)
        .await
        .unwrap();
    assert!(state.pending);
    deliver_all(plaza).await;
    let follows = community.received("/c/main/inbox");
    assert_eq!(follows.len(), 1, "{follows:?}");
    assert_eq!(follows[0]["type"], "Follow");
    assert_eq!(follows[0]["actor"], format!("{}/u/ada", plaza.base));
    assert_eq!(follows[0]["object"], group);
    let accept = json!({
        "id": format!("{group}/accept/1"), "type": "Accept", "actor": group, "object": follows[0]
    });
    assert_eq!(community.send(plaza, "/inbox", &accept).await.0, 202);
}

/// The community announces `author`'s new thread; returns its id.
pub(crate) async fn announce_thread(
    plaza: &TestInstance,
    community: &FakeRemote,
    author: &str,
) -> String {
    let group = community.bob.clone();
    let page_id = format!("{}/post/5", community.base);
    let create = json!({
        "id": format!("{}/activities/create/1", community.base), "type": "Create",
        "actor": author, "to": [PUBLIC], "cc": [group],
        "object": {
            "id": page_id, "type": "Page", "attributedTo": author, "to": [group, PUBLIC],
            "audience": group, "name": "Hello from Lemmy", "content": "<p>Hi all</p>"
        }
    });
    let announce = json!({
        "id": format!("{group}/announce/1"), "type": "Announce", "actor": group,
        "to": [PUBLIC], "object": create
    });
    let (status, body) = community.send(plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");
    page_id
}

/// A Lemmy community at `/c/main` whose `attributedTo` names its moderators collection, which
/// lists `moderators` (paths of people on the same server; each is served).
async fn community_moderated_by(moderators: &[&str]) -> FakeRemote {
    let community = FakeRemote::start_group(Some("lemmy"), "/c/main").await;
    let listed: Vec<String> = moderators
        .iter()
        .map(|path| community.serve_person(path))
        .collect();
    list_moderators(&community, listed);
    community
}

/// Makes the community's moderators collection list `ids`.
fn list_moderators(community: &FakeRemote, ids: Vec<String>) {
    let collection = format!("{}/c/main/moderators", community.base);
    let mut group = community.document("/c/main");
    group["attributedTo"] = json!(collection);
    community.serve("/c/main", group);
    community.serve(
        "/c/main/moderators",
        json!({"type": "OrderedCollection", "id": collection, "orderedItems": ids}),
    );
}

/// An instance where ada follows a Lemmy community at `/c/main` moderated by `/u/mod`, whose
/// member `/u/dora` moderates nothing; returns the instance, the community and dora's id.
async fn following_a_moderated_community() -> (TestInstance, FakeRemote, String) {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let community = community_moderated_by(&["/u/mod"]).await;
    let dora = community.serve_person("/u/dora");
    follow_community(&plaza, &community).await;
    (plaza, community, dora)
}

/// The community as the API shows it here.
async fn shown_group(plaza: &TestInstance, community: &FakeRemote) -> plaza_tests::Answer {
    let shown = plaza
        .anonymous()
        .get(&format!("/groups/main@{}", community.domain()))
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    shown
}

pub(crate) async fn stored_post(plaza: &TestInstance, ap_id: &str) -> plaza_db::post::PostRow {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    plaza_db::post::find_by_ap_id(&mut pooled.conn(), ap_id)
        .await
        .unwrap()
        .unwrap()
}

async fn stored_group(plaza: &TestInstance, community: &FakeRemote) -> plaza_db::group::GroupRow {
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    plaza_db::group::find_by_ap_id(&mut pooled.conn(), &community.bob)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_followed_lemmy_community_announces_threads_and_moderator_removals() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let community = FakeRemote::start_group(Some("lemmy"), "/c/main").await;
    let group = community.bob.clone();
    let dora = community.serve_person("/u/dora");
    let moderator = community.serve_person("/u/mod");
    follow_community(&plaza, &community).await;
    assert_eq!(shown_group(&plaza, &community).await.at("/local"), false);

    // The community announces dora's new thread.
    let page_id = announce_thread(&plaza, &community, &dora).await;
    let threads = plaza
        .anonymous()
        .get(&format!("/groups/main@{}/threads", community.domain()))
        .await;
    assert_eq!(
        threads.at("/items/0/title"),
        "Hello from Lemmy",
        "{}",
        threads.body
    );

    // One of its moderators removes it; the community passes the Delete on.
    let delete = json!({
        "id": format!("{}/activities/delete/1", community.base), "type": "Delete",
        "actor": moderator, "to": [PUBLIC], "cc": [group], "object": page_id,
        "summary": "off-topic"
    });
    let announce = json!({
        "id": format!("{group}/announce/2"), "type": "Announce", "actor": group,
        "to": [PUBLIC], "object": delete
    });
    let (status, body) = community.send(&plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");
    let post = stored_post(&plaza, &page_id).await;
    assert!(post.removed && !post.deleted);
}

/// Lemmy names a community's moderators collection in `attributedTo`. Following the community
/// reads it, so people see who runs it, and a moderator's Lock sent straight to us (not passed on
/// by the community) is accepted like one of a local group's moderators.
#[tokio::test(flavor = "multi_thread")]
async fn a_lemmy_communitys_moderators_are_read_when_it_is_followed_and_may_moderate_directly() {
    let (plaza, community, dora) = following_a_moderated_community().await;
    let moderator = format!("{}/u/mod", community.base);
    let shown = shown_group(&plaza, &community).await;
    let moderators = shown.at("/moderators").as_array().unwrap().clone();
    assert_eq!(moderators.len(), 1, "{}", shown.body);
    assert_eq!(moderators[0]["url"], moderator.as_str());

    let page_id = announce_thread(&plaza, &community, &dora).await;
    let lock = |n: u32, actor: &str| {
        json!({
            "id": format!("{}/activities/lock/{n}", community.base), "type": "Lock",
            "actor": actor, "to": [PUBLIC], "cc": [community.bob],
            "audience": community.bob, "object": page_id
        })
    };
    // dora moderates nothing: refused.
    let (status, _) = community
        .send_as(&dora, &plaza, "/inbox", &lock(1, &dora))
        .await;
    assert_eq!(status, 403);
    let (status, body) = community
        .send_as(&moderator, &plaza, "/inbox", &lock(2, &moderator))
        .await;
    assert_eq!(status, 202, "{body}");
    assert!(stored_post(&plaza, &page_id).await.locked);
}

/// Lemmy sends a community's new settings as `Update {actor: the moderator, object: Group}`,
/// which the community passes on in an `Announce` (`tests/fixtures/lemmy/update_community.json`).
/// Our copy takes its title, description (sanitized), icon and posting rule; someone who does not
/// moderate the community is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_lemmy_communitys_update_of_itself_by_its_moderator_changes_our_copy() {
    let (plaza, community, dora) = following_a_moderated_community().await;
    let update = fixture("lemmy/update_community.json", &community, &plaza);

    let mut by_dora = update.clone();
    by_dora["id"] = json!(format!("{}/activities/update/dora", community.base));
    by_dora["actor"] = json!(dora);
    let (status, _) = community.send_as(&dora, &plaza, "/inbox", &by_dora).await;
    assert_eq!(status, 403);
    assert_eq!(stored_group(&plaza, &community).await.title, "Bob");

    let announce = json!({
        "id": format!("{}/announce/update/1", community.bob), "type": "Announce",
        "actor": community.bob, "to": [PUBLIC], "object": update
    });
    let (status, body) = community.send(&plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");
    let group = stored_group(&plaza, &community).await;
    assert_eq!(group.title, "Printers and scanners");
    let description = group.description_html.unwrap_or_default();
    assert!(
        description.contains("<strong>printers</strong>"),
        "{description}"
    );
    assert!(!description.contains("script"), "{description}");
    assert_eq!(
        group.icon_url.as_deref(),
        Some(format!("{}/pictrs/image/printer.png", community.base).as_str())
    );
    assert!(group.posting_restricted_to_mods);
    assert!(
        !group.public_key.contains("never taken"),
        "the key is never taken from an Update"
    );
}

/// A community's moderators are read up to a bound (50), and people who cannot be fetched are
/// left out without failing the follow.
#[tokio::test(flavor = "multi_thread")]
async fn a_remote_groups_moderators_are_read_up_to_a_bound() {
    let plaza = TestInstance::spawn().await;
    plaza.member("ada").await;
    let community = FakeRemote::start_group(Some("lemmy"), "/c/main").await;
    let served = community.serve_person("/u/m0");
    // /u/m1 … /u/m59 are not served: their fetches fail.
    let listed: Vec<String> = (0..60)
        .map(|n| format!("{}/u/m{n}", community.base))
        .collect();
    list_moderators(&community, listed);
    follow_community(&plaza, &community).await;

    let tried: Vec<usize> = (0..60)
        .map(|n| community.fetches(&format!("/u/m{n}")))
        .collect();
    assert!(tried[..50].iter().all(|&n| n == 1), "{tried:?}");
    assert!(tried[50..].iter().all(|&n| n == 0), "{tried:?}");
    let mut pooled = plaza.ctx.db.get().await.unwrap();
    let group = stored_group(&plaza, &community).await;
    let moderators = plaza_db::group::moderators(&mut pooled.conn(), group.id)
        .await
        .unwrap();
    let ids: Vec<Value> = moderators.iter().map(|p| json!(p.ap_id)).collect();
    assert_eq!(ids, [json!(served)]);
}

/// Lemmy passes a member's comment on to every follower of the community, the author's own server
/// among them. Our own comment announced back is ours already: it is never fetched (Plaza used to
/// ask itself for it, and log that it was not fetchable) and the announce changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn our_own_comment_announced_back_by_a_lemmy_community_is_not_fetched() {
    crate::logs::capture();
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let community = FakeRemote::start_group(Some("lemmy"), "/c/main").await;
    let dora = community.serve_person("/u/dora");
    follow_community(&plaza, &community).await;
    assert!(
        crate::logs::logged(&format!("Fetching remote object {}", community.bob)),
        "the follow's fetch of the community is in the log"
    );
    let page_id = announce_thread(&plaza, &community, &dora).await;
    let thread = stored_post(&plaza, &page_id).await.id;
    let comment = ada.reply(thread, None, "Same here since Monday").await;
    crate::remote::publish_all(&plaza).await;
    let ada_id = format!("{}/u/ada", plaza.base);
    let create = community
        .received("/inbox")
        .into_iter()
        .find(|a| a["type"] == "Create" && a["actor"] == ada_id.as_str())
        .expect("ada's comment went to the community");

    let announce = json!({
        "id": format!("{}/announce/back/1", community.bob), "type": "Announce",
        "actor": community.bob, "to": [PUBLIC], "object": create
    });
    let (status, body) = community.send(&plaza, "/inbox", &announce).await;
    assert_eq!(status, 202, "{body}");
    let own = format!("{}/comment/{comment}", plaza.base);
    assert!(
        !crate::logs::logged(&format!("Fetching remote object {own}")),
        "Plaza fetched its own comment"
    );
    let read = ada.get(&format!("/threads/{thread}")).await;
    assert_eq!(read.at("/thread/comment_count"), 1, "{}", read.body);
    assert_eq!(read.at("/comments/0/body_source"), "Same here since Monday");
}
