//! Query strings in the nested `qs` format Feathers clients send:
//! `$sort[createdAt]=-1&$select[]=text&$or[0][userId]=1&text[$in][]=a`.
//!
//! Keys keep the order they came in (so a multi-key `$sort` sorts in the
//! order written). `[]` appends to a list; numeric indices (up to 20, as in
//! `qs`) make lists; a repeated plain key collects its values in a list.
//! Values stay strings: the query module compares them with numbers,
//! booleans and null by value.
//!
//! Bounded: at most [`QsLimits::max_length`] bytes,
//! [`QsLimits::max_params`] pairs and [`QsLimits::max_depth`] levels of
//! brackets; beyond, a `BadRequest`.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// How much of a query string is read; beyond any bound, the request is a
/// `400 BadRequest`.
///
/// `qs` itself drops the pairs past its bound and keeps brackets past its
/// depth as one literal key; refusing them instead means a query is never
/// silently answered as a different one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QsLimits {
    /// The most bytes of the query string as sent, escapes undecoded
    /// (16 KiB). There is no status of `@feathersjs/errors` for `414`, so
    /// a query string over this is a `400` like the other bounds.
    pub max_length: usize,
    /// The most `key=value` pairs (1000, as `qs`).
    pub max_params: usize,
    /// The most bracket levels in one key (5, as `qs`).
    pub max_depth: usize,
}

impl Default for QsLimits {
    fn default() -> Self {
        QsLimits {
            max_length: 16 * 1024,
            max_params: 1000,
            max_depth: 5,
        }
    }
}

/// `qs` turns numeric keys up to this into list indices.
const ARRAY_LIMIT: usize = 20;

/// Parses a query string (without the `?`).
pub fn parse(query: &str, limits: QsLimits) -> Result<Map<String, Value>> {
    if query.len() > limits.max_length {
        return Err(Error::bad_request(format!(
            "The query string is longer than {} bytes",
            limits.max_length
        )));
    }
    let mut root = Map::new();
    for (count, pair) in query.split('&').filter(|pair| !pair.is_empty()).enumerate() {
        if count >= limits.max_params {
            return Err(Error::bad_request(format!(
                "The query string has more than {} parameters",
                limits.max_params
            )));
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key);
        let value = Value::String(decode(value));
        let path = split_key(&key, limits.max_depth)?;
        insert(&mut root, &path, value)?;
    }
    Ok(into_lists(root))
}

/// `a[b][]` → `["a", "b", ""]`; a key whose brackets do not close is one
/// plain key, as in `qs`.
fn split_key(key: &str, max_depth: usize) -> Result<Vec<String>> {
    let Some(open) = key.find('[').filter(|&open| open > 0) else {
        return Ok(vec![key.to_owned()]);
    };
    let mut path = vec![key[..open].to_owned()];
    let mut rest = &key[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Ok(vec![key.to_owned()]);
        };
        path.push(inner[..close].to_owned());
        rest = &inner[close + 1..];
        if path.len() - 1 > max_depth {
            return Err(Error::bad_request(format!(
                "The query string key `{key}` is nested more than {max_depth} levels deep"
            )));
        }
    }
    if !rest.is_empty() {
        return Ok(vec![key.to_owned()]);
    }
    Ok(path)
}

/// Puts `value` at `path`, building objects on the way (lists come later,
/// from objects with numeric keys).
fn insert(object: &mut Map<String, Value>, path: &[String], value: Value) -> Result<()> {
    let (segment, rest) = match path.split_first() {
        Some(split) => split,
        None => return Ok(()),
    };
    // `[]` appends: the next free index.
    let key = if segment.is_empty() {
        object.len().to_string()
    } else {
        segment.clone()
    };
    if rest.is_empty() {
        match object.get_mut(&key) {
            None => {
                object.insert(key, value);
            }
            Some(Value::Array(values)) => values.push(value),
            Some(existing @ Value::String(_)) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            Some(_) => {
                return Err(Error::bad_request(format!(
                    "The query string gives `{key}` both a value and nested keys"
                )));
            }
        }
        return Ok(());
    }
    let child = object
        .entry(key.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    match child {
        Value::Object(child) => insert(child, rest, value),
        _ => Err(Error::bad_request(format!(
            "The query string gives `{key}` both a value and nested keys"
        ))),
    }
}

/// Objects whose keys are all indices up to [`ARRAY_LIMIT`] become lists,
/// ordered by index, as `qs` makes them.
fn into_lists(object: Map<String, Value>) -> Map<String, Value> {
    object
        .into_iter()
        .map(|(key, value)| (key, value_into_lists(value)))
        .collect()
}

fn value_into_lists(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let indices: Option<Vec<usize>> = object
                .keys()
                .map(|key| {
                    key.parse::<usize>()
                        .ok()
                        .filter(|index| *index <= ARRAY_LIMIT)
                })
                .collect();
            match indices {
                Some(indices) if !object.is_empty() => {
                    let mut items: Vec<(usize, Value)> = indices
                        .into_iter()
                        .zip(object.into_iter().map(|(_, value)| value))
                        .collect();
                    items.sort_by_key(|(index, _)| *index);
                    Value::Array(
                        items
                            .into_iter()
                            .map(|(_, value)| value_into_lists(value))
                            .collect(),
                    )
                }
                _ => Value::Object(into_lists(object)),
            }
        }
        Value::Array(values) => Value::Array(values.into_iter().map(value_into_lists).collect()),
        other => other,
    }
}

/// Percent-decoding with `+` as a space; a malformed escape stays as it
/// is, and bytes that are not UTF-8 become U+FFFD.
fn decode(text: &str) -> String {
    let out = percent_decode(text, true);
    String::from_utf8(out)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// The bytes `text` percent-encodes (`+` read as a space when asked, as in
/// query strings); a malformed escape stays as it is.
pub(crate) fn percent_decode(text: &str, plus_as_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_as_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn qs(query: &str) -> Value {
        Value::Object(parse(query, QsLimits::default()).unwrap())
    }

    #[test]
    fn reads_feathers_queries_in_order() {
        assert_eq!(
            qs("$limit=2&$sort[createdAt]=-1&$sort[text]=1&$select[]=text&$select[]=id"),
            json!({ "$limit": "2", "$sort": { "createdAt": "-1", "text": "1" }, "$select": ["text", "id"] })
        );
        let sort: Vec<String> = qs("$sort[b]=1&$sort[a]=-1")["$sort"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(sort, ["b", "a"]);
    }

    #[test]
    fn reads_operators_lists_and_or() {
        assert_eq!(
            qs("userId=0&text[$in][]=a&text[$in][]=b&age[$gt]=1&age[$lt]=5"),
            json!({ "userId": "0", "text": { "$in": ["a", "b"] }, "age": { "$gt": "1", "$lt": "5" } })
        );
        assert_eq!(
            qs("$or[1][b]=2&$or[0][a]=1"),
            json!({ "$or": [{ "a": "1" }, { "b": "2" }] })
        );
        assert_eq!(qs("a=1&a=2"), json!({ "a": ["1", "2"] }));
        assert_eq!(qs("id[21]=x"), json!({ "id": { "21": "x" } }));
    }

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(
            qs("text=hello+world%21&%24limit=1&bad=%zz&e="),
            json!({ "text": "hello world!", "$limit": "1", "bad": "%zz", "e": "" })
        );
        assert_eq!(qs("bytes=%ff"), json!({ "bytes": "\u{fffd}" }));
        assert_eq!(qs("a[b=1&c]=2"), json!({ "a[b": "1", "c]": "2" }));
    }

    #[test]
    fn refuses_what_is_too_deep_too_long_or_contradictory() {
        let deep = parse("a[1][2][3][4][5][6]=x", QsLimits::default()).unwrap_err();
        assert_eq!(deep.code(), 400);
        let many = "a=1&".repeat(1001);
        assert_eq!(parse(&many, QsLimits::default()).unwrap_err().code(), 400);
        let long = format!("a={}", "x".repeat(16 * 1024 - 2));
        assert!(parse(&long, QsLimits::default()).is_ok());
        let error = parse(&format!("{long}x"), QsLimits::default()).unwrap_err();
        assert_eq!(error.code(), 400);
        assert_eq!(
            error.message(),
            "The query string is longer than 16384 bytes"
        );
        assert_eq!(
            parse("a=1&a[b]=2", QsLimits::default()).unwrap_err().code(),
            400
        );
        assert_eq!(
            parse("a[b]=2&a=1", QsLimits::default()).unwrap_err().code(),
            400
        );
    }
}
