//! A parsed Feathers query (`query::Query`) as sea-query expressions: the
//! conditions as a `WHERE`, `$sort` as an `ORDER BY`. Every field is
//! checked against the table's columns first (an unknown one is a 400
//! naming it), and every value is bound, never written into the SQL text.
//!
//! Nulls follow the memory adapter, where a missing field equals `null`:
//! `field: null` is `IS NULL`, and `$ne`/`$nin` also match rows whose field
//! is null. The query string `"null"` (as a query string brings it) is
//! `null` for a column that does not hold text. A query value that can not be the column's kind (`"abc"` for
//! an integer) equals no row, as a number never equals such a string.
//!
//! `$like` is case-sensitive, as in PostgreSQL: SQLite's own `LIKE` folds
//! ASCII case, so it becomes a `GLOB` of the same pattern. `$ilike` is
//! SQLite's `LIKE`, which folds ASCII letters only (`É` and `é` differ),
//! where the memory adapter folds all of Unicode.

use sea_query::{Alias, BinOper, Cond, Expr, Order, SelectStatement, SimpleExpr};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::query::{Condition, Operator, Query, SortOrder, to_glob};
use crate::sql::columns::{Column, ColumnKind};

/// The column named `field`, or a 400 naming it.
pub(crate) fn column<'c>(columns: &'c [Column], field: &str) -> Result<&'c Column> {
    columns
        .iter()
        .find(|column| column.name == field)
        .ok_or_else(|| {
            Error::bad_request(format!("Unknown field '{field}'"))
                .with_errors(json!({ field: "unknown field" }))
        })
}

/// Checks every field the query names (conditions, `$sort`, `$select`).
pub(crate) fn check_fields(columns: &[Column], query: &Query) -> Result<()> {
    check_condition(columns, &query.conditions)?;
    for (field, _) in &query.filters.sort {
        column(columns, field)?;
    }
    for field in query.filters.select.iter().flatten() {
        column(columns, field)?;
    }
    Ok(())
}

fn check_condition(columns: &[Column], condition: &Condition) -> Result<()> {
    match condition {
        Condition::And(all) | Condition::Or(all) => all
            .iter()
            .try_for_each(|condition| check_condition(columns, condition)),
        Condition::Field { path, .. } => column(columns, path).map(drop),
    }
}

/// The query's conditions as a `WHERE` condition (fields already checked).
pub(crate) fn condition(columns: &[Column], condition: &Condition) -> Result<Cond> {
    Ok(match condition {
        Condition::And(all) => all.iter().try_fold(Cond::all(), |cond, condition| {
            Ok::<_, Error>(cond.add(self::condition(columns, condition)?))
        })?,
        Condition::Or(any) => any.iter().try_fold(Cond::any(), |cond, condition| {
            Ok::<_, Error>(cond.add(self::condition(columns, condition)?))
        })?,
        Condition::Field { path, operators } => {
            let column = column(columns, path)?;
            operators.iter().fold(Cond::all(), |cond, operator| {
                cond.add(test(column, operator))
            })
        }
    })
}

/// Never true: the test of a value the column can not hold.
fn never() -> SimpleExpr {
    Expr::val(1).eq(0)
}

/// Always true.
fn always() -> SimpleExpr {
    Expr::val(1).eq(1)
}

/// `value` as the memory adapter reads it against a column of `kind`: the
/// query string `"null"` is `null` for a column that does not hold text.
fn as_queried(kind: ColumnKind, value: &Value) -> Value {
    match value {
        Value::String(text)
            if text == "null" && !matches!(kind, ColumnKind::Text | ColumnKind::Json) =>
        {
            Value::Null
        }
        other => other.clone(),
    }
}

/// The operator with its values read as the memory adapter reads them.
fn queried(kind: ColumnKind, operator: &Operator) -> Operator {
    let one = |value: &Value| as_queried(kind, value);
    let all = |values: &[Value]| values.iter().map(one).collect();
    match operator {
        Operator::Eq(value) => Operator::Eq(one(value)),
        Operator::Ne(value) => Operator::Ne(one(value)),
        Operator::In(values) => Operator::In(all(values)),
        Operator::Nin(values) => Operator::Nin(all(values)),
        Operator::Lt(value) => Operator::Lt(one(value)),
        Operator::Lte(value) => Operator::Lte(one(value)),
        Operator::Gt(value) => Operator::Gt(one(value)),
        Operator::Gte(value) => Operator::Gte(one(value)),
        like @ (Operator::Like(_) | Operator::NotLike(_) | Operator::ILike(_)) => like.clone(),
    }
}

fn test(column: &Column, operator: &Operator) -> SimpleExpr {
    let col = || Expr::col(Alias::new(column.name.as_str()));
    let kind = column.kind;
    match &queried(kind, operator) {
        Operator::Eq(value) if value.is_null() => col().is_null(),
        Operator::Eq(value) => kind.to_sql(value).map_or_else(never, |v| col().eq(v)),
        Operator::Ne(value) if value.is_null() => col().is_not_null(),
        Operator::Ne(value) => match kind.to_sql(value) {
            Some(v) => col().ne(v).or(col().is_null()),
            None => always(),
        },
        Operator::In(values) => {
            let (nulls, bound) = members(kind, values);
            let within = col().is_in(bound);
            if nulls {
                within.or(col().is_null())
            } else {
                within
            }
        }
        Operator::Nin(values) => {
            let (nulls, bound) = members(kind, values);
            let outside = col().is_not_in(bound);
            if nulls {
                outside.and(col().is_not_null())
            } else {
                outside.or(col().is_null())
            }
        }
        Operator::Lt(value) | Operator::Gt(value) if value.is_null() => never(),
        Operator::Lte(value) | Operator::Gte(value) if value.is_null() => col().is_null(),
        Operator::Lt(value) => kind.to_sql(value).map_or_else(never, |v| col().lt(v)),
        Operator::Lte(value) => kind.to_sql(value).map_or_else(never, |v| col().lte(v)),
        Operator::Gt(value) => kind.to_sql(value).map_or_else(never, |v| col().gt(v)),
        Operator::Gte(value) => kind.to_sql(value).map_or_else(never, |v| col().gte(v)),
        // SQLite's LIKE ignores ASCII case: `$like` is a GLOB, which does
        // not, and `$ilike` is SQLite's LIKE (ASCII case only).
        Operator::Like(pattern) => col().binary(BinOper::Custom("GLOB"), to_glob(pattern)),
        Operator::NotLike(pattern) => col().binary(BinOper::Custom("NOT GLOB"), to_glob(pattern)),
        Operator::ILike(pattern) => col().like(pattern.as_str()),
    }
}

/// A list's members the column can hold, and whether `null` is one.
fn members(kind: ColumnKind, values: &[Value]) -> (bool, Vec<sea_query::Value>) {
    let nulls = values.iter().any(Value::is_null);
    let bound = values
        .iter()
        .filter(|value| !value.is_null())
        .filter_map(|value| kind.to_sql(value))
        .collect();
    (nulls, bound)
}

/// Adds `$sort` to `select`, then the id so that pages are stable.
pub(crate) fn order(select: &mut SelectStatement, query: &Query, id: &str) {
    for (field, order) in &query.filters.sort {
        let order = match order {
            SortOrder::Ascending => Order::Asc,
            SortOrder::Descending => Order::Desc,
        };
        select.order_by(Alias::new(field.as_str()), order);
    }
    if !query.filters.sort.iter().any(|(field, _)| field == id) {
        select.order_by(Alias::new(id), Order::Asc);
    }
}
