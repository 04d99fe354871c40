//! Plaza behind a real TLS proxy, as docker/compose.yml runs it: Debian's Caddy with its own
//! certificate authority on loopback (`scripts/ensure-caddy` installs it). And what a forged
//! X-Forwarded-For is worth when Plaza is not told it sits behind a proxy: nothing.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use plaza_db::testing::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::running;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A Caddy serving `https://localhost:PORT` with a certificate from its own authority, and
/// forwarding to `upstream`.
struct Caddy {
    _child: Child,
    root_certificate: reqwest::Certificate,
}

impl Caddy {
    async fn start(dir: &Path, https_port: u16, upstream: &str) -> Self {
        let storage = dir.join("caddy");
        // No admin endpoint, no trust store changes, no redirect listener on port 80: nothing
        // outside the test's own ports and folder is touched.
        let caddyfile = format!(
            "{{\n\tadmin off\n\tskip_install_trust\n\tauto_https disable_redirects\n\t\
             storage file_system {storage}\n\thttp_port {http}\n\thttps_port {https_port}\n}}\n\
             https://localhost:{https_port} {{\n\tbind 127.0.0.1\n\ttls internal\n\t\
             reverse_proxy {upstream}\n}}\n",
            storage = storage.display(),
            http = free_port(),
        );
        let config = dir.join("Caddyfile");
        std::fs::write(&config, caddyfile).expect("write Caddyfile");
        let log = std::fs::File::create(dir.join("caddy.log")).expect("caddy log");
        let child = Command::new("caddy")
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&config)
            .env("HOME", dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("caddy is missing: run scripts/ensure-caddy");
        let root: PathBuf = storage.join("pki/authorities/local/root.crt");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let listening = tokio::net::TcpStream::connect(("127.0.0.1", https_port))
                .await
                .is_ok();
            if listening && root.exists() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "caddy did not start: {}",
                std::fs::read_to_string(dir.join("caddy.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let pem = std::fs::read(&root).expect("read caddy's root certificate");
        Self {
            _child: child,
            root_certificate: reqwest::Certificate::from_pem(&pem).expect("root certificate"),
        }
    }

    /// A client that trusts only this Caddy's authority, connecting from `source` (one of
    /// 127.0.0.0/8), so that each client has an address of its own.
    fn client(&self, https_port: u16, source: Ipv4Addr) -> Client {
        Client::builder()
            .tls_certs_only([self.root_certificate.clone()])
            .https_only(true)
            .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], https_port)))
            .local_address(IpAddr::V4(source))
            .build()
            .expect("client")
    }
}

async fn login_status(client: &Client, base: &str, forwarded_for: Option<&str>) -> StatusCode {
    let mut request = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"name": "ada", "password": "not the password"}));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.expect("log-in request").status()
}

async fn activity_json(client: &Client, url: &str) -> Value {
    let response = client
        .get(url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_caddy_everything_is_served_over_https_and_limits_count_each_client() {
    plaza_federation::install_tls_provider();
    let db = TestDatabase::create().await.expect("test database");
    let database_url = running::url_of(&db);
    let dir = tempfile::tempdir().expect("temp dir");
    let https_port = free_port();
    let public = format!("https://localhost:{https_port}");
    running::create_admin_and_group(dir.path(), &database_url, Some(&public)).await;
    let plaza = running::start(
        dir.path(),
        &database_url,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            &public,
            "--behind-proxy",
            "--rate-limit-auth",
            "2/min",
        ],
        "listening on",
    )
    .await;
    let upstream = plaza.base().replace("http://", "");
    let caddy = Caddy::start(dir.path(), https_port, &upstream).await;
    let alice = caddy.client(https_port, Ipv4Addr::new(127, 0, 0, 2));
    let bob = caddy.client(https_port, Ipv4Addr::new(127, 0, 0, 3));

    // Pages, the API and the ActivityPub documents all come over https and name the public URL.
    let page = alice
        .get(format!("{public}/g/support"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("Support"), "{html}");
    let api: Value = alice
        .get(format!("{public}/api/v1/groups/support"))
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("api json");
    assert!(
        api.to_string().contains(&format!("{public}/g/support")),
        "{api}"
    );
    let group = activity_json(&alice, &format!("{public}/g/support")).await;
    assert_eq!(group["id"], format!("{public}/g/support"));
    assert_eq!(group["inbox"], format!("{public}/g/support/inbox"));
    let finger = activity_json(
        &alice,
        &format!("{public}/.well-known/webfinger?resource=acct:support@localhost:{https_port}"),
    )
    .await;
    assert!(
        finger["links"]
            .as_array()
            .expect("links")
            .iter()
            .any(|link| link["href"] == format!("{public}/g/support")),
        "{finger}"
    );

    // Plaza counts the address Caddy saw: two failed log-ins use up alice's allowance, a header
    // alice forges does not make her someone else (Caddy replaces it), and bob is untouched.
    assert_eq!(
        login_status(&alice, &public, None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&alice, &public, None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&alice, &public, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_status(&alice, &public, Some("198.51.100.7")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_status(&bob, &public, None).await,
        StatusCode::UNAUTHORIZED
    );
}

/// Three log-in attempts to a process started with `args`, each claiming another address in
/// X-Forwarded-For: the statuses they get.
async fn forged_logins(args: &[&str]) -> Vec<StatusCode> {
    let db = TestDatabase::create().await.expect("test database");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut all = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--rate-limit-auth",
        "2/min",
    ];
    all.extend_from_slice(args);
    let plaza = running::start(dir.path(), &running::url_of(&db), &all, "listening on").await;
    let client = Client::new();
    let mut statuses = Vec::new();
    for address in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        statuses.push(login_status(&client, &plaza.base(), Some(address)).await);
    }
    statuses
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_forwarded_for_is_not_another_client_unless_plaza_is_behind_a_proxy() {
    let limited = [
        StatusCode::UNAUTHORIZED,
        StatusCode::UNAUTHORIZED,
        StatusCode::TOO_MANY_REQUESTS,
    ];
    assert_eq!(forged_logins(&[]).await, limited);
    // Told it is behind a proxy, Plaza believes the header: the same requests are three clients.
    assert_eq!(
        forged_logins(&["--behind-proxy"]).await,
        [StatusCode::UNAUTHORIZED; 3]
    );
}
