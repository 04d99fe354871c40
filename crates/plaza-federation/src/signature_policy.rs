//! What an incoming HTTP signature must bind before its cryptography is even looked at. The
//! federation library verifies that a signature is valid for the headers it names, but accepts a
//! signature that names almost nothing — only `digest`, which can be replayed to any inbox of any
//! server for ever — and a `Date` that is far ahead or does not parse. Plaza requires what
//! Mastodon requires: `(request-target)`, `host` and `date` signed (and `digest` on a POST), the
//! signed host ours, and the date inside a window around now.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, Method, Uri};
use http_signature_normalization::verify::ValidateError;
use http_signature_normalization::{Config, PrepareVerifyError};

/// How old a signed `Date` may be: the federation library's own expiry, so the two agree.
pub const MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// How far ahead of our clock a signed `Date` may be (clock skew).
pub const MAX_AHEAD: Duration = Duration::from_secs(60 * 60);

/// Why a signature binds too little.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakSignature {
    /// No `Signature` (or `Authorization: Signature`) header.
    #[error("the request is not signed")]
    Missing,
    /// A header that is not a signature.
    #[error("the Signature header does not parse")]
    Unparsable,
    /// A header that must be signed is not (or is signed but absent from the request).
    #[error("the signature must cover (request-target), host, date and, on a POST, digest: {0}")]
    Uncovered(String),
    /// The signed host is another server's.
    #[error("the signature is for host {0}, not this server")]
    OtherHost(String),
    /// The signed date does not parse.
    #[error("the signed Date does not parse")]
    BadDate,
    /// The signed date is too old.
    #[error("Http Signature is expired: the signed Date is more than an hour old")]
    Expired,
    /// The signed date is too far ahead.
    #[error("the signed Date is more than an hour ahead")]
    Ahead,
}

impl WeakSignature {
    /// The error code the inbox answers with (always 401).
    pub fn code(&self) -> &'static str {
        match self {
            WeakSignature::Missing => "unsigned",
            WeakSignature::Unparsable | WeakSignature::Uncovered(_) => "weak_signature",
            WeakSignature::OtherHost(_) => "wrong_host",
            WeakSignature::BadDate => "bad_date",
            WeakSignature::Expired => "expired_signature",
            WeakSignature::Ahead => "future_date",
        }
    }
}

/// Checks that the signature on a request to `uri` binds it to this server (`our_host`, as
/// `host[:port]`) and to now.
pub fn check(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    our_host: &str,
    now: SystemTime,
) -> Result<(), WeakSignature> {
    let mut config = Config::new()
        .set_expiration(MAX_AGE)
        .require_header("(request-target)")
        .require_header("host")
        .require_header("date");
    if method == Method::POST {
        config = config.require_digest();
    }
    let mut map = BTreeMap::new();
    for (name, value) in headers {
        if let Ok(value) = value.to_str() {
            map.insert(name.as_str().to_owned(), value.to_owned());
        }
    }
    // HTTP/2 carries the host in the request line only.
    if !map.contains_key("host")
        && let Some(authority) = uri.authority()
    {
        map.insert("host".to_owned(), authority.as_str().to_owned());
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    match config.begin_verify(method.as_str(), path, map) {
        Ok(_) => {}
        Err(PrepareVerifyError::Validate(ValidateError::Missing)) => {
            return Err(WeakSignature::Missing);
        }
        Err(PrepareVerifyError::Validate(ValidateError::Expired { .. })) => {
            return Err(WeakSignature::Expired);
        }
        Err(PrepareVerifyError::Parse(_)) => return Err(WeakSignature::Unparsable),
        Err(PrepareVerifyError::Required(missing)) => {
            let mut names: Vec<&str> = missing.headers().iter().map(String::as_str).collect();
            names.sort_unstable();
            return Err(WeakSignature::Uncovered(format!(
                "{} not signed",
                names.join(", ")
            )));
        }
    }
    // Present and signed, as checked above.
    let host = header(headers, "host")
        .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_default();
    if !same_host(&host, our_host) {
        return Err(WeakSignature::OtherHost(host));
    }
    let date = header(headers, "date").unwrap_or_default();
    let date = httpdate::parse_http_date(&date).map_err(|_| WeakSignature::BadDate)?;
    if date > now + MAX_AHEAD {
        return Err(WeakSignature::Ahead);
    }
    if date + MAX_AGE < now {
        return Err(WeakSignature::Expired);
    }
    Ok(())
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Host names compare without case, and a default port may be written or not.
fn same_host(signed: &str, ours: &str) -> bool {
    let normal = |h: &str| {
        let h = h.trim().to_ascii_lowercase();
        h.strip_suffix(":443")
            .or_else(|| h.strip_suffix(":80"))
            .map(str::to_owned)
            .unwrap_or(h)
    };
    normal(signed) == normal(ours)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const HOST: &str = "brand.example";

    fn request(signed: &str, host: &str, date: SystemTime) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", host.parse().unwrap());
        h.insert("date", httpdate::fmt_http_date(date).parse().unwrap());
        h.insert("digest", "SHA-256=abc".parse().unwrap());
        let signature = format!(
            r#"keyId="https://social.example/users/bob#main-key",algorithm="rsa-sha256",headers="{signed}",signature="c2ln""#
        );
        h.insert("signature", signature.parse().unwrap());
        h
    }

    fn run(headers: &HeaderMap, now: SystemTime) -> Result<(), WeakSignature> {
        let uri: Uri = "/inbox".parse().unwrap();
        check(&Method::POST, &uri, headers, HOST, now)
    }

    const FULL: &str = "(request-target) host date digest";

    #[test]
    fn a_signature_over_target_host_date_and_digest_passes() {
        let now = SystemTime::now();
        assert_eq!(run(&request(FULL, HOST, now), now), Ok(()));
        // A default port and another case name the same host.
        assert_eq!(run(&request(FULL, "Brand.Example:443", now), now), Ok(()));
    }

    #[test]
    fn a_signature_that_leaves_out_a_required_header_is_weak() {
        let now = SystemTime::now();
        for signed in [
            "digest",
            "(request-target) host digest",
            "host date digest",
            "(request-target) date digest",
            "(request-target) host date",
        ] {
            let refused = run(&request(signed, HOST, now), now);
            assert!(
                matches!(refused, Err(WeakSignature::Uncovered(_))),
                "{signed}: {refused:?}"
            );
        }
    }

    #[test]
    fn a_signature_for_another_host_is_refused() {
        let now = SystemTime::now();
        assert_eq!(
            run(&request(FULL, "other.example", now), now),
            Err(WeakSignature::OtherHost("other.example".into()))
        );
    }

    #[test]
    fn a_date_outside_the_window_or_unparsable_is_refused() {
        let now = SystemTime::now();
        let hours = |n: u64| Duration::from_secs(n * 3600);
        assert_eq!(
            run(&request(FULL, HOST, now + hours(2)), now),
            Err(WeakSignature::Ahead)
        );
        assert_eq!(
            run(&request(FULL, HOST, now + hours(13)), now),
            Err(WeakSignature::Ahead)
        );
        assert_eq!(
            run(&request(FULL, HOST, now - hours(2)), now),
            Err(WeakSignature::Expired)
        );
        // Small skew either way is fine.
        let minutes = Duration::from_secs(5 * 60);
        assert_eq!(run(&request(FULL, HOST, now + minutes), now), Ok(()));
        assert_eq!(run(&request(FULL, HOST, now - minutes), now), Ok(()));

        let mut garbled = request(FULL, HOST, now);
        garbled.insert("date", "yesterday-ish".parse().unwrap());
        assert_eq!(run(&garbled, now), Err(WeakSignature::BadDate));
    }

    #[test]
    fn no_signature_at_all_is_missing() {
        let now = SystemTime::now();
        let mut headers = request(FULL, HOST, now);
        headers.remove("signature");
        assert_eq!(run(&headers, now), Err(WeakSignature::Missing));
    }
}
