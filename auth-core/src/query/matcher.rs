//! Whether a record satisfies a condition tree.
//!
//! A field's path is resolved as Feathers' memory adapter (through `sift`)
//! does: a dot path descends into objects; a numeric segment indexes an
//! array; any other segment applied to an array is applied to each of its
//! elements; and an array found at the end of the path offers each of its
//! elements (recursively) and then itself. Each operator then looks at all
//! the values offered: equality, `$in` and the range operators need one of
//! them to pass, `$ne` and `$nin` need none of them to be equal. A missing
//! field offers a single missing value, which equals `null`.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::compare::Operand;
use super::condition::{Condition, Operator};
use super::like::like;

impl Condition {
    /// Whether `record` satisfies this condition.
    ///
    /// A record that is not an object has no fields: every field is missing.
    /// To test many records, [compile](Matcher::new) the condition once.
    pub fn matches(&self, record: &Value) -> bool {
        Matcher::new(self).matches(record)
    }
}

/// A condition tree made ready to test many records: paths split and
/// their array indexes read, query strings' numbers and booleans parsed,
/// once for all records instead of once per record.
#[derive(Debug)]
pub(crate) enum Matcher<'q> {
    /// Every one holds.
    And(Vec<Matcher<'q>>),
    /// One holds.
    Or(Vec<Matcher<'q>>),
    /// The values at `path` pass every test.
    Field {
        /// The dot path, split.
        path: Vec<Segment<'q>>,
        /// The operators.
        tests: Vec<Test<'q>>,
    },
}

/// One segment of a dot path, and the array index it names, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment<'q> {
    pub(crate) name: &'q str,
    pub(crate) index: Option<usize>,
}

impl<'q> Segment<'q> {
    /// The segments of a dot path.
    pub(crate) fn split(path: &'q str) -> Vec<Segment<'q>> {
        path.split('.')
            .map(|name| Segment {
                name,
                index: index(name),
            })
            .collect()
    }
}

/// An [`Operator`] with its operands prepared.
#[derive(Debug)]
pub(crate) enum Test<'q> {
    Eq(Operand<'q>),
    Ne(Operand<'q>),
    In(Vec<Operand<'q>>),
    Nin(Vec<Operand<'q>>),
    Range(Operand<'q>, fn(Ordering) -> bool),
    Like(&'q str, bool),
    NotLike(&'q str),
}

impl<'q> Matcher<'q> {
    /// Compiles `condition`.
    pub(crate) fn new(condition: &'q Condition) -> Matcher<'q> {
        match condition {
            Condition::And(conditions) => {
                Matcher::And(conditions.iter().map(Matcher::new).collect())
            }
            Condition::Or(conditions) => Matcher::Or(conditions.iter().map(Matcher::new).collect()),
            Condition::Field { path, operators } => Matcher::Field {
                path: Segment::split(path),
                tests: operators.iter().map(Test::new).collect(),
            },
        }
    }

    /// Whether `record` satisfies the condition.
    pub(crate) fn matches(&self, record: &Value) -> bool {
        match self {
            Matcher::And(matchers) => matchers.iter().all(|matcher| matcher.matches(record)),
            Matcher::Or(matchers) => matchers.iter().any(|matcher| matcher.matches(record)),
            Matcher::Field { path, tests } => with_values(record, path, |values| {
                tests.iter().all(|test| test.holds(values))
            }),
        }
    }
}

impl<'q> Test<'q> {
    fn new(operator: &'q Operator) -> Test<'q> {
        let members = |values: &'q [Value]| values.iter().map(Operand::new).collect();
        match operator {
            Operator::Eq(query) => Test::Eq(Operand::new(query)),
            Operator::Ne(query) => Test::Ne(Operand::new(query)),
            Operator::In(values) => Test::In(members(values)),
            Operator::Nin(values) => Test::Nin(members(values)),
            Operator::Lt(query) => Test::Range(Operand::new(query), Ordering::is_lt),
            Operator::Lte(query) => Test::Range(Operand::new(query), Ordering::is_le),
            Operator::Gt(query) => Test::Range(Operand::new(query), Ordering::is_gt),
            Operator::Gte(query) => Test::Range(Operand::new(query), Ordering::is_ge),
            Operator::Like(pattern) => Test::Like(pattern, false),
            Operator::ILike(pattern) => Test::Like(pattern, true),
            Operator::NotLike(pattern) => Test::NotLike(pattern),
        }
    }

    /// Whether the test holds for the values a field path offers.
    fn holds(&self, values: &[Option<&Value>]) -> bool {
        let any_equal = |query: &Operand| values.iter().any(|value| query.equals(*value));
        match self {
            Test::Eq(query) => any_equal(query),
            Test::Ne(query) => !any_equal(query),
            Test::In(members) => members.iter().any(any_equal),
            Test::Nin(members) => !members.iter().any(any_equal),
            Test::Range(query, accept) => values
                .iter()
                .any(|value| query.order(*value).is_some_and(accept)),
            Test::Like(pattern, fold_case) => any_like(values, pattern, *fold_case),
            Test::NotLike(pattern) => {
                let texts = values.iter().filter_map(|value| text(*value));
                let mut texts = texts.peekable();
                texts.peek().is_some() && texts.all(|text| !like(&text, pattern, false))
            }
        }
    }
}

/// A value as the text a `LIKE` pattern reads: a string, or a number's
/// decimal form (as SQL compares it); nothing for other values.
fn text(value: Option<&Value>) -> Option<std::borrow::Cow<'_, str>> {
    match value? {
        Value::String(text) => Some(text.as_str().into()),
        Value::Number(number) => Some(number.to_string().into()),
        _ => None,
    }
}

fn any_like(values: &[Option<&Value>], pattern: &str, fold_case: bool) -> bool {
    values
        .iter()
        .filter_map(|value| text(*value))
        .any(|text| like(&text, pattern, fold_case))
}

/// Calls `test` with the values `path` leads to from `record`. A path
/// through objects to a value that is not an array (the usual case) leads
/// to one value, passed without collecting anything; a path meeting an
/// array is resolved in full.
fn with_values<R>(
    record: &Value,
    path: &[Segment],
    test: impl FnOnce(&[Option<&Value>]) -> R,
) -> R {
    let mut value = Some(record);
    for segment in path {
        match value {
            Some(Value::Object(map)) => value = field(map, segment.name),
            Some(Value::Array(_)) => return resolved(record, path, test),
            _ => {
                value = None;
                break;
            }
        }
    }
    if let Some(Value::Array(_)) = value {
        return resolved(record, path, test);
    }
    test(&[value])
}

/// Calls `test` with every value `path` leads to from `record`.
#[cold]
fn resolved<R>(record: &Value, path: &[Segment], test: impl FnOnce(&[Option<&Value>]) -> R) -> R {
    let mut values = Vec::new();
    resolve(Some(record), path, &mut values);
    test(&values)
}

/// Collects into `out` the values `segments` lead to from `item` (`None`
/// for a missing value).
fn resolve<'a>(item: Option<&'a Value>, segments: &[Segment], out: &mut Vec<Option<&'a Value>>) {
    let Some((segment, rest)) = segments.split_first() else {
        if let Some(Value::Array(items)) = item {
            for element in items {
                resolve(Some(element), segments, out);
            }
        }
        out.push(item);
        return;
    };
    match item {
        Some(Value::Object(map)) => resolve(field(map, segment.name), rest, out),
        Some(Value::Array(items)) => match segment.index {
            Some(index) => resolve(items.get(index), rest, out),
            None => {
                for element in items {
                    resolve(Some(element), segments, out);
                }
            }
        },
        _ => out.push(None),
    }
}

/// Objects of at most this many fields are scanned for a field.
const SCAN_UP_TO: usize = 12;

/// The value of field `name` in `map`. A small object (a record of a few
/// fields, the usual case) is scanned, comparing names (mostly their
/// lengths): cheaper than hashing `name`, which a larger map's lookup does
/// (with `preserve_order`, serde_json's maps hash with SipHash).
#[inline]
pub(crate) fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_UP_TO {
        // Lengths and first bytes tell most names apart without a call
        // to `memcmp`.
        let (length, first) = (name.len(), name.as_bytes().first());
        map.iter()
            .find(|(key, _)| {
                key.len() == length && key.as_bytes().first() == first && key.as_str() == name
            })
            .map(|(_, value)| value)
    } else {
        map.get(name)
    }
}

/// The array index a path segment names, if it is one.
pub(crate) fn index(segment: &str) -> Option<usize> {
    let digits = !segment.is_empty() && segment.bytes().all(|byte| byte.is_ascii_digit());
    digits.then(|| segment.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(path: &str, operators: Vec<Operator>) -> Condition {
        Condition::Field {
            path: path.to_owned(),
            operators,
        }
    }

    fn eq(path: &str, value: Value) -> Condition {
        field(path, vec![Operator::Eq(value)])
    }

    fn values(record: Value, path: &str) -> Vec<Option<Value>> {
        let mut out = Vec::new();
        resolve(Some(&record), &Segment::split(path), &mut out);
        out.into_iter().map(|value| value.cloned()).collect()
    }

    #[test]
    fn resolves_paths() {
        let record = json!({ "a": { "b": [1, [2]] }, "l": [{ "n": 1 }, { "m": 2 }, 3], "s": 1 });
        assert_eq!(values(record.clone(), "s"), vec![Some(json!(1))]);
        assert_eq!(values(record.clone(), "x"), vec![None]);
        assert_eq!(values(record.clone(), "s.t"), vec![None]);
        assert_eq!(
            values(record.clone(), "a.b"),
            vec![
                Some(json!(1)),
                Some(json!(2)),
                Some(json!([2])),
                Some(json!([1, [2]]))
            ]
        );
        assert_eq!(
            values(record.clone(), "a.b.1"),
            vec![Some(json!(2)), Some(json!([2]))]
        );
        assert_eq!(values(record.clone(), "a.b.5"), vec![None]);
        assert_eq!(
            values(record.clone(), "l.n"),
            vec![Some(json!(1)), None, None]
        );
        assert_eq!(values(json!({ "e": [] }), "e"), vec![Some(json!([]))]);
    }

    #[test]
    fn equality_and_dot_paths() {
        let record = json!({ "name": "Alice", "address": { "city": "Paris", "zip": 75001 } });
        assert!(eq("name", json!("Alice")).matches(&record));
        assert!(!eq("name", json!("alice")).matches(&record));
        assert!(eq("address.city", json!("Paris")).matches(&record));
        assert!(eq("address.zip", json!("75001")).matches(&record));
        assert!(eq("address", json!({ "zip": 75001, "city": "Paris" })).matches(&record));
        assert!(!eq("address", json!({ "city": "Paris" })).matches(&record));
        assert!(!eq("address.city.x", json!("Paris")).matches(&record));
    }

    #[test]
    fn arrays_match_by_element_or_whole() {
        let record =
            json!({ "tags": ["a", "b"], "ids": [1, 2], "items": [{ "n": 1 }, { "n": 2 }] });
        assert!(eq("tags", json!("b")).matches(&record));
        assert!(eq("tags", json!(["a", "b"])).matches(&record));
        assert!(!eq("tags", json!(["b", "a"])).matches(&record));
        assert!(eq("ids", json!("2")).matches(&record));
        assert!(eq("items.n", json!(2)).matches(&record));
        assert!(eq("items.1.n", json!(2)).matches(&record));
        assert!(!eq("items.0.n", json!(2)).matches(&record));
        assert!(field("tags", vec![Operator::Ne(json!("c"))]).matches(&record));
        assert!(!field("tags", vec![Operator::Ne(json!("a"))]).matches(&record));
        assert!(
            field("ids", vec![Operator::Gt(json!(1)), Operator::Lt(json!(2))]).matches(&record)
        );
        assert!(!field("ids", vec![Operator::Nin(vec![json!(2)])]).matches(&record));
    }

    #[test]
    fn missing_fields() {
        let record = json!({ "name": "Alice", "nothing": null });
        assert!(eq("age", json!(null)).matches(&record));
        assert!(eq("nothing", json!(null)).matches(&record));
        assert!(eq("nothing", json!("null")).matches(&record));
        assert!(!eq("age", json!(1)).matches(&record));
        assert!(field("age", vec![Operator::Ne(json!(25))]).matches(&record));
        assert!(!field("age", vec![Operator::Ne(json!(null))]).matches(&record));
        assert!(!field("age", vec![Operator::In(vec![json!(25)])]).matches(&record));
        assert!(field("age", vec![Operator::In(vec![json!(25), json!(null)])]).matches(&record));
        assert!(field("age", vec![Operator::Nin(vec![json!(25)])]).matches(&record));
        assert!(!field("age", vec![Operator::Nin(vec![json!(null)])]).matches(&record));
        assert!(!field("age", vec![Operator::Lt(json!(100))]).matches(&record));
        assert!(!field("age", vec![Operator::Gte(json!(0))]).matches(&record));
        assert!(field("age", vec![Operator::Lte(json!(null))]).matches(&record));
        assert!(!field("age", vec![Operator::Lt(json!(null))]).matches(&record));
    }

    #[test]
    fn every_operator() {
        let record = json!({ "age": 10, "name": "Bob", "admin": true });
        let holds = |operator: Operator| field("age", vec![operator]).matches(&record);
        assert!(holds(Operator::Eq(json!(10))));
        assert!(holds(Operator::Ne(json!(11))));
        assert!(!holds(Operator::Ne(json!("10"))));
        assert!(holds(Operator::In(vec![json!(1), json!("10")])));
        assert!(!holds(Operator::In(vec![])));
        assert!(holds(Operator::Nin(vec![json!(1), json!("11")])));
        assert!(holds(Operator::Nin(vec![])));
        assert!(holds(Operator::Lt(json!(11))) && !holds(Operator::Lt(json!(10))));
        assert!(holds(Operator::Lte(json!(10))) && !holds(Operator::Lte(json!(9))));
        assert!(holds(Operator::Gt(json!("9"))) && !holds(Operator::Gt(json!("10"))));
        assert!(holds(Operator::Gte(json!("10"))) && !holds(Operator::Gte(json!("10.5"))));
        assert!(!holds(Operator::Gt(json!("nine"))) && !holds(Operator::Lt(json!("nine"))));
        assert!(field("name", vec![Operator::Gt(json!("Alice"))]).matches(&record));
        assert!(!field("name", vec![Operator::Gt(json!(1))]).matches(&record));
        assert!(field("admin", vec![Operator::Eq(json!("true"))]).matches(&record));
        assert!(field("admin", vec![Operator::Ne(json!("false"))]).matches(&record));
        assert!(field("admin", vec![Operator::Gt(json!(false))]).matches(&record));
    }

    #[test]
    fn groups() {
        let record = json!({ "a": 1, "b": 2 });
        let yes = eq("a", json!(1));
        let no = eq("b", json!(1));
        assert!(Condition::default().matches(&record));
        assert!(Condition::And(vec![yes.clone(), eq("b", json!("2"))]).matches(&record));
        assert!(!Condition::And(vec![yes.clone(), no.clone()]).matches(&record));
        assert!(Condition::Or(vec![no.clone(), yes.clone()]).matches(&record));
        assert!(!Condition::Or(vec![no.clone()]).matches(&record));
        let nested = Condition::And(vec![Condition::Or(vec![
            no.clone(),
            Condition::And(vec![
                yes.clone(),
                Condition::Or(vec![no.clone(), yes.clone()]),
            ]),
        ])]);
        assert!(nested.matches(&record));
    }

    #[test]
    fn non_objects_have_no_fields() {
        assert!(eq("a", json!(null)).matches(&json!(3)));
        assert!(!eq("a", json!(3)).matches(&json!(3)));
    }
}
