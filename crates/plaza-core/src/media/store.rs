//! Where uploaded files live: a local folder by default, or a bucket of an S3-compatible object
//! store, which processes on several machines can share. Either way Plaza serves the files
//! itself, at the same URLs and with the same headers. A file's name is its content hash with a
//! suffix, so a name never changes meaning and writing the same name twice writes the same
//! bytes.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{ClientOptions, ObjectStoreExt, PutPayload, RetryConfig};
use url::Url;

use crate::{CoreError, CoreResult};

/// A request to the object store gives up after this long; a picture is a few megabytes at most.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries of a failed request: few and short, since a page waits for the picture.
const RETRIES: usize = 2;
const RETRY_TIMEOUT: Duration = Duration::from_secs(10);
/// The object written and removed again to check that the bucket can be used.
const PROBE: &str = "plaza-store-check";

/// Where uploads are kept, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSettings {
    /// A local folder, created when first written to.
    Folder(PathBuf),
    /// A bucket of an S3-compatible object store.
    S3(S3Settings),
}

/// A bucket of an S3-compatible object store (Amazon S3, MinIO, Garage, Ceph, R2 and others).
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    bucket: String,
    region: String,
    endpoint: Option<Url>,
    access_key_id: String,
    secret_access_key: String,
}

impl std::fmt::Debug for S3Settings {
    // The secret stays out of logs and error messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl S3Settings {
    /// Checks the settings of a bucket: its name, a region, an endpoint (an `http` or `https`
    /// origin; none for Amazon S3 itself) and both halves of an access key. Each missing or
    /// malformed one is named by its environment variable.
    pub fn new(
        bucket: &str,
        region: &str,
        endpoint: Option<&str>,
        access_key_id: &str,
        secret_access_key: &str,
    ) -> CoreResult<Self> {
        let bucket = bucket.trim();
        if bucket.is_empty() {
            return Err(config(
                "PLAZA_S3_BUCKET is not set: name the bucket uploads go to",
            ));
        }
        if !valid_bucket(bucket) {
            return Err(config(format!(
                "PLAZA_S3_BUCKET '{bucket}' is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit"
            )));
        }
        let region = region.trim();
        if region.is_empty() {
            return Err(config(
                "PLAZA_S3_REGION is empty: give the bucket's region (us-east-1 where the store has none)",
            ));
        }
        let endpoint = endpoint
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(check_endpoint)
            .transpose()?;
        let access_key_id = access_key_id.trim();
        let secret_access_key = secret_access_key.trim();
        if access_key_id.is_empty() || secret_access_key.is_empty() {
            return Err(config(
                "PLAZA_S3_ACCESS_KEY_ID and PLAZA_S3_SECRET_ACCESS_KEY are both needed: the access key Plaza signs its requests to the bucket with",
            ));
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            region: region.to_owned(),
            endpoint,
            access_key_id: access_key_id.to_owned(),
            secret_access_key: secret_access_key.to_owned(),
        })
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Where the store is, for messages: its endpoint, or Amazon S3's region.
    fn place(&self) -> String {
        match &self.endpoint {
            Some(endpoint) => endpoint.as_str().trim_end_matches('/').to_owned(),
            None => format!("Amazon S3 ({})", self.region),
        }
    }
}

fn config(message: impl Into<String>) -> CoreError {
    CoreError::Config(message.into())
}

/// S3's rules for a bucket name that works in paths and host names alike.
fn valid_bucket(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !name.contains("..")
}

fn check_endpoint(raw: &str) -> CoreResult<Url> {
    let bad = |why: &str| {
        config(format!(
            "PLAZA_S3_ENDPOINT '{raw}' {why}: give the store's origin, such as https://s3.example.com or http://127.0.0.1:9000"
        ))
    };
    let url = Url::parse(raw).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("names no host"));
    }
    if url.path() != "/"
        || url.query().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(bad(
            "must be a bare origin, without a path, a query or credentials",
        ));
    }
    Ok(url)
}

/// The store uploads are written to, read from and removed from.
#[derive(Debug, Clone)]
pub enum Store {
    /// A local folder.
    Folder(Folder),
    /// A bucket of an object store.
    Bucket(Bucket),
}

impl Store {
    /// The store `settings` describe. Nothing is written or asked yet; [`Store::check`] asks.
    pub fn open(settings: &StoreSettings) -> CoreResult<Self> {
        match settings {
            StoreSettings::Folder(dir) => Ok(Store::Folder(Folder::new(dir))),
            StoreSettings::S3(s3) => Bucket::open(s3).map(Store::Bucket),
        }
    }

    /// Where the files are, for messages.
    pub fn describe(&self) -> String {
        match self {
            Store::Folder(folder) => format!("the folder {}", folder.dir().display()),
            Store::Bucket(bucket) => bucket.describe(),
        }
    }

    /// Makes sure the store can be used, so that a wrong setting stops Plaza at start rather than
    /// failing the first upload: a bucket must exist and take the key's writes; a folder needs
    /// nothing yet (it is created when first written to).
    pub async fn check(&self) -> CoreResult<()> {
        match self {
            Store::Folder(_) => Ok(()),
            Store::Bucket(bucket) => bucket.check().await,
        }
    }

    /// Writes `bytes` as `name`; a reader never sees half a file.
    pub async fn put(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Store::Folder(folder) => folder.put(name, bytes).await,
            Store::Bucket(bucket) => bucket.put(name, bytes).await,
        }
    }

    /// The file `name`, or `None` when there is none.
    pub async fn get(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        match self {
            Store::Folder(folder) => folder.get(name).await,
            Store::Bucket(bucket) => bucket.get(name).await,
        }
    }

    /// Removes `name`; a file already gone is no error.
    pub async fn remove(&self, name: &str) -> std::io::Result<()> {
        match self {
            Store::Folder(folder) => folder.remove(name).await,
            Store::Bucket(bucket) => bucket.remove(name).await,
        }
    }
}

/// A local folder of uploaded files.
#[derive(Debug, Clone)]
pub struct Folder {
    dir: PathBuf,
}

impl Folder {
    /// The folder at `dir`, created when first written to.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Where it is.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as `name`: beside its place first, then renamed, so that no reader ever
    /// sees half a file.
    pub async fn put(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.dir.join(name);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        tokio::fs::create_dir_all(&self.dir).await?;
        let partial = self
            .dir
            .join(format!("{name}.{}.part", crate::random_token()));
        let written = async {
            tokio::fs::write(&partial, bytes).await?;
            tokio::fs::rename(&partial, &path).await
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        written
    }

    /// The file `name`, or `None` when there is none.
    pub async fn get(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.dir.join(name)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes `name`; a file already gone is no error.
    pub async fn remove(&self, name: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.dir.join(name)).await {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// A bucket of an S3-compatible object store, with its client (a connection pool shared by
/// clones).
#[derive(Debug, Clone)]
pub struct Bucket {
    client: Arc<AmazonS3>,
    name: String,
    place: String,
}

impl Bucket {
    fn open(settings: &S3Settings) -> CoreResult<Self> {
        // reqwest, built without a provider of its own, panics on a client when no rustls
        // provider is installed. The binary installs ring at start; so does this, for anything
        // else that opens an instance. A provider already installed is kept.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let options = ClientOptions::new()
            .with_timeout(REQUEST_TIMEOUT)
            .with_connect_timeout(CONNECT_TIMEOUT);
        let retry = RetryConfig {
            max_retries: RETRIES,
            retry_timeout: RETRY_TIMEOUT,
            ..RetryConfig::default()
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_client_options(options)
            .with_retry(retry);
        if let Some(endpoint) = &settings.endpoint {
            // Plain http only when the operator wrote it: a store on the same host or network.
            builder = builder
                .with_endpoint(endpoint.as_str().trim_end_matches('/'))
                .with_allow_http(endpoint.scheme() == "http");
        }
        let client = builder.build().map_err(|e| {
            config(format!(
                "cannot set up the bucket {} at {}: {e}",
                settings.bucket,
                settings.place()
            ))
        })?;
        Ok(Self {
            client: Arc::new(client),
            name: settings.bucket.clone(),
            place: settings.place(),
        })
    }

    fn describe(&self) -> String {
        format!("the bucket {} at {}", self.name, self.place)
    }

    fn path(name: &str) -> object_store::path::Path {
        object_store::path::Path::from(name)
    }

    /// Writes and removes a small object: the one way to learn at once that the bucket exists
    /// and the key may write and delete there (a read of a missing object cannot tell a missing
    /// bucket, and a key without the right to list gets 403 for it).
    async fn check(&self) -> CoreResult<()> {
        let probe = Self::path(PROBE);
        let result = match self.client.put(&probe, PutPayload::default()).await {
            Ok(_) => self.client.delete(&probe).await,
            Err(e) => Err(e),
        };
        result.map_err(|e| match e {
            object_store::Error::NotFound { .. } => config(format!(
                "cannot use {}: there is no such bucket (create it, or correct PLAZA_S3_BUCKET)",
                self.describe()
            )),
            other => config(format!(
                "cannot use {}: {} (check PLAZA_S3_ENDPOINT, PLAZA_S3_REGION and the access key)",
                self.describe(),
                with_causes(&other)
            )),
        })
    }

    async fn put(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.client
            .put(&Self::path(name), bytes.to_vec().into())
            .await
            .map(|_| ())
            .map_err(|e| std::io::Error::other(with_causes(&e)))
    }

    async fn get(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        let found = match self.client.get(&Self::path(name)).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(std::io::Error::other(with_causes(&e))),
        };
        let bytes = found
            .bytes()
            .await
            .map_err(|e| std::io::Error::other(with_causes(&e)))?;
        Ok(Some(bytes.to_vec()))
    }

    async fn remove(&self, name: &str) -> std::io::Result<()> {
        match self.client.delete(&Self::path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(std::io::Error::other(with_causes(&e))),
        }
    }
}

/// An error with the causes it wraps: the HTTP client's own message ("error sending request")
/// leaves out what an operator needs ("Connection refused", a certificate refused).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let more = inner.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(bucket: &str, region: &str, endpoint: Option<&str>) -> CoreResult<S3Settings> {
        S3Settings::new(bucket, region, endpoint, "key", "secret")
    }

    fn refusal(result: CoreResult<S3Settings>) -> String {
        match result {
            Err(CoreError::Config(message)) => message,
            other => panic!("not refused as configuration: {other:?}"),
        }
    }

    #[test]
    fn a_bucket_needs_a_name_a_region_and_a_key() {
        let ok = s3("plaza-media", "eu-west-1", None);
        assert_eq!(
            ok.map(|s| s.bucket().to_owned()).ok().as_deref(),
            Some("plaza-media")
        );
        assert!(refusal(s3(" ", "eu-west-1", None)).starts_with("PLAZA_S3_BUCKET is not set"));
        assert!(refusal(s3("b", "us-east-1", None)).contains("is not a bucket name"));
        for bad in [
            "Plaza",
            "plaza_media",
            "-plaza",
            "plaza..media",
            "plaza/media",
        ] {
            assert!(
                refusal(s3(bad, "us-east-1", None)).contains("is not a bucket name"),
                "{bad}"
            );
        }
        assert!(refusal(s3("plaza", "", None)).starts_with("PLAZA_S3_REGION"));
        let keyless = S3Settings::new("plaza", "us-east-1", None, "key", " ");
        assert!(refusal(keyless).contains("PLAZA_S3_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn an_endpoint_is_a_bare_http_or_https_origin() {
        for good in [
            "https://s3.example.com",
            "http://127.0.0.1:9000/",
            "https://garage.internal:3900",
        ] {
            assert!(s3("plaza", "garage", Some(good)).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("s3.example.com", "is not a URL"),
            (
                "ftp://s3.example.com",
                "must start with http:// or https://",
            ),
            ("https://s3.example.com/plaza", "must be a bare origin"),
            ("https://key:secret@s3.example.com", "must be a bare origin"),
        ] {
            let message = refusal(s3("plaza", "us-east-1", Some(bad)));
            assert!(message.contains(why), "{bad}: {message}");
            assert!(message.starts_with("PLAZA_S3_ENDPOINT"), "{message}");
        }
        // Left empty, Amazon S3 itself.
        let aws = s3("plaza", "eu-west-1", Some(" ")).ok();
        assert_eq!(aws.and_then(|s| s.endpoint), None);
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let settings = S3Settings::new("plaza", "us-east-1", None, "AKIDPLAZA", "hunter2-secret");
        let shown = format!("{settings:?}");
        assert!(shown.contains("AKIDPLAZA"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
