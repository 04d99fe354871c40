//! A first look at an incoming body, before anything is built from it: its `type` and `id`, its
//! object's `type`, and how many addressees it names anywhere (`to`, `cc`, `bto`, `bcc`,
//! `audience`, `tag`). It walks the JSON once and keeps only those few strings and a count, so a
//! hostile body is refused without first taking many times its size in memory.

use std::fmt;

use serde::Deserializer;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What the scan found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// The activity's `type`, when it is a string.
    pub kind: Option<String>,
    /// The activity's `id`, when it is a string.
    pub id: Option<String>,
    /// The `type` of its `object`, when that is embedded.
    pub object_kind: Option<String>,
    /// Entries of every addressee field, at any depth.
    pub addressees: usize,
}

/// Scans a body; an error means it is not JSON (or nests deeper than the parser allows).
pub fn scan(body: &[u8]) -> Result<Scan, serde_json::Error> {
    let mut found = Scan::default();
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    Walk {
        scan: &mut found,
        place: Place::Activity,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

/// Visitor methods that pass over numbers, booleans and null, answering `$value`.
macro_rules! skip_scalars {
    ($type:ty) => {
        skip_scalars!($type, ());
    };
    ($type:ty, $value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<$type, E> {
            Ok($value)
        }

        fn visit_i64<E>(self, _: i64) -> Result<$type, E> {
            Ok($value)
        }

        fn visit_u64<E>(self, _: u64) -> Result<$type, E> {
            Ok($value)
        }

        fn visit_f64<E>(self, _: f64) -> Result<$type, E> {
            Ok($value)
        }

        fn visit_unit<E>(self) -> Result<$type, E> {
            Ok($value)
        }
    };
}

/// A visitor that is also its own seed: it reads whatever value comes.
macro_rules! seeds_itself {
    ($type:ty) => {
        impl<'de> DeserializeSeed<'de> for $type {
            type Value = ();

            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_any(self)
            }
        }
    };
}

/// Where in the document a value is: only the activity and its object have fields read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Activity,
    Object,
    Elsewhere,
}

/// The keys that matter.
enum Key {
    Type,
    Id,
    Object,
    Addressees,
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "type" => Key::Type,
            "id" => Key::Id,
            "object" => Key::Object,
            "to" | "cc" | "bto" | "bcc" | "audience" | "tag" => Key::Addressees,
            _ => Key::Other,
        })
    }
}

/// Any value, walked for addressee fields.
struct Walk<'a> {
    scan: &'a mut Scan,
    place: Place,
}

seeds_itself!(Walk<'_>);

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reads_fields = self.place != Place::Elsewhere;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Type | Key::Id if reads_fields => {
                    let text = map.next_value_seed(Text)?;
                    match (key, self.place) {
                        (Key::Type, Place::Activity) => self.scan.kind = text,
                        (Key::Type, _) => self.scan.object_kind = text,
                        (_, Place::Activity) => self.scan.id = text,
                        _ => {}
                    }
                }
                Key::Addressees => map.next_value_seed(Count {
                    scan: &mut *self.scan,
                })?,
                Key::Object if self.place == Place::Activity => map.next_value_seed(Walk {
                    scan: &mut *self.scan,
                    place: Place::Object,
                })?,
                _ => map.next_value_seed(Walk {
                    scan: &mut *self.scan,
                    place: Place::Elsewhere,
                })?,
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Walk {
                scan: &mut *self.scan,
                place: Place::Elsewhere,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    skip_scalars!(());
}

/// An addressee field: one entry, or a list of entries, each counted and walked.
struct Count<'a> {
    scan: &'a mut Scan,
}

seeds_itself!(Count<'_>);

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("addressees")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Walk {
                scan: &mut *self.scan,
                place: Place::Elsewhere,
            })?
            .is_some()
        {
            self.scan.addressees += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.scan.addressees += 1;
        Walk {
            scan: self.scan,
            place: Place::Elsewhere,
        }
        .visit_map(map)
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.scan.addressees += 1;
        Ok(())
    }

    skip_scalars!(());
}

/// A string, or nothing for any other value.
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, s: &str) -> Result<Option<String>, E> {
        Ok(Some(s.to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    skip_scalars!(Option<String>, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_id_and_object_type_are_read_and_addressees_counted_at_any_depth() {
        let body = serde_json::json!({
            "id": "https://a.example/1", "type": "Announce",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": "https://a.example/followers",
            "object": {
                "type": "Create", "id": "https://b.example/2",
                "to": ["x", "y"], "cc": [],
                "object": {"type": "Note", "tag": [{"type": "Mention", "href": "z"}], "audience": "g"}
            }
        });
        let found = scan(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            found,
            Scan {
                kind: Some("Announce".into()),
                id: Some("https://a.example/1".into()),
                object_kind: Some("Create".into()),
                addressees: 6,
            }
        );
    }

    #[test]
    fn an_object_given_by_id_has_no_type_and_junk_is_an_error() {
        let found = scan(br#"{"type": "Like", "object": "https://a.example/1"}"#).unwrap();
        assert_eq!(found.kind.as_deref(), Some("Like"));
        assert_eq!(found.object_kind, None);
        assert!(scan(b"{\"type\": ").is_err());
        assert!(scan(b"{} trailing").is_err());
    }
}
