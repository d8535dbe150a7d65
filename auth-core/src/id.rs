//! `Id`: a record id, a number or a string, as in Feathers.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A record id: a number or a string, as in Feathers.
///
/// Ids that arrive in a URL are strings; adapters compare ids by
/// [`Id::key`], so `Id::from(3)` and `Id::from("3")` name the same record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    /// A numeric id.
    Number(i64),
    /// A string id.
    String(String),
}

impl Id {
    /// The id as a string key: the decimal form of a number, the string itself otherwise.
    pub fn key(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Id::Number(number) => number.to_string().into(),
            Id::String(string) => string.as_str().into(),
        }
    }

    /// The id as a number, when it is one or is a string holding one.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            Id::Number(number) => Some(*number),
            Id::String(string) => string.parse().ok(),
        }
    }

    /// True when both ids name the same record (`3` and `"3"` do).
    pub fn same_as(&self, other: &Id) -> bool {
        match (self, other) {
            (Id::Number(a), Id::Number(b)) => a == b,
            (Id::String(a), Id::String(b)) => a == b,
            _ => self.key() == other.key(),
        }
    }

    /// The id as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Id::Number(number) => Value::from(*number),
            Id::String(string) => Value::from(string.as_str()),
        }
    }

    /// The id held by a JSON value (a string, or an integer number).
    pub fn from_json(value: &Value) -> Option<Id> {
        match value {
            Value::String(string) => Some(Id::String(string.clone())),
            Value::Number(number) => number.as_i64().map(Id::Number),
            _ => None,
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(number) => write!(f, "{number}"),
            Id::String(string) => f.write_str(string),
        }
    }
}

macro_rules! id_from_integer {
    ($($ty:ty),*) => {
        $(impl From<$ty> for Id {
            fn from(value: $ty) -> Id {
                Id::Number(i64::from(value))
            }
        })*
    };
}
id_from_integer!(i8, i16, i32, i64, u8, u16, u32);

impl From<&str> for Id {
    fn from(value: &str) -> Id {
        Id::String(value.to_owned())
    }
}

impl From<String> for Id {
    fn from(value: String) -> Id {
        Id::String(value)
    }
}

impl From<&Id> for Id {
    fn from(value: &Id) -> Id {
        value.clone()
    }
}
