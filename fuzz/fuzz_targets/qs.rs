//! Fuzz target `qs`: query strings as the REST transport reads them.
//!
//! The input bytes (made UTF-8, invalid sequences as U+FFFD) are parsed by
//! `auth_core::rest::qs::parse` with the default limits, and what it
//! yields is parsed again by `auth_core::query::Query::parse`, whose
//! conditions are then evaluated against a few records. Nothing may panic;
//! errors are fine. Also checked:
//!
//! * every error of either parser is a `BadRequest` (400);
//! * every non-empty `key=value` pair ends up as exactly one string in the
//!   result (nothing is dropped, nothing invented);
//! * no value nests deeper than the depth limit allows.

#![no_main]

use std::sync::LazyLock;

use auth_core::query::Query;
use auth_core::rest::qs::{self, QsLimits};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// Records to evaluate parsed queries against.
static RECORDS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        json!({ "id": 0, "text": "hello", "userId": 1, "createdAt": 1_700_000_000, "tags": ["a", "b"] }),
        json!({ "id": 1, "text": "", "userId": null, "address": { "city": "Paris" }, "n": 2.5 }),
        json!({ "id": "x", "text": ["nested", { "deep": [true, false] }], "flag": true }),
    ]
});

/// How many containers (objects, arrays) nest in `value`, itself included.
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// How many strings `value` holds, itself included.
fn strings(value: &Value) -> usize {
    match value {
        Value::String(_) => 1,
        Value::Array(items) => items.iter().map(strings).sum(),
        Value::Object(map) => map.values().map(strings).sum(),
        _ => 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let limits = QsLimits::default();
    let parsed = match qs::parse(&query, limits) {
        Ok(parsed) => parsed,
        Err(error) => {
            assert_eq!(error.code(), 400, "qs::parse failed with {error:?}");
            return;
        }
    };

    let pairs = query.split('&').filter(|pair| !pair.is_empty()).count();
    let held: usize = parsed.values().map(strings).sum();
    assert_eq!(held, pairs, "{query:?} gave {parsed:?}");
    for (key, value) in &parsed {
        // A key has at most `max_depth` bracket levels under it, and a
        // repeated key adds one list.
        assert!(
            depth(value) <= limits.max_depth + 1,
            "{key:?} nests too deep: {value:?}"
        );
    }

    match Query::parse(&parsed) {
        Ok(query) => {
            for record in RECORDS.iter() {
                std::hint::black_box(query.matches(record));
            }
        }
        Err(error) => assert_eq!(error.code(), 400, "Query::parse failed with {error:?}"),
    }
});
