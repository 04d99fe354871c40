//! A small community with a known past, for the insight tests: two groups, local staff and
//! members, and people from three other servers running two kinds of software, who follow,
//! ask, answer, vote and report over the last two weeks.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use plaza_core::demo::Seeder;
use serde_json::json;

use crate::{Client, TestInstance};

/// The people and threads of [`community`].
pub struct Community {
    /// An administrator, `admin`.
    pub admin: Client,
    /// Staff, `sam`.
    pub staff: Client,
    /// A plain member, `mia`.
    pub member: Client,
    /// Today, UTC, when the community was built.
    pub today: NaiveDate,
    /// Threads by their name in the story: t1 (answered and solved), t2 (answered by staff),
    /// t3 (downvoted, reported), t4 (an open question), t5 (last week).
    pub t1: i64,
    pub t2: i64,
    pub t3: i64,
    pub t4: i64,
    pub t5: i64,
}

/// `hours` after midnight UTC `days` days before `today`.
pub fn at(today: NaiveDate, days: i64, hours: i64) -> NaiveDateTime {
    (today - TimeDelta::days(days)).and_time(chrono::NaiveTime::MIN) + TimeDelta::hours(hours)
}

/// Builds the community on a fresh instance.
///
/// Within the last 7 days (today is day 0):
/// - follows: ann (mastodon.one) of support on day 1, bob (mastodon.one) on day 2, dee
///   (lemmy.three) of ideas on day 0; before that, cy (mastodon.two) of support on day 9;
/// - t1 by ann in support, a question, day 3 at 10:00: bob replies at 12:00, sam (staff) at
///   15:00; bob's reply is accepted on day 2; cy and dee upvote bob's reply on day 3;
/// - t2 by cy in support, a question, day 2 at 10:00: sam replies at 11:00; ann upvotes it;
/// - t3 by dee in ideas, day 1 at 10:00: ann replies at 14:00; bob and cy downvote it and cy
///   reports it;
/// - t4 by bob in support, a question, today at 00:30: no reply.
///
/// Before that, on day 10: t5 by ann in support at 10:00, bob replies at 13:00 and upvotes it.
///
/// The local accounts (admin, sam, mia) signed up today.
pub async fn community(plaza: &TestInstance) -> Community {
    let admin = plaza.with_group("support").await;
    let created = admin
        .post("/groups", &json!({"name": "ideas", "title": "Ideas"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let staff = plaza.member("sam").await;
    let added = admin.put("/admin/accounts/sam/staff").await;
    assert_eq!(added.status, 200, "{}", added.body);
    let member = plaza.member("mia").await;
    let support = admin.get("/groups/support").await.i64("/id");
    let ideas = admin.get("/groups/ideas").await.i64("/id");
    let sam = staff.get("/me").await.i64("/person_id");

    let today = chrono::Utc::now().date_naive();
    let s = Seeder::new(&plaza.ctx);
    let ann = s
        .remote_person("mastodon.one", Some("mastodon"), "ann")
        .await
        .unwrap();
    let bob = s
        .remote_person("mastodon.one", Some("mastodon"), "bob")
        .await
        .unwrap();
    let cy = s
        .remote_person("mastodon.two", Some("Mastodon"), "cy")
        .await
        .unwrap();
    let dee = s
        .remote_person("lemmy.three", Some("lemmy"), "dee")
        .await
        .unwrap();

    s.follow(support, ann, at(today, 1, 9)).await.unwrap();
    s.follow(support, bob, at(today, 2, 9)).await.unwrap();
    s.follow(ideas, dee, at(today, 0, 0)).await.unwrap();
    s.follow(support, cy, at(today, 9, 9)).await.unwrap();

    let t1 = s
        .thread(support, ann, "Where is my parcel?", true, at(today, 3, 10))
        .await
        .unwrap();
    let bob_answer = s
        .reply(t1, bob, "Ask the courier", at(today, 3, 12))
        .await
        .unwrap();
    s.reply(t1, sam, "We are on it", at(today, 3, 15))
        .await
        .unwrap();
    s.accept(t1, bob_answer, at(today, 2, 8)).await.unwrap();
    s.vote_comment(bob_answer, cy, 1, at(today, 3, 16))
        .await
        .unwrap();
    s.vote_comment(bob_answer, dee, 1, at(today, 3, 17))
        .await
        .unwrap();

    let t2 = s
        .thread(
            support,
            cy,
            "Refund for a broken kettle",
            true,
            at(today, 2, 10),
        )
        .await
        .unwrap();
    s.reply(t2, sam, "Sent you a form", at(today, 2, 11))
        .await
        .unwrap();
    s.vote_thread(t2, ann, 1, at(today, 2, 12)).await.unwrap();

    let t3 = s
        .thread(ideas, dee, "=Make it blue, please", false, at(today, 1, 10))
        .await
        .unwrap();
    s.reply(t3, ann, "No, green", at(today, 1, 14))
        .await
        .unwrap();
    s.vote_thread(t3, bob, -1, at(today, 1, 15)).await.unwrap();
    s.vote_thread(t3, cy, -1, at(today, 1, 16)).await.unwrap();
    s.report(cy, t3, None, at(today, 1, 17)).await.unwrap();

    let t4 = s
        .thread(
            support,
            bob,
            "Does it work offline?",
            true,
            at(today, 0, 0) + TimeDelta::minutes(30),
        )
        .await
        .unwrap();

    let t5 = s
        .thread(support, ann, "Old news", false, at(today, 10, 10))
        .await
        .unwrap();
    s.reply(t5, bob, "Indeed", at(today, 10, 13)).await.unwrap();
    s.vote_thread(t5, bob, 1, at(today, 10, 14)).await.unwrap();

    Community {
        admin,
        staff,
        member,
        today,
        t1,
        t2,
        t3,
        t4,
        t5,
    }
}
