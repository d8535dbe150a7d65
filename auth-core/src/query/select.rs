//! `$select`: restricting a record to some of its fields.

use serde_json::{Map, Value};

/// Returns `record` restricted to `fields` and `id_field`.
///
/// As in Feathers, fields are top-level keys (a dotted name is a key, not a
/// path), missing fields stay missing (a `null` one is kept), and the id
/// field is always kept. A record that is not an object is returned as is.
///
/// ```
/// use auth_core::query::select;
/// use serde_json::json;
///
/// let record = json!({ "id": 1, "name": "Alice", "age": 19 });
/// assert_eq!(select(record, &["name".to_owned()], "id"), json!({ "id": 1, "name": "Alice" }));
/// ```
pub fn select(record: Value, fields: &[String], id_field: &str) -> Value {
    let Value::Object(mut source) = record else {
        return record;
    };
    let mut picked = Map::new();
    for field in fields.iter().map(String::as_str).chain([id_field]) {
        if let Some(value) = source.remove(field) {
            picked.insert(field.to_owned(), value);
        }
    }
    Value::Object(picked)
}

/// The fields a query's `$select` asks for, if it does.
#[cfg(feature = "rest")]
pub(crate) fn selected_fields(query: &Map<String, Value>) -> Option<Vec<String>> {
    match query.get("$select")? {
        Value::String(field) => Some(vec![field.clone()]),
        Value::Array(fields) => Some(
            fields
                .iter()
                .filter_map(|field| field.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

/// `$select` applied to a call's reply as transports send it, whatever
/// the service did with it (a typed service may answer whole records its
/// type requires): each record, the list, or the page's data. The `id`
/// field is always kept.
#[cfg(feature = "rest")]
pub(crate) fn project_reply(reply: Value, fields: &[String]) -> Value {
    let one = |record: Value| select(record, fields, "id");
    match reply {
        Value::Array(records) => Value::Array(records.into_iter().map(one).collect()),
        Value::Object(mut page) if page.contains_key("total") && page.contains_key("data") => {
            if let Some(Value::Array(records)) = page.remove("data") {
                page.insert(
                    "data".into(),
                    Value::Array(records.into_iter().map(one).collect()),
                );
            }
            Value::Object(page)
        }
        record @ Value::Object(_) => one(record),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn keeps_the_selected_fields_and_the_id() {
        let record = json!({ "_id": "x", "name": "Alice", "age": 19, "city": null });
        assert_eq!(
            select(record.clone(), &fields(&["name"]), "_id"),
            json!({ "_id": "x", "name": "Alice" })
        );
        assert_eq!(
            select(record.clone(), &fields(&[]), "_id"),
            json!({ "_id": "x" })
        );
        assert_eq!(
            select(
                record.clone(),
                &fields(&["city", "nope", "age", "age", "_id"]),
                "_id"
            ),
            json!({ "_id": "x", "age": 19, "city": null })
        );
    }

    #[test]
    fn dotted_names_are_keys() {
        let record = json!({ "id": 1, "a": { "b": 1 }, "a.b": 2 });
        assert_eq!(
            select(record, &fields(&["a.b"]), "id"),
            json!({ "id": 1, "a.b": 2 })
        );
    }

    #[test]
    fn records_without_id_or_fields() {
        assert_eq!(
            select(json!({ "name": "A" }), &fields(&["age"]), "id"),
            json!({})
        );
        assert_eq!(
            select(json!([1, 2]), &fields(&["age"]), "id"),
            json!([1, 2])
        );
    }
}
