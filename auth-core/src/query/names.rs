//! Which fields a raw query names: the check behind refusing protected
//! fields (`password`) in external queries, so that a filter, an order or a
//! projection on them can never serve as an oracle.
//!
//! It reads the query as `params.query` holds it, before any parsing, and
//! finds a field wherever Feathers' syntax lets one appear: a condition's
//! key (whatever its operators), the keys of `$sort`, the entries of
//! `$select`, and all of these inside `$or` and `$and`, nested to any
//! depth. Lists may come as JSON arrays or as the index-keyed objects `qs`
//! makes of long lists (`$or[30][password]=x`).

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};

/// The kind of [`Requirement`](crate::hook::Requirement) a hook declares
/// for a field no external query may name (`protect(["password"])` does):
/// the app refuses such a query with `400 BadRequest` before any hook runs.
pub const UNQUERYABLE: &str = "field no external query may name";

/// The first of `fields` that `query` names anywhere a field can appear, or
/// `None`.
///
/// A query key names a field when it is the field, or a dot path into it
/// (`password.length`), or a dot path above it (`auth` names
/// `auth.password`: an equality on `auth` compares the password too).
///
/// ```
/// use auth_core::query::first_named_field;
/// use serde_json::json;
///
/// let named = |query: serde_json::Value| {
///     first_named_field(query.as_object().unwrap(), &["password"])
/// };
/// assert_eq!(named(json!({ "email": "a", "password": { "$gt": "$argon2" } })), Some("password"));
/// assert_eq!(named(json!({ "$or": [{ "email": "a" }, { "password": "x" }] })), Some("password"));
/// assert_eq!(named(json!({ "$sort": { "password": 1 } })), Some("password"));
/// assert_eq!(named(json!({ "$select": ["email", "password"] })), Some("password"));
/// assert_eq!(named(json!({ "email": "password", "$sort": { "email": 1 } })), None);
/// ```
pub fn first_named_field<'f>(query: &Map<String, Value>, fields: &[&'f str]) -> Option<&'f str> {
    query.iter().find_map(|(key, value)| match key.as_str() {
        "$or" | "$and" => items(value)
            .filter_map(Value::as_object)
            .find_map(|subquery| first_named_field(subquery, fields)),
        "$sort" => value
            .as_object()
            .and_then(|sort| sort.keys().find_map(|key| overlapping(key, fields))),
        "$select" => match value {
            Value::String(key) => overlapping(key, fields),
            _ => items(value)
                .filter_map(Value::as_str)
                .find_map(|key| overlapping(key, fields)),
        },
        // Other filters (`$limit`, `$skip`) name no field; unknown `$` keys
        // are the query parser's to refuse.
        _ if key.starts_with('$') => None,
        _ => overlapping(key, fields),
    })
}

/// The elements of a list (array or index-keyed object); nothing otherwise.
fn items(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter()),
        Value::Object(items) => Box::new(items.values()),
        _ => Box::new(std::iter::empty()),
    }
}

/// The first field whose dot path `key` equals, lies under or lies above.
fn overlapping<'f>(key: &str, fields: &[&'f str]) -> Option<&'f str> {
    fields
        .iter()
        .copied()
        .find(|field| is_same_or_below(key, field) || is_same_or_below(field, key))
}

/// True when `path` is `ancestor` or a dot path inside it.
fn is_same_or_below(path: &str, ancestor: &str) -> bool {
    path.strip_prefix(ancestor)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Refuses a query that names one of `fields` (see [`first_named_field`])
/// with `400 BadRequest`, the field named in the message and in `errors`.
///
/// # Errors
///
/// The `BadRequest` above, when the query names one of `fields`.
pub fn refuse_named_fields(query: &Map<String, Value>, fields: &[&str]) -> Result<()> {
    match first_named_field(query, fields) {
        None => Ok(()),
        Some(field) => Err(Error::bad_request(format!(
            "Field '{field}' can not be used in a query"
        ))
        .with_errors(json!({ field: "can not be used in a query" }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn named(query: Value) -> Option<&'static str> {
        first_named_field(query.as_object().unwrap(), &["password", "auth.secret"])
    }

    #[test]
    fn plain_keys() {
        assert_eq!(named(json!({ "password": "x" })), Some("password"));
        assert_eq!(
            named(json!({ "email": "a", "password": "x" })),
            Some("password")
        );
        assert_eq!(named(json!({ "email": "password" })), None);
        assert_eq!(named(json!({})), None);
    }

    #[test]
    fn keys_with_operators() {
        for operator in ["$gt", "$gte", "$lt", "$lte", "$ne", "$in", "$nin"] {
            assert_eq!(
                named(json!({ "password": { operator: "$argon2id$" } })),
                Some("password"),
                "{operator}"
            );
        }
        // Operands are values, never fields.
        assert_eq!(named(json!({ "email": { "$in": ["password"] } })), None);
    }

    #[test]
    fn dot_paths_above_and_below() {
        assert_eq!(named(json!({ "password.length": 3 })), Some("password"));
        assert_eq!(named(json!({ "auth.secret": "x" })), Some("auth.secret"));
        assert_eq!(
            named(json!({ "auth": { "secret": "x" } })),
            Some("auth.secret")
        );
        assert_eq!(named(json!({ "auth.secret.deep": 1 })), Some("auth.secret"));
        // A shared prefix that is not a path step is another field.
        assert_eq!(named(json!({ "passwordHint": "x" })), None);
        assert_eq!(named(json!({ "auth.secretary": "x" })), None);
        assert_eq!(named(json!({ "aut": "x" })), None);
    }

    #[test]
    fn or_and_and_nested() {
        assert_eq!(
            named(json!({ "$or": [{ "email": "a" }, { "password": "x" }] })),
            Some("password")
        );
        assert_eq!(
            named(json!({ "$and": [{ "password": { "$gt": "a" } }] })),
            Some("password")
        );
        assert_eq!(
            named(
                json!({ "$or": [{ "$and": [{ "email": "a" }, { "$or": [{ "password": "x" }] }] }] })
            ),
            Some("password")
        );
        // `qs` turns long lists into index-keyed objects.
        assert_eq!(
            named(json!({ "$or": { "30": { "password": "x" } } })),
            Some("password")
        );
        assert_eq!(
            named(json!({ "$or": [{ "email": "a" }, { "id": 1 }] })),
            None
        );
    }

    #[test]
    fn sort_keys() {
        assert_eq!(
            named(json!({ "$sort": { "password": 1 } })),
            Some("password")
        );
        assert_eq!(
            named(json!({ "$sort": { "email": -1, "password": "-1" } })),
            Some("password")
        );
        assert_eq!(named(json!({ "$sort": { "email": 1 } })), None);
    }

    #[test]
    fn select_entries() {
        assert_eq!(named(json!({ "$select": ["password"] })), Some("password"));
        assert_eq!(named(json!({ "$select": "password" })), Some("password"));
        assert_eq!(
            named(json!({ "$select": { "0": "email", "1": "password" } })),
            Some("password")
        );
        assert_eq!(named(json!({ "$select": ["auth"] })), Some("auth.secret"));
        assert_eq!(named(json!({ "$select": ["id", "email"] })), None);
    }

    #[test]
    fn other_filters_name_no_field() {
        assert_eq!(named(json!({ "$limit": "password", "$skip": 1 })), None);
    }
}
