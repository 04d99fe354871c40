//! HTTP Message Signatures (RFC 9421), as Mastodon 4.5 can send them instead of the older
//! draft-cavage `Signature` header: the covered components and parameters in `Signature-Input`,
//! the signature in `Signature`, the body's hash in `Content-Digest` (RFC 9530). Structured
//! fields are parsed with `sfv`; the signature base is built as RFC 9421 §2.5 says and verified
//! with the key of the activity's actor, like draft-cavage signatures.
//!
//! The same binding rules as for draft-cavage apply, in RFC 9421's terms: the method, the
//! target (`@target-uri`, or `@authority` with `@path`/`@request-target`) and, on a POST, the
//! `content-digest` must be covered; the signed authority must be ours; `created` must be
//! present and within an hour of our clock; `expires`, when present, not past.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, Method, Uri};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use sfv::{BareItem, Dictionary, FieldType, InnerList, Item, ListEntry, Parser};
use sha2::{Digest, Sha256, Sha512};

use crate::signature_policy::{MAX_AGE, MAX_AHEAD, WeakSignature};

/// Whether a request carries an RFC 9421 signature (and so is verified here, not by the
/// federation library).
pub fn is_signed(headers: &HeaderMap) -> bool {
    headers.contains_key("signature-input")
}

/// The signature algorithms verified here. Fediverse keys are RSA; RSA-PSS is there for the
/// RFC's own examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    RsaV15Sha256,
    RsaPssSha512,
}

/// One parsed signature: what it covers, its parameters, and the signature bytes.
#[derive(Debug, Clone)]
pub struct MessageSignature {
    /// The covered components, in order (lower-case names; parameters are refused).
    pub components: Vec<String>,
    /// `@signature-params`: the inner list as serialized, which the signature base ends with.
    pub params_line: String,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub keyid: Option<String>,
    pub algorithm: Algorithm,
    pub signature: Vec<u8>,
}

/// The request a signature is checked against.
pub struct SignedRequest<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    /// `http` or `https`: the scheme this instance is reached at.
    pub scheme: &'a str,
}

/// Why an RFC 9421 signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// It binds too little (the same codes as draft-cavage).
    #[error(transparent)]
    Weak(#[from] WeakSignature),
    /// The headers do not parse, or use something not supported here.
    #[error("RFC 9421 signature: {0}")]
    Malformed(String),
    /// The signature does not verify with the actor's key.
    #[error("the RFC 9421 signature does not verify with the actor's key")]
    Invalid,
}

impl SignatureError {
    /// The error code the inbox answers with (always 401).
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Weak(w) => w.code(),
            SignatureError::Malformed(_) => "weak_signature",
            SignatureError::Invalid => "bad_signature",
        }
    }
}

fn malformed(what: impl Into<String>) -> SignatureError {
    SignatureError::Malformed(what.into())
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, SignatureError> {
    let mut values = headers.get_all(name).iter();
    let first = values
        .next()
        .ok_or_else(|| malformed(format!("no {name} header")))?;
    if values.next().is_some() {
        return Err(malformed(format!("more than one {name} header")));
    }
    first
        .to_str()
        .map_err(|_| malformed(format!("{name} is not text")))
}

/// Parses `Signature-Input` and `Signature`, taking the first signature label present in both.
pub fn parse(headers: &HeaderMap) -> Result<MessageSignature, SignatureError> {
    let inputs: Dictionary = Parser::new(header_text(headers, "signature-input")?)
        .parse()
        .map_err(|e| malformed(format!("Signature-Input: {e}")))?;
    let signatures: Dictionary = Parser::new(header_text(headers, "signature")?)
        .parse()
        .map_err(|e| malformed(format!("Signature: {e}")))?;
    for (label, input) in &inputs {
        let ListEntry::InnerList(list) = input else {
            continue;
        };
        let Some(ListEntry::Item(Item {
            bare_item: BareItem::ByteSequence(signature),
            ..
        })) = signatures.get(label)
        else {
            continue;
        };
        return from_parts(list, signature.clone());
    }
    Err(malformed(
        "no signature label in both Signature-Input and Signature",
    ))
}

fn from_parts(list: &InnerList, signature: Vec<u8>) -> Result<MessageSignature, SignatureError> {
    let mut components = Vec::with_capacity(list.items.len());
    for item in &list.items {
        let BareItem::String(name) = &item.bare_item else {
            return Err(malformed("a covered component is not a string"));
        };
        if !item.params.is_empty() {
            return Err(malformed(format!(
                "component parameters are not supported ({})",
                name.as_str()
            )));
        }
        let name = name.as_str().to_ascii_lowercase();
        if components.contains(&name) {
            return Err(malformed(format!("{name} is covered twice")));
        }
        components.push(name);
    }
    let integer = |key: &str| -> Result<Option<i64>, SignatureError> {
        match list.params.get(key) {
            None => Ok(None),
            Some(BareItem::Integer(n)) => Ok(Some(i64::from(*n))),
            Some(_) => Err(malformed(format!("{key} is not an integer"))),
        }
    };
    let string = |key: &str| -> Result<Option<String>, SignatureError> {
        match list.params.get(key) {
            None => Ok(None),
            Some(BareItem::String(s)) => Ok(Some(s.as_str().to_owned())),
            Some(_) => Err(malformed(format!("{key} is not a string"))),
        }
    };
    let algorithm = match string("alg")?.as_deref() {
        // Fediverse keys are RSA, and Mastodon leaves `alg` out.
        None | Some("rsa-v1_5-sha256") => Algorithm::RsaV15Sha256,
        Some("rsa-pss-sha512") => Algorithm::RsaPssSha512,
        Some(other) => return Err(malformed(format!("algorithm {other} is not supported"))),
    };
    let params_line = vec![ListEntry::InnerList(list.clone())]
        .serialize()
        .ok_or_else(|| malformed("the signature parameters do not serialize"))?;
    Ok(MessageSignature {
        components,
        params_line,
        created: integer("created")?,
        expires: integer("expires")?,
        keyid: string("keyid")?,
        algorithm,
        signature,
    })
}

/// The authority the request was sent to, as signed: the `Host` header (or the request line's
/// authority under HTTP/2), lower-cased, without a default port.
fn authority(request: &SignedRequest<'_>) -> Result<String, SignatureError> {
    let raw = match request.headers.get("host") {
        Some(host) => host
            .to_str()
            .map_err(|_| malformed("Host is not text"))?
            .to_owned(),
        None => request
            .uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| malformed("the request names no host"))?,
    };
    let host = raw.trim().to_ascii_lowercase();
    let default_port = if request.scheme == "https" {
        ":443"
    } else {
        ":80"
    };
    Ok(host
        .strip_suffix(default_port)
        .map(str::to_owned)
        .unwrap_or(host))
}

/// The value of one covered component (RFC 9421 §2.1 for fields, §2.2 for derived ones).
fn component_value(name: &str, request: &SignedRequest<'_>) -> Result<String, SignatureError> {
    let path = match request.uri.path() {
        "" => "/",
        p => p,
    };
    let query = request.uri.query();
    Ok(match name {
        "@method" => request.method.as_str().to_owned(),
        "@authority" => authority(request)?,
        "@scheme" => request.scheme.to_owned(),
        "@path" => path.to_owned(),
        "@query" => format!("?{}", query.unwrap_or("")),
        "@request-target" => match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        },
        "@target-uri" => {
            let target = match query {
                Some(q) => format!("{path}?{q}"),
                None => path.to_owned(),
            };
            format!("{}://{}{target}", request.scheme, authority(request)?)
        }
        derived if derived.starts_with('@') => {
            return Err(malformed(format!("{derived} is not supported")));
        }
        field => {
            let values: Vec<&str> = request
                .headers
                .get_all(field)
                .iter()
                .map(|v| v.to_str().map(str::trim))
                .collect::<Result<_, _>>()
                .map_err(|_| malformed(format!("{field} is not text")))?;
            if values.is_empty() {
                return Err(malformed(format!("the covered field {field} is missing")));
            }
            values.join(", ")
        }
    })
}

/// The signature base (RFC 9421 §2.5): one line per covered component, then the parameters.
pub fn signature_base(
    signature: &MessageSignature,
    request: &SignedRequest<'_>,
) -> Result<String, SignatureError> {
    let mut base = String::new();
    for name in &signature.components {
        let value = component_value(name, request)?;
        if value.contains('\n') {
            return Err(malformed(format!("{name} spans lines")));
        }
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {}", signature.params_line));
    Ok(base)
}

/// Checks that the signature binds the request to this server (`our_host`) and to now.
pub fn check_binding(
    signature: &MessageSignature,
    request: &SignedRequest<'_>,
    our_host: &str,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let covers = |name: &str| signature.components.iter().any(|c| c == name);
    let mut missing = Vec::new();
    if !covers("@method") {
        missing.push("@method");
    }
    let target = covers("@target-uri")
        || (covers("@authority") && (covers("@path") || covers("@request-target")));
    if !target {
        missing.push("@target-uri");
    }
    if request.method == Method::POST && !covers("content-digest") {
        missing.push("content-digest");
    }
    if !missing.is_empty() {
        return Err(WeakSignature::Uncovered(format!("{} not signed", missing.join(", "))).into());
    }
    let signed_host = authority(request)?;
    if signed_host != our_host.to_ascii_lowercase() {
        return Err(WeakSignature::OtherHost(signed_host).into());
    }
    let now_secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let created = signature.created.ok_or(WeakSignature::BadDate)?;
    if created > now_secs.saturating_add(secs(MAX_AHEAD)) {
        return Err(WeakSignature::Ahead.into());
    }
    if created.saturating_add(secs(MAX_AGE)) < now_secs {
        return Err(WeakSignature::Expired.into());
    }
    if signature.expires.is_some_and(|e| e < now_secs) {
        return Err(WeakSignature::Expired.into());
    }
    if signature.keyid.is_none() {
        return Err(malformed("no keyid"));
    }
    Ok(())
}

/// Verifies the signature over `base` with a PEM public key.
pub fn verify(
    signature: &MessageSignature,
    base: &str,
    public_key_pem: &str,
) -> Result<(), SignatureError> {
    let key = RsaPublicKey::from_public_key_pem(public_key_pem)
        .map_err(|_| malformed("the actor's key is not an RSA public key"))?;
    let verified = match signature.algorithm {
        Algorithm::RsaV15Sha256 => key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(base.as_bytes()),
            &signature.signature,
        ),
        Algorithm::RsaPssSha512 => key.verify(
            Pss::new::<Sha512>(),
            &Sha512::digest(base.as_bytes()),
            &signature.signature,
        ),
    };
    verified.map_err(|_| SignatureError::Invalid)
}

/// Why a `Content-Digest` does not vouch for the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Content-Digest: {0}")]
pub struct DigestError(pub String);

/// Checks the body against `Content-Digest` (RFC 9530): every SHA-256 or SHA-512 digest given
/// must match, and at least one must be given.
pub fn verify_content_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), DigestError> {
    let text = headers
        .get("content-digest")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| DigestError("missing".into()))?;
    let digests: Dictionary = Parser::new(text)
        .parse()
        .map_err(|e| DigestError(format!("does not parse: {e}")))?;
    let mut checked = 0;
    for (algorithm, entry) in &digests {
        let ListEntry::Item(Item {
            bare_item: BareItem::ByteSequence(given),
            ..
        }) = entry
        else {
            return Err(DigestError(format!(
                "{} is not a byte sequence",
                algorithm.as_str()
            )));
        };
        let actual = match algorithm.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        if &actual != given {
            return Err(DigestError(format!(
                "the {} digest does not match the body",
                algorithm.as_str()
            )));
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(DigestError("no sha-256 or sha-512 digest".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn request_headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        headers
    }

    /// The request of RFC 9421's Appendix B.2 examples.
    fn rfc_request(extra: &[(&str, &str)]) -> HeaderMap {
        let mut pairs = vec![
            ("host", "example.com"),
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("content-type", "application/json"),
            ("content-length", "18"),
        ];
        pairs.extend_from_slice(extra);
        request_headers(&pairs)
    }

    fn base_for(input: &str, headers: &HeaderMap) -> String {
        let mut headers = headers.clone();
        headers.insert("signature-input", input.parse().unwrap());
        headers.insert("signature", "sig=:AAAA:".parse().unwrap());
        let signature = parse(&headers).unwrap();
        let uri: Uri = "/foo?param=Value&Pet=dog".parse().unwrap();
        let request = SignedRequest {
            method: &Method::POST,
            uri: &uri,
            headers: &headers,
            scheme: "https",
        };
        signature_base(&signature, &request).unwrap()
    }

    /// RFC 9421, Appendix B.2.2 (selective covered components): the signature base given there.
    #[test]
    fn the_signature_base_of_rfc_9421_b_2_2_is_rebuilt_exactly() {
        let base = base_for(
            r#"sig=("@method" "@authority" "@path" "@query" "date" "content-type" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
            &rfc_request(&[]),
        );
        let expected = "\"@method\": POST\n\"@authority\": example.com\n\"@path\": /foo\n\
\"@query\": ?param=Value&Pet=dog\n\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
\"content-type\": application/json\n\"content-length\": 18\n\
\"@signature-params\": (\"@method\" \"@authority\" \"@path\" \"@query\" \"date\" \
\"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\"";
        assert_eq!(base, expected);
    }

    /// RFC 9421, Appendix B.2.3 (full coverage): the signature base given there.
    #[test]
    fn the_signature_base_of_rfc_9421_b_2_3_is_rebuilt_exactly() {
        let digest = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
        let base = base_for(
            r#"sig=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
            &rfc_request(&[("content-digest", digest)]),
        );
        let expected = format!(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\
\"@query\": ?param=Value&Pet=dog\n\"@authority\": example.com\n\
\"content-type\": application/json\n\"content-digest\": {digest}\n\"content-length\": 18\n\
\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \
\"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\""
        );
        assert_eq!(base, expected);
    }

    /// RFC 9530's example: `{"hello": "world"}` and its SHA-512 digest, as RFC 9421 uses it.
    #[test]
    fn the_content_digest_of_the_rfc_example_body_matches_and_a_changed_body_does_not() {
        let headers = request_headers(&[(
            "content-digest",
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        )]);
        assert_eq!(
            verify_content_digest(&headers, br#"{"hello": "world"}"#),
            Ok(())
        );
        assert!(verify_content_digest(&headers, br#"{"hello": "World"}"#).is_err());
        let unknown = request_headers(&[("content-digest", "md5=:AAAA:")]);
        assert!(verify_content_digest(&unknown, b"x").is_err());
    }

    #[test]
    fn a_signature_must_cover_method_target_and_digest_and_be_fresh_and_ours() {
        let now = SystemTime::now();
        let now_secs = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let headers = request_headers(&[("host", "brand.example")]);
        let uri: Uri = "/inbox".parse().unwrap();
        let request = SignedRequest {
            method: &Method::POST,
            uri: &uri,
            headers: &headers,
            scheme: "https",
        };
        let judge = |components: &str, created: u64| {
            let mut h = headers.clone();
            h.insert(
                "signature-input",
                format!(r#"sig=({components});created={created};keyid="k""#)
                    .parse()
                    .unwrap(),
            );
            h.insert("signature", "sig=:AAAA:".parse().unwrap());
            let signature = parse(&h).unwrap();
            check_binding(&signature, &request, "brand.example", now)
        };
        let full = r#""@method" "@target-uri" "content-digest""#;
        assert_eq!(judge(full, now_secs), Ok(()));
        assert_eq!(
            judge(
                r#""@method" "@authority" "@path" "content-digest""#,
                now_secs
            ),
            Ok(())
        );
        for weak in [
            r#""content-digest""#,
            r#""@method" "content-digest""#,
            r#""@method" "@target-uri""#,
        ] {
            assert!(
                matches!(
                    judge(weak, now_secs),
                    Err(SignatureError::Weak(WeakSignature::Uncovered(_)))
                ),
                "{weak}"
            );
        }
        assert_eq!(
            judge(full, now_secs + 2 * 3600),
            Err(SignatureError::Weak(WeakSignature::Ahead))
        );
        assert_eq!(
            judge(full, now_secs - 2 * 3600),
            Err(SignatureError::Weak(WeakSignature::Expired))
        );
    }
}
