//! Profiles: a local person's change of name, bio or avatar reaches the servers that show them as
//! `Update(Person)`, and a remote person's `Update` of themselves refreshes their copy here.

use plaza_tests::TestInstance;
use serde_json::{Value, json};

use crate::remote::{FakeRemote, publish_all};

/// A remote server following the group `support`.
async fn follower(plaza: &TestInstance) -> FakeRemote {
    let remote = FakeRemote::start_as(Some("mastodon"), "/users/bob").await;
    let follow = json!({
        "id": format!("{}/follows/1", remote.bob), "type": "Follow",
        "actor": remote.bob, "object": format!("{}/g/support", plaza.base)
    });
    assert_eq!(remote.send(plaza, "/g/support/inbox", &follow).await.0, 202);
    remote
}

fn updates(remote: &FakeRemote) -> Vec<Value> {
    remote
        .received("/inbox")
        .into_iter()
        .filter(|a| a["type"] == "Update")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_change_reaches_the_groups_followers_as_update_person() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = follower(&plaza).await;
    let ada = plaza.member("ada").await;
    publish_all(&plaza).await;

    let changed = ada
        .patch(
            "/me/profile",
            &json!({"display_name": "Ada from Support", "bio": "I answer **router** questions.",
                    "avatar_url": "https://cdn.brand.example/ada.png"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.at("/display_name"), "Ada from Support");
    assert!(changed.str("/bio").contains("<strong>router</strong>"));
    assert_eq!(changed.at("/bio_source"), "I answer **router** questions.");
    publish_all(&plaza).await;

    let sent = updates(&remote);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let update = &sent[0];
    let ada_id = format!("{}/u/ada", plaza.base);
    assert_eq!(update["actor"], ada_id.as_str());
    assert_eq!(update["object"]["id"], ada_id.as_str());
    assert_eq!(update["object"]["type"], "Person");
    assert_eq!(update["object"]["name"], "Ada from Support");
    assert_eq!(
        update["object"]["icon"]["url"],
        "https://cdn.brand.example/ada.png"
    );
    assert!(
        update["object"]["summary"]
            .as_str()
            .unwrap()
            .contains("<strong>router</strong>")
    );
    // The actor document says the same.
    let actor = plaza.fetch("/u/ada", "application/activity+json").await;
    assert_eq!(actor.at("/name"), "Ada from Support");

    // A field left out keeps its value; an empty one clears it.
    let cleared = ada.patch("/me/profile", &json!({"avatar_url": ""})).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(cleared.at("/avatar_url"), &Value::Null);
    assert_eq!(cleared.at("/display_name"), "Ada from Support");
    publish_all(&plaza).await;
    assert_eq!(updates(&remote).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_profile_is_refused_and_nothing_changes() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    for (body, field) in [
        (json!({"display_name": "two\nlines"}), "display_name"),
        (json!({"display_name": "x".repeat(101)}), "display_name"),
        (json!({"bio": "b".repeat(5_001)}), "bio"),
        (json!({"avatar_url": "javascript:alert(1)"}), "avatar_url"),
        (json!({"avatar_url": "not a url"}), "avatar_url"),
    ] {
        let refused = ada.patch("/me/profile", &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(refused.at("/field"), field, "{}", refused.body);
    }
    let malformed = ada.patch("/me/profile", &json!({"bio": 7})).await;
    assert_eq!(malformed.status, 422, "{}", malformed.body);
    let profile = ada.get("/me/profile").await;
    assert_eq!(profile.at("/display_name"), &Value::Null);
    assert_eq!(profile.at("/bio_source"), &Value::Null);
    assert_eq!(plaza.anonymous().get("/me/profile").await.status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remote_persons_update_of_themselves_refreshes_their_profile() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let bob = follower(&plaza).await;
    let stored = |plaza: &TestInstance, id: String| {
        let ctx = plaza.ctx.clone();
        async move {
            let mut pooled = ctx.db.get().await.unwrap();
            plaza_db::person::find_by_ap_id(&mut pooled.conn(), &id)
                .await
                .unwrap()
                .expect("bob is known")
        }
    };
    let before = stored(&plaza, bob.bob.clone()).await;

    // Bob renames himself on his server, which then sends the update.
    let mut person = bob.document("/users/bob");
    person["name"] = json!("Bob the Builder");
    person["summary"] = json!("<p>Fixes <script>alert(1)</script>printers</p>");
    bob.serve("/users/bob", person.clone());
    let update = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#updates/1", bob.bob), "type": "Update",
        "actor": bob.bob, "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": person,
    });
    let (status, body) = bob.send(&plaza, "/inbox", &update).await;
    assert_eq!(status, 202, "{body}");
    let after = stored(&plaza, bob.bob.clone()).await;
    assert_eq!(after.display_name.as_deref(), Some("Bob the Builder"));
    let bio = after.bio_html.unwrap_or_default();
    assert!(
        bio.contains("printers") && !bio.contains("<script"),
        "{bio}"
    );
    assert_eq!(after.id, before.id);

    // Nobody updates someone else's profile.
    let mut forged = update.clone();
    forged["id"] = json!(format!("{}#updates/2", bob.bob));
    forged["object"]["id"] = json!(format!("{}/users/carol", bob.base));
    let (status, body) = bob.send(&plaza, "/inbox", &forged).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_account_erases_its_content_and_reaches_other_servers_as_delete_person() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let remote = follower(&plaza).await;
    let ada = plaza.member("ada").await;
    let cleo = plaza.member("cleo").await;
    let thread = ada
        .thread("support", "Router keeps rebooting", "Since Monday")
        .await;
    let answer = cleo
        .post(
            &format!("/threads/{thread}/comments"),
            &json!({"body": "Try the 2.1 firmware"}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    ada.patch("/me/profile", &json!({"display_name": "Ada L."}))
        .await;
    publish_all(&plaza).await;

    // The wrong password deletes nothing.
    let refused = ada.delete_with("/me", &json!({"password": "wrong"})).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(ada.get("/me").await.status, 200);

    let deleted = ada
        .delete_with("/me", &json!({"password": plaza_tests::PASSWORD}))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(ada.get("/me").await.status, 401, "every token is revoked");
    let login = plaza
        .anonymous()
        .post(
            "/auth/login",
            &json!({"name": "ada", "password": plaza_tests::PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 401, "{}", login.body);

    // Her thread is erased; Cleo's answer stays under it.
    let view = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(view.at("/thread/deleted"), &json!(true));
    assert_eq!(view.at("/thread/body"), "");
    assert_eq!(view.at("/comments/0/body_source"), "Try the 2.1 firmware");

    // Nothing personal is kept.
    {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let (user, person) = plaza_db::local_user::find_by_name(conn, "ada")
            .await
            .unwrap()
            .expect("the name stays taken");
        assert_eq!(user.email, None);
        assert_eq!(user.password_hash, "");
        assert!(person.deleted);
        assert_eq!(person.display_name, None);
    }
    let again = plaza
        .anonymous()
        .post(
            "/accounts",
            &json!({"name": "ada", "password": "another password"}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    // Other servers are told, and the actor is gone.
    publish_all(&plaza).await;
    let ada_id = format!("{}/u/ada", plaza.base);
    let deletes: Vec<Value> = remote
        .received("/inbox")
        .into_iter()
        .filter(|a| a["type"] == "Delete" && a["object"] == ada_id.as_str())
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(deletes[0]["actor"], ada_id.as_str());
    let actor = plaza.fetch("/u/ada", "application/activity+json").await;
    assert_eq!(actor.status, 410, "{}", actor.body);
    assert_eq!(actor.at("/type"), "Tombstone");
}
