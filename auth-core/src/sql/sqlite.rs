//! What is SQLite's own in the adapter: reading a table's columns
//! (`pragma_table_info`) and a row as JSON.

use serde_json::{Map, Number, Value};
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use crate::error::{Error, Result};
use crate::sql::columns::{Column, ColumnKind};
use crate::sql::errors::database_error;

/// The columns of `table`, in their order; an error when it has none (it
/// does not exist).
pub(crate) async fn read_columns(pool: &SqlitePool, table: &str) -> Result<Vec<Column>> {
    // `pragma_table_info` takes the table as a bound value: no SQL text
    // is made from the name.
    let rows =
        sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid")
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
            let not_null: bool = row.try_get(2).map_err(database_error)?;
            let primary_key: i64 = row.try_get(3).map_err(database_error)?;
            Ok(Column {
                name,
                kind: ColumnKind::from_declared(&declared),
                declared,
                // An `INTEGER PRIMARY KEY` is the rowid: never null.
                nullable: !not_null && primary_key == 0,
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
