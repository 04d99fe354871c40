//! The insight API: each section's figures on a known community, who may see them, and CSV
//! exports that hold the same values as the JSON.

use plaza_tests::community::{Community, community};
use plaza_tests::{Answer, Client, TestInstance};
use serde_json::{Value, json};

async fn section(client: &Client, name: &str, query: &str) -> Answer {
    let answer = client.get(&format!("/admin/insight/{name}?{query}")).await;
    assert_eq!(answer.status, 200, "{name}?{query}: {}", answer.body);
    answer
}

/// The rows of a table, by id.
fn rows<'a>(report: &'a Answer, table: &str) -> &'a Vec<Value> {
    report
        .body
        .pointer("/tables")
        .and_then(Value::as_array)
        .and_then(|ts| ts.iter().find(|t| t["id"] == table))
        .and_then(|t| t["rows"].as_array())
        .unwrap_or_else(|| panic!("no table {table} in {}", report.body))
}

/// The row whose first cell is `key`.
fn row<'a>(report: &'a Answer, table: &str, key: &str) -> &'a Vec<Value> {
    rows(report, table)
        .iter()
        .filter_map(Value::as_array)
        .find(|r| r.first().and_then(Value::as_str) == Some(key))
        .unwrap_or_else(|| panic!("no row {key} in table {table}: {}", report.body))
}

fn column(report: &Answer, table: &str, key: &str) -> usize {
    report.body["tables"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["id"] == table))
        .and_then(|t| t["columns"].as_array())
        .and_then(|cs| cs.iter().position(|c| c["key"] == key))
        .unwrap_or_else(|| panic!("no column {key} in {table}"))
}

fn cell<'a>(report: &'a Answer, table: &str, key: &str, col: &str) -> &'a Value {
    let i = column(report, table, col);
    &row(report, table, key)[i]
}

async fn csv(plaza: &TestInstance, client: &Client, path: &str) -> (u16, String, String) {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", plaza.base))
        .bearer_auth(client.token().unwrap_or_default())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.text().await.unwrap())
}

/// Parses the CSV the server writes (quoted fields may hold commas and doubled quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

/// A JSON value as the CSV writes it.
fn as_csv(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_i64()
            .map(|i| i.to_string())
            .or_else(|| n.as_f64().map(|f| f.to_string()))
            .unwrap_or_default(),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_counts_each_day_against_the_week_before() {
    let plaza = TestInstance::spawn().await;
    let c: Community = community(&plaza).await;
    let report = section(&c.admin, "overview", "days=7").await;
    assert_eq!(report.at("/period/days"), 7);
    assert_eq!(report.at("/period/bucket"), "day");
    assert_eq!(report.at("/period/to"), c.today.to_string().as_str());
    let totals = |measure: &str| {
        (
            cell(&report, "totals", measure, "this_period")
                .as_i64()
                .unwrap(),
            cell(&report, "totals", measure, "previous_period")
                .as_i64()
                .unwrap(),
        )
    };
    assert_eq!(totals("new_members"), (3, 0), "admin, sam and mia today");
    assert_eq!(totals("new_followers"), (3, 1));
    assert_eq!(totals("threads"), (4, 1));
    assert_eq!(totals("comments"), (4, 1));
    assert_eq!(totals("votes"), (5, 1));
    assert_eq!(totals("active_people"), (5, 2));
    assert_eq!(cell(&report, "totals", "threads", "change_percent"), 300.0);

    // One row per day, empty days included, oldest first, next to the same day a week before.
    let threads = rows(&report, "threads");
    assert_eq!(threads.len(), 7);
    let day = |k: i64| (c.today - chrono::TimeDelta::days(k)).to_string();
    assert_eq!(threads[0][0], day(6).as_str());
    assert_eq!(threads[6][0], day(0).as_str());
    let counts: Vec<i64> = threads.iter().map(|r| r[1].as_i64().unwrap()).collect();
    assert_eq!(counts, vec![0, 0, 0, 1, 1, 1, 1]);
    assert_eq!(threads[2][2], day(11).as_str());
    let before: Vec<i64> = threads.iter().map(|r| r[3].as_i64().unwrap()).collect();
    assert_eq!(before, vec![0, 0, 0, 1, 0, 0, 0], "t5, ten days ago");

    // One group: only its own threads and followers.
    let ideas = section(&c.admin, "overview", "days=7&group=ideas").await;
    assert_eq!(ideas.at("/group"), "ideas");
    assert_eq!(cell(&ideas, "totals", "threads", "this_period"), 1);
    assert_eq!(cell(&ideas, "totals", "new_followers", "this_period"), 1);
    assert_eq!(cell(&ideas, "totals", "new_members", "this_period"), 0);

    // Ninety days come per week.
    let long = section(&c.admin, "overview", "days=90").await;
    assert_eq!(long.at("/period/bucket"), "week");
    assert_eq!(rows(&long, "comments").len(), 13);
    assert_eq!(cell(&long, "totals", "comments", "this_period"), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn sources_rank_home_instances_and_their_software() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;
    let report = section(&c.staff, "sources", "days=7").await;
    let one = row(&report, "instances", "mastodon.one");
    assert_eq!(
        (one[1].as_str(), one[2].as_i64(), one[3].as_i64()),
        (Some("mastodon"), Some(2), Some(2))
    );
    assert_eq!(
        rows(&report, "instances")[0][0],
        "mastodon.one",
        "ranked first"
    );
    assert_eq!(cell(&report, "instances", "mastodon.two", "followers"), 1);
    assert_eq!(
        cell(&report, "instances", "lemmy.three", "active_people"),
        1
    );

    // Software names are compared without case: "Mastodon" and "mastodon" are one.
    assert_eq!(cell(&report, "software", "mastodon", "instances"), 2);
    assert_eq!(cell(&report, "software", "mastodon", "followers"), 3);
    assert_eq!(cell(&report, "software", "mastodon", "active_people"), 3);
    assert_eq!(cell(&report, "software", "lemmy", "followers"), 1);
    assert_eq!(
        cell(&report, "software", "this instance", "active_people"),
        1,
        "sam"
    );

    assert_eq!(
        cell(&report, "local_remote", "other servers", "followers"),
        4
    );
    assert_eq!(
        cell(&report, "local_remote", "this instance", "followers"),
        0
    );
    assert_eq!(
        cell(&report, "local_remote", "other servers", "active_percent"),
        80.0
    );
    assert_eq!(
        cell(&report, "local_remote", "this instance", "active_percent"),
        20.0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn responsiveness_measures_first_replies_and_staff_replies() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;
    let report = section(&c.admin, "responsiveness", "days=7").await;
    let all = |col: &str| cell(&report, "groups", "all groups", col).clone();
    assert_eq!(all("threads"), 4);
    assert_eq!(all("replied"), 3);
    // First replies after 2 h (t1), 1 h (t2) and 4 h (t3).
    assert_eq!(all("median_first_reply_hours"), 2.0);
    assert_eq!(all("p90_first_reply_hours"), 4.0);
    // Staff replied after 5 h (t1) and 1 h (t2).
    assert_eq!(all("staff_replied"), 2);
    assert_eq!(all("median_staff_reply_hours"), 1.0);
    assert_eq!(all("p90_staff_reply_hours"), 5.0);
    assert_eq!(all("questions"), 3);
    assert_eq!(all("solved"), 1);
    assert_eq!(all("solved_percent"), 33.33);
    assert_eq!(cell(&report, "groups", "ideas", "staff_replied"), 0);
    assert!(cell(&report, "groups", "ideas", "median_staff_reply_hours").is_null());

    let over_time = rows(&report, "over_time");
    assert_eq!(over_time.len(), 7);
    let three_days_ago = &over_time[3];
    assert_eq!(three_days_ago[3], 2.0, "t1's first reply");

    let open = rows(&report, "unanswered");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0][0], "Does it work offline?");
    assert_eq!(open[0][2], "bob@mastodon.one");
    assert!(
        open[0][5]
            .as_str()
            .unwrap()
            .ends_with(&format!("/post/{}", c.t4))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn advocates_friction_and_demand_show_people_and_threads() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;
    let advocates = section(&c.admin, "advocates", "days=7").await;
    let ranked = rows(&advocates, "advocates");
    let names: Vec<&str> = ranked.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(names, vec!["bob@mastodon.one", "ann@mastodon.one", "sam"]);
    assert_eq!(
        ranked[0].as_array().unwrap()[2..5],
        [Value::from(1), Value::from(2), Value::from(1)]
    );
    assert!(
        ranked[0][5]
            .as_str()
            .unwrap()
            .ends_with("/u/bob@mastodon.one")
    );
    assert!(ranked[2][5].as_str().unwrap().ends_with("/u/sam"));

    let friction = section(&c.admin, "friction", "days=7").await;
    let threads = rows(&friction, "threads");
    assert_eq!(threads[0][0], "=Make it blue, please");
    assert_eq!(
        threads[0].as_array().unwrap()[2..5],
        [Value::from(2), Value::from(1), Value::from(0)]
    );
    let dee = row(&friction, "people", "dee@lemmy.three");
    assert_eq!(
        dee[2..6],
        [
            Value::from(2),
            Value::from(1),
            Value::from(0),
            Value::from(1)
        ]
    );
    let heated = rows(&friction, "heated");
    assert_eq!(heated.len(), 1);
    assert_eq!(heated[0][2], -2);

    let demand = section(&c.admin, "demand", "days=7").await;
    let top: Vec<&str> = rows(&demand, "most_upvoted")
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert_eq!(top[0], "Refund for a broken kettle");
    assert_eq!(top.len(), 4);
    assert_eq!(rows(&demand, "most_discussed")[0][0], "Where is my parcel?");
    assert_eq!(rows(&demand, "most_discussed")[0][5], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_csv_export_holds_the_values_of_the_json() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;
    for name in [
        "overview",
        "sources",
        "responsiveness",
        "advocates",
        "friction",
        "demand",
    ] {
        let report = section(&c.admin, name, "days=30").await;
        for table in report.body["tables"].as_array().unwrap() {
            let id = table["id"].as_str().unwrap();
            let (status, kind, text) = csv(
                &plaza,
                &c.admin,
                &format!("/admin/insight/{name}?days=30&format=csv&table={id}"),
            )
            .await;
            assert_eq!(status, 200, "{name}/{id}: {text}");
            assert!(kind.starts_with("text/csv"), "{kind}");
            let parsed = parse_csv(&text);
            let header: Vec<String> = table["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["key"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(parsed[0], header, "{name}/{id}");
            let expected: Vec<Vec<String>> = table["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_array().unwrap().iter().map(as_csv).collect())
                .collect();
            assert_eq!(parsed[1..].to_vec(), expected, "{name}/{id}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn only_staff_and_administrators_see_insight() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;
    for name in [
        "overview",
        "sources",
        "responsiveness",
        "advocates",
        "friction",
        "demand",
    ] {
        let path = format!("/admin/insight/{name}?days=7");
        c.member.get(&path).await.assert_error(403, "forbidden");
        plaza
            .anonymous()
            .get(&path)
            .await
            .assert_error(401, "unauthorized");
        let (status, _, text) = csv(
            &plaza,
            &c.member,
            &format!("{path}&format=csv&table=totals"),
        )
        .await;
        assert_eq!(status, 403, "{text}");
        assert!(!text.contains("mastodon"), "{text}");
    }
    assert_eq!(c.staff.get("/admin/insight/overview").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_periods_groups_sections_and_tables_are_refused() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;
    let today = c.today;
    let tomorrow = today + chrono::TimeDelta::days(1);
    for query in [
        "days=8".to_owned(),
        "days=-7".to_owned(),
        "days=7&from=2026-01-01&to=2026-01-02".to_owned(),
        "from=2026-01-05".to_owned(),
        "from=2026-01-05&to=2026-01-01".to_owned(),
        "from=yesterday&to=2026-01-01".to_owned(),
        format!("from={today}&to={tomorrow}"),
        "from=2020-01-01&to=2022-01-01".to_owned(),
        "group=nope".to_owned(),
        "group=%27%3B%20DROP%20TABLE%20posts".to_owned(),
        "format=xml".to_owned(),
        "format=csv".to_owned(),
        "format=csv&table=nope".to_owned(),
    ] {
        let answer = c
            .admin
            .get(&format!("/admin/insight/overview?{query}"))
            .await;
        assert_eq!(answer.status, 422, "{query}: {}", answer.body);
    }
    // A query string that does not parse is a bad request, as everywhere in the API.
    c.admin
        .get("/admin/insight/overview?days=abc")
        .await
        .assert_error(400, "bad_request");
    c.admin
        .get("/admin/insight/secrets")
        .await
        .assert_error(404, "not_found");
    // A range of one day, and a range on the last day.
    let one = section(&c.admin, "overview", &format!("from={today}&to={today}")).await;
    assert_eq!(one.at("/period/days"), 1);
    assert_eq!(
        cell(&one, "totals", "threads", "this_period"),
        1,
        "t4 today"
    );
    // Nothing was stored by all that.
    let again = section(&c.admin, "overview", "days=7").await;
    assert_eq!(cell(&again, "totals", "threads", "this_period"), 4);
    let _ = c.t5;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_takes_back_what_is_deleted_withdrawn_or_unfollowed() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let kept = ada.thread("support", "Kept", "").await;
    let gone = bob.thread("support", "Gone", "").await;
    let reply = bob.reply(kept, None, "The only reply").await;
    let voted = |who: &Client, path: String, score: i64| {
        let who = who.clone();
        async move {
            let answer = who.post(&path, &json!({ "score": score })).await;
            assert_eq!(answer.status, 200, "{}", answer.body);
        }
    };
    voted(&ada, format!("/comments/{reply}/vote"), 1).await;
    voted(&bob, format!("/threads/{kept}/vote"), 1).await;
    // A changed vote is still one vote.
    voted(&bob, format!("/threads/{kept}/vote"), -1).await;
    let followed = bob.post("/groups/support/follow", &json!({})).await;
    assert!(followed.status < 300, "{}", followed.body);

    let totals = async || {
        let report = section(&admin, "overview", "days=7").await;
        [
            "new_followers",
            "threads",
            "comments",
            "votes",
            "active_people",
        ]
        .map(|m| cell(&report, "totals", m, "this_period").as_i64().unwrap())
    };
    let before = totals().await;

    assert_eq!(bob.delete(&format!("/threads/{gone}")).await.status, 204);
    assert_eq!(bob.delete(&format!("/comments/{reply}")).await.status, 204);
    voted(&bob, format!("/threads/{kept}/vote"), 0).await;
    let unfollowed = bob.delete("/groups/support/follow").await;
    assert!(unfollowed.status < 300, "{}", unfollowed.body);

    let after = totals().await;
    let taken_back: Vec<i64> = before.iter().zip(after).map(|(b, a)| b - a).collect();
    // Bob's follow, thread, comment and vote are gone, and with them Bob from the active
    // people; Ada's vote on his deleted comment stands.
    assert_eq!(
        taken_back,
        vec![1, 1, 1, 1, 1],
        "before {before:?}, after {after:?}"
    );
}
