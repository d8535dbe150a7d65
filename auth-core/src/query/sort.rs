//! In-memory sorting by `$sort`.

use std::borrow::Borrow;
use std::cmp::Ordering;

use serde_json::Value;

use super::compare::compare;
use super::filter::SortOrder;
use super::matcher::index;
use super::slices::Slices;

/// Sorts records in place by the `$sort` keys, the first most significant.
///
/// Values are ordered by Feathers' comparator ([`compare`](super::compare)):
/// missing fields first, then `null`, numbers, strings, booleans, arrays,
/// objects; [`SortOrder::Descending`] reverses it. Keys are dot paths
/// (`address.city`, `items.0`). The sort is stable, and does nothing when
/// `sort` is empty. Works on owned records and on references alike:
///
/// ```
/// use auth_core::query::{sort, SortOrder};
/// use serde_json::{json, Value};
///
/// let records = vec![json!({ "n": 2 }), json!({ "n": "1" }), json!({}), json!({ "n": 10 })];
/// let mut refs: Vec<&Value> = records.iter().collect();
/// sort(&mut refs, &[("n".to_owned(), SortOrder::Ascending)]);
/// assert_eq!(refs, [&json!({}), &json!({ "n": 2 }), &json!({ "n": 10 }), &json!({ "n": "1" })]);
/// ```
pub fn sort<T: Borrow<Value>>(records: &mut [T], sort: &[(String, SortOrder)]) {
    if sort.is_empty() {
        return;
    }
    let keys = paths(sort);
    records.sort_by(|a, b| order(&keys, a.borrow(), b.borrow()));
}

/// The sort keys as split dot paths.
fn paths(sort: &[(String, SortOrder)]) -> Vec<(Vec<&str>, SortOrder)> {
    sort.iter()
        .map(|(path, order)| (path.split('.').collect(), *order))
        .collect()
}

/// How `a` and `b` order by the keys, the first most significant.
fn order(keys: &[(Vec<&str>, SortOrder)], a: &Value, b: &Value) -> Ordering {
    keys.iter()
        .map(|(path, order)| {
            let ordering = compare(get(a, path), get(b, path));
            match order {
                SortOrder::Ascending => ordering,
                SortOrder::Descending => ordering.reverse(),
            }
        })
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// [`sort`] over references, in time slices (see `slices`): it yields
/// to the runtime between them, so a long sort shares its thread and is
/// dropped at a yield when its caller gives up.
///
/// A stable bottom-up merge sort of our own: the standard library's sort
/// can not be left midway.
pub(crate) async fn sort_sliced(
    records: &mut Vec<&Value>,
    sort: &[(String, SortOrder)],
    slices: &mut Slices,
) {
    let count = records.len();
    if sort.is_empty() || count < 2 {
        return;
    }
    let keys = paths(sort);
    // Records already in order (all equal, or sorted by id and asked by
    // id) cost one comparison each, as in the standard sort; out of
    // order, this stops at the first pair that is.
    let mut sorted = true;
    for pair in records.windows(2) {
        slices.tick(1).await;
        if order(&keys, pair[0], pair[1]).is_gt() {
            sorted = false;
            break;
        }
    }
    if sorted {
        return;
    }
    let mut from = std::mem::take(records);
    let mut to = Vec::with_capacity(count);
    let mut width = 1;
    while width < count {
        to.clear();
        let mut start = 0;
        while start < count {
            let middle = (start + width).min(count);
            let end = (start + 2 * width).min(count);
            let (mut left, mut right) = (start, middle);
            while left < middle && right < end {
                // A comparison may walk large values: a clock read every
                // few of them.
                slices.tick(4).await;
                // Ties take the left (earlier) record: stable.
                if order(&keys, from[right], from[left]).is_lt() {
                    to.push(from[right]);
                    right += 1;
                } else {
                    to.push(from[left]);
                    left += 1;
                }
            }
            to.extend_from_slice(&from[left..middle]);
            to.extend_from_slice(&from[right..end]);
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    *records = from;
}

/// The value at a dot path, if there is one.
fn get<'a>(record: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(record, |value, segment| match value {
        Value::Object(map) => map.get(*segment),
        Value::Array(items) => items.get(index(segment)?),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn by(keys: &[(&str, SortOrder)]) -> Vec<(String, SortOrder)> {
        keys.iter()
            .map(|(key, order)| (key.to_string(), *order))
            .collect()
    }

    fn names(records: &[Value]) -> Vec<&str> {
        records
            .iter()
            .map(|record| record["name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn single_key_both_ways() {
        let mut records = vec![
            json!({ "name": "Bob" }),
            json!({ "name": "Alice" }),
            json!({ "name": "Doug" }),
        ];
        sort(&mut records, &by(&[("name", SortOrder::Ascending)]));
        assert_eq!(names(&records), ["Alice", "Bob", "Doug"]);
        sort(&mut records, &by(&[("name", SortOrder::Descending)]));
        assert_eq!(names(&records), ["Doug", "Bob", "Alice"]);
    }

    #[test]
    fn several_keys_in_the_given_order() {
        let mut records = vec![
            json!({ "name": "David", "counter": 0 }),
            json!({ "name": "Eric", "counter": 1 }),
            json!({ "name": "Andrew", "counter": 1 }),
            json!({ "name": "David", "counter": 1 }),
            json!({ "name": "Andrew", "counter": 0 }),
            json!({ "name": "Eric", "counter": 0 }),
        ];
        sort(
            &mut records,
            &by(&[
                ("name", SortOrder::Descending),
                ("counter", SortOrder::Ascending),
            ]),
        );
        let pairs: Vec<(&str, i64)> = records
            .iter()
            .map(|r| (r["name"].as_str().unwrap(), r["counter"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("Eric", 0),
                ("Eric", 1),
                ("David", 0),
                ("David", 1),
                ("Andrew", 0),
                ("Andrew", 1)
            ]
        );
        sort(
            &mut records,
            &by(&[
                ("counter", SortOrder::Descending),
                ("name", SortOrder::Ascending),
            ]),
        );
        assert_eq!(
            names(&records),
            ["Andrew", "David", "Eric", "Andrew", "David", "Eric"]
        );
    }

    #[test]
    fn mixed_kinds() {
        let mut records = vec![
            json!({ "name": "object", "v": { "a": 1 } }),
            json!({ "name": "true", "v": true }),
            json!({ "name": "string 10", "v": "10" }),
            json!({ "name": "missing" }),
            json!({ "name": "array", "v": [1] }),
            json!({ "name": "number 9", "v": 9 }),
            json!({ "name": "null", "v": null }),
            json!({ "name": "string 9", "v": "9" }),
            json!({ "name": "number 10", "v": 10 }),
            json!({ "name": "false", "v": false }),
        ];
        sort(&mut records, &by(&[("v", SortOrder::Ascending)]));
        let expected = [
            "missing",
            "null",
            "number 9",
            "number 10",
            "string 10",
            "string 9",
            "false",
            "true",
            "array",
            "object",
        ];
        assert_eq!(names(&records), expected);
        sort(&mut records, &by(&[("v", SortOrder::Descending)]));
        let reversed: Vec<&str> = expected.iter().rev().copied().collect();
        assert_eq!(names(&records), reversed);
    }

    #[test]
    fn the_sliced_sort_orders_as_sort_does() {
        let records: Vec<Value> = (0..100)
            .map(|n| json!({ "name": format!("r{n}"), "a": (n * 37) % 11, "b": (n * 13) % 7 }))
            .collect();
        let keys = by(&[("a", SortOrder::Descending), ("b", SortOrder::Ascending)]);
        let mut expected: Vec<&Value> = records.iter().collect();
        sort(&mut expected, &keys);
        let mut refs: Vec<&Value> = records.iter().collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(sort_sliced(&mut refs, &keys, &mut Slices::new()));
        assert_eq!(refs, expected);
    }

    #[test]
    fn stable_and_by_path() {
        let mut records = vec![
            json!({ "name": "b", "a": { "x": 1 }, "l": [3] }),
            json!({ "name": "a", "a": { "x": 1 }, "l": [1] }),
            json!({ "name": "c", "a": { "x": 0 }, "l": [2] }),
            json!({ "name": "d", "a": 5, "l": [] }),
        ];
        sort(&mut records, &by(&[("a.x", SortOrder::Ascending)]));
        assert_eq!(names(&records), ["d", "c", "b", "a"]);
        sort(&mut records, &by(&[("l.0", SortOrder::Descending)]));
        assert_eq!(names(&records), ["b", "c", "a", "d"]);
        sort(&mut records, &[]);
        assert_eq!(names(&records), ["b", "c", "a", "d"]);
    }
}
