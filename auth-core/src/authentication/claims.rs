//! The registered claims of a token's payload (`exp`, `nbf`, `iss`, `aud`,
//! `sub`) and its `epoch`, read in one pass over the JSON text without
//! building a map of every claim: strings are borrowed where the text has
//! no escapes, and claims the checks do not name are read (so that what a
//! JSON map can not hold is refused) but not kept.
//!
//! Each claim is read as `jsonwebtoken` reads it (see `Claim`); a claim
//! given twice counts with its last value, as in a JSON map.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// A registered claim as `jsonwebtoken` reads it: absent (or `null`),
/// readable, or present in a form it refuses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Claim<T> {
    Absent,
    Read(T),
    Unreadable,
}

impl<T> Claim<T> {
    pub(crate) fn is_read(&self) -> bool {
        matches!(self, Claim::Read(_))
    }
}

/// What the checks need of a payload.
#[derive(Debug)]
pub(crate) struct RegisteredClaims<'a> {
    /// `exp` as a whole number of seconds, with the value as sent.
    pub(crate) exp: Claim<(u64, f64)>,
    /// `nbf`, as `exp`.
    pub(crate) nbf: Claim<(u64, f64)>,
    /// `iss`: one string or a list of strings.
    pub(crate) iss: Claim<Vec<Cow<'a, str>>>,
    /// `aud`, as `iss`.
    pub(crate) aud: Claim<Vec<Cow<'a, str>>>,
    /// `sub` when it is a string.
    pub(crate) sub: Option<Cow<'a, str>>,
    /// The token epoch claim, as JSON.
    pub(crate) epoch: Option<Value>,
    /// `sub`, `exp` or `nbf` was an object or a list, which
    /// `jsonwebtoken` can not read at all.
    pub(crate) structured: bool,
}

impl<'a> RegisteredClaims<'a> {
    /// The claims of `json`, which must be one JSON object.
    pub(crate) fn read(json: &'a str) -> serde_json::Result<RegisteredClaims<'a>> {
        serde_json::from_str(json)
    }
}

/// A claim's name, as far as the checks care.
enum Name {
    Exp,
    Nbf,
    Iss,
    Aud,
    Sub,
    Epoch,
    Other,
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Name, E> {
                Ok(match name {
                    "exp" => Name::Exp,
                    "nbf" => Name::Nbf,
                    "iss" => Name::Iss,
                    "aud" => Name::Aud,
                    "sub" => Name::Sub,
                    crate::authentication::token::EPOCH_CLAIM => Name::Epoch,
                    _ => Name::Other,
                })
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// A claim's value, kept only as far as the checks read it.
enum Shape<'a> {
    Null,
    Whole(u64),
    Float(f64),
    Text(Cow<'a, str>),
    /// A list; `None` when an item is not a string.
    List(Option<Vec<Cow<'a, str>>>),
    Object,
    Other,
}

impl<'de> Deserialize<'de> for Shape<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shape<'de>, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Shape<'de>, E> {
        Ok(Shape::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }
    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Shape<'de>, E> {
        Ok(Shape::Whole(number))
    }
    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Shape<'de>, E> {
        Ok(match u64::try_from(number) {
            Ok(whole) => Shape::Whole(whole),
            Err(_) => Shape::Float(number as f64),
        })
    }
    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Shape<'de>, E> {
        Ok(Shape::Float(number))
    }
    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Shape<'de>, E> {
        Ok(Shape::Text(Cow::Borrowed(text)))
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Shape<'de>, E> {
        Ok(Shape::Text(Cow::Owned(text.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Shape<'de>, A::Error> {
        let mut names = Some(Vec::new());
        while let Some(item) = items.next_element::<Shape<'de>>()? {
            match (item, &mut names) {
                (Shape::Text(name), Some(names)) => names.push(name),
                _ => names = None,
            }
        }
        Ok(Shape::List(names))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Shape<'de>, A::Error> {
        while entries.next_entry::<Shape<'de>, Shape<'de>>()?.is_some() {}
        Ok(Shape::Object)
    }
}

impl<'a> Shape<'a> {
    fn structured(&self) -> bool {
        matches!(self, Shape::Object | Shape::List(_))
    }

    /// A NumericDate: a non-negative integer, or a float rounded to one;
    /// with the value as sent, for messages.
    fn number(self) -> Claim<(u64, f64)> {
        match self {
            Shape::Null => Claim::Absent,
            Shape::Whole(whole) => Claim::Read((whole, whole as f64)),
            Shape::Float(float) if float.is_finite() && float >= 0.0 && float < u64::MAX as f64 => {
                Claim::Read((float.round() as u64, float))
            }
            _ => Claim::Unreadable,
        }
    }

    /// `iss` or `aud`: one string or a list of strings.
    fn names(self) -> Claim<Vec<Cow<'a, str>>> {
        match self {
            Shape::Null => Claim::Absent,
            Shape::Text(name) => Claim::Read(vec![name]),
            Shape::List(Some(names)) => Claim::Read(names),
            _ => Claim::Unreadable,
        }
    }
}

impl<'de> Deserialize<'de> for RegisteredClaims<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ClaimsVisitor;
        impl<'de> Visitor<'de> for ClaimsVisitor {
            type Value = RegisteredClaims<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of claims")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut entries: A,
            ) -> Result<RegisteredClaims<'de>, A::Error> {
                let mut claims = RegisteredClaims {
                    exp: Claim::Absent,
                    nbf: Claim::Absent,
                    iss: Claim::Absent,
                    aud: Claim::Absent,
                    sub: None,
                    epoch: None,
                    structured: false,
                };
                // `sub`, `exp` and `nbf` as last given decide `structured`.
                let (mut sub_structured, mut exp_structured, mut nbf_structured) =
                    (false, false, false);
                while let Some(name) = entries.next_key::<Name>()? {
                    match name {
                        Name::Exp => {
                            let value = entries.next_value::<Shape<'de>>()?;
                            exp_structured = value.structured();
                            claims.exp = value.number();
                        }
                        Name::Nbf => {
                            let value = entries.next_value::<Shape<'de>>()?;
                            nbf_structured = value.structured();
                            claims.nbf = value.number();
                        }
                        Name::Iss => claims.iss = entries.next_value::<Shape<'de>>()?.names(),
                        Name::Aud => claims.aud = entries.next_value::<Shape<'de>>()?.names(),
                        Name::Sub => {
                            let value = entries.next_value::<Shape<'de>>()?;
                            sub_structured = value.structured();
                            claims.sub = match value {
                                Shape::Text(sub) => Some(sub),
                                _ => None,
                            };
                        }
                        Name::Epoch => claims.epoch = Some(entries.next_value::<Value>()?),
                        // Read, not skipped: what a JSON map can not hold
                        // (a number such as 1e400, a lone surrogate) is
                        // refused here as it was when the payload was
                        // read into a map.
                        Name::Other => {
                            entries.next_value::<Shape<'de>>()?;
                        }
                    }
                }
                claims.structured = sub_structured || exp_structured || nbf_structured;
                Ok(claims)
            }
        }
        deserializer.deserialize_map(ClaimsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_claims_are_read_as_a_map_would_hold_them() {
        let claims = RegisteredClaims::read(
            r#"{"exp":5,"exp":7.5,"iss":"a\"b","aud":["x","y"],"sub":"1","epoch":"e","other":{"a":[1]}}"#,
        )
        .expect("an object");
        assert_eq!(claims.exp, Claim::Read((8, 7.5)));
        assert_eq!(
            claims.iss,
            Claim::Read(vec![Cow::Owned::<str>("a\"b".into())])
        );
        assert_eq!(
            claims.aud,
            Claim::Read(vec![Cow::Borrowed("x"), Cow::Borrowed("y")])
        );
        assert_eq!(claims.sub.as_deref(), Some("1"));
        assert_eq!(claims.epoch, Some(Value::from("e")));
        assert!(!claims.structured);
        assert_eq!(claims.nbf, Claim::Absent);
    }

    #[test]
    fn shapes_jsonwebtoken_refuses_are_told_apart() {
        let claims =
            RegisteredClaims::read(r#"{"exp":-1,"nbf":true,"aud":[1],"iss":null,"sub":{}}"#)
                .expect("an object");
        assert_eq!(claims.exp, Claim::Unreadable);
        assert_eq!(claims.nbf, Claim::Unreadable);
        assert_eq!(claims.aud, Claim::Unreadable);
        assert_eq!(claims.iss, Claim::Absent);
        assert!(claims.structured);
        assert!(RegisteredClaims::read("[1]").is_err());
        assert!(RegisteredClaims::read(r#"{"a":1} x"#).is_err());
    }

    #[test]
    fn what_a_json_map_can_not_hold_is_refused_anywhere() {
        for payload in [
            r#"{"exp":1,"x":1e400}"#,
            r#"{"exp":1,"x":"\ud800"}"#,
            r#"{"exp":1,"x":{"y":[1e400]}}"#,
            r#"{"exp":1,"x":{"\ud800":1}}"#,
        ] {
            assert!(RegisteredClaims::read(payload).is_err(), "{payload}");
            assert!(
                serde_json::from_str::<serde_json::Map<String, Value>>(payload).is_err(),
                "{payload}"
            );
        }
    }
}
