//! Equality and ordering of JSON values.
//!
//! Three relations live here:
//!
//! * [`loose_eq`]: does a record's value equal a query value? Deep, with
//!   numbers compared by value (`1 == 1.0`) and with the string coercion of
//!   query values described in the [module docs](super).
//! * [`range_cmp`]: how a record's value orders against a query value for
//!   `$lt`, `$lte`, `$gt` and `$gte`; `None` when the two cannot be compared.
//! * [`compare`]: the total order `$sort` uses, Feathers' comparator.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

/// A JSON number, exact for integers and `f64` otherwise.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    fn of(number: &Number) -> Num {
        if let Some(int) = number.as_i64() {
            Num::Int(i128::from(int))
        } else if let Some(int) = number.as_u64() {
            Num::Int(i128::from(int))
        } else {
            Num::Float(number.as_f64().unwrap_or(f64::NAN))
        }
    }

    /// A query string that reads as a finite number (`"10"`, `"-2.5"`, `"1e3"`).
    fn parse(text: &str) -> Option<Num> {
        if let Ok(int) = text.parse::<i128>() {
            return Some(Num::Int(int));
        }
        text.parse::<f64>()
            .ok()
            .filter(|float| float.is_finite())
            .map(Num::Float)
    }

    /// By value, exactly: an integer is not rounded to a float first, so
    /// that the order stays transitive beyond 2^53 (`None` only for NaN).
    fn cmp(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
            (Num::Int(a), Num::Float(b)) => int_float_cmp(a, b),
            (Num::Float(a), Num::Int(b)) => int_float_cmp(b, a).map(Ordering::reverse),
        }
    }
}

/// An integer against a float, by their exact values.
fn int_float_cmp(int: i128, float: f64) -> Option<Ordering> {
    // 2^127: every i128 is below it and at or above its negation.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if float.is_nan() {
        None
    } else if float >= LIMIT {
        Some(Ordering::Less)
    } else if float < -LIMIT {
        Some(Ordering::Greater)
    } else {
        // In range, a float's integer part converts to i128 exactly.
        let whole = float.trunc();
        Some(
            int.cmp(&(whole as i128))
                .then_with(|| 0.0.partial_cmp(&(float - whole)).unwrap_or(Ordering::Equal)),
        )
    }
}

fn num_cmp(a: &Number, b: &Number) -> Ordering {
    Num::of(a).cmp(Num::of(b)).unwrap_or(Ordering::Equal)
}

/// Orders two strings as JavaScript's `<` does: by UTF-16 code units.
///
/// Without transcoding: UTF-8 bytes order as code points do, and code
/// points as UTF-16 units do, but for one pair of ranges. At the first
/// byte where the strings differ (the same position in both: what comes
/// before is the same), a character of U+E000..=U+FFFF (lead byte `EE` or
/// `EF`) is one UTF-16 unit above the surrogates a character beyond
/// U+FFFF (lead byte `F0`..=`F4`) starts with, though below it as a code
/// point. Every other pair orders alike both ways.
fn str_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let Some(at) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return a.len().cmp(&b.len());
    };
    let high_bmp = |byte: u8| matches!(byte, 0xEE | 0xEF);
    let beyond_bmp = |byte: u8| byte >= 0xF0;
    match (a[at], b[at]) {
        (x, y) if high_bmp(x) && beyond_bmp(y) => Ordering::Greater,
        (x, y) if beyond_bmp(x) && high_bmp(y) => Ordering::Less,
        (x, y) => x.cmp(&y),
    }
}

/// The boolean a query string spells, if it spells one.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Whether a record's value (`None` when the field is missing) equals a
/// query value.
///
/// Missing and `null` are equal to `null` (and to the string `"null"`).
/// A string in the query equals a record number it parses to, a record
/// boolean it spells, and a record `null` when it is `"null"`. Arrays and
/// objects compare deeply, member by member, with the same rules.
pub(crate) fn loose_eq(record: Option<&Value>, query: &Value) -> bool {
    let record = match record {
        None | Some(Value::Null) => return matches!(query, Value::Null) || query == "null",
        Some(record) => record,
    };
    match (record, query) {
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => num_cmp(a, b).is_eq(),
        (Value::Number(a), Value::String(b)) => {
            Num::parse(b).and_then(|b| Num::of(a).cmp(b)) == Some(Ordering::Equal)
        }
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Bool(a), Value::String(b)) => parse_bool(b) == Some(*a),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| loose_eq(Some(a), b))
        }
        (Value::Object(a), Value::Object(b)) => objects_eq(a, b),
        _ => false,
    }
}

fn objects_eq(record: &Map<String, Value>, query: &Map<String, Value>) -> bool {
    record.len() == query.len()
        && query
            .iter()
            .all(|(key, value)| record.contains_key(key) && loose_eq(record.get(key), value))
}

/// How a record's value orders against a query value for the range
/// operators, or `None` when they are of different kinds.
///
/// Numbers order by value, strings by UTF-16 code units, `false < true`;
/// `null` (or missing) equals `null`, so `$lte: null` matches it but
/// `$lt: null` does not. Query strings are coerced as in [`loose_eq`].
/// Arrays and objects never compare.
/// Used by the matcher through [`Operand::order`]; kept as its reference.
#[cfg(test)]
pub(crate) fn range_cmp(record: Option<&Value>, query: &Value) -> Option<Ordering> {
    match (record.unwrap_or(&Value::Null), query) {
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, Value::String(b)) if b == "null" => Some(Ordering::Equal),
        (Value::Number(a), Value::Number(b)) => Num::of(a).cmp(Num::of(b)),
        (Value::Number(a), Value::String(b)) => Num::of(a).cmp(Num::parse(b)?),
        (Value::String(a), Value::String(b)) => Some(str_cmp(a, b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::String(b)) => Some(a.cmp(&parse_bool(b)?)),
        _ => None,
    }
}

/// A query value made ready to be compared against many records: the
/// number and boolean a query string reads as are parsed once, not once
/// per record. [`Operand::equals`] is [`loose_eq`] and [`Operand::order`]
/// is [`range_cmp`], to the letter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operand<'q> {
    value: &'q Value,
    /// The number a number, or a string that reads as one, stands for.
    number: Option<Num>,
    /// The boolean a boolean, or a string spelling one, stands for.
    boolean: Option<bool>,
    /// `null`, or the string `"null"`.
    null: bool,
}

impl<'q> Operand<'q> {
    /// Prepares `value` for comparisons.
    pub(crate) fn new(value: &'q Value) -> Operand<'q> {
        let (number, boolean, null) = match value {
            Value::Null => (None, None, true),
            Value::Number(number) => (Some(Num::of(number)), None, false),
            Value::String(text) => (Num::parse(text), parse_bool(text), text == "null"),
            Value::Bool(boolean) => (None, Some(*boolean), false),
            _ => (None, None, false),
        };
        Operand {
            value,
            number,
            boolean,
            null,
        }
    }

    /// [`loose_eq`]`(record, value)`.
    pub(crate) fn equals(&self, record: Option<&Value>) -> bool {
        match (record, self.value) {
            (None | Some(Value::Null), _) => self.null,
            (Some(Value::String(a)), Value::String(b)) => a == b,
            (Some(Value::Number(a)), Value::Number(_) | Value::String(_)) => self
                .number
                .is_some_and(|b| Num::of(a).cmp(b) == Some(Ordering::Equal)),
            (Some(Value::Bool(a)), Value::Bool(_) | Value::String(_)) => self.boolean == Some(*a),
            (Some(record @ (Value::Array(_) | Value::Object(_))), query) => {
                loose_eq(Some(record), query)
            }
            _ => false,
        }
    }

    /// [`range_cmp`]`(record, value)`.
    pub(crate) fn order(&self, record: Option<&Value>) -> Option<Ordering> {
        // Two integers of 64 bits (most numbers a query names), directly.
        if let (Some(Value::Number(a)), Some(Num::Int(b))) = (record, self.number) {
            if let Some(a) = a.as_i64() {
                return Some(i128::from(a).cmp(&b));
            }
        }
        match (record.unwrap_or(&Value::Null), self.value) {
            (Value::Null, Value::Null | Value::String(_)) => self.null.then_some(Ordering::Equal),
            (Value::Number(a), Value::Number(_) | Value::String(_)) => Num::of(a).cmp(self.number?),
            (Value::String(a), Value::String(b)) => Some(str_cmp(a, b)),
            (Value::Bool(a), Value::Bool(_) | Value::String(_)) => Some(a.cmp(&self.boolean?)),
            _ => None,
        }
    }
}

/// The rank of a value's kind in Feathers' sort order.
fn rank(value: Option<&Value>) -> u8 {
    match value {
        None => 0,
        Some(Value::Null) => 1,
        Some(Value::Number(_)) => 2,
        Some(Value::String(_)) => 3,
        Some(Value::Bool(_)) => 4,
        Some(Value::Array(_)) => 5,
        Some(Value::Object(_)) => 6,
    }
}

/// Feathers' sort comparator (`@feathersjs/adapter-commons` `compare`).
///
/// Kinds order as missing < `null` < numbers < strings < booleans < arrays
/// < objects, with no coercion between them (`"2"` sorts after `10`).
/// Within a kind: numbers by value, strings by UTF-16 code units, `false`
/// before `true`, arrays element by element and then by length, objects by
/// the values under their keys taken in sorted key order and then by their
/// number of keys.
///
/// ```
/// use auth_core::query::compare;
/// use serde_json::json;
/// use std::cmp::Ordering;
///
/// assert_eq!(compare(None, Some(&json!(null))), Ordering::Less);
/// assert_eq!(compare(Some(&json!(10)), Some(&json!("2"))), Ordering::Less);
/// assert_eq!(compare(Some(&json!([1, 2])), Some(&json!([1]))), Ordering::Greater);
/// ```
pub fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(a)), Some(Value::Number(b))) => num_cmp(a, b),
        (Some(Value::String(a)), Some(Value::String(b))) => str_cmp(a, b),
        (Some(Value::Bool(a)), Some(Value::Bool(b))) => a.cmp(b),
        (Some(Value::Array(a)), Some(Value::Array(b))) => a
            .iter()
            .zip(b)
            .map(|(a, b)| compare(Some(a), Some(b)))
            .find(|ordering| ordering.is_ne())
            .unwrap_or_else(|| a.len().cmp(&b.len())),
        (Some(Value::Object(a)), Some(Value::Object(b))) => compare_objects(a, b),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn sorted_values(object: &Map<String, Value>) -> Vec<&Value> {
    let mut entries: Vec<(&String, &Value)> = object.iter().collect();
    entries.sort_by(|(a, _), (b, _)| str_cmp(a, b));
    entries.into_iter().map(|(_, value)| value).collect()
}

fn compare_objects(a: &Map<String, Value>, b: &Map<String, Value>) -> Ordering {
    sorted_values(a)
        .into_iter()
        .zip(sorted_values(b))
        .map(|(a, b)| compare(Some(a), Some(b)))
        .find(|ordering| ordering.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_coerces_query_strings() {
        assert!(loose_eq(Some(&json!(0)), &json!("0")));
        assert!(loose_eq(Some(&json!(10)), &json!("10.0")));
        assert!(loose_eq(Some(&json!(1.5)), &json!("1.5")));
        assert!(!loose_eq(Some(&json!(10)), &json!("ten")));
        assert!(!loose_eq(Some(&json!(10)), &json!("")));
        assert!(loose_eq(Some(&json!(true)), &json!("true")));
        assert!(loose_eq(Some(&json!(false)), &json!("false")));
        assert!(!loose_eq(Some(&json!(true)), &json!("1")));
        assert!(loose_eq(Some(&json!(null)), &json!("null")));
        assert!(loose_eq(None, &json!("null")));
    }

    #[test]
    fn equality_is_not_coerced_the_other_way() {
        assert!(!loose_eq(Some(&json!("10")), &json!(10)));
        assert!(!loose_eq(Some(&json!("true")), &json!(true)));
        assert!(!loose_eq(Some(&json!("null")), &json!(null)));
    }

    #[test]
    fn equality_of_numbers_is_by_value() {
        assert!(loose_eq(Some(&json!(1)), &json!(1.0)));
        assert!(loose_eq(Some(&json!(u64::MAX)), &json!(u64::MAX)));
        assert!(!loose_eq(Some(&json!(-1)), &json!(u64::MAX)));
    }

    #[test]
    fn null_equals_missing() {
        assert!(loose_eq(None, &json!(null)));
        assert!(loose_eq(Some(&json!(null)), &json!(null)));
        assert!(!loose_eq(None, &json!(0)));
        assert!(!loose_eq(Some(&json!(0)), &json!(null)));
    }

    #[test]
    fn deep_equality() {
        let record = json!({ "a": [1, { "b": true }], "c": null });
        assert!(loose_eq(
            Some(&record),
            &json!({ "c": null, "a": [1, { "b": true }] })
        ));
        assert!(loose_eq(
            Some(&record),
            &json!({ "c": "null", "a": ["1", { "b": "true" }] })
        ));
        assert!(!loose_eq(
            Some(&record),
            &json!({ "a": [1, { "b": true }] })
        ));
        assert!(!loose_eq(
            Some(&record),
            &json!({ "a": [1, { "b": true }], "d": null })
        ));
        assert!(!loose_eq(Some(&json!([1, 2])), &json!([1, 2, 3])));
    }

    #[test]
    fn range_comparisons() {
        assert_eq!(
            range_cmp(Some(&json!(10)), &json!("9")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            range_cmp(Some(&json!(10)), &json!(9.5)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            range_cmp(Some(&json!("10")), &json!("9")),
            Some(Ordering::Less)
        );
        assert_eq!(range_cmp(Some(&json!(10)), &json!("x")), None);
        assert_eq!(range_cmp(Some(&json!("10")), &json!(9)), None);
        assert_eq!(
            range_cmp(Some(&json!(true)), &json!("false")),
            Some(Ordering::Greater)
        );
        assert_eq!(range_cmp(None, &json!(null)), Some(Ordering::Equal));
        assert_eq!(range_cmp(None, &json!(1)), None);
        assert_eq!(range_cmp(Some(&json!([1])), &json!([1])), None);
    }

    #[test]
    fn strings_order_as_their_utf16_units_do() {
        // Characters around every boundary where UTF-8 and UTF-16 differ.
        let characters = [
            "",
            "a",
            "\u{7f}",
            "\u{80}",
            "\u{7ff}",
            "\u{800}",
            "\u{d7ff}",
            "\u{e000}",
            "\u{efff}",
            "\u{f000}",
            "\u{ff61}",
            "\u{ffff}",
            "\u{10000}",
            "\u{1f600}",
            "\u{10ffff}",
        ];
        let mut texts = Vec::new();
        for a in characters {
            for b in characters {
                texts.push(format!("{a}{b}"));
                texts.push(format!("x{a}{b}y"));
            }
        }
        for a in &texts {
            for b in &texts {
                let units = a.encode_utf16().cmp(b.encode_utf16());
                assert_eq!(str_cmp(a, b), units, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn operands_compare_as_loose_eq_and_range_cmp_do() {
        let values = [
            json!(null),
            json!("null"),
            json!(0),
            json!(10),
            json!(-3),
            json!(10.0),
            json!(1.5),
            json!(u64::MAX),
            json!("10"),
            json!("10.0"),
            json!("1e1"),
            json!("ten"),
            json!(""),
            json!("9"),
            json!(true),
            json!(false),
            json!("true"),
            json!("false"),
            json!([1, "2"]),
            json!([1, 2]),
            json!({ "a": 1 }),
            json!({ "a": "1" }),
        ];
        for query in &values {
            let operand = Operand::new(query);
            assert_eq!(
                operand.equals(None),
                loose_eq(None, query),
                "missing vs {query}"
            );
            assert_eq!(
                operand.order(None),
                range_cmp(None, query),
                "missing vs {query}"
            );
            for record in &values {
                let record = Some(record);
                assert_eq!(
                    operand.equals(record),
                    loose_eq(record, query),
                    "{record:?} == {query}"
                );
                assert_eq!(
                    operand.order(record),
                    range_cmp(record, query),
                    "{record:?} vs {query}"
                );
            }
        }
    }

    #[test]
    fn strings_order_by_utf16_code_units() {
        // U+FF61 is one UTF-16 unit above the surrogates U+1F600 starts with.
        assert_eq!(str_cmp("\u{1F600}", "\u{FF61}"), Ordering::Less);
        assert_eq!(str_cmp("B", "a"), Ordering::Less);
    }

    #[test]
    fn sort_order_of_kinds() {
        let ordered = [
            json!(null),
            json!(-1),
            json!(2.5),
            json!(10),
            json!(""),
            json!("10"),
            json!("2"),
            json!(false),
            json!(true),
            json!([]),
            json!([1]),
            json!([1, 2]),
            json!([2]),
            json!({}),
            json!({ "a": 1 }),
            json!({ "a": 2 }),
            json!({ "a": 2, "b": 0 }),
        ];
        assert_eq!(compare(None, Some(&ordered[0])), Ordering::Less);
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(compare(Some(a), Some(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn objects_compare_values_in_key_order() {
        // Values under the first sorted key decide, whatever the keys are.
        assert_eq!(
            compare(Some(&json!({ "z": 1 })), Some(&json!({ "a": 2 }))),
            Ordering::Less
        );
        assert_eq!(
            compare(Some(&json!({ "x": 1 })), Some(&json!({ "y": 1 }))),
            Ordering::Equal
        );
    }
}
