//! A table's columns as the adapter reads them from the database, and the
//! conversions between JSON values and SQL values for each kind of column.
//!
//! SQLite types by affinity: a declared type containing `INT` is an
//! integer, `BOOL` a boolean (stored as 0/1), `REAL`, `FLOA` or `DOUB` a
//! float, `JSON` a JSON document stored as text; anything else is text.

use sea_query::Value as SqlValue;
use serde_json::{Map, Number, Value};
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use crate::error::{Error, Result};
use crate::sql::errors::database_error;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A 64-bit integer.
    Integer,
    /// A 64-bit float.
    Real,
    /// A boolean (0/1 in SQLite).
    Boolean,
    /// Text.
    Text,
    /// A JSON document, stored as text.
    Json,
}

impl ColumnKind {
    /// The kind of a column declared with SQLite type `declared`.
    pub fn from_declared(declared: &str) -> ColumnKind {
        let declared = declared.to_ascii_uppercase();
        if declared.contains("BOOL") {
            ColumnKind::Boolean
        } else if declared.contains("INT") {
            ColumnKind::Integer
        } else if ["REAL", "FLOA", "DOUB"]
            .iter()
            .any(|real| declared.contains(real))
        {
            ColumnKind::Real
        } else if declared.contains("JSON") {
            ColumnKind::Json
        } else {
            ColumnKind::Text
        }
    }

    /// The SQL null of this kind.
    fn null(self) -> SqlValue {
        match self {
            ColumnKind::Integer => SqlValue::BigInt(None),
            ColumnKind::Real => SqlValue::Double(None),
            ColumnKind::Boolean => SqlValue::Bool(None),
            ColumnKind::Text | ColumnKind::Json => SqlValue::String(None),
        }
    }

    /// `value` as this kind's SQL value, or `None` when it can not be one
    /// (`"abc"` for an integer). Query strings convert as the memory
    /// adapter compares them: `"3"` is the number 3, `"true"` a boolean.
    pub fn to_sql(self, value: &Value) -> Option<SqlValue> {
        if value.is_null() {
            return Some(self.null());
        }
        match self {
            // A number that is not an integer still compares as a number
            // (`id[$gte]=2.5`), as in the memory adapter; writes refuse it
            // (`to_stored`).
            ColumnKind::Integer => match value {
                Value::Number(number) => number
                    .as_i64()
                    .map(SqlValue::from)
                    .or_else(|| number.as_f64().map(SqlValue::from)),
                Value::String(text) => {
                    let text = text.trim();
                    text.parse::<i64>().ok().map(SqlValue::from).or_else(|| {
                        text.parse::<f64>()
                            .ok()
                            .filter(|number| number.is_finite())
                            .map(SqlValue::from)
                    })
                }
                _ => None,
            },
            ColumnKind::Real => match value {
                Value::Number(number) => number.as_f64().map(SqlValue::from),
                Value::String(text) => text.trim().parse::<f64>().ok().map(SqlValue::from),
                _ => None,
            },
            ColumnKind::Boolean => match value {
                Value::Bool(flag) => Some(SqlValue::from(*flag)),
                Value::String(text) if text == "true" => Some(SqlValue::from(true)),
                Value::String(text) if text == "false" => Some(SqlValue::from(false)),
                _ => None,
            },
            ColumnKind::Text => match value {
                Value::String(text) => Some(SqlValue::from(text.as_str())),
                Value::Number(number) => Some(SqlValue::from(number.to_string())),
                Value::Bool(flag) => Some(SqlValue::from(flag.to_string())),
                _ => None,
            },
            ColumnKind::Json => Some(SqlValue::from(value.to_string())),
        }
    }
}

impl ColumnKind {
    /// `value` as this kind's SQL value for a write: as [`to_sql`](Self::to_sql),
    /// except that an integer column takes only integers.
    pub fn to_stored(self, value: &Value) -> Option<SqlValue> {
        match (self, self.to_sql(value)?) {
            (ColumnKind::Integer, SqlValue::Double(Some(_))) => None,
            (_, stored) => Some(stored),
        }
    }
}

/// A column of the service's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
}

/// The columns of `table`, in their order; an error when it has none (it
/// does not exist).
pub(crate) async fn read_columns(pool: &SqlitePool, table: &str) -> Result<Vec<Column>> {
    // `pragma_table_info` takes the table as a bound value: no SQL text
    // is made from the name.
    let rows = sqlx::query("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")
        .bind(table)
        .fetch_all(pool)
        .await
        .map_err(database_error)?;
    if rows.is_empty() {
        return Err(Error::general(format!(
            "The table '{table}' does not exist (run the app's migrations first)"
        )));
    }
    rows.iter()
        .map(|row| {
            let name: String = row.try_get(0).map_err(database_error)?;
            let declared: String = row.try_get(1).map_err(database_error)?;
            Ok(Column {
                name,
                kind: ColumnKind::from_declared(&declared),
            })
        })
        .collect()
}

/// A row as the JSON record it stores: one key per column, `null` for SQL
/// nulls.
pub(crate) fn row_to_json(columns: &[Column], row: &SqliteRow) -> Result<Value> {
    let mut record = Map::with_capacity(columns.len());
    for (index, column) in columns.iter().enumerate() {
        let value = match column.kind {
            ColumnKind::Integer => row
                .try_get::<Option<i64>, _>(index)
                .map(|value| value.map_or(Value::Null, Value::from)),
            ColumnKind::Real => row.try_get::<Option<f64>, _>(index).map(|value| {
                value
                    .and_then(Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }),
            ColumnKind::Boolean => row
                .try_get::<Option<bool>, _>(index)
                .map(|value| value.map_or(Value::Null, Value::Bool)),
            ColumnKind::Text => row
                .try_get::<Option<String>, _>(index)
                .map(|value| value.map_or(Value::Null, Value::String)),
            ColumnKind::Json => row.try_get::<Option<String>, _>(index).map(|value| {
                value.map_or(Value::Null, |text| {
                    serde_json::from_str(&text).unwrap_or(Value::String(text))
                })
            }),
        }
        .map_err(database_error)?;
        record.insert(column.name.clone(), value);
    }
    Ok(Value::Object(record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn declared_types_map_by_sqlite_affinity() {
        for (declared, kind) in [
            ("INTEGER", ColumnKind::Integer),
            ("bigint", ColumnKind::Integer),
            ("BOOLEAN", ColumnKind::Boolean),
            ("REAL", ColumnKind::Real),
            ("double precision", ColumnKind::Real),
            ("TEXT", ColumnKind::Text),
            ("VARCHAR(255)", ColumnKind::Text),
            ("JSON", ColumnKind::Json),
            ("", ColumnKind::Text),
        ] {
            assert_eq!(ColumnKind::from_declared(declared), kind, "{declared}");
        }
    }

    #[test]
    fn query_strings_convert_to_the_columns_kind_or_not_at_all() {
        assert_eq!(
            ColumnKind::Integer.to_sql(&json!("3")),
            Some(SqlValue::from(3i64))
        );
        assert_eq!(ColumnKind::Integer.to_sql(&json!("abc")), None);
        assert_eq!(
            ColumnKind::Integer.to_sql(&json!(1.5)),
            Some(SqlValue::from(1.5))
        );
        assert_eq!(
            ColumnKind::Integer.to_sql(&json!("2.5")),
            Some(SqlValue::from(2.5))
        );
        assert_eq!(ColumnKind::Integer.to_stored(&json!(1.5)), None);
        assert_eq!(
            ColumnKind::Integer.to_stored(&json!(2)),
            Some(SqlValue::from(2i64))
        );
        assert_eq!(
            ColumnKind::Boolean.to_sql(&json!("true")),
            Some(SqlValue::from(true))
        );
        assert_eq!(ColumnKind::Boolean.to_sql(&json!("yes")), None);
        assert_eq!(
            ColumnKind::Text.to_sql(&json!(7)),
            Some(SqlValue::from("7".to_owned()))
        );
        assert_eq!(
            ColumnKind::Real.to_sql(&Value::Null),
            Some(SqlValue::Double(None))
        );
    }
}
