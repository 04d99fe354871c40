//! Properties of what the inbox reads from strangers, over generated input: activities and
//! objects of any shape parse or are refused, and signature headers of any shape are judged,
//! without a panic; and a signature is only ever let through when it covers what it must.

use std::time::SystemTime;

use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::activities::{InboxActivity, is_handled_value};
use crate::protocol::received::ReceivedObject;
use crate::signature_policy;

const KEYS: [&str; 23] = [
    "id",
    "type",
    "actor",
    "object",
    "to",
    "cc",
    "audience",
    "inReplyTo",
    "content",
    "name",
    "attributedTo",
    "target",
    "summary",
    "published",
    "tag",
    "attachment",
    "image",
    "mediaType",
    "width",
    "source",
    "url",
    "expires",
    "@context",
];

const STRINGS: [&str; 16] = [
    "Create",
    "Update",
    "Delete",
    "Like",
    "Dislike",
    "Undo",
    "Follow",
    "Accept",
    "Announce",
    "Lock",
    "Block",
    "Flag",
    "Note",
    "Page",
    "https://www.w3.org/ns/activitystreams#Public",
    "https://social.example/users/bob",
];

/// JSON values shaped like activities: objects with ActivityPub keys, nested a few levels, with
/// strings that are types, URLs, or anything.
fn activity_like() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(STRINGS.to_vec()).prop_map(Value::from),
        "[ -~]{0,30}".prop_map(Value::from),
        "https?://[a-z]{1,8}\\.example(:[0-9]{1,5})?/[a-z0-9/#]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..10).prop_map(
                |pairs| {
                    let map: Map<String, Value> =
                        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                    Value::Object(map)
                }
            ),
        ]
    })
}

fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,80}",
        Just(String::new()),
        (
            "[ -~]{0,20}",
            prop::collection::vec(
                prop::sample::select(vec![
                    "(request-target)",
                    "host",
                    "date",
                    "digest",
                    "(created)",
                    "(expires)",
                    "content-type",
                    "\"",
                    ",",
                ]),
                0..8
            ),
            "[A-Za-z0-9+/=]{0,20}"
        )
            .prop_map(|(key, covered, sig)| format!(
                r#"keyId="{key}",algorithm="rsa-sha256",headers="{}",signature="{sig}""#,
                covered.join(" ")
            )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_activity_shape_parses_or_is_refused(value in activity_like()) {
        let _ = is_handled_value(&value);
        let _ = serde_json::from_value::<InboxActivity>(value.clone());
        let _ = serde_json::from_value::<ReceivedObject>(value.clone());
        if let Ok(object) = serde_json::from_value::<ReceivedObject>(value) {
            let _ = object.is_public();
            let _ = object.addressees().count();
            let _ = object.link();
            let _ = plaza_core::attachments::keep(crate::convert::received::media(&object));
        }
    }

    #[test]
    fn any_signature_header_is_judged_and_passes_only_when_it_binds(
        signature in header_text(),
        host in prop_oneof![Just("brand.example".to_owned()), "[ -~]{0,20}"],
        date in prop_oneof![
            Just(httpdate::fmt_http_date(SystemTime::now())),
            "[ -~]{0,30}",
        ],
    ) {
        let mut headers = HeaderMap::new();
        for (name, value) in [("signature", &signature), ("host", &host), ("date", &date)] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        headers.insert("digest", HeaderValue::from_static("SHA-256=abc"));
        let uri: Uri = "/inbox".parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let judged = signature_policy::check(
            &Method::POST,
            &uri,
            &headers,
            "brand.example",
            SystemTime::now(),
        );
        if judged.is_ok() {
            for needed in ["(request-target)", "host", "date", "digest"] {
                prop_assert!(signature.contains(needed), "{signature} passed without {needed}");
            }
            prop_assert_eq!(host.as_str(), "brand.example");
        }
    }
}
