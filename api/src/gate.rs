//! The input gate: what no request may carry, checked where each input enters (REST path
//! segments, query strings and JSON bodies, the GraphQL body, its variables and string
//! literals, CSV files).
//!
//! - A NUL character: PostgreSQL cannot store one in text (`invalid byte sequence for encoding
//!   "UTF8": 0x00`, an internal error) and SQLite matches nothing with one (a silent empty
//!   answer), so it is refused before either sees it: `VALIDATION_ERROR` naming the field.
//! - A JSON key given twice in one object, or a query parameter given twice: which one counts
//!   would be the parser's choice, so neither does: `BAD_REQUEST` naming the key.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::AppError;

/// True when `text` holds a NUL character.
pub fn has_nul(text: &str) -> bool {
    text.as_bytes().contains(&0)
}

/// The refusal of a NUL character in `field`.
pub fn nul_refused(field: &str) -> AppError {
    AppError::invalid_field(field, format!("{field} must not contain a NUL character"))
}

/// Refuses `text` when it holds a NUL character, naming `field`.
pub fn text(field: &str, text: &str) -> Result<(), AppError> {
    if has_nul(text) {
        return Err(nul_refused(field));
    }
    Ok(())
}

/// The refusal of a key or parameter given more than once.
pub fn repeated(field: &str, what: &str) -> AppError {
    AppError::new(
        crate::error::ErrorCode::BadRequest,
        format!("{what} '{field}' is given more than once; give it once"),
    )
    .with_details(serde_json::json!({ "field": field }))
}

/// Why a JSON text did not pass the gate.
#[derive(Debug)]
pub enum JsonRefusal {
    /// Not JSON at all: the caller says so in its own words.
    Malformed(serde_json::Error),
    /// JSON, but carrying what the gate refuses.
    Refused(AppError),
}

/// What the scan found, with the dotted path of the place (`contacts.0.email`).
enum Found {
    Duplicate(String),
    Nul(String),
}

struct Scan {
    path: Vec<String>,
    found: RefCell<Option<Found>>,
}

impl Scan {
    fn at(&self, last: Option<&str>) -> String {
        let mut path = self.path.join(".");
        if let Some(last) = last {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(last);
        }
        path
    }

    fn refuse<E: de::Error>(&self, found: Found) -> E {
        *self.found.borrow_mut() = Some(found);
        E::custom("refused by the input gate")
    }
}

/// Checks a JSON text without building it: every object's keys are distinct, and no string
/// (value or key) holds a NUL character. One pass over the bytes, allocating only the keys.
pub fn json(bytes: &[u8]) -> Result<(), JsonRefusal> {
    json_in(bytes, None)
}

/// `json` for a JSON text that is itself one field (`within`, e.g. a query parameter): the
/// places found are named inside it.
pub fn json_in(bytes: &[u8], within: Option<&str>) -> Result<(), JsonRefusal> {
    let mut scan = Scan {
        path: within.map(str::to_owned).into_iter().collect(),
        found: RefCell::new(None),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    // Nesting is bounded by serde_json's own recursion limit (128).
    let result = Node { scan: &mut scan }
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    match result {
        Ok(()) => Ok(()),
        Err(err) => Err(match scan.found.into_inner() {
            Some(Found::Duplicate(path)) => JsonRefusal::Refused(repeated(&path, "The key")),
            Some(Found::Nul(path)) => {
                JsonRefusal::Refused(nul_refused(if path.is_empty() { "body" } else { &path }))
            }
            None => JsonRefusal::Malformed(err),
        }),
    }
}

struct Node<'a> {
    scan: &'a mut Scan,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Most keys of one object compared pairwise before a set is built.
const LINEAR_KEYS: usize = 16;

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i128<E>(self, _: i128) -> Result<(), E> {
        Ok(())
    }
    fn visit_u128<E>(self, _: u128) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        if has_nul(value) {
            return Err(self.scan.refuse(Found::Nul(self.scan.at(None))));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            self.scan.path.push(index.to_string());
            let next = seq.next_element_seed(Node {
                scan: &mut *self.scan,
            });
            self.scan.path.pop();
            match next? {
                Some(()) => index += 1,
                None => return Ok(()),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: Vec<String> = Vec::new();
        let mut set: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if has_nul(&key) {
                // A key is named by the object holding it (the key itself is unprintable).
                return Err(self.scan.refuse(Found::Nul(self.scan.at(None))));
            }
            let repeated = if set.is_empty() && seen.len() < LINEAR_KEYS {
                seen.contains(&key)
            } else {
                if set.is_empty() {
                    set.extend(seen.drain(..));
                }
                set.contains(&key)
            };
            if repeated {
                return Err(self.scan.refuse(Found::Duplicate(self.scan.at(Some(&key)))));
            }
            self.scan.path.push(key.clone());
            let value = map.next_value_seed(Node {
                scan: &mut *self.scan,
            });
            self.scan.path.pop();
            value?;
            if set.is_empty() {
                seen.push(key);
            } else {
                set.insert(key);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{JsonRefusal, json};

    fn refused(text: &str) -> (String, serde_json::Value) {
        match json(text.as_bytes()) {
            Err(JsonRefusal::Refused(err)) => (
                err.code.as_str().to_owned(),
                err.details.unwrap()["field"].clone(),
            ),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_are_named_at_any_depth() {
        assert_eq!(
            refused(r#"{"email":"a","email":"b"}"#),
            ("BAD_REQUEST".into(), "email".into())
        );
        assert_eq!(
            refused(r#"{"contacts":[{"email":"a"},{"email":"b","x":1,"x":2}]}"#),
            ("BAD_REQUEST".into(), "contacts.1.x".into())
        );
        // Many keys: the set takes over from the pairwise comparison.
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        assert!(json(format!("{{{}}}", many.join(",")).as_bytes()).is_ok());
        assert_eq!(
            refused(&format!("{{{},\"k3\":0}}", many.join(","))),
            ("BAD_REQUEST".into(), "k3".into())
        );
        // The same key in two objects is fine.
        assert!(json(br#"[{"a":1},{"a":2}]"#).is_ok());
    }

    #[test]
    fn a_nul_character_is_refused_in_values_and_keys() {
        assert_eq!(
            refused(r#"{"a":{"b":["x","y\u0000"]}}"#),
            ("VALIDATION_ERROR".into(), "a.b.1".into())
        );
        assert_eq!(
            refused(r#"{"customFields":{"k\u0000":"v"}}"#),
            ("VALIDATION_ERROR".into(), "customFields".into())
        );
        assert_eq!(
            refused(r#""\u0000""#),
            ("VALIDATION_ERROR".into(), "body".into())
        );
        assert!(json(br#"{"a":"\u0001 is not NUL","n":1.5,"t":true,"z":null}"#).is_ok());
    }

    #[test]
    fn malformed_json_is_left_to_the_caller() {
        for text in ["{", "{\"a\":1}x", "", "[1,]"] {
            assert!(
                matches!(json(text.as_bytes()), Err(JsonRefusal::Malformed(_))),
                "{text}"
            );
        }
    }
}
