//! A fake remote server on another loopback port: it serves one person, `bob`, with his own RSA
//! key, any documents a test gives it (objects, NodeInfo), and records every request it receives.
//! Activities are signed by the federation library for Plaza's inbox and kept instead of sent
//! (`plaza_tests::RequestSigner`), then replayed to Plaza: as signed, with the body changed, or
//! with the signature broken.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use plaza_federation::delivery::worker::{DeliverySettings, DeliveryWorker};
use plaza_tests::{RequestSigner, TestInstance};
use serde_json::{Value, json};

/// A request the fake server received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A file served as it is: its content type and bytes.
type File = (&'static str, Vec<u8>);

#[derive(Clone, Default)]
struct RemoteState {
    documents: Arc<Mutex<HashMap<String, Value>>>,
    /// Files other than JSON documents (pictures), with their content type.
    files: Arc<Mutex<HashMap<String, File>>>,
    captured: Arc<Mutex<Vec<Captured>>>,
    /// Documents under this path prefix are answered only after this delay.
    slow: Arc<Mutex<Option<(String, std::time::Duration)>>>,
}

/// How [`FakeRemote::send_hand_signed`] signs: the headers covered, space-separated, and the
/// `Host` and `Date` sent (and signed, where covered).
pub struct HandSigned<'a> {
    pub covered: &'a str,
    pub host: String,
    pub date: String,
}

/// The fake server.
pub struct FakeRemote {
    /// `http://localhost:PORT`.
    pub base: String,
    /// bob's actor id.
    pub bob: String,
    bob_key: String,
    actor_path: String,
    state: RemoteState,
}

impl FakeRemote {
    /// A server with bob at `/users/bob` (Mastodon's layout) and no NodeInfo.
    pub async fn start() -> Self {
        Self::start_as(None, "/users/bob").await
    }

    /// A server that reports `software` in its NodeInfo (if any), with bob at `actor_path`.
    pub async fn start_as(software: Option<&str>, actor_path: &str) -> Self {
        Self::start_actor(software, actor_path, "Person").await
    }

    /// Like [`FakeRemote::start_as`], but the signing actor at `actor_path` is a group (what
    /// Lemmy's communities are); `self.bob` is its id.
    pub async fn start_group(software: Option<&str>, actor_path: &str) -> Self {
        Self::start_actor(software, actor_path, "Group").await
    }

    /// Serves a person at `path` (their key is never used: they sign nothing here).
    pub fn serve_person(&self, path: &str) -> String {
        let id = format!("{}{path}", self.base);
        let mut person = self.state.documents.lock().unwrap()[&self.actor_path].clone();
        person["id"] = json!(id);
        person["type"] = json!("Person");
        person["preferredUsername"] = json!(path.rsplit('/').next().unwrap_or("someone"));
        person["inbox"] = json!(format!("{id}/inbox"));
        person["outbox"] = json!(format!("{id}/outbox"));
        person["publicKey"]["id"] = json!(format!("{id}#main-key"));
        person["publicKey"]["owner"] = json!(id);
        self.serve(path, person);
        id
    }

    async fn start_actor(software: Option<&str>, actor_path: &str, kind: &str) -> Self {
        let keys = plaza_core::keys::generate().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://localhost:{port}");
        let bob = format!("{base}{actor_path}");
        let state = RemoteState::default();
        let remote = Self {
            base: base.clone(),
            bob: bob.clone(),
            bob_key: keys.private_pem,
            actor_path: actor_path.to_owned(),
            state: state.clone(),
        };
        remote.serve(
            actor_path,
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": bob, "type": kind,
                "preferredUsername": actor_path.rsplit('/').next().unwrap_or("bob"), "name": "Bob",
                "inbox": format!("{bob}/inbox"), "outbox": format!("{bob}/outbox"),
                "endpoints": { "sharedInbox": format!("{base}/inbox") },
                "publicKey": { "id": format!("{bob}#main-key"), "owner": bob, "publicKeyPem": keys.public_pem }
            }),
        );
        if let Some(software) = software {
            remote.serve(
                "/.well-known/nodeinfo",
                json!({"links": [{
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                    "href": format!("{base}/nodeinfo/2.0")
                }]}),
            );
            remote.serve(
                "/nodeinfo/2.0",
                json!({"version": "2.0", "software": {"name": software, "version": "4.3.0"}}),
            );
        }
        async fn handle(
            State(state): State<RemoteState>,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: axum::body::Bytes,
        ) -> Response {
            let path = uri.path().to_owned();
            state.captured.lock().unwrap().push(Captured {
                method: method.clone(),
                path: path.clone(),
                headers,
                body: body.to_vec(),
            });
            if method == Method::POST {
                return StatusCode::ACCEPTED.into_response();
            }
            let delay = state
                .slow
                .lock()
                .unwrap()
                .as_ref()
                .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
                .map(|(_, delay)| *delay);
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            if let Some((content_type, bytes)) = state.files.lock().unwrap().get(&path).cloned() {
                return ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
            }
            // A document served at `path?query` (a collection's page) wins over one at `path`.
            let documents = state.documents.lock().unwrap();
            let with_query = uri.path_and_query().map(|pq| pq.as_str().to_owned());
            match with_query
                .and_then(|pq| documents.get(&pq))
                .or_else(|| documents.get(&path))
            {
                Some(document) => (
                    [(header::CONTENT_TYPE, "application/activity+json")],
                    document.to_string(),
                )
                    .into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
        let app = Router::new()
            .route("/{*path}", any(handle))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        remote
    }

    /// `host:port`, as Plaza names this instance.
    pub fn domain(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    /// From now on, answers GETs under `prefix` only after `delay`.
    pub fn answer_slowly(&self, prefix: &str, delay: std::time::Duration) {
        *self.state.slow.lock().unwrap() = Some((prefix.to_owned(), delay));
    }

    /// Serves `document` at `path` (which may end in `?query`) from now on.
    pub fn serve(&self, path: &str, document: Value) {
        self.state
            .documents
            .lock()
            .unwrap()
            .insert(path.to_owned(), document);
    }

    /// Serves `bytes` as `content_type` at `path` from now on.
    pub fn serve_file(&self, path: &str, content_type: &'static str, bytes: Vec<u8>) {
        self.state
            .files
            .lock()
            .unwrap()
            .insert(path.to_owned(), (content_type, bytes));
    }

    /// The document served at `path`.
    pub fn document(&self, path: &str) -> Value {
        self.state.documents.lock().unwrap()[path].clone()
    }

    /// Every request received so far.
    pub fn captured(&self) -> Vec<Captured> {
        self.state.captured.lock().unwrap().clone()
    }

    /// The JSON bodies POSTed to `path`.
    pub fn received(&self, path: &str) -> Vec<Value> {
        self.captured()
            .into_iter()
            .filter(|c| c.method == Method::POST && c.path == path)
            .map(|c| serde_json::from_slice(&c.body).unwrap())
            .collect()
    }

    /// What others POSTed to `path` (requests this server signed itself are captured too).
    pub fn received_from_others(&self, path: &str) -> Vec<Value> {
        self.received(path)
            .into_iter()
            .filter(|a| a["actor"] != self.bob.as_str())
            .collect()
    }

    /// As a group: accepts the first Follow its inbox received, embedding it as Lemmy does.
    pub async fn accept_follow(&self, plaza: &TestInstance) {
        let follow = self.received(&format!("{}/inbox", self.actor_path))[0].clone();
        let accept = json!({
            "id": format!("{}/accept/1", self.bob), "type": "Accept",
            "actor": self.bob, "object": follow
        });
        assert_eq!(self.send(plaza, "/inbox", &accept).await.0, 202);
    }

    /// Makes bob (known to `plaza` since his first activity) a moderator of its group `group`.
    pub async fn make_moderator(&self, plaza: &TestInstance, group: &str) {
        let mut pooled = plaza.ctx.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let group = plaza_db::group::find_local(conn, group)
            .await
            .unwrap()
            .unwrap();
        let person = plaza_db::person::find_by_ap_id(conn, &self.bob)
            .await
            .unwrap()
            .expect("bob is known: he sent something first");
        plaza_db::group::add_moderator(conn, group.id, person.id)
            .await
            .unwrap();
    }

    /// How many GETs of `path` arrived.
    pub fn fetches(&self, path: &str) -> usize {
        self.captured()
            .iter()
            .filter(|c| c.method == Method::GET && c.path == path)
            .count()
    }

    /// Signs `activity` as bob for Plaza's `path`, as bob's server would send it, without
    /// sending it.
    pub async fn sign(&self, plaza: &TestInstance, path: &str, activity: &Value) -> Captured {
        self.sign_as(&self.bob, plaza, path, activity).await
    }

    /// Signs `activity` as `actor`, one of the people this server serves (they share bob's key),
    /// for Plaza's `path`, as this server would send it, without sending it.
    pub async fn sign_as(
        &self,
        actor: &str,
        plaza: &TestInstance,
        path: &str,
        activity: &Value,
    ) -> Captured {
        let signer = RequestSigner::new(plaza.ctx.clone()).await;
        let target = format!("{}{path}", plaza.base);
        let signed = signer.sign(actor, &self.bob_key, &target, activity).await;
        Captured {
            method: Method::POST,
            path: signed.path,
            headers: signed.headers,
            body: signed.body,
        }
    }

    /// Signs `activity` as bob by hand (draft-cavage: `(request-target) host date digest`, as
    /// Mastodon does) with the given `Date`, and delivers it to Plaza's `path`.
    pub async fn send_dated(
        &self,
        plaza: &TestInstance,
        path: &str,
        activity: &Value,
        date: std::time::SystemTime,
    ) -> (u16, Value) {
        let signed = HandSigned {
            covered: "(request-target) host date digest",
            host: plaza.base.trim_start_matches("http://").to_owned(),
            date: httpdate::fmt_http_date(date),
        };
        self.send_hand_signed(plaza, path, activity, &signed).await
    }

    /// Signs `activity` as bob by hand, covering the headers `signed.covered` names (in that
    /// order) with the `Host` and `Date` it gives, and delivers it to Plaza's `path`.
    pub async fn send_hand_signed(
        &self,
        plaza: &TestInstance,
        path: &str,
        activity: &Value,
        signed: &HandSigned<'_>,
    ) -> (u16, Value) {
        use base64::Engine;
        use base64::engine::general_purpose::STANDARD;
        use rsa::pkcs8::DecodePrivateKey;
        use sha2::{Digest, Sha256};

        let body = activity.to_string();
        let digest = format!(
            "SHA-256={}",
            STANDARD.encode(Sha256::digest(body.as_bytes()))
        );
        let line = |name: &str| match name {
            "(request-target)" => format!("(request-target): post {path}"),
            "host" => format!("host: {}", signed.host),
            "date" => format!("date: {}", signed.date),
            "digest" => format!("digest: {digest}"),
            other => panic!("no header {other} to sign"),
        };
        let signing_string = signed
            .covered
            .split(' ')
            .map(line)
            .collect::<Vec<_>>()
            .join("\n");
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(&self.bob_key).unwrap();
        let signature = key
            .sign(
                rsa::Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_string.as_bytes()),
            )
            .unwrap();
        let header = format!(
            r#"keyId="{}#main-key",algorithm="rsa-sha256",headers="{}",signature="{}""#,
            self.bob,
            signed.covered,
            STANDARD.encode(signature)
        );
        let response = reqwest::Client::new()
            .post(format!("{}{path}", plaza.base))
            .header("content-type", "application/activity+json")
            .header("host", &signed.host)
            .header("date", &signed.date)
            .header("digest", digest)
            .header("signature", header)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Signs `activity` as bob with an RFC 9421 message signature made by an independent
    /// signer (`tests/fixtures/rfc9421/sign.mjs`, node:crypto), covering `components`, created
    /// at `created` (Unix seconds), with `alg` when given. Returns the headers to send.
    pub fn rfc9421_headers(
        &self,
        url: &str,
        body: &str,
        components: &[&str],
        created: u64,
        alg: Option<&str>,
    ) -> Vec<(String, String)> {
        use std::io::Write;
        let script = format!("{}/fixtures/rfc9421/sign.mjs", env!("CARGO_MANIFEST_DIR"));
        let job = json!({
            "method": "POST", "url": url, "body": body, "keyPem": self.bob_key,
            "keyId": format!("{}#main-key", self.bob), "components": components,
            "created": created, "alg": alg
        });
        let mut child = std::process::Command::new("node")
            .arg(&script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node runs the independent RFC 9421 signer");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(job.to_string().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "the signer failed");
        let headers: serde_json::Map<String, Value> =
            serde_json::from_slice(&output.stdout).unwrap();
        headers
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
            .collect()
    }

    /// POSTs `body` to Plaza's `path` with the given headers (and the ActivityPub content type).
    pub async fn post_with(
        &self,
        plaza: &TestInstance,
        path: &str,
        body: &str,
        headers: &[(String, String)],
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .post(format!("{}{path}", plaza.base))
            .header("content-type", "application/activity+json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.body(body.to_owned()).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Signs `activity` as bob and delivers it to Plaza's `path`; returns Plaza's answer.
    pub async fn send(&self, plaza: &TestInstance, path: &str, activity: &Value) -> (u16, Value) {
        self.send_as(&self.bob, plaza, path, activity).await
    }

    /// Signs `activity` as `actor` (see [`FakeRemote::sign_as`]) and delivers it to Plaza's
    /// `path`; returns Plaza's answer.
    pub async fn send_as(
        &self,
        actor: &str,
        plaza: &TestInstance,
        path: &str,
        activity: &Value,
    ) -> (u16, Value) {
        let signed = self.sign_as(actor, plaza, path, activity).await;
        replay(plaza, &signed, None, None).await
    }

    /// Sends Plaza's shared inbox bob's reply to its thread `thread` in its group `group`, as a
    /// Lemmy `Create` of a `Note` whose content is `html`; `n` keeps the ids of several replies
    /// apart. Returns Plaza's answer.
    pub async fn send_reply(
        &self,
        plaza: &TestInstance,
        group: &str,
        thread: i64,
        n: usize,
        html: &str,
    ) -> (u16, Value) {
        let group = format!("{}/g/{group}", plaza.base);
        let public = "https://www.w3.org/ns/activitystreams#Public";
        let create = json!({
            "id": format!("{}/activities/create/{n}", self.base), "type": "Create",
            "actor": self.bob, "to": [group, public],
            "object": {
                "id": format!("{}/comment/{n}", self.base), "type": "Note",
                "attributedTo": self.bob, "to": [group, public], "audience": group,
                "inReplyTo": format!("{}/post/{thread}", plaza.base),
                "content": html, "mediaType": "text/html"
            }
        });
        self.send(plaza, "/inbox", &create).await
    }
}

/// Replays a captured request to Plaza, optionally with another body or signature.
pub async fn replay(
    plaza: &TestInstance,
    request: &Captured,
    body: Option<Vec<u8>>,
    signature: Option<String>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut builder = client.post(format!("{}{}", plaza.base, request.path));
    for (name, value) in &request.headers {
        if name == header::CONTENT_LENGTH {
            continue;
        }
        builder = builder.header(name, value);
    }
    if let Some(signature) = signature {
        builder = builder.header("signature", signature);
    }
    let response = builder
        .body(body.unwrap_or_else(|| request.body.clone()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A worker that sends what the instance queued.
pub async fn delivery_worker(plaza: &TestInstance) -> DeliveryWorker {
    let federation = plaza_federation::config::federation_config(plaza.ctx.clone(), true)
        .await
        .unwrap();
    DeliveryWorker::new(plaza.ctx.clone(), federation, DeliverySettings::default())
}

/// Sends everything queued until nothing is due.
pub async fn deliver_all(plaza: &TestInstance) {
    let worker = delivery_worker(plaza).await;
    while worker.run_once().await.unwrap() > 0 {}
}

/// Publishes every pending change and delivers what that queued.
pub async fn publish_all(plaza: &TestInstance) {
    let publisher = plaza_federation::publish::Publisher::new(plaza.ctx.clone());
    while publisher.run_once().await.unwrap() > 0 {}
    deliver_all(plaza).await;
}

/// A fixture file from `tests/fixtures/`, with its example hosts replaced by the fake server's
/// (`social.example`, `lemmy.example`, `friendica.example`, `mobilizon.example`) and Plaza's
/// (`brand.example`).
pub fn fixture(name: &str, remote: &FakeRemote, plaza: &TestInstance) -> Value {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = text
        .replace("https://social.example", &remote.base)
        .replace("https://lemmy.example", &remote.base)
        .replace("https://friendica.example", &remote.base)
        .replace("https://mobilizon.example", &remote.base)
        .replace("https://brand.example", &plaza.base);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
