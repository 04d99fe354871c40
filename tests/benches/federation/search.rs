//! Search latency on a large community: 100,000 comments (and 1,000 threads) inserted directly
//! in batches, then typical searches timed through `GET /api/v1/search` on loopback.

use std::time::{Duration, Instant};

use plaza_db::post::NewPost;
use plaza_db::reexports::diesel;
use plaza_db::reexports::diesel_async::RunQueryDsl;
use plaza_db::{group, on_conn, person};
use plaza_tests::TestInstance;

use super::{Measured, summary_line};

const THREADS: usize = 1_000;
const COMMENTS: usize = 100_000;
const BATCH: usize = 1_000;
/// Searches timed per query.
const SEARCHES: usize = 200;

/// Everyday support words; each text takes a dozen of them.
const WORDS: [&str; 40] = [
    "printer",
    "router",
    "reset",
    "update",
    "firmware",
    "battery",
    "screen",
    "cable",
    "driver",
    "error",
    "install",
    "account",
    "password",
    "login",
    "network",
    "wifi",
    "bluetooth",
    "sound",
    "speaker",
    "charger",
    "warranty",
    "refund",
    "shipping",
    "order",
    "invoice",
    "manual",
    "light",
    "button",
    "power",
    "slow",
    "crash",
    "freeze",
    "setting",
    "backup",
    "restore",
    "sync",
    "app",
    "phone",
    "tablet",
    "laptop",
];

/// A deterministic generator (no dependency for a benchmark's filler text).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn text(&mut self, n: usize, index: usize) -> String {
        let mut words: Vec<&str> = (0..n).map(|_| WORDS[self.next() % WORDS.len()]).collect();
        // "printer" is everywhere, "zeppelin" in one text of a thousand.
        if index.is_multiple_of(2) {
            words.push("printer");
        }
        if index % 1_000 == 7 {
            words.push("zeppelin");
        }
        words.join(" ")
    }
}

pub async fn search_benchmark() -> Vec<String> {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let admin = plaza.admin("root").await;
    admin
        .post(
            "/groups",
            &serde_json::json!({"name": "billing", "title": "Billing"}),
        )
        .await;
    plaza.member("ada").await;
    let started = Instant::now();
    let (support, billing, ada) = {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        (
            group::find_local(conn, "support")
                .await
                .unwrap()
                .unwrap()
                .id,
            group::find_local(conn, "billing")
                .await
                .unwrap()
                .unwrap()
                .id,
            person::find_local(conn, "ada").await.unwrap().unwrap().id,
        )
    };
    let mut rng = Lcg(42);
    let now = plaza_db::now();
    let titles: Vec<String> = (0..THREADS).map(|i| rng.text(6, i)).collect();
    let bodies: Vec<String> = (0..THREADS).map(|i| rng.text(30, i + 1)).collect();
    let ap_ids: Vec<String> = (0..THREADS)
        .map(|i| format!("https://bench.invalid/post/{i}"))
        .collect();
    let new_posts: Vec<NewPost<'_>> = (0..THREADS)
        .map(|i| NewPost {
            ap_id: &ap_ids[i],
            group_id: if i.is_multiple_of(10) {
                billing
            } else {
                support
            },
            author_id: ada,
            title: &titles[i],
            body_source: Some(&bodies[i]),
            body_html: &bodies[i],
            url: None,
            local: true,
            created_at: now - chrono::Duration::minutes((THREADS - i) as i64),
            last_activity_at: now,
            question: false,
        })
        .collect();
    let mut post_ids = Vec::with_capacity(THREADS);
    {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        for new in &new_posts {
            post_ids.push(plaza_db::post::insert(conn, new).await.unwrap().id);
        }
    }
    // Comments as multi-row INSERTs (diesel's batch insert needs a synchronous SQLite
    // connection); the text is made of known lower-case words, so it needs no escaping.
    for start in (0..COMMENTS).step_by(BATCH) {
        let rows: Vec<String> = (start..(start + BATCH).min(COMMENTS))
            .map(|i| {
                let text = rng.text(12, i);
                let at = (now - chrono::Duration::seconds((COMMENTS - i) as i64))
                    .format("%Y-%m-%d %H:%M:%S");
                format!(
                    "('https://bench.invalid/comment/{i}', {}, NULL, {ada}, 0, '{text}', '{text}', TRUE, '{at}')",
                    post_ids[i % THREADS]
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO comments (ap_id, post_id, parent_id, author_id, depth, body_source, \
             body_html, local, created_at) VALUES {}",
            rows.join(", ")
        );
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        on_conn!(conn, |c| diesel::sql_query(sql.clone())
            .execute(c)
            .await
            .unwrap());
    }
    println!(
        "\nsearch: inserted {THREADS} threads and {COMMENTS} comments (indexed by the database) in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let client = plaza.anonymous();
    let cases = [
        ("search: common word", "q=printer"),
        ("search: rare word", "q=zeppelin"),
        ("search: two words", "q=printer%20firmware"),
        ("search: with group filter", "q=router&group=billing"),
    ];
    let mut lines = Vec::new();
    for (name, query) in cases {
        let path = format!("/search?{query}");
        // Warm up, and check the search finds something.
        let first = client.get(&path).await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert!(
            !first.body["items"].as_array().unwrap().is_empty(),
            "{name}: nothing found"
        );
        let mut latencies: Vec<Duration> = Vec::with_capacity(SEARCHES);
        let phase = Instant::now();
        for _ in 0..SEARCHES {
            let t = Instant::now();
            let answer = client.get(&path).await;
            latencies.push(t.elapsed());
            assert_eq!(answer.status, 200, "{}", answer.body);
        }
        latencies.sort_unstable();
        let measured = Measured {
            requests: SEARCHES,
            elapsed: phase.elapsed(),
            latencies,
        };
        let line = summary_line(name, "searches", &measured);
        println!("{line}");
        lines.push(line);
    }
    plaza.stop().await;
    lines
}
