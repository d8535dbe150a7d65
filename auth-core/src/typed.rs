//! Reading JSON into a service's types, with an error that names the field
//! at fault, as Feathers' validation errors do:
//! `{"name":"BadRequest","message":"Invalid data: text: invalid type: integer `5`, expected a string","errors":{"text":"invalid type: integer `5`, expected a string"}}`.
//!
//! A nested field is named by its dotted path (`author.name`, `1.text` for
//! the second record of a list). serde's errors carry no path when the
//! input is a `serde_json::Value`, so a failed read is run again through
//! `serde_path_to_error`; only then, since tracking the path costs an
//! allocation per key.
//!
//! A body a caller sends ([`read_body`]) must also bring no field its type
//! does not declare: serde would drop it silently, or, for a patch merged
//! into a stored record, keep it whole. It is refused instead, named as
//! any other field at fault:
//! `{"message":"Invalid data: txet: unknown field `txet`","errors":{"txet":"unknown field `txet`"}}`.
//! The fields a record type declares ([`declared`]) also bound what a
//! query may name (see `check_query`): the adapters never sort or filter
//! on data a record type does not have. A type serde reads as a map
//! (`serde_json::Value`, a struct with `#[serde(flatten)]`) declares no
//! list of fields: its records are schemaless, as Feathers' are.

use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::query::{Condition, Query};

/// Reads `value` as `T`; a value that does not fit is a `BadRequest`
/// naming the field (see the module doc).
pub(crate) fn read<T: DeserializeOwned>(value: &Value) -> Result<T> {
    T::deserialize(value).map_err(|_| invalid_data::<T>(value))
}

/// Reads a body a caller sent as `T`: as [`read`], and a field `T` does not
/// declare, at any depth, is a `BadRequest` naming it by its dotted path
/// (the first one, in the body's order).
pub(crate) fn read_body<T: DeserializeOwned>(value: &Value) -> Result<T> {
    let mut unknown: Option<Vec<String>> = None;
    let read = serde_ignored::deserialize(value, |path| {
        if unknown.is_none() {
            unknown = Some(steps(&path));
        }
    });
    match (read, unknown) {
        (Ok(read), None) => Ok(read),
        (Ok(_), Some(steps)) => {
            let field = steps.last().map_or("", String::as_str);
            Err(unknown_field(&steps.join("."), field))
        }
        (Err(_), _) => Err(invalid_data::<T>(value)),
    }
}

/// The `BadRequest` for a body field `field`, at the dotted `path`, that
/// its type does not declare.
pub(crate) fn unknown_field(path: &str, field: &str) -> Error {
    let cause = format!("unknown field `{field}`");
    let mut errors = Map::new();
    errors.insert(path.to_owned(), Value::String(cause.clone()));
    Error::bad_request(format!("Invalid data: {path}: {cause}")).with_errors(Value::Object(errors))
}

/// The steps of a `serde_ignored` path (`author`, `nickname`; `1`,
/// `txet`): the steps through an `Option` or a newtype name nothing.
fn steps(path: &serde_ignored::Path<'_>) -> Vec<String> {
    fn walk(path: &serde_ignored::Path<'_>, out: &mut Vec<String>) {
        use serde_ignored::Path;
        match path {
            Path::Root => {}
            Path::Seq { parent, index } => {
                walk(parent, out);
                out.push(index.to_string());
            }
            Path::Map { parent, key } => {
                walk(parent, out);
                out.push(key.clone());
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => walk(parent, out),
        }
    }
    let mut out = Vec::new();
    walk(path, &mut out);
    out
}

/// The fields the record type `T` declares, as serde's derive lists them
/// (renamed as they are sent), or `None` when `T` is not read as a struct
/// (`serde_json::Value`, a map, a struct with `#[serde(flatten)]`): then
/// its records are schemaless. An `Option`, `Box` or newtype around a
/// struct declares the struct's fields. Asks `T` without reading any data:
/// no allocation, a few instructions.
pub(crate) fn declared<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut fields = None;
    let _ = T::deserialize(Introspect(&mut fields));
    fields
}

/// A deserializer holding no data that notes the fields a struct asks for.
struct Introspect<'f>(&'f mut Option<&'static [&'static str]>);

/// Ends an [`Introspect`] read: there is never data to give.
#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no data")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: std::fmt::Display>(_: M) -> Stop {
        Stop
    }
}

impl<'de> de::Deserializer<'de> for Introspect<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> std::result::Result<V::Value, Stop> {
        *self.0 = Some(fields);
        Err(Stop)
    }

    fn deserialize_option<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, Stop> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> std::result::Result<V::Value, Stop> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

/// Whether `field` may be named for records declaring `declared` (the id
/// field always may: the adapters store it whatever the type).
fn is_declared(declared: &[&str], id: &str, field: &str) -> bool {
    field == id || declared.contains(&field)
}

/// The `BadRequest` for a query naming a field records do not have; the
/// SQL adapter answers an unknown column the same way.
pub(crate) fn unknown_query_field(field: &str) -> Error {
    Error::bad_request(format!("Unknown field '{field}'"))
        .with_errors(serde_json::json!({ field: "unknown field" }))
}

/// Checks that a query names only fields of records of type `T` (and the
/// id field `id`): in its conditions (inside `$or` and `$and` too), its
/// `$sort` and its `$select`. A dot path into a field (`author.name`) is
/// refused as unknown: a typed record's fields hold what their type says,
/// and a path into a field typed as free JSON would reach data no type
/// bounds. An unknown field is `400 BadRequest` naming it. Schemaless
/// records (`declared` is `None`) take any field.
pub(crate) fn check_query<T: DeserializeOwned>(query: &Query, id: &str) -> Result<()> {
    let Some(declared) = declared::<T>() else {
        return Ok(());
    };
    let check = |field: &str| match is_declared(declared, id, field) {
        true => Ok(()),
        false => Err(unknown_query_field(field)),
    };
    fn conditions(condition: &Condition, check: &dyn Fn(&str) -> Result<()>) -> Result<()> {
        match condition {
            Condition::And(all) | Condition::Or(all) => {
                all.iter().try_for_each(|one| conditions(one, check))
            }
            Condition::Field { path, .. } => check(path),
        }
    }
    conditions(&query.conditions, &check)?;
    for (field, _) in &query.filters.sort {
        check(field)?;
    }
    for field in query.filters.select.iter().flatten() {
        check(field)?;
    }
    Ok(())
}

/// Checks that a patch sets only fields of records of type `T` (or the id
/// field `id`, which the adapters leave as it is): a field `T` does not
/// declare would be stored whole, and is a `400 BadRequest` naming it, as
/// [`read_body`] names one in a `create` or `update`. Schemaless records
/// take any field.
pub(crate) fn check_patch<T: DeserializeOwned>(patch: &Map<String, Value>, id: &str) -> Result<()> {
    let Some(declared) = declared::<T>() else {
        return Ok(());
    };
    match patch.keys().find(|field| !is_declared(declared, id, field)) {
        Some(field) => Err(unknown_field(field, field)),
        None => Ok(()),
    }
}

/// The `BadRequest` for a `value` that does not fit `T`.
fn invalid_data<T: DeserializeOwned>(value: &Value) -> Error {
    let error = match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => return Error::bad_request("Invalid data"),
        Err(error) => error,
    };
    let at: Vec<String> = error
        .path()
        .iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key }
            | serde_path_to_error::Segment::Enum { variant: key } => Some(key.clone()),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect();
    let cause = error.into_inner().to_string();
    let message = match at.is_empty() {
        true => format!("Invalid data: {cause}"),
        false => format!("Invalid data: {}: {cause}", at.join(".")),
    };
    // A missing field is reported on the object that lacks it; the field
    // itself is the one to name.
    let field = missing_field(&cause).map(str::to_owned);
    let path: Vec<String> = at.into_iter().chain(field).collect();
    if path.is_empty() {
        return Error::bad_request(message);
    }
    let mut errors = Map::new();
    errors.insert(path.join("."), Value::String(cause));
    Error::bad_request(message).with_errors(Value::Object(errors))
}

/// The field serde names in ``missing field `x` ``.
fn missing_field(cause: &str) -> Option<&str> {
    let rest = cause.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(field, _)| field)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Author {
        name: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Message {
        text: String,
        author: Option<Author>,
    }

    fn error_of<T: DeserializeOwned + std::fmt::Debug>(value: Value) -> Value {
        read::<T>(&value).unwrap_err().to_json()
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named() {
        let error = error_of::<Message>(json!({ "text": 5 }));
        assert_eq!(
            error["message"],
            "Invalid data: text: invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            error["errors"],
            json!({ "text": "invalid type: integer `5`, expected a string" })
        );
    }

    #[test]
    fn a_missing_or_unknown_field_is_named() {
        let error = error_of::<Message>(json!({}));
        assert_eq!(error["message"], "Invalid data: missing field `text`");
        assert_eq!(error["errors"], json!({ "text": "missing field `text`" }));
        let error = error_of::<Message>(json!({ "text": "hi", "txet": 1 }));
        assert_eq!(
            error["message"],
            "Invalid data: txet: unknown field `txet`, expected `text` or `author`"
        );
        assert_eq!(
            error["errors"],
            json!({ "txet": "unknown field `txet`, expected `text` or `author`" })
        );
    }

    #[test]
    fn nested_fields_and_list_items_are_named_by_a_dotted_path() {
        let error = error_of::<Message>(json!({ "text": "hi", "author": { "name": [] } }));
        assert_eq!(
            error["errors"],
            json!({ "author.name": "invalid type: sequence, expected a string" })
        );
        let error = error_of::<Message>(json!({ "text": "hi", "author": {} }));
        assert_eq!(
            error["message"],
            "Invalid data: author: missing field `name`"
        );
        assert_eq!(
            error["errors"],
            json!({ "author.name": "missing field `name`" })
        );
        let error = error_of::<Vec<Message>>(json!([{ "text": "a" }, { "text": false }]));
        assert_eq!(
            error["errors"],
            json!({ "1.text": "invalid type: boolean `false`, expected a string" })
        );
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Loose {
        text: String,
        user_id: Option<u64>,
        author: Option<Author>,
    }

    fn body_error<T: DeserializeOwned + std::fmt::Debug>(value: Value) -> Value {
        read_body::<T>(&value).unwrap_err().to_json()
    }

    #[test]
    fn a_body_field_the_type_does_not_declare_is_named() {
        assert!(read_body::<Loose>(&json!({ "text": "hi", "userId": 1 })).is_ok());
        let error = body_error::<Loose>(json!({ "text": "hi", "big": "x" }));
        assert_eq!(error["message"], "Invalid data: big: unknown field `big`");
        assert_eq!(error["errors"], json!({ "big": "unknown field `big`" }));
        // Renamed fields are known by their sent name only.
        let error = body_error::<Loose>(json!({ "text": "hi", "user_id": 1 }));
        assert_eq!(
            error["errors"],
            json!({ "user_id": "unknown field `user_id`" })
        );
        // At any depth, and in a list.
        let error =
            body_error::<Loose>(json!({ "text": "hi", "author": { "name": "a", "x": {} } }));
        assert_eq!(error["errors"], json!({ "author.x": "unknown field `x`" }));
        let error = body_error::<Vec<Loose>>(json!([{ "text": "a" }, { "text": "b", "y": 1 }]));
        assert_eq!(error["errors"], json!({ "1.y": "unknown field `y`" }));
        // A value that does not fit is named as `read` names it.
        let error = body_error::<Loose>(json!({ "text": 5, "big": 1 }));
        assert_eq!(
            error["errors"],
            json!({ "text": "invalid type: integer `5`, expected a string" })
        );
        // Schemaless records take anything.
        assert!(read_body::<Value>(&json!({ "any": { "thing": 1 } })).is_ok());
    }

    #[test]
    fn a_record_type_declares_its_fields_as_sent() {
        assert_eq!(declared::<Loose>(), Some(&["text", "userId", "author"][..]));
        assert_eq!(
            declared::<Option<Loose>>(),
            Some(&["text", "userId", "author"][..])
        );
        assert_eq!(declared::<Box<Author>>(), Some(&["name"][..]));
        assert_eq!(declared::<Value>(), None);
        assert_eq!(declared::<Map<String, Value>>(), None);
        assert_eq!(declared::<String>(), None);
    }

    fn query(value: Value) -> Query {
        Query::parse(value.as_object().unwrap()).unwrap()
    }

    #[test]
    fn queries_name_only_declared_fields() {
        let ok = |value: Value| check_query::<Loose>(&query(value), "id");
        let refused = |value: Value| ok(value).unwrap_err().to_json();
        ok(json!({ "id": 1, "text": "a", "$sort": { "userId": 1 }, "$select": ["text"] })).unwrap();
        ok(json!({ "$or": [{ "text": "a" }, { "author": { "name": "x" } }] })).unwrap();
        let error = refused(json!({ "big": 1 }));
        assert_eq!(error["message"], "Unknown field 'big'");
        assert_eq!(error["errors"], json!({ "big": "unknown field" }));
        assert_eq!(
            refused(json!({ "$sort": { "big.a": 1 } }))["message"],
            "Unknown field 'big.a'"
        );
        // A dot path into a declared field is refused too.
        assert_eq!(
            refused(json!({ "author.name": "a" }))["message"],
            "Unknown field 'author.name'"
        );
        assert_eq!(
            refused(json!({ "$select": ["text", "x"] }))["message"],
            "Unknown field 'x'"
        );
        assert_eq!(
            refused(json!({ "$and": [{ "$or": [{ "text": "a" }, { "user_id": 1 }] }] }))["message"],
            "Unknown field 'user_id'"
        );
        // Schemaless records take any field.
        check_query::<Value>(&query(json!({ "a.b": 1, "$sort": { "c.d": 1 } })), "id").unwrap();
    }

    #[test]
    fn patches_set_only_declared_fields() {
        let patch = |value: Value| check_patch::<Loose>(value.as_object().unwrap(), "id");
        patch(json!({ "text": "b", "id": 3 })).unwrap();
        let error = patch(json!({ "text": "b", "big": "x" }))
            .unwrap_err()
            .to_json();
        assert_eq!(error["message"], "Invalid data: big: unknown field `big`");
        assert_eq!(error["errors"], json!({ "big": "unknown field `big`" }));
        let error = patch(json!({ "author.name": "x" })).unwrap_err().to_json();
        assert_eq!(
            error["errors"],
            json!({ "author.name": "unknown field `author.name`" })
        );
        check_patch::<Value>(json!({ "big": 1 }).as_object().unwrap(), "id").unwrap();
    }

    #[test]
    fn a_value_with_no_field_to_name_has_no_errors() {
        let error = error_of::<Message>(json!("hi"));
        assert_eq!(
            error["message"],
            "Invalid data: invalid type: string \"hi\", expected struct Message"
        );
        assert_eq!(error.get("errors"), None);
    }
}
