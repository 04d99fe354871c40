//! Backups and restores with the commands docs/operations.md gives, and moving an instance from
//! SQLite to PostgreSQL, each on a database a running server filled.

use std::path::Path;

use plaza_db::testing::TestDatabase;
use plaza_db::{DatabaseUrl, DbPool, PoolOptions, transfer};
use reqwest::Client;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::{plaza, running};

const PASSWORD: &str = "a long enough password";

/// A server on `database_url`, with its address and a bearer token of the administrator.
struct Server {
    process: running::Process,
    base: String,
    token: String,
    client: Client,
}

impl Server {
    async fn start(dir: &Path, database_url: &str) -> Self {
        plaza_federation::install_tls_provider();
        let process = running::start(
            dir,
            database_url,
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--rate-limit-posting",
                "0",
            ],
            "listening on",
        )
        .await;
        let base = process.base();
        let client = Client::new();
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"name": "ada", "password": PASSWORD}))
            .send()
            .await
            .expect("log in")
            .json()
            .await
            .expect("token");
        let token = login["token"].as_str().expect("token").to_owned();
        Self {
            process,
            base,
            token,
            client,
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request");
        assert!(response.status().is_success(), "{path}: {response:?}");
        response.json().await.unwrap_or(Value::Null)
    }

    /// Threads, each with a reply and a vote.
    async fn write_threads(&self, titles: &[&str]) {
        for title in titles {
            let thread = self
                .post(
                    "/groups/support/threads",
                    json!({"title": title, "body": format!("About **{title}**.")}),
                )
                .await;
            let id = thread["thread"]["id"].as_i64().expect("thread id");
            self.post(
                &format!("/threads/{id}/comments"),
                json!({"body": format!("An answer to {title}")}),
            )
            .await;
            self.post(&format!("/threads/{id}/vote"), json!({"score": 1}))
                .await;
        }
    }

    /// The group's threads as the API lists them.
    async fn threads(&self) -> Value {
        self.threads_where("").await
    }

    /// The group's threads as the API lists them with this query (`?filter=…`).
    async fn threads_where(&self, query: &str) -> Value {
        self.client
            .get(format!(
                "{}/api/v1/groups/support/threads{query}",
                self.base
            ))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json")
    }

    async fn stop(mut self) {
        self.process.child.kill().await.expect("stop plaza");
    }
}

/// `value` with its times rounded to the microsecond: PostgreSQL keeps microseconds where SQLite
/// kept nanoseconds, so a moved instance shows the same times at that precision.
fn to_microseconds(value: &Value) -> Value {
    match value {
        Value::String(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(time) => {
                let rounded = chrono::DurationRound::duration_round(
                    time.to_utc(),
                    chrono::TimeDelta::microseconds(1),
                )
                .expect("round");
                Value::String(rounded.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
            }
            Err(_) => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(to_microseconds).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, field)| (key.clone(), to_microseconds(field)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn titles(listing: &Value) -> Vec<String> {
    let mut titles: Vec<String> = listing["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|thread| thread["title"].as_str().expect("title").to_owned())
        .collect();
    titles.sort();
    titles
}

async fn run_plaza(dir: &Path, database_url: &str, args: &[&str]) -> (bool, String) {
    let mut command: Command = plaza(dir).into();
    let output = command
        .env("DATABASE_URL", database_url)
        .args(args)
        .output()
        .await
        .expect("run plaza");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn run_tool(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(output.status.success(), "{program} {args:?}: {output:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sqlite_backup_taken_while_serving_restores_what_was_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    let live = format!("sqlite://{}", dir.path().join("plaza.db").display());
    running::create_admin_and_group(dir.path(), &live, None).await;
    let server = Server::start(dir.path(), &live).await;
    server.write_threads(&["Battery", "Screen"]).await;

    let backup = dir.path().join("backup.db");
    let backup_arg = backup.to_str().expect("path");
    let (ok, text) = run_plaza(dir.path(), &live, &["database", "backup", backup_arg]).await;
    assert!(ok, "{text}");
    // A second backup to the same file would overwrite it: refused.
    let (ok, text) = run_plaza(dir.path(), &live, &["database", "backup", backup_arg]).await;
    assert!(!ok && text.contains("exists already"), "{text}");
    server.write_threads(&["After the backup"]).await;
    server.stop().await;

    // Restore as the docs say: the backup becomes the database file of a stopped server.
    let restored_dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(&backup, restored_dir.path().join("plaza.db")).expect("restore");
    let restored = format!(
        "sqlite://{}",
        restored_dir.path().join("plaza.db").display()
    );
    let server = Server::start(restored_dir.path(), &restored).await;
    assert_eq!(titles(&server.threads().await), ["Battery", "Screen"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgresql_dump_restores_into_an_empty_database() {
    let db = TestDatabase::create().await.expect("test database");
    let DatabaseUrl::Postgres(live) = db.url.clone() else {
        eprintln!("pg_dump needs PostgreSQL: set PLAZA_TEST_DATABASE_URL");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    running::create_admin_and_group(dir.path(), &live, None).await;
    let server = Server::start(dir.path(), &live).await;
    server.write_threads(&["Battery", "Screen"]).await;
    let before = server.threads().await;
    server.stop().await;

    // The commands of docs/operations.md, "Backups", PostgreSQL.
    let dump = dir.path().join("plaza.dump");
    let dump_arg = format!("--file={}", dump.display());
    run_tool("pg_dump", &["--format=custom", &dump_arg, &live]).await;
    let target = TestDatabase::create().await.expect("second database");
    let DatabaseUrl::Postgres(target_url) = target.url.clone() else {
        unreachable!("the same backend as the first");
    };
    let dbname = format!("--dbname={target_url}");
    run_tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            &dbname,
            dump.to_str().expect("path"),
        ],
    )
    .await;
    let server = Server::start(dir.path(), &target_url).await;
    assert_eq!(server.threads().await, before);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sqlite_instance_moves_to_postgresql_with_nothing_lost() {
    let target = TestDatabase::create().await.expect("test database");
    let DatabaseUrl::Postgres(target_url) = target.url.clone() else {
        eprintln!("moving to PostgreSQL needs PostgreSQL: set PLAZA_TEST_DATABASE_URL");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_path = dir.path().join("plaza.db");
    let sqlite = format!("sqlite://{}", sqlite_path.display());
    running::create_admin_and_group(dir.path(), &sqlite, None).await;
    let server = Server::start(dir.path(), &sqlite).await;
    server
        .write_threads(&["Battery", "Screen", "Refund", "Firmware"])
        .await;
    // What a thread knows of its replies is kept by triggers, not copied: it must come out
    // the same once the copied replies have rebuilt it.
    server
        .post(
            "/groups/support/threads",
            json!({"title": "Still waiting", "body": "Anyone?"}),
        )
        .await;
    let before = server.threads().await;
    let unanswered = server.threads_where("?filter=unanswered").await;
    assert_eq!(titles(&unanswered), ["Still waiting"]);

    // While the server runs, the copy is refused: it could miss what is written meanwhile.
    let (ok, text) = run_plaza(dir.path(), &sqlite, &["database", "copy-to", &target_url]).await;
    assert!(!ok && text.contains("already running"), "{text}");
    server.stop().await;

    // Remote followers and the rest of what federation stores, beside what the API wrote.
    let source = DbPool::connect(
        &DatabaseUrl::Sqlite(sqlite_path.clone()),
        &PoolOptions::default(),
    )
    .await
    .expect("open sqlite");
    {
        let mut pooled = source.get().await.expect("connection");
        let conn = &mut pooled.conn();
        let support = plaza_db::group::find_local(conn, "support")
            .await
            .expect("group")
            .expect("support");
        plaza_db::testing::add_remote_followers(
            conn,
            support.id,
            "https://follow.example",
            "follow.example",
            25,
            true,
        )
        .await
        .expect("followers");
    }

    let (ok, text) = run_plaza(dir.path(), &sqlite, &["database", "copy-to", &target_url]).await;
    assert!(ok, "{text}");
    assert!(text.contains("copied"), "{text}");

    // Every table holds as many rows on both sides.
    let copied_tables: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let [table, rows] = line.split_whitespace().collect::<Vec<_>>()[..] else {
                return None;
            };
            rows.parse::<i64>().ok().map(|_| table.to_owned())
        })
        .collect();
    for table in [
        "persons",
        "posts",
        "comments",
        "post_votes",
        "group_follows",
        "instances",
        "events",
        "deliveries",
    ] {
        assert!(copied_tables.iter().any(|t| t == table), "{table}: {text}");
    }
    let names: Vec<&str> = copied_tables.iter().map(String::as_str).collect();
    assert_eq!(
        transfer::row_counts(&source, &names)
            .await
            .expect("sqlite counts"),
        transfer::row_counts(&target.pool, &names)
            .await
            .expect("postgres counts")
    );

    // The same instance answers from PostgreSQL, and new rows get new ids.
    let server = Server::start(dir.path(), &target_url).await;
    assert_eq!(
        to_microseconds(&server.threads().await),
        to_microseconds(&before)
    );
    assert_eq!(
        to_microseconds(&server.threads_where("?filter=unanswered").await),
        to_microseconds(&unanswered)
    );
    server.write_threads(&["Written on PostgreSQL"]).await;
    assert_eq!(titles(&server.threads().await).len(), 6);
    server.stop().await;

    // A database that holds data already is never copied into.
    let (ok, text) = run_plaza(dir.path(), &sqlite, &["database", "copy-to", &target_url]).await;
    assert!(!ok && text.contains("already holds data"), "{text}");
}
