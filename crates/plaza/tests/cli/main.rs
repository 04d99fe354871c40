//! The `plaza` binary as an operator runs it: first start, accounts and groups from the command
//! line, and the messages for configurations that cannot work.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod database;
mod processes;
mod proxy;
mod running;
// The workers benchmark also reads arrival times.
#[allow(dead_code)]
mod sink;

fn plaza(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plaza"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PLAZA_PUBLIC_URL")
        .env_remove("PLAZA_LISTEN")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1");
    command
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("run plaza");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn serve_with_no_configuration_creates_the_sqlite_database_and_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = plaza(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plaza serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let line = loop {
        let line = lines
            .next()
            .expect("plaza exited before listening")
            .expect("read log");
        if line.contains("listening on") {
            break line;
        }
        assert!(Instant::now() < deadline, "no 'listening on' line");
    };
    assert!(
        line.contains("database: SQLite file data/plaza.db"),
        "{line}"
    );
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("address in the log line")
        .to_owned();
    assert!(dir.path().join("data/plaza.db").exists());

    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    write!(
        stream,
        "GET /api/v1/instance HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("\"domain\":\"localhost:8080\""),
        "{response}"
    );

    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "plaza did not stop cleanly on SIGTERM: {status}"
    );
}

/// A fresh migrated database on the backend the test environment selects, as a `DATABASE_URL`.
fn test_database() -> (
    tokio::runtime::Runtime,
    plaza_db::testing::TestDatabase,
    String,
) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = runtime
        .block_on(plaza_db::testing::TestDatabase::create())
        .expect("test database");
    let url = running::url_of(&db);
    (runtime, db, url)
}

#[test]
fn the_cli_creates_an_admin_and_a_group_they_moderate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_runtime, _db, database_url) = test_database();
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, "a long enough password\n").expect("write password");
    let (ok, text) = run(plaza(dir.path()).env("DATABASE_URL", &database_url).args([
        "admin",
        "create-user",
        "--admin",
        "ada",
        "--password-file",
        password_file.to_str().expect("path"),
    ]));
    assert!(ok, "{text}");
    assert!(
        text.contains("created administrator ada (http://localhost:8080/u/ada)"),
        "{text}"
    );

    let (ok, text) = run(plaza(dir.path()).env("DATABASE_URL", &database_url).args([
        "group",
        "create",
        "support",
        "--title",
        "Support",
        "--moderator",
        "ada",
    ]));
    assert!(ok, "{text}");
    assert!(text.contains("!support@localhost:8080"), "{text}");

    let (ok, text) = run(plaza(dir.path())
        .env("DATABASE_URL", &database_url)
        .args(["group", "create", "support", "--title", "Again"]));
    assert!(!ok);
    assert!(text.contains("a group named 'support' exists"), "{text}");
}

#[test]
fn a_password_can_come_from_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = plaza(dir.path())
        .args(["admin", "create-user", "bob"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"another long password\n")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("created account bob"), "{text}");
}

#[test]
fn an_unusable_database_url_stops_with_one_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "mysql://root@localhost/plaza",
            "scheme 'mysql' is not supported",
        ),
        (
            "postgres://plaza@127.0.0.1:1/plaza",
            "cannot reach 127.0.0.1:1",
        ),
        ("sqlite://", "names no SQLite file"),
    ];
    for (url, expected) in cases {
        let (ok, text) = run(plaza(dir.path()).env("DATABASE_URL", url).arg("migrate"));
        assert!(!ok, "{url} was accepted");
        assert!(text.contains(expected), "{url}: {text}");
        assert!(!text.contains("panicked"), "{url}: {text}");
        assert!(text.trim().starts_with("error:"), "{url}: {text}");
    }
}

/// Environment variables to run a command with.
type Settings<'a> = Vec<(&'a str, &'a str)>;

#[test]
fn an_unusable_media_store_stops_with_one_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bucket = [
        ("PLAZA_MEDIA_STORE", "s3"),
        ("PLAZA_S3_BUCKET", "plaza-media"),
        ("PLAZA_S3_ACCESS_KEY_ID", "key"),
        ("PLAZA_S3_SECRET_ACCESS_KEY", "secret"),
    ];
    let group = ["group", "create", "support", "--title", "S"];
    let serve = ["serve", "--listen", "127.0.0.1:0"];
    let cases: [(Settings, &[&str], &str); 5] = [
        (
            vec![("PLAZA_MEDIA_STORE", "s3")],
            &group,
            "PLAZA_S3_BUCKET is not set",
        ),
        (
            vec![("PLAZA_S3_BUCKET", "plaza-media")],
            &group,
            "PLAZA_S3_BUCKET is set, but PLAZA_MEDIA_STORE is folder",
        ),
        (
            vec![
                ("PLAZA_MEDIA_STORE", "s3"),
                ("PLAZA_S3_BUCKET", "plaza-media"),
            ],
            &group,
            "PLAZA_S3_ACCESS_KEY_ID and PLAZA_S3_SECRET_ACCESS_KEY are both needed",
        ),
        (
            [&bucket[..], &[("PLAZA_S3_ENDPOINT", "s3.example.com")]].concat(),
            &group,
            "PLAZA_S3_ENDPOINT 's3.example.com' is not a URL",
        ),
        // Nothing answers there: the check at start says so, naming the bucket and the store.
        (
            [&bucket[..], &[("PLAZA_S3_ENDPOINT", "http://127.0.0.1:1")]].concat(),
            &serve,
            "cannot use the bucket plaza-media at http://127.0.0.1:1",
        ),
    ];
    for (env, args, expected) in cases {
        let (ok, text) = run(plaza(dir.path()).envs(env.iter().copied()).args(args));
        assert!(!ok, "{env:?} was accepted: {text}");
        assert!(text.contains(expected), "{env:?}: {text}");
        assert!(!text.contains("panicked"), "{env:?}: {text}");
        assert!(!text.contains("secret"), "{env:?}: {text}");
        assert!(
            text.lines().any(|l| l.starts_with("error:")),
            "{env:?}: {text}"
        );
    }
}

#[test]
fn a_database_of_another_domain_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ok, text) = run(plaza(dir.path()).args(["group", "create", "support", "--title", "S"]));
    assert!(ok, "{text}");
    let (ok, text) = run(plaza(dir.path())
        .env("PLAZA_PUBLIC_URL", "https://other.example")
        .args(["group", "create", "more", "--title", "M"]));
    assert!(!ok);
    assert!(text.contains("belongs to localhost:8080"), "{text}");
}

#[test]
fn switching_the_scheme_of_the_public_url_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, "a long enough password\n").expect("write password");
    let (ok, text) = run(plaza(dir.path()).args([
        "admin",
        "create-user",
        "ada",
        "--password-file",
        password_file.to_str().expect("path"),
    ]));
    assert!(ok, "{text}");
    let (ok, text) = run(plaza(dir.path())
        .env("PLAZA_PUBLIC_URL", "https://localhost:8080")
        .args(["group", "create", "more", "--title", "M"]));
    assert!(!ok, "{text}");
    assert!(text.contains("keep the original scheme"), "{text}");
}

/// The columns of the `plaza instance list` line for `domain`, if there is one.
fn listed(text: &str, domain: &str) -> Option<Vec<String>> {
    text.lines()
        .find(|line| line.split_whitespace().next() == Some(domain))
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
}

#[test]
fn an_instance_is_blocked_listed_and_unblocked_from_the_cli() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (runtime, db, database_url) = test_database();
    // A delivery waits for the instance: blocking drops it.
    runtime.block_on(async {
        let mut pooled = db.pool.get().await.expect("connection");
        plaza_db::delivery::enqueue(
            &mut pooled.conn(),
            "http://localhost:8080/activities/1",
            "http://localhost:8080/g/support",
            "{}",
            &[(
                "https://spam.example/inbox".to_owned(),
                "spam.example".to_owned(),
            )],
        )
        .await
        .expect("enqueue");
    });
    let instance = |args: &[&str]| {
        run(plaza(dir.path())
            .env("DATABASE_URL", &database_url)
            .arg("instance")
            .args(args))
    };

    let (ok, text) = instance(&["block", " Spam.Example "]);
    assert!(ok, "{text}");
    assert!(text.contains("blocked spam.example"), "{text}");
    assert!(
        text.contains("dropped 1 pending delivery to spam.example"),
        "{text}"
    );
    let pending = runtime.block_on(async {
        let mut pooled = db.pool.get().await.expect("connection");
        plaza_db::delivery::counts(&mut pooled.conn())
            .await
            .expect("counts")
            .pending
    });
    assert_eq!(pending, 0);

    // A domain never seen before gets its row, blocked.
    let (ok, text) = instance(&["block", "new.example:8443"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("blocked new.example:8443 (an instance not seen before)"),
        "{text}"
    );
    let (ok, text) = instance(&["block", "new.example:8443"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("new.example:8443 was blocked already"),
        "{text}"
    );

    let (ok, text) = instance(&["list"]);
    assert!(ok, "{text}");
    assert!(text.contains("DOMAIN"), "{text}");
    let spam = listed(&text, "spam.example").expect("spam.example listed");
    // SOFTWARE, BLOCKED, ALLOWED, FEDERATING, FAILURES.
    assert_eq!(spam[1..6], ["-", "yes", "no", "no", "0"], "{text}");
    assert!(listed(&text, "new.example:8443").is_some(), "{text}");
    assert!(
        listed(&text, "localhost:8080").is_none(),
        "the instance itself is not listed: {text}"
    );

    let (ok, text) = instance(&["unblock", "spam.example"]);
    assert!(ok, "{text}");
    assert!(text.contains("unblocked spam.example"), "{text}");
    let (ok, text) = instance(&["unblock", "spam.example"]);
    assert!(ok, "{text}");
    assert!(text.contains("spam.example is not blocked"), "{text}");

    let (ok, text) = instance(&["list"]);
    assert!(ok, "{text}");
    let spam = listed(&text, "spam.example").expect("spam.example still listed");
    assert_eq!(spam[2], "no", "{text}");
    let (ok, text) = instance(&["list", "--blocked"]);
    assert!(ok, "{text}");
    assert!(listed(&text, "spam.example").is_none(), "{text}");
    assert!(listed(&text, "new.example:8443").is_some(), "{text}");

    let (ok, text) = instance(&["unblock", "new.example:8443"]);
    assert!(ok, "{text}");
    let (ok, text) = instance(&["list", "--blocked"]);
    assert!(ok, "{text}");
    assert!(text.contains("no blocked instances"), "{text}");
}

#[test]
fn allow_list_mode_is_switched_and_its_list_kept_from_the_cli() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (runtime, db, database_url) = test_database();
    // Deliveries wait for two instances; only the one left off the allow-list loses its own.
    runtime.block_on(async {
        let mut pooled = db.pool.get().await.expect("connection");
        plaza_db::delivery::enqueue(
            &mut pooled.conn(),
            "http://localhost:8080/activities/1",
            "http://localhost:8080/g/support",
            "{}",
            &[
                (
                    "https://friend.example/inbox".to_owned(),
                    "friend.example".to_owned(),
                ),
                (
                    "https://stranger.example/inbox".to_owned(),
                    "stranger.example".to_owned(),
                ),
            ],
        )
        .await
        .expect("enqueue");
    });
    let instance = |args: &[&str]| {
        run(plaza(dir.path())
            .env("DATABASE_URL", &database_url)
            .arg("instance")
            .args(args))
    };
    let pending = || {
        runtime.block_on(async {
            let mut pooled = db.pool.get().await.expect("connection");
            plaza_db::delivery::counts(&mut pooled.conn())
                .await
                .expect("counts")
                .pending
        })
    };

    let (ok, text) = instance(&["allowlist"]);
    assert!(ok, "{text}");
    assert!(text.contains("allow-list mode is off"), "{text}");
    assert!(text.contains("no instances on the allow-list"), "{text}");

    let (ok, text) = instance(&["allow", "Friend.Example"]);
    assert!(ok, "{text}");
    assert!(text.contains("allowed friend.example"), "{text}");
    assert!(
        text.contains("the allow-list applies once it is on"),
        "{text}"
    );
    let (ok, text) = instance(&["allow", "friend.example"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("friend.example was allowed already"),
        "{text}"
    );
    assert_eq!(pending(), 2, "nothing is dropped while the mode is off");

    let (ok, text) = instance(&["allowlist", "on"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("allow-list mode is on: Plaza federates only with the 1 allowed instance"),
        "{text}"
    );
    assert!(
        text.contains("dropped 1 pending delivery to instances not on the allow-list"),
        "{text}"
    );
    assert_eq!(pending(), 1, "friend.example's delivery waits");
    let (ok, text) = instance(&["allowlist", "on"]);
    assert!(ok, "{text}");
    assert!(text.contains("allow-list mode was on already"), "{text}");

    let (ok, text) = instance(&["list"]);
    assert!(ok, "{text}");
    assert!(text.contains("allow-list mode is on"), "{text}");
    let friend = listed(&text, "friend.example").expect("friend.example listed");
    assert_eq!(friend[2..5], ["no", "yes", "yes"], "{text}");
    let stranger = listed(&text, "stranger.example").expect("stranger.example listed");
    assert_eq!(stranger[2..5], ["no", "no", "no"], "{text}");
    let (ok, text) = instance(&["list", "--allowed"]);
    assert!(ok, "{text}");
    assert!(listed(&text, "friend.example").is_some(), "{text}");
    assert!(listed(&text, "stranger.example").is_none(), "{text}");

    let (ok, text) = instance(&["disallow", "friend.example"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("took friend.example off the allow-list"),
        "{text}"
    );
    assert!(text.contains("dropped 1 pending delivery"), "{text}");
    assert_eq!(pending(), 0);
    let (ok, text) = instance(&["disallow", "friend.example"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("friend.example is not on the allow-list"),
        "{text}"
    );

    // A block wins over an allow.
    assert!(instance(&["allow", "friend.example"]).0);
    let (ok, text) = instance(&["block", "friend.example"]);
    assert!(ok, "{text}");
    let (ok, text) = instance(&["allow", "friend.example"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("friend.example is blocked, and a block wins"),
        "{text}"
    );
    let (ok, text) = instance(&["list"]);
    assert!(ok, "{text}");
    let friend = listed(&text, "friend.example").expect("friend.example listed");
    assert_eq!(friend[2..5], ["yes", "yes", "no"], "{text}");
    let (ok, _) = instance(&["unblock", "friend.example"]);
    assert!(ok);

    let (ok, text) = instance(&["allowlist", "off"]);
    assert!(ok, "{text}");
    assert!(
        text.contains(
            "allow-list mode is off: Plaza federates with every instance that is not blocked"
        ),
        "{text}"
    );
    let (ok, text) = instance(&["list"]);
    assert!(ok, "{text}");
    let stranger = listed(&text, "stranger.example").expect("stranger.example listed");
    assert_eq!(stranger[4], "yes", "{text}");

    let (ok, text) = instance(&["allowlist", "maybe"]);
    assert!(!ok, "{text}");
    assert!(text.contains("invalid value 'maybe'"), "{text}");
    let (ok, text) = instance(&["list", "--blocked", "--allowed"]);
    assert!(!ok, "{text}");
    assert!(text.contains("cannot be used with"), "{text}");
}

#[test]
fn a_url_or_an_empty_domain_is_refused_with_one_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            vec!["block", "http://x/y"],
            "'http://x/y' is not a domain: give the host alone ('x')",
        ),
        (vec!["block", ""], "give the instance's domain"),
        (vec!["unblock", "x/y"], "a domain has no '/'"),
        (
            vec!["block", "localhost:8080"],
            "localhost:8080 is this instance's own domain",
        ),
        (
            vec!["allow", "https://lemmy.example/c/main"],
            "give the host alone ('lemmy.example')",
        ),
        (
            vec!["disallow", "localhost:8080"],
            "localhost:8080 is this instance's own domain: it is always allowed",
        ),
    ];
    for (args, expected) in cases {
        let (ok, text) = run(plaza(dir.path()).arg("instance").args(&args));
        assert!(!ok, "{args:?} was accepted: {text}");
        assert!(text.contains(expected), "{args:?}: {text}");
        assert!(text.trim().starts_with("error:"), "{args:?}: {text}");
    }
    let (ok, text) = run(plaza(dir.path()).args(["instance", "list", "--blocked"]));
    assert!(ok, "{text}");
    assert!(text.contains("no blocked instances"), "{text}");
}
