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

use serde_json::Value;

use super::compare::{loose_eq, range_cmp};
use super::condition::{Condition, Operator};
use super::like::like;

impl Condition {
    /// Whether `record` satisfies this condition.
    ///
    /// A record that is not an object has no fields: every field is missing.
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Condition::And(conditions) => {
                conditions.iter().all(|condition| condition.matches(record))
            }
            Condition::Or(conditions) => {
                conditions.iter().any(|condition| condition.matches(record))
            }
            Condition::Field { path, operators } => {
                let segments: Vec<&str> = path.split('.').collect();
                let mut values = Vec::new();
                resolve(Some(record), &segments, &mut values);
                operators.iter().all(|operator| operator.holds(&values))
            }
        }
    }
}

impl Operator {
    /// Whether the operator holds for the values a field path offers.
    fn holds(&self, values: &[Option<&Value>]) -> bool {
        let any_equal = |query: &Value| values.iter().any(|value| loose_eq(*value, query));
        let any_in = |members: &[Value]| members.iter().any(any_equal);
        let any_ordered = |query: &Value, accept: fn(Ordering) -> bool| {
            values
                .iter()
                .any(|value| range_cmp(*value, query).is_some_and(accept))
        };
        match self {
            Operator::Eq(query) => any_equal(query),
            Operator::Ne(query) => !any_equal(query),
            Operator::In(members) => any_in(members),
            Operator::Nin(members) => !any_in(members),
            Operator::Lt(query) => any_ordered(query, Ordering::is_lt),
            Operator::Lte(query) => any_ordered(query, Ordering::is_le),
            Operator::Gt(query) => any_ordered(query, Ordering::is_gt),
            Operator::Gte(query) => any_ordered(query, Ordering::is_ge),
            Operator::Like(pattern) => any_like(values, pattern, false),
            Operator::NotLike(pattern) => {
                let texts = values.iter().filter_map(|value| text(*value));
                let mut texts = texts.peekable();
                texts.peek().is_some() && texts.all(|text| !like(&text, pattern, false))
            }
            Operator::ILike(pattern) => any_like(values, pattern, true),
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

/// Collects into `out` the values `segments` lead to from `item` (`None`
/// for a missing value).
fn resolve<'a>(item: Option<&'a Value>, segments: &[&str], out: &mut Vec<Option<&'a Value>>) {
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
        Some(Value::Object(map)) => resolve(map.get(*segment), rest, out),
        Some(Value::Array(items)) => match index(segment) {
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
        let segments: Vec<&str> = path.split('.').collect();
        let mut out = Vec::new();
        resolve(Some(&record), &segments, &mut out);
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
