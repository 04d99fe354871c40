//! A real S3-compatible server on loopback for the object-storage tests: moto's server (PyPI's
//! `moto[server]`, installed by scripts/ensure-s3), which keeps its buckets in memory. The tests
//! read a bucket back through the S3 API itself, not through Plaza.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plaza_core::media::{S3Settings, StoreSettings};

/// moto takes any key (it checks no signature); these only have to be present.
const ACCESS_KEY_ID: &str = "plaza-test-key";
const SECRET_ACCESS_KEY: &str = "plaza-test-secret";
const REGION: &str = "us-east-1";

/// A running moto server; stopped when dropped.
pub struct S3Server {
    port: u16,
    child: Child,
    http: reqwest::Client,
}

impl S3Server {
    /// Starts the server on a free loopback port and waits until it answers.
    pub async fn start() -> Self {
        // The harness's HTTP client needs the TLS provider, even for plain http; it is built
        // before the server starts, so that nothing can fail with the server left running.
        plaza_federation::install_tls_provider();
        let http = reqwest::Client::new();
        // A free port: bound, read, released (the server binds it right after).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let binary = moto_server();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} ({e}): run scripts/ensure-s3, or set PLAZA_TEST_MOTO_SERVER")
            });
        let mut server = Self { port, child, http };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(exit)) = server.child.try_wait() {
                panic!("{binary} on port {port} exited at start: {exit}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{binary} did not start on port {port} (scripts/ensure-s3 installs it)"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates the bucket `name` (moto checks no signature on this).
    pub async fn create_bucket(&self, name: &str) {
        let response = self
            .http
            .put(format!("{}/{name}", self.endpoint()))
            .send()
            .await
            .expect("create a bucket");
        assert!(
            response.status().is_success(),
            "creating bucket {name}: {}",
            response.status()
        );
    }

    /// Settings that keep uploads in the bucket `name` of this server.
    pub fn store(&self, name: &str) -> StoreSettings {
        StoreSettings::S3(
            S3Settings::new(
                name,
                REGION,
                Some(&self.endpoint()),
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
            )
            .expect("S3 settings"),
        )
    }

    /// The keys of the objects in the bucket `name`, sorted (ListObjectsV2; a test bucket holds
    /// far fewer than one page of 1,000).
    pub async fn keys(&self, name: &str) -> Vec<String> {
        let response = self
            .http
            .get(format!("{}/{name}?list-type=2", self.endpoint()))
            .send()
            .await
            .expect("list a bucket");
        assert!(
            response.status().is_success(),
            "listing bucket {name}: {}",
            response.status()
        );
        let xml = response.text().await.expect("the listing");
        let mut keys: Vec<String> = xml
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect();
        keys.sort();
        keys
    }

    /// The bytes of the object `key` in the bucket `name`, or `None` when there is none.
    pub async fn object(&self, name: &str, key: &str) -> Option<Vec<u8>> {
        // moto refuses anonymous reads of private objects, but checks no signature: an
        // Authorization header of the right form makes the request the account's own.
        let response = self
            .http
            .get(format!("{}/{name}/{key}", self.endpoint()))
            .header(
                reqwest::header::AUTHORIZATION,
                format!(
                    "AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/20260101/{REGION}/s3/aws4_request, SignedHeaders=host, Signature=0"
                ),
            )
            .send()
            .await
            .expect("read an object");
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        assert!(
            response.status().is_success(),
            "reading {name}/{key}: {}",
            response.status()
        );
        Some(response.bytes().await.expect("the object").to_vec())
    }
}

/// `moto_server` as found on PATH (a pip install puts it there), or `PLAZA_TEST_MOTO_SERVER`.
fn moto_server() -> String {
    std::env::var("PLAZA_TEST_MOTO_SERVER").unwrap_or_else(|_| "moto_server".to_owned())
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
