//! `Entity`: the authenticated entity in `params.user`, typed.
//!
//! The entity service's record is kept as its own type, shared (cloning an
//! `Entity` clones an `Arc`), and read with a downcast. Its JSON, what the
//! caller would see from the entity service (`protect` applied for an
//! external caller), is made only when a transport, an app hook or an
//! untyped reader asks, and then once.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::redact;

/// A record of any serializable type, with its type erased.
trait Record: Any + Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn to_json(&self) -> serde_json::Result<Value>;
    /// The record itself when it is JSON already.
    fn as_json(&self) -> Option<&Value>;
}

impl<T: Serialize + Send + Sync + 'static> Record for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn to_json(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
    fn as_json(&self) -> Option<&Value> {
        (self as &dyn Any).downcast_ref::<Value>()
    }
}

struct Inner {
    record: Box<dyn Record>,
    /// The caller's view as JSON, made on first use (or given).
    view: OnceLock<std::result::Result<Value, String>>,
}

/// The authenticated entity (the user) of a call: `params.user`.
///
/// A strategy that looks the user up through the entity service keeps the
/// service's own record type: read it with [`Entity::get`] (a downcast,
/// no copy). [`Entity::json`] is what the caller would receive from the
/// entity service (for an external caller, without the fields `protect`
/// removes); it is made on first use and kept.
///
/// ```
/// use auth_core::Entity;
/// use serde::Serialize;
/// use serde_json::json;
///
/// #[derive(Serialize)]
/// struct User { id: u64, email: String }
///
/// let user = Entity::new(User { id: 1, email: "ada@example.com".into() });
/// assert_eq!(user.get::<User>().map(|user| user.id), Some(1));
/// assert_eq!(user.json()?, &json!({ "id": 1, "email": "ada@example.com" }));
///
/// // A user given as JSON reads as JSON.
/// let user = Entity::from(json!({ "id": 2 }));
/// assert_eq!(user.get::<serde_json::Value>(), Some(&json!({ "id": 2 })));
/// # Ok::<_, auth_core::Error>(())
/// ```
///
/// Its `Debug` prints the JSON view with credentials hidden, by the rule
/// [`Params`](crate::Params) states.
#[derive(Clone)]
pub struct Entity(Arc<Inner>);

impl Entity {
    /// An entity whose JSON is its record's serialization.
    #[must_use]
    pub fn new<T: Serialize + Send + Sync + 'static>(record: T) -> Entity {
        Entity(Arc::new(Inner {
            record: Box::new(record),
            view: OnceLock::new(),
        }))
    }

    /// An entity with its record and, already made, the JSON its caller
    /// sees (the entity service's `dispatch`).
    #[must_use]
    pub fn with_view<T: Serialize + Send + Sync + 'static>(record: T, view: Value) -> Entity {
        Entity(Arc::new(Inner {
            record: Box::new(record),
            view: OnceLock::from(Ok(view)),
        }))
    }

    /// The record, if it is a `T`.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.0.record.as_any().downcast_ref::<T>()
    }

    /// The record as `T`: the record itself, copied, when it is a `T`,
    /// else read from its JSON.
    pub fn to_typed<T: serde::de::DeserializeOwned + Clone + 'static>(&self) -> Result<T> {
        if let Some(record) = self.get::<T>() {
            return Ok(record.clone());
        }
        T::deserialize(self.json()?).map_err(|error| {
            Error::general(format!(
                "params.user does not fit the requested type: {error}"
            ))
        })
    }

    /// The entity as its caller sees it, as JSON (made on first use).
    pub fn json(&self) -> Result<&Value> {
        if let Some(record) = self.0.record.as_json() {
            if self.0.view.get().is_none() {
                return Ok(record);
            }
        }
        let view = self
            .0
            .view
            .get_or_init(|| self.0.record.to_json().map_err(|error| error.to_string()));
        view.as_ref().map_err(|error| {
            Error::general(format!("params.user can not be converted to JSON: {error}"))
        })
    }

    /// A field of the JSON view (`None` when absent, or when the entity
    /// can not be converted to JSON).
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.json().ok()?.get(key)
    }
}

impl From<Value> for Entity {
    fn from(record: Value) -> Entity {
        Entity::new(record)
    }
}

impl PartialEq for Entity {
    fn eq(&self, other: &Entity) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || matches!((self.json(), other.json()), (Ok(a), Ok(b)) if a == b)
    }
}

impl PartialEq<Value> for Entity {
    fn eq(&self, other: &Value) -> bool {
        self.json().is_ok_and(|json| json == other)
    }
}

impl fmt::Debug for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.json() {
            Ok(json) => fmt::Debug::fmt(&redact::Json(json), f),
            Err(_) => f.write_str("Entity(<not JSON>)"),
        }
    }
}

impl Serialize for Entity {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.json()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Entity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Entity, D::Error> {
        Value::deserialize(deserializer).map(Entity::from)
    }
}

#[cfg(test)]
mod tests {
    use super::Entity;
    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct User {
        id: u64,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        password: Option<String>,
    }

    #[test]
    fn a_typed_record_is_read_without_json_and_shown_by_its_view() {
        let full = User {
            id: 1,
            password: Some("hash".into()),
        };
        let user = Entity::with_view(full.clone(), json!({ "id": 1 }));
        assert_eq!(user.get::<User>(), Some(&full));
        assert_eq!(user.json().ok(), Some(&json!({ "id": 1 })));
        assert_eq!(user.field("password"), None);
        assert_eq!(user.get::<Value>(), None);
        assert_eq!(user.to_typed::<Value>().ok(), Some(json!({ "id": 1 })));
    }

    #[test]
    fn json_is_made_once_and_shared_by_clones() {
        let user = Entity::new(User {
            id: 2,
            password: None,
        });
        let copy = user.clone();
        let first: *const Value = user.json().unwrap();
        let second: *const Value = copy.json().unwrap();
        assert_eq!(first, second);
        assert_eq!(copy, json!({ "id": 2 }));
    }

    #[test]
    fn debug_hides_credentials() {
        let user = Entity::from(json!({ "id": 3, "password": "hash" }));
        let shown = format!("{user:?}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("hash"), "{shown}");
    }

    #[test]
    fn a_record_that_does_not_fit_is_an_error() {
        let user = Entity::from(json!({ "name": "no id" }));
        let error = user.to_typed::<User>().unwrap_err();
        assert!(error.to_string().contains("does not fit"), "{error}");
    }
}
