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
//! `$like` is case-sensitive, as in PostgreSQL, and has no escape
//! character, as in the memory adapter. On PostgreSQL it is `LIKE` (a
//! backslash in the pattern doubled: it is PostgreSQL's default escape),
//! `$ilike` is `ILIKE`, and a numeric column is matched as its text. On
//! SQLite, whose own `LIKE` folds ASCII case, `$like` becomes a `GLOB` of
//! the same pattern, and `$ilike` is SQLite's `LIKE`, which folds ASCII
//! letters only (`É` and `é` differ), where the memory adapter and
//! PostgreSQL fold all of Unicode.
//!
//! On PostgreSQL a `json` or `jsonb` column is compared as `jsonb`, and a
//! nullable column sorts its nulls first (ascending), as SQLite and the
//! memory adapter do (PostgreSQL's own default puts them last).

use sea_query::{Alias, Cond, Expr, ExprTrait, Order, SelectStatement, SimpleExpr};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::query::{Condition, Operator, Query, SortOrder};
use crate::sql::columns::{Column, ColumnKind};
use crate::sql::pool::Dialect;

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
pub(crate) fn condition(
    columns: &[Column],
    condition: &Condition,
    dialect: Dialect,
) -> Result<Cond> {
    Ok(match condition {
        Condition::And(all) => all.iter().try_fold(Cond::all(), |cond, condition| {
            Ok::<_, Error>(cond.add(self::condition(columns, condition, dialect)?))
        })?,
        Condition::Or(any) => any.iter().try_fold(Cond::any(), |cond, condition| {
            Ok::<_, Error>(cond.add(self::condition(columns, condition, dialect)?))
        })?,
        Condition::Field { path, operators } => {
            let column = column(columns, path)?;
            operators.iter().fold(Cond::all(), |cond, operator| {
                cond.add(test(column, operator, dialect))
            })
        }
    })
}

/// `value` as an operand against `column`: bound, and on PostgreSQL cast
/// in the SQL text to the type it is bound as (`CAST($1 AS int8)`), a JSON
/// column's text to `jsonb`.
///
/// The cast is what keeps PostgreSQL's answers right: sqlx prepares a
/// statement once per connection, keyed by its SQL text, with the
/// parameter types of its first execution, and binds later values in
/// binary as those types. Without the type in the text, `age > $1` first
/// run with an integer and then with `25.5` would send a float's bytes as
/// an `int8`. With it, each combination of types is a statement of its own.
pub(crate) fn operand(column: &Column, value: sea_query::Value, dialect: Dialect) -> SimpleExpr {
    match dialect {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => {
            let _ = column;
            SimpleExpr::Value(value)
        }
        #[cfg(feature = "postgres")]
        Dialect::Postgres => {
            use sea_query::Value as SqlValue;
            let type_name = match (&value, column.kind) {
                (SqlValue::String(_), ColumnKind::Json) => "jsonb",
                (SqlValue::String(_), _) => "text",
                (SqlValue::BigInt(_), _) => "int8",
                (SqlValue::Double(_), _) => "float8",
                (SqlValue::Bool(_), _) => "bool",
                _ => return SimpleExpr::Value(value),
            };
            SimpleExpr::Value(value).cast_as(Alias::new(type_name))
        }
    }
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

fn test(column: &Column, operator: &Operator, dialect: Dialect) -> SimpleExpr {
    let col = || column_expr(column, dialect);
    let kind = column.kind;
    let sql = |value: &Value| {
        kind.to_sql(value)
            .map(|value| operand(column, value, dialect))
    };
    match &queried(kind, operator) {
        Operator::Eq(value) if value.is_null() => col().is_null(),
        Operator::Eq(value) => sql(value).map_or_else(never, |v| col().eq(v)),
        Operator::Ne(value) if value.is_null() => col().is_not_null(),
        Operator::Ne(value) => match sql(value) {
            Some(v) => col().ne(v).or(col().is_null()),
            None => always(),
        },
        Operator::In(values) => {
            let (nulls, bound) = members(column, values, dialect);
            let within = col().is_in(bound);
            if nulls {
                within.or(col().is_null())
            } else {
                within
            }
        }
        Operator::Nin(values) => {
            let (nulls, bound) = members(column, values, dialect);
            let outside = col().is_not_in(bound);
            if nulls {
                outside.and(col().is_not_null())
            } else {
                outside.or(col().is_null())
            }
        }
        Operator::Lt(value) | Operator::Gt(value) if value.is_null() => never(),
        Operator::Lte(value) | Operator::Gte(value) if value.is_null() => col().is_null(),
        Operator::Lt(value) => sql(value).map_or_else(never, |v| col().lt(v)),
        Operator::Lte(value) => sql(value).map_or_else(never, |v| col().lte(v)),
        Operator::Gt(value) => sql(value).map_or_else(never, |v| col().gt(v)),
        Operator::Gte(value) => sql(value).map_or_else(never, |v| col().gte(v)),
        Operator::Like(pattern) => like(column, pattern, Match::Like, dialect),
        Operator::NotLike(pattern) => like(column, pattern, Match::NotLike, dialect),
        Operator::ILike(pattern) => like(column, pattern, Match::ILike, dialect),
    }
}

/// The column as conditions read it: a JSON column on PostgreSQL as
/// `jsonb` (a `json` column has no equality of its own).
fn column_expr(column: &Column, dialect: Dialect) -> SimpleExpr {
    let col = Expr::col(Alias::new(column.name.as_str()));
    match (column.kind, dialect) {
        #[cfg(feature = "postgres")]
        (ColumnKind::Json, Dialect::Postgres) => col.cast_as(Alias::new("jsonb")),
        _ => col.into(),
    }
}

/// The three pattern operators.
#[derive(Clone, Copy)]
enum Match {
    Like,
    NotLike,
    ILike,
}

/// `column` against the `LIKE` `pattern` (see the module docs).
fn like(column: &Column, pattern: &str, operator: Match, dialect: Dialect) -> SimpleExpr {
    let col = Expr::col(Alias::new(column.name.as_str()));
    match dialect {
        // SQLite's LIKE ignores ASCII case: `$like` is a GLOB, which does
        // not, and `$ilike` is SQLite's LIKE (ASCII case only).
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => {
            use sea_query::BinOper;
            let glob = || crate::query::to_glob(pattern);
            match operator {
                Match::Like => col.binary(BinOper::Custom("GLOB"), glob()),
                Match::NotLike => col.binary(BinOper::Custom("NOT GLOB"), glob()),
                Match::ILike => col.like(pattern),
            }
        }
        #[cfg(feature = "postgres")]
        Dialect::Postgres => {
            use sea_query::extension::postgres::PgBinOper;
            // The memory adapter matches a number as its decimal text, and
            // nothing else that is not text.
            let text = match column.kind {
                ColumnKind::Text => SimpleExpr::from(col),
                ColumnKind::Integer | ColumnKind::Real => col.cast_as(Alias::new("text")),
                ColumnKind::Boolean | ColumnKind::Json => return never(),
            };
            // A backslash is PostgreSQL's default escape: doubled, it is
            // itself, as in the memory adapter's patterns.
            let pattern = pattern.replace('\\', "\\\\");
            match operator {
                Match::Like => text.like(pattern),
                Match::NotLike => text.not_like(pattern),
                Match::ILike => text.binary(PgBinOper::ILike, pattern),
            }
        }
    }
}

/// A list's members the column can hold, and whether `null` is one.
fn members(column: &Column, values: &[Value], dialect: Dialect) -> (bool, Vec<SimpleExpr>) {
    let nulls = values.iter().any(Value::is_null);
    let bound = values
        .iter()
        .filter(|value| !value.is_null())
        .filter_map(|value| column.kind.to_sql(value))
        .map(|value| operand(column, value, dialect))
        .collect();
    (nulls, bound)
}

/// Adds `$sort` to `select`, then the id so that pages are stable. On
/// PostgreSQL a nullable column's nulls come first ascending and last
/// descending, as on SQLite and in memory; a column that can not hold
/// null gets no `NULLS` clause, so that its index still serves the order.
// Only PostgreSQL needs the columns.
#[cfg_attr(not(feature = "postgres"), allow(unused_variables))]
pub(crate) fn order(
    select: &mut SelectStatement,
    query: &Query,
    id: &str,
    columns: &[Column],
    dialect: Dialect,
) {
    for (field, order) in &query.filters.sort {
        let order = match order {
            SortOrder::Ascending => Order::Asc,
            SortOrder::Descending => Order::Desc,
        };
        match dialect {
            #[cfg(feature = "postgres")]
            Dialect::Postgres if nullable(columns, field) => {
                use sea_query::NullOrdering;
                let nulls = match order {
                    Order::Desc => NullOrdering::Last,
                    _ => NullOrdering::First,
                };
                select.order_by_with_nulls(Alias::new(field.as_str()), order, nulls)
            }
            _ => select.order_by(Alias::new(field.as_str()), order),
        };
    }
    if !query.filters.sort.iter().any(|(field, _)| field == id) {
        select.order_by(Alias::new(id), Order::Asc);
    }
}

/// Whether the column `field` may hold null.
#[cfg(feature = "postgres")]
fn nullable(columns: &[Column], field: &str) -> bool {
    columns
        .iter()
        .any(|column| column.name == field && column.nullable)
}
