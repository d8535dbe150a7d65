//! In-memory sorting by `$sort`.
//!
//! Each record's sort values are looked up once ([`SortKeys::extract`],
//! decorate-sort-undecorate), not in every comparison. A `find` that
//! keeps only the first `$skip + $limit` records of many selects them
//! with a bounded heap instead of sorting every match ([`first_sliced`]).

use std::borrow::Borrow;
use std::cmp::Ordering;

use serde_json::Value;

use super::compare::compare;
use super::filter::SortOrder;
use super::matcher::{Segment, field};
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
    let sort = SortKeys::new(sort);
    let mut keys = Vec::with_capacity(records.len() * sort.width());
    for record in records.iter() {
        sort.extract(record.borrow(), &mut keys);
    }
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|a, b| sort.order_at(&keys, *a, *b));
    drop(keys);
    permute(records, order);
}

/// Moves `records[order[i]]` to `i`, following each cycle of the
/// permutation once.
fn permute<T>(records: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            records.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// A query's `$sort` keys, ready to order records.
#[derive(Debug)]
pub(crate) struct SortKeys<'q> {
    keys: Vec<(Vec<Segment<'q>>, SortOrder)>,
}

impl<'q> SortKeys<'q> {
    /// The keys of `sort`, their dot paths split.
    pub(crate) fn new(sort: &'q [(String, SortOrder)]) -> SortKeys<'q> {
        SortKeys {
            keys: sort
                .iter()
                .map(|(path, order)| (Segment::split(path), *order))
                .collect(),
        }
    }

    /// How many values each record has in `keys`: one per key.
    pub(crate) fn width(&self) -> usize {
        self.keys.len()
    }

    /// Appends `record`'s value under each key (`None` when missing) to
    /// `keys`.
    pub(crate) fn extract<'r>(&self, record: &'r Value, keys: &mut Vec<Option<&'r Value>>) {
        keys.extend(self.keys.iter().map(|(path, _)| get(record, path)));
    }

    /// How two records order by their extracted values, the first key most
    /// significant.
    fn order(&self, a: &[Option<&Value>], b: &[Option<&Value>]) -> Ordering {
        for ((_, order), (a, b)) in self.keys.iter().zip(a.iter().zip(b)) {
            let ordering = compare(*a, *b);
            if ordering.is_ne() {
                return match order {
                    SortOrder::Ascending => ordering,
                    SortOrder::Descending => ordering.reverse(),
                };
            }
        }
        Ordering::Equal
    }

    /// How records `a` and `b` order, their values at `a * width` and
    /// `b * width` in `keys`.
    fn order_at(&self, keys: &[Option<&Value>], a: usize, b: usize) -> Ordering {
        let width = self.width();
        self.order(
            &keys[a * width..(a + 1) * width],
            &keys[b * width..(b + 1) * width],
        )
    }

    /// As [`order_at`](SortKeys::order_at), ties broken by position: a
    /// strict order that keeps equal records in their order.
    fn stable_at(&self, keys: &[Option<&Value>], a: usize, b: usize) -> Ordering {
        self.order_at(keys, a, b).then(a.cmp(&b))
    }
}

/// The first `wanted` of `records` in `$sort` order (all of them when
/// `wanted` is not below their number), `keys` holding each record's
/// values ([`SortKeys::extract`]), in time slices (see `slices`).
///
/// A `wanted` well below the number of records (a page of a large match)
/// is selected with a bounded heap: each record is compared with the
/// largest of the best so far, `O(n log wanted)`, and only those are
/// sorted. Otherwise every record is sorted, with a merge sort that can
/// be left midway (the standard library's can not). Either way the order
/// is stable: equal records keep their order in `records`.
pub(crate) async fn first_sliced<'r>(
    records: Vec<&'r Value>,
    keys: &[Option<&'r Value>],
    sort: &SortKeys<'_>,
    wanted: usize,
    slices: &mut Slices,
) -> Vec<&'r Value> {
    let count = records.len();
    if sort.width() == 0 || count < 2 {
        return records;
    }
    let order = if wanted.saturating_mul(HEAP_BELOW) < count {
        select_sliced(keys, sort, count, wanted, slices).await
    } else {
        sort_sliced(keys, sort, count, slices).await
    };
    order.into_iter().map(|index| records[index]).collect()
}

/// The weight of one comparison in a time slice (see `slices`): two
/// records' values may be large (objects compared whole), so a clock read
/// every few comparisons.
const COMPARISON: u32 = 4;

/// The heap selects when the records wanted are fewer than one in
/// `HEAP_BELOW` of them: above that, a heap's `log wanted` comparisons
/// per record and its scattered accesses cost about what sorting all of
/// them does.
const HEAP_BELOW: usize = 4;

/// The positions of the first `wanted` records in order, by a bounded
/// max-heap of the best so far (`wanted` is below `count`).
async fn select_sliced(
    keys: &[Option<&Value>],
    sort: &SortKeys<'_>,
    count: usize,
    wanted: usize,
    slices: &mut Slices,
) -> Vec<usize> {
    let above = |a: usize, b: usize| sort.stable_at(keys, a, b).is_gt();
    let mut heap: Vec<usize> = Vec::with_capacity(wanted);
    if wanted == 0 {
        return heap;
    }
    for index in 0..count {
        let compared = if heap.len() < wanted {
            heap.push(index);
            sift_up(&mut heap, above)
        } else if above(heap[0], index) {
            // `index` comes after every record in the heap: it replaces
            // the largest only when strictly before it, so a tie keeps
            // the earlier record.
            heap[0] = index;
            1 + sift_down(&mut heap, above)
        } else {
            1
        };
        // A slice weighs the comparisons made, up to `2 log wanted` a
        // record.
        slices.tick(COMPARISON * compared).await;
    }
    // Taking the largest out, one by one, from the end.
    let mut sorted = vec![0; heap.len()];
    for slot in (0..sorted.len()).rev() {
        sorted[slot] = heap.swap_remove(0);
        let compared = sift_down(&mut heap, above);
        slices.tick(COMPARISON * compared.max(1)).await;
    }
    sorted
}

/// Restores the max-heap property after a push; returns the number of
/// comparisons made.
fn sift_up(heap: &mut [usize], above: impl Fn(usize, usize) -> bool) -> u32 {
    let mut compared = 0;
    let mut at = heap.len() - 1;
    while at > 0 {
        let parent = (at - 1) / 2;
        compared += 1;
        if !above(heap[at], heap[parent]) {
            break;
        }
        heap.swap(at, parent);
        at = parent;
    }
    compared
}

/// Restores the max-heap property after the root changed; returns the
/// number of comparisons made.
fn sift_down(heap: &mut [usize], above: impl Fn(usize, usize) -> bool) -> u32 {
    let mut compared = 0;
    let mut at = 0;
    loop {
        let (left, right) = (2 * at + 1, 2 * at + 2);
        let mut largest = at;
        if left < heap.len() {
            compared += 1;
            if above(heap[left], heap[largest]) {
                largest = left;
            }
        }
        if right < heap.len() {
            compared += 1;
            if above(heap[right], heap[largest]) {
                largest = right;
            }
        }
        if largest == at {
            return compared;
        }
        heap.swap(at, largest);
        at = largest;
    }
}

/// The positions of all `count` records in order: a stable bottom-up
/// merge sort of our own, in time slices.
async fn sort_sliced(
    keys: &[Option<&Value>],
    sort: &SortKeys<'_>,
    count: usize,
    slices: &mut Slices,
) -> Vec<usize> {
    let after = |a: usize, b: usize| sort.order_at(keys, a, b).is_gt();
    let mut from: Vec<usize> = (0..count).collect();
    // Records already in order (all equal, or sorted by id and asked by
    // id) cost one comparison each, as in the standard sort; out of
    // order, this stops at the first pair that is.
    let mut sorted = true;
    for index in 1..count {
        slices.tick(1).await;
        if after(index - 1, index) {
            sorted = false;
            break;
        }
    }
    if sorted {
        return from;
    }
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
                slices.tick(COMPARISON).await;
                // Ties take the left (earlier) record: stable.
                if after(from[left], from[right]) {
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
    from
}

/// The value at a dot path, if there is one.
fn get<'a>(record: &'a Value, path: &[Segment]) -> Option<&'a Value> {
    path.iter().try_fold(record, |value, segment| match value {
        Value::Object(map) => field(map, segment.name),
        Value::Array(items) => items.get(segment.index?),
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

    /// The first `wanted` of `records` by `keys`, as a `find` sorts them.
    fn sliced<'r>(
        records: &'r [Value],
        keys: &[(String, SortOrder)],
        wanted: usize,
    ) -> Vec<&'r Value> {
        let sort = SortKeys::new(keys);
        let mut values = Vec::new();
        for record in records {
            sort.extract(record, &mut values);
        }
        let refs: Vec<&Value> = records.iter().collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(first_sliced(
            refs,
            &values,
            &sort,
            wanted,
            &mut Slices::new(),
        ))
    }

    #[test]
    fn a_partial_sort_keeps_the_order_of_a_full_one() {
        // Many ties (a: 0..5, b: 0..3), so stability shows; `wanted`
        // both under and over the heap's threshold.
        let records: Vec<Value> = (0..300)
            .map(|n| json!({ "name": format!("r{n}"), "a": (n * 37) % 5, "b": (n * 13) % 3 }))
            .collect();
        for keys in [
            by(&[("a", SortOrder::Descending)]),
            by(&[("a", SortOrder::Ascending), ("b", SortOrder::Descending)]),
            by(&[("missing", SortOrder::Ascending)]),
        ] {
            let mut full: Vec<&Value> = records.iter().collect();
            sort(&mut full, &keys);
            for wanted in [1, 2, 7, 10, 74, 75, 76, 150, 299, 300, 1000] {
                let first = sliced(&records, &keys, wanted);
                let expected = &full[..wanted.min(full.len())];
                assert!(first.len() >= expected.len(), "{keys:?} {wanted}");
                assert_eq!(&first[..expected.len()], expected, "{keys:?} {wanted}");
            }
            assert!(sliced(&records, &keys, 0).is_empty());
        }
    }

    #[test]
    fn a_partial_sort_of_equal_records_keeps_their_order() {
        let records: Vec<Value> = (0..100).map(|n| json!({ "n": n, "v": 1 })).collect();
        let keys = by(&[("v", SortOrder::Descending)]);
        let first = sliced(&records, &keys, 10);
        assert_eq!(first, records.iter().take(10).collect::<Vec<_>>());
    }

    #[test]
    fn sort_moves_every_record_to_its_place() {
        // Long permutation cycles: `permute` follows each once.
        let records: Vec<Value> = (0..50).map(|n| json!({ "n": (n * 17) % 50 })).collect();
        let mut sorted = records.clone();
        sort(&mut sorted, &by(&[("n", SortOrder::Ascending)]));
        let ns: Vec<i64> = sorted.iter().map(|r| r["n"].as_i64().unwrap()).collect();
        assert_eq!(ns, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn the_sliced_sort_orders_as_sort_does() {
        let records: Vec<Value> = (0..100)
            .map(|n| json!({ "name": format!("r{n}"), "a": (n * 37) % 11, "b": (n * 13) % 7 }))
            .collect();
        let keys = by(&[("a", SortOrder::Descending), ("b", SortOrder::Ascending)]);
        let mut expected: Vec<&Value> = records.iter().collect();
        sort(&mut expected, &keys);
        assert_eq!(sliced(&records, &keys, usize::MAX), expected);
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
