//! Fuzz target `memory_query`: queries run by `MemoryService<Value>::find`
//! over a fixed set of records (big integers, floats, strings that look
//! like numbers, nulls, missing fields, nested objects and arrays).
//!
//! The first input byte picks how the rest becomes `params.query` (bit 0:
//! JSON, or a query string read by `rest::qs::parse`) and which pagination
//! the call uses (bits 1-2: none, `{3, 5}`, `{10, unlimited}` or `{0, 0}`).
//! The service is called directly (no app, no hooks) on a current-thread
//! runtime built once. Nothing may panic. Also checked, cheaply:
//!
//! * `find` fails exactly when `Query::parse` does, with a `BadRequest`;
//!   `Query::from_value` refuses JSON that is not an object or `null`;
//! * `find` answers as `query::find` over the same records does;
//! * a page comes back exactly when paginating, with `total` the number of
//!   matching records and `limit`/`skip` the effective ones;
//! * the records returned are distinct, match the query, are the stored
//!   records (restricted to `$select` and `id` when selecting), and number
//!   `min(limit, total - skip)`;
//! * they are in `$sort` order, ties (and no `$sort`) in store order;
//! * `query::compare`, the order `$sort` uses, is a total order on the
//!   values sorted by and on values taken from the query.

#![no_main]

use std::cmp::Ordering;
use std::sync::LazyLock;

use auth_core::memory::{MemoryOptions, MemoryService, Pagination};
use auth_core::prelude::*;
use auth_core::query::{self, Paginate, Query, SortOrder, compare};
use auth_core::rest::qs::{self, QsLimits};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

/// The runtime, the service and the records it holds (in store order).
struct Fixture {
    runtime: tokio::runtime::Runtime,
    service: MemoryService<Value>,
    records: Vec<Value>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let records = vec![
        json!({ "id": 0, "name": "Alice", "age": 19, "tags": ["a", "b"], "address": { "city": "Paris", "zip": "75001" }, "score": 1.5, "active": true }),
        json!({ "id": 1, "name": "Bob", "age": 25, "tags": [], "address": { "city": "Rome" }, "score": -0.0, "active": false, "note": null }),
        json!({ "id": 2, "name": "bob", "age": "25", "tags": ["b"], "score": 9_007_199_254_740_993_u64, "nested": [[1, 2], [3]] }),
        json!({ "id": 3, "name": "Ça", "age": 32.0, "score": 9_007_199_254_740_992.0, "address": { "city": "Paris" }, "list": [{ "x": 1 }, { "x": "1" }] }),
        json!({ "id": 4, "name": "", "age": null, "score": u64::MAX, "active": "true" }),
        json!({ "id": 5, "name": "😀", "age": -7, "score": i64::MIN, "tags": "a", "address": "Paris" }),
        json!({ "id": 6, "age": 1e300, "score": 1.844_674_407_370_955_2e19, "a.b": 1, "a": { "b": 2 } }),
        json!({ "id": 7, "name": "Doug", "age": 25, "tags": [["a"]], "address": { "city": null }, "empty": {} }),
    ];
    let service = MemoryService::with_options(MemoryOptions::new());
    runtime.block_on(async {
        for record in &records {
            Service::create(&service, record.clone(), &Params::new())
                .await
                .expect("a record");
        }
    });
    Fixture {
        runtime,
        service,
        records,
    }
});

/// The pagination picked by bits 1-2 of the first byte.
fn paginate(mode: u8) -> Option<Paginate> {
    match (mode >> 1) & 3 {
        0 => None,
        1 => Some(Paginate { default: 3, max: 5 }),
        2 => Some(Paginate {
            default: 10,
            max: usize::MAX,
        }),
        _ => Some(Paginate { default: 0, max: 0 }),
    }
}

/// The query an input gives, if it gives one.
fn query_of(mode: u8, rest: &[u8]) -> Option<Map<String, Value>> {
    if mode & 1 == 0 {
        let value: Value = serde_json::from_slice(rest).ok()?;
        match value {
            Value::Object(map) => Some(map),
            other => {
                let parsed = Query::from_value(&other);
                match other {
                    Value::Null => assert!(
                        matches!(&parsed, Ok(query) if *query == Query::default()),
                        "null gave {parsed:?}"
                    ),
                    _ => assert_eq!(parsed.map(drop).map_err(|error| error.code()), Err(400)),
                }
                None
            }
        }
    } else {
        qs::parse(&String::from_utf8_lossy(rest), QsLimits::default()).ok()
    }
}

/// The value at a `$sort` path, as `$sort` reads it: dots separate object
/// keys and array indices.
fn at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(record, |value, segment| match value {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => {
                let digits =
                    !segment.is_empty() && segment.bytes().all(|byte| byte.is_ascii_digit());
                items.get(segment.parse::<usize>().ok().filter(|_| digits)?)
            }
            _ => None,
        })
}

/// How `a` and `b` order under the query's `$sort`.
fn sort_order(a: &Value, b: &Value, sort: &[(String, SortOrder)]) -> Ordering {
    sort.iter()
        .map(|(path, order)| {
            let ordering = compare(at(a, path), at(b, path));
            match order {
                SortOrder::Ascending => ordering,
                SortOrder::Descending => ordering.reverse(),
            }
        })
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// A few values of the query, for the order check.
fn query_values<'a>(map: &'a Map<String, Value>, out: &mut Vec<Option<&'a Value>>) {
    for value in map.values() {
        out.push(Some(value));
        match value {
            Value::Object(inner) => out.extend(inner.values().map(Some)),
            Value::Array(items) => out.extend(items.iter().map(Some)),
            _ => {}
        }
    }
}

/// `compare` is a total order on `values`: sorted with it, each value is
/// `Equal` to those of its run of equal neighbours and `Less` than every
/// later one (which makes it transitive), and `compare(b, a)` is
/// `compare(a, b)` reversed. Quadratic, where checking every triple would
/// be cubic.
fn check_total_order(values: &mut [Option<&Value>]) {
    values.sort_by(|a, b| compare(*a, *b));
    let mut run = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        let same = index > 0 && compare(values[index - 1], *value) == Ordering::Equal;
        run.push(if same { run[index - 1] } else { index });
    }
    for (i, &a) in values.iter().enumerate() {
        for (j, &b) in values.iter().enumerate() {
            let expected = run[i].cmp(&run[j]);
            assert_eq!(
                compare(a, b),
                expected,
                "not a total order: {a:?} against {b:?}, sorted: {values:?}"
            );
        }
    }
}

fn check(fixture: &Fixture, map: Map<String, Value>, paginate: Option<Paginate>) {
    let parsed = Query::parse(&map);
    let mut params = Params::new();
    params.query = map;
    params.extensions.insert(Pagination(paginate));
    let found = fixture
        .runtime
        .block_on(Service::find(&fixture.service, &params));
    let (query, found) = match (parsed, found) {
        (Ok(query), Ok(found)) => (query, found),
        (Err(parse), Err(find)) => {
            assert_eq!(parse.code(), 400, "{parse:?}");
            assert_eq!(find.code(), 400, "{find:?}");
            return;
        }
        (parsed, found) => panic!("Query::parse gave {parsed:?}, find gave {found:?}"),
    };
    assert_eq!(
        found,
        query::find(&fixture.records, &query, paginate, "id"),
        "the service and query::find disagree"
    );

    let matching: Vec<&Value> = fixture
        .records
        .iter()
        .filter(|record| query.matches(record))
        .collect();
    let total = matching.len();
    let skip = query.filters.skip.unwrap_or(0);
    let limit = query.limit(paginate);
    match (&found, paginate) {
        (Found::Page(page), Some(paginate)) => {
            assert_eq!(page.total, total);
            assert_eq!(page.skip, skip);
            assert_eq!(page.limit, paginate.limit(query.filters.limit));
            assert!(page.limit <= paginate.max);
        }
        (Found::All(_), None) => {}
        (found, paginate) => panic!("{found:?} with pagination {paginate:?}"),
    }

    let data = found.data();
    let expected = total.saturating_sub(skip).min(limit.unwrap_or(usize::MAX));
    assert_eq!(
        data.len(),
        expected,
        "{} records, {total} matching",
        data.len()
    );

    // Each answer is one stored record (by id), maybe restricted.
    let mut ids = Vec::with_capacity(data.len());
    for answer in data {
        let id = answer
            .get("id")
            .and_then(Value::as_u64)
            .unwrap_or_else(|| panic!("an answer without its id: {answer}"));
        let record = usize::try_from(id)
            .ok()
            .and_then(|id| fixture.records.get(id))
            .unwrap_or_else(|| panic!("an answer that is no record: {answer}"));
        assert!(query.matches(record), "{record} does not match");
        match &query.filters.select {
            None => assert_eq!(answer, record),
            Some(fields) => {
                let object = answer.as_object().expect("records are objects");
                for (key, value) in object {
                    assert!(
                        key == "id" || fields.contains(key),
                        "{key} was not selected"
                    );
                    assert_eq!(record.get(key), Some(value), "{key} changed");
                }
                for field in fields {
                    assert_eq!(
                        object.contains_key(field),
                        record.get(field).is_some(),
                        "{field} was selected"
                    );
                }
            }
        }
        ids.push(id);
    }

    // In `$sort` order; ties, and everything without a `$sort`, in store
    // (id) order. Distinct, as the ids then strictly increase among ties.
    let sort = &query.filters.sort;
    for pair in ids.windows(2) {
        let (a, b) = (
            &fixture.records[pair[0] as usize],
            &fixture.records[pair[1] as usize],
        );
        match sort_order(a, b, sort) {
            Ordering::Less => {}
            Ordering::Equal => assert!(pair[0] < pair[1], "ties out of store order: {ids:?}"),
            Ordering::Greater => panic!("out of $sort order: {ids:?}"),
        }
    }
    if !sort.is_empty() {
        let mut seen = ids.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), ids.len(), "a record twice: {ids:?}");
    }

    let mut values: Vec<Option<&Value>> = Vec::new();
    for (path, _) in sort {
        values.extend(fixture.records.iter().map(|record| at(record, path)));
    }
    query_values(&params.query, &mut values);
    values.truncate(12);
    check_total_order(&mut values);
}

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if let Some(map) = query_of(mode, rest) {
        check(fixture, map, paginate(mode));
    }
});
