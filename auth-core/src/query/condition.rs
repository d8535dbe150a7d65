//! The condition tree of a query, and its parsing and validation.
//!
//! Field conditions become [`Condition::Field`] with their [`Operator`]s;
//! `$or` and `$and` become [`Condition::Or`] and [`Condition::And`]. Any
//! other `$` key is refused with Feathers' messages: `Invalid filter value
//! $x` at the top level of a query, `Invalid query parameter $x` anywhere
//! below it.

use serde_json::{Map, Value};

use super::filter::list;
use crate::error::{Error, Result};

/// The operators Feathers accepts inside a field condition (`$or` passes its
/// validation too, though it cannot be matched against a field).
const OPERATORS: [&str; 11] = [
    "$in", "$nin", "$lt", "$lte", "$gt", "$gte", "$ne", "$or", "$like", "$notlike", "$ilike",
];

/// A node of a parsed query's condition tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Every condition holds. The root of a query; empty, it matches all.
    And(Vec<Condition>),
    /// At least one condition holds (`$or`). Never empty.
    Or(Vec<Condition>),
    /// The value at `path` (dot-separated, e.g. `address.city`) satisfies
    /// every operator.
    Field {
        /// The field's dot path.
        path: String,
        /// The operators, all of which must hold.
        operators: Vec<Operator>,
    },
}

impl Default for Condition {
    /// The empty conjunction, which every record satisfies.
    fn default() -> Condition {
        Condition::And(Vec::new())
    }
}

/// One test of a field's value against a query value.
///
/// Query values are kept as given; strings are coerced when compared (see
/// the [module docs](super)).
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    /// `field: value`: equal (deeply, for arrays and objects).
    Eq(Value),
    /// `$ne`: not equal.
    Ne(Value),
    /// `$in`: equal to one of the values.
    In(Vec<Value>),
    /// `$nin`: equal to none of the values.
    Nin(Vec<Value>),
    /// `$lt`: less than.
    Lt(Value),
    /// `$lte`: less than or equal.
    Lte(Value),
    /// `$gt`: greater than.
    Gt(Value),
    /// `$gte`: greater than or equal.
    Gte(Value),
    /// `$like`: matches an SQL `LIKE` pattern (`%` any run, `_` one
    /// character), case-sensitively.
    Like(String),
    /// `$notlike`: a value that does not match the pattern (a missing or
    /// null value matches neither, as in SQL).
    NotLike(String),
    /// `$ilike`: matches the pattern ignoring case.
    ILike(String),
}

fn invalid_parameter(key: &str, owner: &Map<String, Value>) -> Error {
    Error::bad_request(format!("Invalid query parameter {key}"))
        .with_data(Value::Object(owner.clone()))
}

/// Parses the condition `key: value` of a query's top level (`key` is a
/// field, `$or` or `$and`). Returns `None` for any other `$` key.
pub(crate) fn parse_top_level(key: &str, value: &Value) -> Result<Option<Condition>> {
    match key {
        "$or" | "$and" => parse_group(key, value).map(Some),
        _ if key.starts_with('$') => Ok(None),
        _ => parse_field(key, value).map(Some),
    }
}

/// Parses a sub-query of `$or` or `$and`.
fn parse_subquery(query: &Map<String, Value>) -> Result<Condition> {
    let conditions = query
        .iter()
        .map(|(key, value)| match key.as_str() {
            "$or" | "$and" => parse_group(key, value),
            _ if key.starts_with('$') => Err(invalid_parameter(key, query)),
            _ => parse_field(key, value),
        })
        .collect::<Result<_>>()?;
    Ok(Condition::And(conditions))
}

/// Parses the value of `$or` or `$and`: a non-empty list of sub-queries.
fn parse_group(key: &str, value: &Value) -> Result<Condition> {
    let invalid = || {
        Error::bad_request(format!(
            "Invalid {key}: expected a non-empty array of queries"
        ))
    };
    let queries = list(value)
        .filter(|queries| !queries.is_empty())
        .ok_or_else(invalid)?;
    let conditions = queries
        .into_iter()
        .map(|query| {
            query
                .as_object()
                .ok_or_else(invalid)
                .and_then(parse_subquery)
        })
        .collect::<Result<_>>()?;
    Ok(if key == "$or" {
        Condition::Or(conditions)
    } else {
        Condition::And(conditions)
    })
}

/// Refuses, as Feathers does, `$` keys that are not operators anywhere in
/// the nested objects of a field condition.
fn validate(value: &Value) -> Result<()> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    for (key, nested) in map {
        if key.starts_with('$') && !OPERATORS.contains(&key.as_str()) {
            return Err(invalid_parameter(key, map));
        }
        validate(nested)?;
    }
    Ok(())
}

/// Parses the condition on field `path`: an object of operators, or a value
/// (object or not) it must equal.
fn parse_field(path: &str, value: &Value) -> Result<Condition> {
    validate(value)?;
    let operators = match value {
        Value::Object(map) if map.keys().any(|key| key.starts_with('$')) => map
            .iter()
            .map(|(key, operand)| parse_operator(path, key, operand, map))
            .collect::<Result<_>>()?,
        _ => vec![Operator::Eq(value.clone())],
    };
    Ok(Condition::Field {
        path: path.to_owned(),
        operators,
    })
}

fn parse_operator(
    path: &str,
    key: &str,
    operand: &Value,
    owner: &Map<String, Value>,
) -> Result<Operator> {
    let members = || match list(operand) {
        Some(items) => items.into_iter().cloned().collect(),
        None => vec![operand.clone()],
    };
    Ok(match key {
        "$in" => Operator::In(members()),
        "$nin" => Operator::Nin(members()),
        "$lt" => Operator::Lt(operand.clone()),
        "$lte" => Operator::Lte(operand.clone()),
        "$gt" => Operator::Gt(operand.clone()),
        "$gte" => Operator::Gte(operand.clone()),
        "$ne" => Operator::Ne(operand.clone()),
        "$like" | "$notlike" | "$ilike" => {
            let Value::String(pattern) = operand else {
                return Err(Error::bad_request(format!(
                    "Invalid query for {path}: {key} needs a string pattern"
                )));
            };
            let pattern = pattern.clone();
            match key {
                "$like" => Operator::Like(pattern),
                "$notlike" => Operator::NotLike(pattern),
                _ => Operator::ILike(pattern),
            }
        }
        _ if key.starts_with('$') => return Err(invalid_parameter(key, owner)),
        _ => {
            return Err(Error::bad_request(format!(
                "Invalid query for {path}: operators cannot be mixed with fields"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    fn parse(key: &str, value: Value) -> Result<Option<Condition>> {
        parse_top_level(key, &value)
    }

    fn field(path: &str, operators: Vec<Operator>) -> Condition {
        Condition::Field {
            path: path.to_owned(),
            operators,
        }
    }

    fn message(key: &str, value: Value) -> String {
        let error = parse(key, value).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BadRequest);
        error.message().to_owned()
    }

    #[test]
    fn plain_values_are_equality() {
        assert_eq!(
            parse("name", json!("Alice")).unwrap(),
            Some(field("name", vec![Operator::Eq(json!("Alice"))]))
        );
        assert_eq!(
            parse("address", json!({ "city": "x" })).unwrap(),
            Some(field("address", vec![Operator::Eq(json!({ "city": "x" }))]))
        );
    }

    #[test]
    fn operator_objects() {
        assert_eq!(
            parse(
                "age",
                json!({ "$gt": 1, "$gte": 0, "$lt": "5", "$lte": 9, "$ne": 3 })
            )
            .unwrap(),
            Some(field(
                "age",
                vec![
                    Operator::Gt(json!(1)),
                    Operator::Gte(json!(0)),
                    Operator::Lt(json!("5")),
                    Operator::Lte(json!(9)),
                    Operator::Ne(json!(3)),
                ]
            ))
        );
    }

    #[test]
    fn in_and_nin_accept_single_values() {
        assert_eq!(
            parse("a", json!({ "$in": "x", "$nin": ["y", "z"] })).unwrap(),
            Some(field(
                "a",
                vec![
                    Operator::In(vec![json!("x")]),
                    Operator::Nin(vec![json!("y"), json!("z")])
                ]
            ))
        );
        assert_eq!(
            parse("a", json!({ "$in": { "1": "b", "0": "a" } })).unwrap(),
            Some(field("a", vec![Operator::In(vec![json!("a"), json!("b")])]))
        );
    }

    #[test]
    fn groups_nest() {
        let parsed = parse(
            "$or",
            json!([{ "a": 1 }, { "$and": [{ "b": 2 }, { "$or": [{ "c": 3 }] }] }]),
        );
        assert_eq!(
            parsed.unwrap(),
            Some(Condition::Or(vec![
                Condition::And(vec![field("a", vec![Operator::Eq(json!(1))])]),
                Condition::And(vec![Condition::And(vec![
                    Condition::And(vec![field("b", vec![Operator::Eq(json!(2))])]),
                    Condition::And(vec![Condition::Or(vec![Condition::And(vec![field(
                        "c",
                        vec![Operator::Eq(json!(3))]
                    )])])]),
                ])]),
            ]))
        );
    }

    #[test]
    fn unknown_top_level_keys_are_left_to_the_caller() {
        assert_eq!(parse("$foo", json!(1)).unwrap(), None);
    }

    #[test]
    fn invalid_operators() {
        assert_eq!(
            message("name", json!({ "$regex": "x" })),
            "Invalid query parameter $regex"
        );
        assert_eq!(
            message("a", json!({ "b": { "$foo": 1 } })),
            "Invalid query parameter $foo"
        );
        assert_eq!(
            message("a", json!({ "$ne": { "$bar": 1 } })),
            "Invalid query parameter $bar"
        );
        assert_eq!(
            message("a", json!({ "$and": [] })),
            "Invalid query parameter $and"
        );
        assert_eq!(
            message("a", json!({ "$or": [{ "b": 1 }] })),
            "Invalid query parameter $or"
        );
        assert_eq!(
            message("$or", json!([{ "$exists": false }])),
            "Invalid query parameter $exists"
        );
        assert_eq!(
            message("$and", json!([{ "$limit": 1 }])),
            "Invalid query parameter $limit"
        );
        assert_eq!(
            message("$or", json!([{ "a": { "$foo": 1 } }])),
            "Invalid query parameter $foo"
        );
        let error = parse("name", json!({ "$regex": "x" })).unwrap_err();
        assert_eq!(error.data(), Some(&json!({ "$regex": "x" })));
    }

    #[test]
    fn invalid_groups_and_mixtures() {
        let expected = "Invalid $or: expected a non-empty array of queries";
        assert_eq!(message("$or", json!([])), expected);
        assert_eq!(message("$or", json!({ "a": 1 })), expected);
        assert_eq!(message("$or", json!([1])), expected);
        assert_eq!(
            message("$and", json!("x")),
            "Invalid $and: expected a non-empty array of queries"
        );
        assert_eq!(
            message("age", json!({ "$gt": 1, "b": 2 })),
            "Invalid query for age: operators cannot be mixed with fields"
        );
    }

    #[test]
    fn nested_known_operators_are_literal() {
        // Feathers lets these through; below the top of a field condition
        // they are plain keys of the value to equal.
        assert_eq!(
            parse("a", json!({ "b": { "$gt": 1 } })).unwrap(),
            Some(field("a", vec![Operator::Eq(json!({ "b": { "$gt": 1 } }))]))
        );
    }
}
