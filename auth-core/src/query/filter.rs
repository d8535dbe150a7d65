//! The special filters `$limit`, `$skip`, `$sort` and `$select`.
//!
//! Values may be JSON or the strings a query string delivers: `"10"` for a
//! count, `"-1"` for a sort direction. Anything else is a `BadRequest`.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The direction of one `$sort` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// `1`: smallest first.
    Ascending,
    /// `-1`: largest first.
    Descending,
}

/// The special filters of a query, each `None` (or empty) when not given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    /// `$limit`: the most records to return.
    pub limit: Option<usize>,
    /// `$skip`: how many matching records to pass over.
    pub skip: Option<usize>,
    /// `$sort`: field (dot path) and direction, most significant first, in
    /// the order the query's map yields its keys.
    pub sort: Vec<(String, SortOrder)>,
    /// `$select`: the only fields to return (the id field is always kept).
    pub select: Option<Vec<String>>,
}

impl Filters {
    /// Reads the filter `name` (with its `$`) from `value` into `self`.
    /// Returns `false` when `name` is not one of the four filters.
    pub(crate) fn set(&mut self, name: &str, value: &Value) -> Result<bool> {
        // A JSON `null` leaves the filter unset, as if it were not given.
        let given = !value.is_null();
        match name {
            "$limit" => self.limit = given.then(|| parse_count(name, value)).transpose()?,
            "$skip" => self.skip = given.then(|| parse_count(name, value)).transpose()?,
            "$sort" => {
                self.sort = if given {
                    parse_sort(value)?
                } else {
                    Vec::new()
                }
            }
            "$select" => self.select = given.then(|| parse_select(value)).transpose()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// A `$limit` or `$skip`: a non-negative integer, or a string of one.
fn parse_count(name: &str, value: &Value) -> Result<usize> {
    let count = match value {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0 && *float >= 0.0 && *float < 2f64.powi(53))
                .map(|float| float as u64)
        }),
        Value::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    };
    count
        .and_then(|count| usize::try_from(count).ok())
        .ok_or_else(|| {
            Error::bad_request(format!("Invalid {name}: expected a non-negative integer"))
        })
}

/// The most keys a `$sort` may have. Each key is one more comparison of
/// every pair of records the sort compares, so the keys bound the work a
/// query asks for; a client ordering by more than a few fields has no use
/// for the rest (a later key only breaks ties the earlier ones leave).
pub const MAX_SORT_KEYS: usize = 8;

/// A `$sort`: an object of field → `1` | `-1` (numbers or strings), of at
/// most [`MAX_SORT_KEYS`] fields.
fn parse_sort(value: &Value) -> Result<Vec<(String, SortOrder)>> {
    let Value::Object(fields) = value else {
        return Err(Error::bad_request(
            "Invalid $sort: expected an object of fields and 1 or -1",
        ));
    };
    if fields.len() > MAX_SORT_KEYS {
        return Err(Error::bad_request(format!(
            "Invalid $sort: at most {MAX_SORT_KEYS} fields"
        )));
    }
    fields
        .iter()
        .map(|(field, direction)| Ok((field.clone(), parse_direction(field, direction)?)))
        .collect()
}

fn parse_direction(field: &str, direction: &Value) -> Result<SortOrder> {
    let number = match direction {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    match number {
        Some(1.0) => Ok(SortOrder::Ascending),
        Some(-1.0) => Ok(SortOrder::Descending),
        _ => Err(Error::bad_request(format!(
            "Invalid $sort direction for {field}: expected 1 or -1"
        ))),
    }
}

/// A `$select`: an array of field names, or a single one.
fn parse_select(value: &Value) -> Result<Vec<String>> {
    let invalid =
        || Error::bad_request("Invalid $select: expected a field name or an array of field names");
    let field = |value: &Value| match value {
        Value::String(name) => Ok(name.clone()),
        Value::Number(number) => Ok(number.to_string()),
        _ => Err(invalid()),
    };
    match list(value) {
        Some(items) => items.into_iter().map(field).collect(),
        None => Ok(vec![field(value)?]),
    }
}

/// The items of a list as a query string may deliver it: a JSON array, or an
/// object whose keys are all indices (`qs` turns `a[0]=x&a[30]=y` into one),
/// in index order. `None` for anything else.
pub(crate) fn list(value: &Value) -> Option<Vec<&Value>> {
    match value {
        Value::Array(items) => Some(items.iter().collect()),
        Value::Object(map) if !map.is_empty() => indexed(map),
        _ => None,
    }
}

fn indexed(map: &Map<String, Value>) -> Option<Vec<&Value>> {
    let mut items = map
        .iter()
        .map(|(key, value)| {
            let digits = !key.is_empty() && key.bytes().all(|byte| byte.is_ascii_digit());
            digits.then(|| key.parse::<usize>().ok().map(|index| (index, value)))?
        })
        .collect::<Option<Vec<_>>>()?;
    items.sort_by_key(|(index, _)| *index);
    Some(items.into_iter().map(|(_, value)| value).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    fn filters(query: Value) -> Result<Filters> {
        let mut filters = Filters::default();
        for (name, value) in query.as_object().unwrap() {
            assert!(filters.set(name, value)?, "{name} is a filter");
        }
        Ok(filters)
    }

    fn message(query: Value) -> String {
        let error = filters(query).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BadRequest);
        error.message().to_owned()
    }

    #[test]
    fn counts_from_numbers_and_strings() {
        let parsed = filters(json!({ "$limit": "2", "$skip": 33 })).unwrap();
        assert_eq!((parsed.limit, parsed.skip), (Some(2), Some(33)));
        let parsed = filters(json!({ "$limit": 0, "$skip": "0" })).unwrap();
        assert_eq!((parsed.limit, parsed.skip), (Some(0), Some(0)));
        assert_eq!(filters(json!({ "$limit": 5.0 })).unwrap().limit, Some(5));
        assert_eq!(filters(json!({ "$limit": null })).unwrap().limit, None);
    }

    #[test]
    fn bad_counts_are_bad_requests() {
        let expected = "Invalid $limit: expected a non-negative integer";
        for value in [
            json!(-1),
            json!("-20"),
            json!("something"),
            json!(2.5),
            json!(""),
            json!(true),
            json!([1]),
        ] {
            assert_eq!(message(json!({ "$limit": value })), expected);
        }
        assert_eq!(
            message(json!({ "$skip": "x" })),
            "Invalid $skip: expected a non-negative integer"
        );
    }

    #[test]
    fn sort_directions() {
        let parsed = filters(json!({ "$sort": { "a": 1, "b": "-1", "c": "1", "d": -1 } })).unwrap();
        assert_eq!(
            parsed.sort,
            vec![
                ("a".to_owned(), SortOrder::Ascending),
                ("b".to_owned(), SortOrder::Descending),
                ("c".to_owned(), SortOrder::Ascending),
                ("d".to_owned(), SortOrder::Descending),
            ]
        );
    }

    #[test]
    fn bad_sorts_are_bad_requests() {
        assert_eq!(
            message(json!({ "$sort": { "name": 2 } })),
            "Invalid $sort direction for name: expected 1 or -1"
        );
        assert_eq!(
            message(json!({ "$sort": { "name": "asc" } })),
            "Invalid $sort direction for name: expected 1 or -1"
        );
        assert_eq!(
            message(json!({ "$sort": "name" })),
            "Invalid $sort: expected an object of fields and 1 or -1"
        );
    }

    #[test]
    fn sorts_have_at_most_max_sort_keys() {
        let keys = |count: usize| {
            let sort: Map<String, Value> =
                (0..count).map(|n| (format!("f{n}"), json!(1))).collect();
            json!({ "$sort": sort })
        };
        assert_eq!(
            filters(keys(MAX_SORT_KEYS)).unwrap().sort.len(),
            MAX_SORT_KEYS
        );
        assert_eq!(
            message(keys(MAX_SORT_KEYS + 1)),
            "Invalid $sort: at most 8 fields"
        );
    }

    #[test]
    fn select_forms() {
        let select = |value: Value| filters(json!({ "$select": value })).unwrap().select;
        assert_eq!(
            select(json!(["a", "b"])),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(select(json!("a")), Some(vec!["a".to_owned()]));
        assert_eq!(select(json!([1])), Some(vec!["1".to_owned()]));
        assert_eq!(
            select(json!({ "1": "b", "0": "a" })),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(select(json!([])), Some(vec![]));
        assert_eq!(
            message(json!({ "$select": [{ "a": 1 }] })),
            "Invalid $select: expected a field name or an array of field names"
        );
    }

    #[test]
    fn lists_accept_index_objects() {
        assert_eq!(list(&json!([1, 2])), Some(vec![&json!(1), &json!(2)]));
        assert_eq!(
            list(&json!({ "10": "b", "2": "a" })),
            Some(vec![&json!("a"), &json!("b")])
        );
        assert_eq!(list(&json!({ "a": 1 })), None);
        assert_eq!(list(&json!({})), None);
        assert_eq!(list(&json!("x")), None);
    }

    #[test]
    fn other_names_are_not_filters() {
        assert!(!Filters::default().set("$foo", &json!(1)).unwrap());
    }
}
