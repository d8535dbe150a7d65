//! Reading JSON into a service's types, with an error that names the field
//! at fault, as Feathers' validation errors do:
//! `{"name":"BadRequest","message":"Invalid data: text: invalid type: integer `5`, expected a string","errors":{"text":"invalid type: integer `5`, expected a string"}}`.
//!
//! A nested field is named by its dotted path (`author.name`, `1.text` for
//! the second record of a list). serde's errors carry no path when the
//! input is a `serde_json::Value`, so a failed read is run again through
//! `serde_path_to_error`; only then, since tracking the path costs an
//! allocation per key.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Reads `value` as `T`; a value that does not fit is a `BadRequest`
/// naming the field (see the module doc).
pub(crate) fn read<T: DeserializeOwned>(value: &Value) -> Result<T> {
    T::deserialize(value).map_err(|_| invalid_data::<T>(value))
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
