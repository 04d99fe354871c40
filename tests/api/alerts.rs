//! Alerts: each rule opens one incident per incident however often it is evaluated, a restart
//! between evaluating and sending loses and repeats nothing, webhook calls carry a signature the
//! receiver can check, and only staff and administrators see or change any of it.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{KeyInit, Mac};
use plaza_tests::{Client, TestInstance};
use serde_json::{Value, json};

/// A webhook receiver on 127.0.0.1: keeps each call's headers and body, and answers with the
/// statuses it was given, then 200.
#[derive(Clone, Default)]
struct Sink {
    calls: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    answers: Arc<Mutex<Vec<StatusCode>>>,
}

impl Sink {
    async fn start(answers: Vec<StatusCode>) -> (Self, String) {
        let sink = Sink::default();
        *sink.answers.lock().unwrap() = answers;
        let state = sink.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let body = String::from_utf8_lossy(&body).into_owned();
                    state.calls.lock().unwrap().push((headers, body));
                    let mut answers = state.answers.lock().unwrap();
                    if answers.is_empty() {
                        StatusCode::OK
                    } else {
                        answers.remove(0)
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (sink, format!("http://127.0.0.1:{port}/hook"))
    }

    fn calls(&self) -> Vec<(HeaderMap, String)> {
        self.calls.lock().unwrap().clone()
    }
}

/// Checks a call's signature as a receiver would, from the documentation alone.
fn verified(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let timestamp = headers["x-plaza-timestamp"].to_str().unwrap();
    let signature = headers["x-plaza-signature"].to_str().unwrap();
    let Some(hex_mac) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let mut mac =
        <hmac::Hmac<sha2_for_hmac::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.verify_slice(&hex::decode(hex_mac).unwrap()).is_ok()
}

async fn rules(admin: &Client) -> Vec<Value> {
    let answer = admin.get("/admin/alerts/rules").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["rules"].as_array().unwrap().clone()
}

/// Sets the default rule of `kind`.
async fn tune(admin: &Client, kind: &str, change: Value) {
    let id = rules(admin)
        .await
        .into_iter()
        .find(|r| r["kind"] == kind)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let answer = admin
        .patch(&format!("/admin/alerts/rules/{id}"), &change)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

async fn incidents(admin: &Client) -> Vec<Value> {
    let answer = admin.get("/admin/alerts/incidents?state=all").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["incidents"].as_array().unwrap().clone()
}

fn of_kind(incidents: &[Value], kind: &str) -> usize {
    incidents
        .iter()
        .filter(|i| i["rule"]["kind"] == kind)
        .count()
}

#[tokio::test]
async fn each_rule_opens_one_incident_however_often_it_is_evaluated() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    tune(&admin, "reports", json!({"threshold": 2})).await;
    tune(&admin, "downvotes", json!({"threshold": 2})).await;
    tune(&admin, "replies", json!({"threshold": 2, "enabled": true})).await;
    tune(
        &admin,
        "watch_words",
        json!({"words": ["refund", "Widget Pro"], "enabled": true}),
    )
    .await;
    let members = [
        plaza.member("ann").await,
        plaza.member("bob").await,
        plaza.member("cy").await,
    ];
    let quiet = admin.thread("support", "Hello", "Nice place").await;
    let hot = admin.thread("support", "Shipping", "Where is it?").await;
    let words = members[1]
        .thread("support", "My WIDGET pro is broken", "I want a Refund.")
        .await;
    let question = members[2]
        .post(
            "/groups/support/threads",
            &json!({"title": "How do I reset it?", "body": "Help", "question": true}),
        )
        .await;
    assert_eq!(question.status, 201, "{}", question.body);
    for (i, member) in members.iter().enumerate() {
        let down = member
            .post(&format!("/threads/{hot}/vote"), &json!({"score": -1}))
            .await;
        assert_eq!(down.status, 200, "{}", down.body);
        let report = member
            .post(
                &format!("/threads/{quiet}/report"),
                &json!({"reason": format!("spam {i}")}),
            )
            .await;
        assert!(report.status < 300, "{}", report.body);
        member.reply(hot, None, "Me too").await;
        plaza.evaluate_alerts().await;
        plaza.evaluate_alerts().await;
    }
    // Each event is seen once more by a later round, and the sweep runs with every round.
    plaza.evaluate_alerts().await;
    let late = plaza_db::now() + chrono::TimeDelta::hours(25);
    plaza.evaluate_alerts_at(late).await;
    plaza.evaluate_alerts_at(late).await;

    let all = incidents(&admin).await;
    assert_eq!(of_kind(&all, "reports"), 1, "{all:?}");
    assert_eq!(of_kind(&all, "downvotes"), 1, "{all:?}");
    assert_eq!(of_kind(&all, "replies"), 1, "{all:?}");
    assert_eq!(of_kind(&all, "watch_words"), 1, "{all:?}");
    assert_eq!(of_kind(&all, "unanswered"), 1, "{all:?}");
    let watched = all
        .iter()
        .find(|i| i["rule"]["kind"] == "watch_words")
        .unwrap();
    assert_eq!(watched["thread_id"], words);
    assert_eq!(
        watched["evidence"]["words"],
        json!(["refund", "widget pro"])
    );
    let downvoted = all
        .iter()
        .find(|i| i["rule"]["kind"] == "downvotes")
        .unwrap();
    assert_eq!(downvoted["thread_id"], hot);
    let reported = all.iter().find(|i| i["rule"]["kind"] == "reports").unwrap();
    assert!(reported["evidence"]["reports"].as_i64().unwrap() >= 2);

    // The administrator heard of each incident once.
    let notes = admin.get("/notifications?limit=50").await;
    assert_eq!(notes.status, 200, "{}", notes.body);
    let alerts = notes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "alert")
        .count();
    assert_eq!(alerts, 5, "{}", notes.body);
}

#[tokio::test]
async fn a_resolved_thread_incident_opens_again_on_the_next_crossing() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    tune(&admin, "replies", json!({"threshold": 2, "enabled": true})).await;
    let ann = plaza.member("ann").await;
    let thread = ann.thread("support", "Outage?", "Is it down").await;
    ann.reply(thread, None, "one").await;
    ann.reply(thread, None, "two").await;
    plaza.evaluate_alerts().await;
    ann.reply(thread, None, "three").await;
    plaza.evaluate_alerts().await;
    let open = incidents(&admin).await;
    assert_eq!(of_kind(&open, "replies"), 1, "{open:?}");
    let id = open[0]["id"].as_i64().unwrap();
    let resolved = admin
        .post(&format!("/admin/alerts/incidents/{id}/resolve"), &json!({}))
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert!(resolved.body["resolved_at"].is_string());
    ann.reply(thread, None, "four").await;
    plaza.evaluate_alerts().await;
    let all = incidents(&admin).await;
    assert_eq!(of_kind(&all, "replies"), 2, "{all:?}");
    let still_open = admin.get("/admin/alerts/incidents").await;
    assert_eq!(still_open.body["incidents"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_restart_between_evaluating_and_sending_loses_and_repeats_no_alert() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let (sink, url) = Sink::start(Vec::new()).await;
    let set = admin
        .put_with("/admin/alerts/webhook", &json!({"url": url}))
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let secret = set.str("/secret");
    assert!(secret.len() >= 16);
    tune(
        &admin,
        "watch_words",
        json!({"words": ["broken"], "enabled": true}),
    )
    .await;
    let ann = plaza.member("ann").await;
    let thread = ann
        .thread("support", "Broken again", "Since the update")
        .await;

    // The first process opens the incident and queues the call, then dies before sending.
    assert_eq!(plaza.evaluate_alerts().await.opened, 1);
    // The next one starts over, even from a cursor that went back (as after a restore).
    plaza_db::alert::set_events_through(&mut plaza.ctx.db.get().await.unwrap().conn(), 0)
        .await
        .unwrap();
    assert_eq!(plaza.evaluate_alerts().await.opened, 0);
    // A worker claims the call and dies: its lease runs out (here: at once) and the call is due.
    {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let claimed =
            plaza_db::alert::claim_webhooks(&mut pooled.conn(), 10, chrono::TimeDelta::zero())
                .await
                .unwrap();
        assert_eq!(claimed.len(), 1);
    }
    assert_eq!(plaza.send_webhooks().await, 1);
    assert_eq!(plaza.send_webhooks().await, 0);
    assert_eq!(plaza.evaluate_alerts().await.opened, 0);

    let calls = sink.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let (headers, body) = &calls[0];
    assert!(verified(&secret, headers, body), "{headers:?} {body}");
    assert!(!verified("another secret at all", headers, body));
    let json: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["type"], "plaza.alert");
    assert_eq!(json["rule"]["kind"], "watch_words");
    assert_eq!(json["thread"]["id"], thread);
    assert_eq!(
        json["thread"]["url"],
        format!("{}/post/{thread}", plaza.base)
    );
    assert_eq!(json["group"]["name"], "support");
    assert_eq!(json["evidence"]["words"], json!(["broken"]));
    assert_eq!(incidents(&admin).await.len(), 1);
}

#[tokio::test]
async fn a_failed_webhook_call_is_retried_with_the_same_signed_body() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let (sink, url) = Sink::start(vec![StatusCode::SERVICE_UNAVAILABLE]).await;
    let secret = "a secret of the brand, long enough";
    let set = admin
        .put_with(
            "/admin/alerts/webhook",
            &json!({"url": url, "secret": secret}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    tune(
        &admin,
        "watch_words",
        json!({"words": ["refund"], "enabled": true}),
    )
    .await;
    let ann = plaza.member("ann").await;
    ann.thread("support", "Refund", "Please").await;
    plaza.evaluate_alerts().await;
    assert_eq!(plaza.send_webhooks().await, 1);
    assert_eq!(plaza.send_webhooks().await, 1);
    assert_eq!(plaza.send_webhooks().await, 0);
    let calls = sink.calls();
    assert_eq!(calls.len(), 2);
    for (headers, body) in &calls {
        assert!(verified(secret, headers, body));
    }
    assert_eq!(calls[0].1, calls[1].1);
    assert_eq!(
        calls[0].0["x-plaza-delivery"],
        calls[1].0["x-plaza-delivery"]
    );
}

#[tokio::test]
async fn a_webhook_must_be_http_and_outside_development_mode_public() {
    let plaza =
        TestInstance::spawn_federating(plaza_federation::config::FederationSettings::new(false))
            .await;
    let admin = plaza.admin("admin").await;
    for url in [
        "ftp://hooks.example/alert",
        "not a url",
        "http://127.0.0.1:9/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
    ] {
        let answer = admin
            .put_with("/admin/alerts/webhook", &json!({"url": url}))
            .await;
        answer.assert_error(422, "invalid");
    }
    let short = admin
        .put_with(
            "/admin/alerts/webhook",
            &json!({"url": "https://hooks.example/alert", "secret": "short"}),
        )
        .await;
    short.assert_error(422, "invalid");
    let fine = admin
        .put_with(
            "/admin/alerts/webhook",
            &json!({"url": "https://hooks.example/alert"}),
        )
        .await;
    assert_eq!(fine.status, 200, "{}", fine.body);
    let removed = admin
        .put_with("/admin/alerts/webhook", &json!({"url": ""}))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(removed.body["url"].is_null());
}

#[tokio::test]
async fn rules_refuse_bad_settings() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    for body in [
        json!({"kind": "sunspots", "threshold": 3}),
        json!({"kind": "reports", "threshold": 0}),
        json!({"kind": "reports", "group": "nowhere"}),
        json!({"kind": "watch_words", "words": []}),
        json!({"kind": "watch_words", "words": ["!!!"]}),
    ] {
        let answer = admin.post("/admin/alerts/rules", &body).await;
        answer.assert_error(422, "invalid");
    }
    let added = admin
        .post(
            "/admin/alerts/rules",
            &json!({"kind": "downvotes", "group": "support", "threshold": 4}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.body["group"], "support");
    let id = added.i64("/id");
    let kind = admin
        .patch(
            &format!("/admin/alerts/rules/{id}"),
            &json!({"kind": "replies"}),
        )
        .await;
    kind.assert_error(422, "invalid");
    let gone = admin.delete(&format!("/admin/alerts/rules/{id}")).await;
    assert_eq!(gone.status, 204);
    let again = admin.delete(&format!("/admin/alerts/rules/{id}")).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn members_and_anonymous_see_and_change_no_alerts() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    tune(
        &admin,
        "watch_words",
        json!({"words": ["refund"], "enabled": true}),
    )
    .await;
    let ann = plaza.member("ann").await;
    ann.thread("support", "Refund", "now").await;
    plaza.evaluate_alerts().await;
    let id = incidents(&admin).await[0]["id"].as_i64().unwrap();
    let rule = rules(&admin).await[0]["id"].as_i64().unwrap();
    let anonymous = plaza.anonymous();
    for (client, status) in [(&ann, 403), (&anonymous, 401)] {
        for answer in [
            client.get("/admin/alerts/incidents").await,
            client.get("/admin/alerts/rules").await,
            client.get("/admin/alerts/webhook").await,
            client
                .patch(
                    &format!("/admin/alerts/rules/{rule}"),
                    &json!({"enabled": false}),
                )
                .await,
            client
                .post("/admin/alerts/rules", &json!({"kind": "reports"}))
                .await,
            client
                .post(&format!("/admin/alerts/incidents/{id}/resolve"), &json!({}))
                .await,
            client
                .put_with(
                    "/admin/alerts/webhook",
                    &json!({"url": "http://127.0.0.1/"}),
                )
                .await,
        ] {
            assert_eq!(answer.status, status, "{}", answer.body);
            assert!(!answer.body.to_string().contains("Refund"));
        }
    }
    // Staff handle incidents; the webhook is the administrators'.
    let staff = admin.put("/admin/accounts/ann/staff").await;
    assert!(staff.status < 300, "{}", staff.body);
    let ann = plaza.login("ann").await;
    let listed = ann.get("/admin/alerts/incidents").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["incidents"].as_array().unwrap().len(), 1);
    let ack = ann
        .post(
            &format!("/admin/alerts/incidents/{id}/acknowledge"),
            &json!({}),
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    assert!(ack.body["acknowledged_at"].is_string());
    ann.get("/admin/alerts/webhook")
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_who_want_report_mail_get_each_alert_by_mail_once() {
    let smtp = plaza_tests::smtp::SmtpServer::start().await;
    let plaza = TestInstance::spawn_mailing(&smtp).await;
    let admin = plaza.with_group("support").await;
    plaza.verify_email(&smtp, &admin, "admin@example.com").await;
    let wants = admin
        .patch("/me/mail", &json!({ "reports": "instant" }))
        .await;
    assert_eq!(wants.status, 200, "{}", wants.body);
    tune(
        &admin,
        "watch_words",
        json!({"words": ["refund"], "enabled": true}),
    )
    .await;
    let ann = plaza.member("ann").await;
    ann.thread("support", "Refund me", "now").await;
    assert_eq!(plaza.evaluate_alerts().await.opened, 1);
    assert_eq!(plaza.evaluate_alerts().await.opened, 0);
    let mails = smtp.wait_for("admin@example.com", 2).await;
    let alert = &mails[1];
    assert!(alert.subject.contains("Alert in Support"), "{alert:?}");
    assert!(alert.subject.contains("names refund"), "{alert:?}");
    let id = incidents(&admin).await[0]["id"].as_i64().unwrap();
    assert!(
        alert
            .body
            .contains(&format!("{}/admin/alerts#incident-{id}", plaza.base)),
        "{alert:?}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.mails_to("admin@example.com").len(), 2);
}

#[tokio::test]
async fn a_group_rule_also_tells_that_groups_moderators() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let mod_client = plaza.member("mo").await;
    let added = admin.put("/groups/support/moderators/mo").await;
    assert!(added.status < 300, "{}", added.body);
    let other = admin
        .post("/groups", &json!({"name": "sales", "title": "Sales"}))
        .await;
    assert_eq!(other.status, 201, "{}", other.body);
    let rule = admin
        .post(
            "/admin/alerts/rules",
            &json!({"kind": "watch_words", "group": "support", "words": ["outage"]}),
        )
        .await;
    assert_eq!(rule.status, 201, "{}", rule.body);
    let ann = plaza.member("ann").await;
    ann.thread("sales", "An outage elsewhere", "x").await;
    ann.thread("support", "Outage!", "x").await;
    assert_eq!(plaza.evaluate_alerts().await.opened, 1);
    let notes = mod_client.get("/notifications").await;
    let kinds: Vec<&Value> = notes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["kind"])
        .collect();
    assert_eq!(kinds, vec![&json!("alert")], "{}", notes.body);
    // Moderators hear of it; the page and the API stay for staff.
    mod_client
        .get("/admin/alerts/incidents")
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test]
async fn a_question_whose_only_reply_was_removed_is_overdue_and_one_with_a_live_reply_is_not() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ann = plaza.member("ann").await;
    let bob = plaza.member("bob").await;
    let mut asked = Vec::new();
    for title in ["Answered", "Answer removed"] {
        let question = ann
            .post(
                "/groups/support/threads",
                &json!({"title": title, "body": "Help", "question": true}),
            )
            .await;
        assert_eq!(question.status, 201, "{}", question.body);
        asked.push(question.i64("/thread/id"));
    }
    let (answered, removed) = (asked[0], asked[1]);
    bob.reply(answered, None, "Try this").await;
    let spam = bob.reply(removed, None, "Buy cheap watches").await;
    let moderated = admin
        .post(
            &format!("/comments/{spam}/moderate"),
            &json!({"action": "remove"}),
        )
        .await;
    assert!(moderated.status < 300, "{}", moderated.body);

    plaza.evaluate_alerts().await;
    plaza
        .evaluate_alerts_at(plaza_db::now() + chrono::TimeDelta::hours(25))
        .await;
    let overdue: Vec<Value> = incidents(&admin)
        .await
        .into_iter()
        .filter(|i| i["rule"]["kind"] == "unanswered")
        .map(|i| i["thread_id"].clone())
        .collect();
    assert_eq!(overdue, [json!(removed)]);
}
