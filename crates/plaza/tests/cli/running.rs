//! Running `plaza` processes from a test: start one, wait until it is ready, find its address.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::plaza;

/// A running `plaza` process and the line it logged when it was ready.
pub struct Process {
    pub child: Child,
    pub ready: String,
}

/// Starts `plaza ARGS` on `database_url` and waits for the log line containing `ready`.
pub async fn start(
    dir: &std::path::Path,
    database_url: &str,
    args: &[&str],
    ready: &str,
) -> Process {
    let mut command: Command = plaza(dir).into();
    let mut child = command
        .env("DATABASE_URL", database_url)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start plaza");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.expect("read log") {
            if line.contains(ready) {
                return line;
            }
        }
        panic!("plaza {args:?} exited before logging '{ready}'");
    })
    .await
    .unwrap_or_else(|_| panic!("plaza {args:?} did not log '{ready}'"));
    // Keep reading, so the process never blocks on a full pipe; warnings are passed on.
    let name = args.join(" ");
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("WARN") || line.contains("ERROR") {
                eprintln!("[plaza {name}] {line}");
            }
        }
    });
    Process { child, ready: line }
}

impl Process {
    /// The `http://ADDRESS` a web process listens on.
    pub fn base(&self) -> String {
        let address = self
            .ready
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("address in the log line");
        format!("http://{address}")
    }
}

/// Creates the administrator `ada` and the group `support` with the command line, as an operator
/// does after installing; `public_url` as `PLAZA_PUBLIC_URL`, when not the default.
pub async fn create_admin_and_group(
    dir: &std::path::Path,
    database_url: &str,
    public_url: Option<&str>,
) {
    let password_file = dir.join("password");
    std::fs::write(&password_file, "a long enough password\n").expect("write password");
    for args in [
        vec![
            "admin",
            "create-user",
            "--admin",
            "ada",
            "--password-file",
            password_file.to_str().expect("path"),
        ],
        vec!["group", "create", "support", "--title", "Support"],
    ] {
        let mut command: Command = plaza(dir).into();
        if let Some(url) = public_url {
            command.env("PLAZA_PUBLIC_URL", url);
        }
        let output = command
            .env("DATABASE_URL", database_url)
            .args(&args)
            .output()
            .await
            .expect("run plaza");
        assert!(output.status.success(), "{args:?}: {output:?}");
    }
}

/// A test database as a `DATABASE_URL`.
pub fn url_of(db: &plaza_db::testing::TestDatabase) -> String {
    match &db.url {
        plaza_db::DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        plaza_db::DatabaseUrl::Postgres(raw) => raw.clone(),
    }
}

/// Gives the group `support` `per_server` followers on each sink, all behind its shared inbox.
pub async fn add_followers(
    db: &plaza_db::testing::TestDatabase,
    sinks: &[crate::sink::Sink],
    per_server: usize,
) {
    let mut pooled = db.pool.get().await.expect("connection");
    let conn = &mut pooled.conn();
    let support = plaza_db::group::find_local(conn, "support")
        .await
        .expect("group")
        .expect("support exists");
    for sink in sinks {
        plaza_db::testing::add_remote_followers(
            conn,
            support.id,
            &sink.base,
            &sink.domain,
            per_server,
            true,
        )
        .await
        .expect("followers");
    }
}

/// Logs `ada` in at the web process `base` and returns her token.
pub async fn login_ada(base: &str) -> String {
    let login = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"name": "ada", "password": "a long enough password"}))
        .send()
        .await
        .expect("log in");
    assert_eq!(login.status(), 200);
    login.json::<serde_json::Value>().await.expect("token")["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}
