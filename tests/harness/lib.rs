//! Test support: whole Plaza instances on loopback ports, each with its own database, and a small
//! JSON client to talk to them over real HTTP.
// Test support may panic: a failed set-up is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod community;
pub mod pictures;
pub mod queries;
pub mod s3;
mod signing;
pub mod smtp;

use std::sync::Arc;

use plaza_core::media::StoreSettings;
use plaza_core::{Context, Settings, Urls};
use plaza_db::testing::TestDatabase;
use plaza_federation::config::FederationSettings;
use plaza_web::{AppState, WebConfig};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use signing::{RequestSigner, SignedRequest};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

/// A running instance.
pub struct TestInstance {
    /// `http://localhost:PORT`.
    pub base: String,
    /// The instance's core, for checks that look behind the API.
    pub ctx: Arc<Context>,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    /// Background tasks started by [`TestInstance::run_background`]; aborted on drop.
    background: std::sync::Mutex<Vec<JoinHandle<()>>>,
    /// The uploads' folder, when the test did not name one.
    _media: Option<tempfile::TempDir>,
    // Dropped last: the server must stop before its database goes.
    db: TestDatabase,
}

impl TestInstance {
    /// Starts an instance with default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(Settings::default(), WebConfig::default()).await
    }

    /// Starts an instance with the given settings, in development mode.
    pub async fn spawn_with(settings: Settings, web: WebConfig) -> Self {
        Self::spawn_configured(settings, web, FederationSettings::new(true)).await
    }

    /// Starts an instance with the given federation settings (its inbox's limits, development
    /// mode or not).
    pub async fn spawn_federating(federation: FederationSettings) -> Self {
        Self::spawn_configured(Settings::default(), WebConfig::default(), federation).await
    }

    /// Starts an instance with all its settings given.
    pub async fn spawn_configured(
        mut settings: Settings,
        web: WebConfig,
        federation: FederationSettings,
    ) -> Self {
        plaza_federation::install_tls_provider();
        // Each instance keeps its uploads in a folder of its own, gone with it, unless the test
        // chose a folder or a bucket.
        let media = (settings.media.store == plaza_core::media::MediaSettings::default().store)
            .then(|| tempfile::tempdir().expect("media folder"));
        if let Some(dir) = &media {
            settings.media.store = StoreSettings::Folder(dir.path().to_owned());
        }
        let db = TestDatabase::create().await.expect("test database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        // A host name, not an IP: ActivityPub ids need a domain, and `localhost:PORT` is one.
        let base = format!("http://localhost:{port}");
        let urls = Urls::new(&base).expect("public URL");
        let ctx = Arc::new(
            Context::open(db.pool.clone(), urls, settings)
                .await
                .expect("open the instance"),
        );
        let federation = plaza_federation::config::configure(ctx.clone(), federation)
            .await
            .expect("federation config");
        let state = AppState {
            ctx: ctx.clone(),
            config: Arc::new(web),
            federation,
        };
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(async move {
            plaza_web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .expect("server");
        });
        Self {
            base,
            ctx,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            server: Some(server),
            background: std::sync::Mutex::new(Vec::new()),
            _media: media,
            db,
        }
    }

    /// The names of the files in the uploads' folder, sorted (a bucket's are listed by
    /// [`s3::S3Server::keys`]).
    pub fn media_files(&self) -> Vec<String> {
        let StoreSettings::Folder(dir) = &self.ctx.settings.media.store else {
            panic!("this instance keeps its uploads in a bucket: list it through its S3 server");
        };
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// GETs a path of the instance with no particular `Accept`, keeping the raw body.
    pub async fn fetch_bytes(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let response = self.http.get(url).send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("body").to_vec();
        (status, headers, body)
    }

    /// What the instance's pool connects with: the SQLite file's path or the PostgreSQL URL.
    pub fn database_url(&self) -> String {
        match &self.db.url {
            plaza_db::DatabaseUrl::Sqlite(path) => path.to_string_lossy().into_owned(),
            plaza_db::DatabaseUrl::Postgres(url) => url.clone(),
        }
    }

    /// A client with no credentials.
    pub fn anonymous(&self) -> Client {
        Client {
            base: format!("{}/api/v1", self.base),
            http: self.http.clone(),
            token: None,
        }
    }

    /// GETs a path of the instance (not the API) with an `Accept` header, as another server would.
    pub async fn fetch(&self, path: &str, accept: &str) -> Answer {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .expect("request");
        Client::answer(response).await
    }

    /// GETs a path as a browser does (`Accept: text/html…`), without following redirects.
    pub async fn browse(&self, path: &str) -> WebPage {
        let response = browser()
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::ACCEPT, BROWSER_ACCEPT)
            .send()
            .await
            .expect("request");
        WebPage::read(response).await
    }

    /// POSTs an HTML form as a fresh browser does (with the form token its first page gave
    /// it), without following redirects.
    pub async fn submit_form(&self, path: &str, fields: &[(&str, &str)]) -> WebPage {
        self.browser().submit(path, fields).await
    }

    /// A browser with no cookies yet.
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            http: browser(),
            cookies: std::sync::Mutex::new(std::collections::BTreeMap::new()),
            csrf: std::sync::Mutex::new(None),
        }
    }

    /// A browser logged in as `name` through the log-in form.
    pub async fn browser_as(&self, name: &str) -> Browser {
        let browser = self.browser();
        let page = browser
            .submit("/login", &[("name", name), ("password", PASSWORD)])
            .await;
        assert_eq!(page.status, 303, "log-in of {name}: {}", page.text);
        assert!(
            browser.cookie("plaza_session").is_some(),
            "no session cookie"
        );
        browser
    }

    /// Signs up a member and returns their client.
    pub async fn member(&self, name: &str) -> Client {
        let response = self
            .anonymous()
            .post(
                "/accounts",
                &serde_json::json!({"name": name, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status, 201, "sign-up of {name}: {}", response.body);
        self.anonymous().with_token(response.str("/token"))
    }

    /// Creates an administrator (as the CLI does) and returns their signed-in client.
    pub async fn admin(&self, name: &str) -> Client {
        plaza_core::accounts::create(
            &self.ctx,
            plaza_core::accounts::NewAccount {
                name: name.to_owned(),
                password: PASSWORD.to_owned(),
                email: None,
                admin: true,
            },
        )
        .await
        .expect("create admin");
        self.login(name).await
    }

    /// Logs an existing account in.
    pub async fn login(&self, name: &str) -> Client {
        let response = self
            .anonymous()
            .post(
                "/auth/login",
                &serde_json::json!({"name": name, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status, 200, "log-in of {name}: {}", response.body);
        self.anonymous().with_token(response.str("/token"))
    }

    /// An administrator `admin` and a group `name` they moderate.
    pub async fn with_group(&self, name: &str) -> Client {
        let admin = self.admin("admin").await;
        let response = admin
            .post(
                "/groups",
                &serde_json::json!({"name": name, "title": "Support"}),
            )
            .await;
        assert_eq!(response.status, 201, "group {name}: {}", response.body);
        admin
    }

    /// Publishes this instance's pending changes and sends what is due in its delivery queue, once;
    /// returns how many events and deliveries that handled.
    pub async fn federate_once(&self) -> usize {
        let publisher = plaza_federation::publish::Publisher::new(self.ctx.clone());
        let published = publisher.run_once().await.expect("publish");
        let federation = plaza_federation::config::federation_config(self.ctx.clone(), true)
            .await
            .expect("federation config");
        let worker = plaza_federation::delivery::worker::DeliveryWorker::new(
            self.ctx.clone(),
            federation,
            plaza_federation::delivery::worker::DeliverySettings::default(),
        );
        let delivered = worker.run_once().await.expect("deliver");
        published + delivered
    }

    /// Runs one round of the alert evaluator as of `at`: the events after its cursor, then the
    /// sweep for unanswered questions. Each call builds a new evaluator, as a restarted process
    /// would; holes in the event ids are not waited for.
    pub async fn evaluate_alerts_at(
        &self,
        at: chrono::NaiveDateTime,
    ) -> plaza_core::alerts::evaluate::Round {
        use plaza_core::alerts::evaluate::{Evaluator, EvaluatorSettings};
        let settings = EvaluatorSettings {
            gap_wait: std::time::Duration::ZERO,
            ..EvaluatorSettings::default()
        };
        Evaluator::new(self.ctx.clone(), settings)
            .run_once(at)
            .await
            .expect("evaluate alerts")
    }

    /// Runs one round of the alert evaluator now.
    pub async fn evaluate_alerts(&self) -> plaza_core::alerts::evaluate::Round {
        self.evaluate_alerts_at(plaza_db::now()).await
    }

    /// Sends what is due in the alert webhook queue, once, retrying failures at once; returns
    /// how many calls that handled.
    pub async fn send_webhooks(&self) -> usize {
        use plaza_federation::webhooks::{WebhookSettings, WebhookWorker};
        let outgoing = plaza_federation::outgoing::Outgoing::new(true).expect("outgoing client");
        let settings = WebhookSettings {
            first_retry: std::time::Duration::ZERO,
            ..WebhookSettings::default()
        };
        WebhookWorker::new(self.ctx.clone(), outgoing, settings)
            .run_once()
            .await
            .expect("send webhooks")
    }

    /// Starts an instance that mails through `smtp`, with its mail worker running.
    pub async fn spawn_mailing(smtp: &smtp::SmtpServer) -> Self {
        let mail = plaza_core::mail::MailSettings::new(&smtp.url(), "Plaza <plaza@example.com>")
            .expect("mail settings");
        let settings = Settings {
            mail: Some(mail),
            ..Settings::default()
        };
        let plaza = Self::spawn_with(settings, WebConfig::default()).await;
        plaza.run_mail_worker().await;
        plaza
    }

    /// Sets `email` as the address of `client`'s account and follows the link mailed to it.
    pub async fn verify_email(&self, smtp: &smtp::SmtpServer, client: &Client, email: &str) {
        let before = smtp.mails_to(email).len();
        let set = client
            .send(
                reqwest::Method::PUT,
                "/me/email",
                Some(&serde_json::json!({ "email": email })),
            )
            .await;
        assert_eq!(set.status, 200, "{}", set.body);
        let mails = smtp.wait_for(email, before + 1).await;
        let link = mails[before]
            .link(&format!("{}/verify-email?token=", self.base))
            .expect("a verification link");
        let token = link.split_once("token=").expect("a token").1;
        let answer = self
            .anonymous()
            .post("/auth/verify-email", &serde_json::json!({ "token": token }))
            .await;
        assert_eq!(answer.status, 204, "{}", answer.body);
    }

    /// Starts the mail worker (the instance must have mail settings), polling every 100 ms
    /// besides its wake-ups.
    pub async fn run_mail_worker(&self) {
        use plaza_core::mail::sender::{MailWorker, MailWorkerSettings};
        let worker = MailWorker::new(
            self.ctx.clone(),
            MailWorkerSettings {
                idle_poll: std::time::Duration::from_millis(100),
                first_retry: std::time::Duration::from_millis(200),
                ..MailWorkerSettings::default()
            },
        )
        .expect("mail worker")
        .expect("mail settings");
        let task = tokio::spawn(worker.run(std::future::pending::<()>()));
        self.background.lock().expect("tasks").push(task);
    }

    /// Starts the background tasks `plaza serve` runs (publisher, delivery worker, wake-up
    /// listener), with `idle_poll` as both tasks' fallback poll. A long poll leaves only the
    /// wake-ups to explain a prompt delivery.
    pub async fn run_background(&self, idle_poll: std::time::Duration) {
        self.start_background(self.ctx.clone(), self.ctx.clone(), Some(idle_poll), true)
            .await;
    }

    /// Starts the publisher and the delivery worker with their default polls and deaf to
    /// wake-ups: how they ran before they could be woken (for comparisons).
    pub async fn run_background_polling_only(&self) {
        // Each task gets wake-ups of its own that nobody else pings.
        let deaf = || {
            let mut deaf = (*self.ctx).clone();
            deaf.wakeup = plaza_core::Wakeup::default();
            Arc::new(deaf)
        };
        self.start_background(deaf(), deaf(), None, false).await;
    }

    async fn start_background(
        &self,
        ctx: Arc<Context>,
        publisher_ctx: Arc<Context>,
        idle_poll: Option<std::time::Duration>,
        listen: bool,
    ) {
        use plaza_federation::delivery::worker::{DeliverySettings, DeliveryWorker};
        let federation = plaza_federation::config::federation_config(ctx.clone(), true)
            .await
            .expect("federation config");
        let mut settings = DeliverySettings::default();
        let mut publisher = plaza_federation::publish::Publisher::new(publisher_ctx);
        if let Some(idle_poll) = idle_poll {
            settings.idle_poll = idle_poll;
            publisher = publisher.with_idle_poll(idle_poll);
        }
        let worker = DeliveryWorker::new(ctx.clone(), federation, settings);
        let never = std::future::pending::<()>;
        let mut tasks = vec![
            tokio::spawn(worker.run(never())),
            tokio::spawn(publisher.run(never())),
        ];
        if listen {
            tasks.push(tokio::spawn(
                plaza_federation::background::listen_for_wakeups(ctx, never()),
            ));
        }
        self.background.lock().expect("tasks").extend(tasks);
    }

    /// Serves the instance's Prometheus metrics on a loopback port of their own, as
    /// `--metrics-listen` does; returns the scrape URL.
    pub async fn serve_metrics(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let ctx = self.ctx.clone();
        let server = tokio::spawn(async move {
            let _ = plaza_web::metrics::serve(listener, ctx, std::future::pending()).await;
        });
        self.background.lock().expect("tasks").push(server);
        format!("http://{address}/metrics")
    }

    /// Takes the database away from the running instance (see
    /// [`TestDatabase::make_unreachable`]).
    pub async fn make_database_unreachable(&self) {
        self.db
            .make_unreachable()
            .await
            .expect("make the database unreachable");
    }

    /// Makes the database look as if the newest migration were pending.
    pub async fn forget_newest_migration(&self) {
        self.db
            .forget_newest_migration()
            .await
            .expect("forget the newest migration");
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        self.stop_server().await;
    }

    async fn stop_server(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestInstance {
    fn drop(&mut self) {
        for task in self
            .background
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default()
        {
            task.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The `Accept` header Firefox sends for a page.
pub const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// An HTTP client that acts like a browser but shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// A browser: keeps its cookies and the form token of the last page that had a form, does not
/// follow redirects.
pub struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
    csrf: std::sync::Mutex<Option<String>>,
}

impl Browser {
    /// GETs a page.
    pub async fn open(&self, path: &str) -> WebPage {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    /// POSTs a form with this browser's form token (fetched from the log-in page if no page
    /// showed one yet).
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> WebPage {
        let csrf = match self.csrf() {
            Some(csrf) => csrf,
            None => {
                self.open("/login").await;
                self.csrf().expect("the log-in page has a form token")
            }
        };
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.submit_exactly(path, &all).await
    }

    /// POSTs a form with this browser's token as if a page of `origin` had sent it.
    pub async fn submit_from(&self, origin: &str, path: &str, fields: &[(&str, &str)]) -> WebPage {
        let csrf = self.csrf().expect("a page with a form was opened first");
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::ORIGIN, origin)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.send(request).await
    }

    /// POSTs a form as `multipart/form-data` (a form with a file input), with this browser's
    /// form token; `files` are (field, file name, type, bytes).
    pub async fn submit_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> WebPage {
        let csrf = self.csrf().expect("a page with a form was opened first");
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let (boundary, body) = multipart(&all, files);
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(request).await
    }

    /// POSTs exactly these fields (no form token added).
    pub async fn submit_exactly(&self, path: &str, fields: &[(&str, &str)]) -> WebPage {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.send(request).await
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    /// The form token of the last page that had a form.
    pub fn csrf(&self) -> Option<String> {
        self.csrf.lock().unwrap().clone()
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> WebPage {
        let cookie = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = request.header(reqwest::header::ACCEPT, BROWSER_ACCEPT);
        if !cookie.is_empty() {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let page = WebPage::read(request.send().await.expect("request")).await;
        {
            let mut cookies = self.cookies.lock().unwrap();
            for set in page.headers.get_all(reqwest::header::SET_COOKIE) {
                let set = set.to_str().unwrap();
                let pair = set.split(';').next().unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                let removed = value.is_empty() || set.contains("Max-Age=0");
                if removed {
                    cookies.remove(name);
                } else {
                    cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        if let Some(csrf) = page.form_token() {
            *self.csrf.lock().unwrap() = Some(csrf);
        }
        page
    }
}

/// An answer read as text (a page, a feed).
#[derive(Debug)]
pub struct WebPage {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub text: String,
}

impl WebPage {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Self {
            status,
            headers,
            text,
        }
    }

    /// A header's value, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The CSRF token of the page's forms, if it has one.
    pub fn form_token(&self) -> Option<String> {
        let marker = r#"name="csrf" value=""#;
        let start = self.text.find(marker)? + marker.len();
        let token = &self.text[start..start + self.text[start..].find('"')?];
        (!token.is_empty()).then(|| token.to_owned())
    }
}

/// An HTTP answer: status and JSON body (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Parsed body.
    pub body: Value,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// A string at a JSON pointer, or a panic naming it.
    pub fn str(&self, pointer: &str) -> String {
        self.body
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no string at {pointer} in {}", self.body))
            .to_owned()
    }

    /// An integer at a JSON pointer, or a panic naming it.
    pub fn i64(&self, pointer: &str) -> i64 {
        self.body
            .pointer(pointer)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| panic!("no integer at {pointer} in {}", self.body))
    }

    /// The value at a JSON pointer (`Null` when absent).
    pub fn at(&self, pointer: &str) -> &Value {
        self.body.pointer(pointer).unwrap_or(&Value::Null)
    }

    /// Asserts an error answer: status and `error` code, with a non-empty message.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.at("/error"), code, "{}", self.body);
        assert!(
            self.at("/message").as_str().is_some_and(|m| !m.is_empty()),
            "error without a message: {}",
            self.body
        );
    }
}

/// A JSON API client for one instance, signed in or not.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl Client {
    /// The same client with a bearer token.
    pub fn with_token(mut self, token: String) -> Self {
        self.token = Some(token);
        self
    }

    /// The token, if signed in.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Sends a request with an optional JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::answer(request.send().await.expect("request")).await
    }

    /// Sends raw bytes with a content type (for malformed and oversized bodies).
    pub async fn send_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.expect("request")).await
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            headers,
        }
    }

    /// Uploads `bytes` as the file `file_name` in the field `file`, as a browser's form would.
    pub async fn upload(&self, file_name: &str, content_type: &str, bytes: &[u8]) -> Answer {
        let (boundary, body) = multipart(&[], &[("file", file_name, content_type, bytes)]);
        self.send_raw(
            "/uploads",
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// PUT without a body.
    pub async fn put(&self, path: &str) -> Answer {
        self.send(reqwest::Method::PUT, path, None).await
    }

    /// PUT with a JSON body.
    pub async fn put_with(&self, path: &str, body: &Value) -> Answer {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    /// PATCH with a JSON body.
    pub async fn patch(&self, path: &str, body: &Value) -> Answer {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str) -> Answer {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// DELETEs with a JSON body (a confirmation).
    pub async fn delete_with(&self, path: &str, body: &Value) -> Answer {
        self.send(reqwest::Method::DELETE, path, Some(body)).await
    }

    /// Starts a thread and returns its id.
    pub async fn thread(&self, group: &str, title: &str, body: &str) -> i64 {
        let answer = self
            .post(
                &format!("/groups/{group}/threads"),
                &serde_json::json!({"title": title, "body": body}),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.i64("/thread/id")
    }

    /// Marks one's own comment as an official answer (or not), as staff and moderators may.
    pub async fn distinguish(&self, comment: i64, distinguished: bool) -> Answer {
        self.post(
            &format!("/comments/{comment}/distinguish"),
            &serde_json::json!({ "distinguished": distinguished }),
        )
        .await
    }

    /// Replies and returns the comment's id.
    pub async fn reply(&self, thread: i64, parent: Option<i64>, body: &str) -> i64 {
        let answer = self
            .post(
                &format!("/threads/{thread}/comments"),
                &serde_json::json!({"body": body, "parent_id": parent}),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.i64("/id")
    }
}

/// A `multipart/form-data` body of text fields and files (`field`, file name, type, bytes);
/// returns its boundary and the body.
pub fn multipart(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "plaza-test-boundary-7MA4YWxkTrZu0gW".to_owned();
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (boundary, body)
}

/// Lets instances federate until none has anything left to publish or send: each instance's
/// publisher and delivery worker run in turn, as `plaza serve` runs them in the background.
pub async fn settle(instances: &[&TestInstance]) {
    for _ in 0..50 {
        let mut work = 0;
        for instance in instances {
            work += instance.federate_once().await;
        }
        if work == 0 {
            return;
        }
    }
    panic!("the instances did not settle");
}

/// No script, event handler or `javascript:` link made it into the page as markup: every tag
/// (text between `<` and `>`; escaped text has no `<`) is checked, its attribute names apart from
/// its quoted values.
pub fn assert_inert(html: &str) {
    let lower = html.to_ascii_lowercase();
    for tag in lower
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(rest))
    {
        let parts: Vec<&str> = tag.split('"').collect();
        let names: String = parts.iter().step_by(2).copied().collect();
        assert!(!names.starts_with("script"), "{tag} in {html}");
        for handler in ["onerror", "onload", "onclick", "onmouseover", "onfocus"] {
            assert!(!names.contains(handler), "{tag} in {html}");
        }
        for dangerous in [
            "iframe",
            "object",
            "embed",
            "svg",
            "style",
            "base",
            "meta http-equiv",
        ] {
            assert!(!names.starts_with(dangerous), "{tag} in {html}");
        }
        for value in parts.iter().skip(1).step_by(2) {
            let value = value.trim();
            assert!(
                !value.starts_with("javascript:")
                    && !value.starts_with("vbscript:")
                    && !value.starts_with("data:text/html"),
                "{tag} in {html}"
            );
        }
    }
}

/// Serves `app` on a loopback port, as a fake remote server; returns its base URL and domain.
pub async fn serve_loopback(app: axum::Router) -> (String, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    tokio::spawn(async move { axum::serve(listener, app).await.expect("fake server") });
    (
        format!("http://localhost:{port}"),
        format!("localhost:{port}"),
    )
}
