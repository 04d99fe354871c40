//! One signed POST of a stored activity to an inbox, and what the receiver answered.
//!
//! The federation library's `sign_and_send` keeps the answer to itself: a 4xx counts as success
//! and is logged at debug level only, so a server that refuses everything Plaza sends would look
//! healthy. The worker sends here instead, signed the same way (draft-cavage with a SHA-256
//! `Digest`, as the library signs), so it can record the status and the first bytes of the
//! answer.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http_signature_normalization_reqwest::prelude::{Config, SignExt};
use reqwest::header::{CONTENT_TYPE, DATE, HOST, RETRY_AFTER};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sha2::{Digest, Sha256};
use url::Url;

/// How many bytes of an answer are kept: enough for an error message, never a whole page.
pub const EXCERPT_BYTES: usize = 512;

/// How long a signature stays valid, as the library sets it.
const SIGNATURE_LIFETIME: Duration = Duration::from_secs(3600);

/// A local actor's key, parsed once and kept by the worker.
///
/// Signing is the fan-out's main cost (one RSA-2048 signature per delivery), so it is done with
/// ring, whose RSA is several times faster than the pure-Rust `rsa` crate that makes the keys.
pub struct SigningKey {
    actor: Url,
    key: Arc<RsaKeyPair>,
    rng: SystemRandom,
}

impl SigningKey {
    /// Parses a PKCS#8 PEM private key (on the blocking pool: RSA key parsing is slow).
    pub async fn parse(actor: Url, pem: String) -> Result<Self, String> {
        let parsed = tokio::task::spawn_blocking(move || -> Result<RsaKeyPair, String> {
            // Read as PEM by the crate that wrote it, handed to ring as the same PKCS#8 DER.
            let der = RsaPrivateKey::from_pkcs8_pem(&pem)
                .and_then(|key| key.to_pkcs8_der())
                .map_err(|e| e.to_string())?;
            RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("parsing a key: {e}"))?
        .map_err(|e| format!("the key of {actor} is unusable: {e}"))?;
        Ok(Self {
            actor,
            key: Arc::new(parsed),
            rng: SystemRandom::new(),
        })
    }

    /// The base64 RSASSA-PKCS1-v1_5 SHA-256 signature of `text`.
    fn sign(&self, text: &str) -> Result<String, SendError> {
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                text.as_bytes(),
                &mut signature,
            )
            .map_err(|_| SendError("signing failed".to_owned()))?;
        Ok(STANDARD.encode(signature))
    }
}

/// What the receiver answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The first [`EXCERPT_BYTES`] of the body, as text.
    pub excerpt: String,
    /// When a 429 or 503 says to come back.
    pub retry_after: Option<Duration>,
}

/// Signs `body` as `key`'s actor and POSTs it to `inbox`; `Err` when no answer came (a network
/// error, a timeout).
pub async fn post(
    client: &reqwest::Client,
    key: &SigningKey,
    inbox: &Url,
    body: Vec<u8>,
) -> Result<Answer, String> {
    let host = match (inbox.host_str(), inbox.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return Err(format!("{inbox} has no host")),
    };
    let signer = SigningKey {
        actor: key.actor.clone(),
        key: Arc::clone(&key.key),
        rng: key.rng.clone(),
    };
    let request = client
        .post(inbox.as_str())
        .header(
            CONTENT_TYPE,
            activitypub_federation::FEDERATION_CONTENT_TYPE,
        )
        .header(HOST, host)
        .header(DATE, httpdate::fmt_http_date(SystemTime::now()))
        .signature_with_digest(
            Config::new().set_expiration(SIGNATURE_LIFETIME),
            format!("{}#main-key", key.actor),
            Sha256::new(),
            body,
            move |signing_string| signer.sign(signing_string),
        )
        .await
        .map_err(|e| e.0)?;
    let mut response = client.execute(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, SystemTime::now()));
    let mut bytes = Vec::new();
    // Only the start is read: a refusal's reason is short, and a huge answer must not be.
    while bytes.len() < EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    Ok(Answer {
        status,
        excerpt: excerpt(&bytes),
        retry_after,
    })
}

/// The first [`EXCERPT_BYTES`] of an answer as text, cut at a character boundary.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(EXCERPT_BYTES)]);
    text.trim_end_matches('\u{FFFD}').trim().to_owned()
}

/// A `Retry-After` value, in seconds or as an HTTP date, as a wait from `now`.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A failure while building the signed request.
#[derive(Debug)]
struct SendError(String);

impl From<http_signature_normalization_reqwest::SignError> for SendError {
    fn from(e: http_signature_normalization_reqwest::SignError) -> Self {
        Self(format!("signing: {e}"))
    }
}

impl From<reqwest::Error> for SendError {
    fn from(e: reqwest::Error) -> Self {
        Self(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(retry_after(&later, now), Some(Duration::from_secs(90)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn an_excerpt_keeps_the_start_and_whole_characters() {
        let long = "é".repeat(400);
        let cut = excerpt(long.as_bytes());
        assert!(cut.len() <= EXCERPT_BYTES, "{}", cut.len());
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
