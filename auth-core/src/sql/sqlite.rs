//! What is SQLite's own in the adapter: reading a table's columns
//! (`pragma_table_info`) and a row's cells.

use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use crate::error::{Error, Result};
use crate::sql::columns::{Column, ColumnKind};
use crate::sql::errors::database_error;
use crate::sql::row::Cell;

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

/// A row's cells, decoded as each column's kind (text borrowed from the
/// row).
pub(crate) fn row_cells<'r>(columns: &[Column], row: &'r SqliteRow) -> Result<Vec<Cell<'r>>> {
    columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let cell = match column.kind {
                ColumnKind::Integer => row
                    .try_get::<Option<i64>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Integer)),
                ColumnKind::Real => row
                    .try_get::<Option<f64>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Real)),
                ColumnKind::Boolean => row
                    .try_get::<Option<bool>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Boolean)),
                ColumnKind::Text => row
                    .try_get::<Option<&str>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Text)),
                // A JSON document stored as text; text that is not one is
                // that text.
                ColumnKind::Json => row.try_get::<Option<&str>, _>(index).map(|value| {
                    value.map_or(Cell::Null, |text| {
                        Cell::Json(
                            serde_json::from_str(text)
                                .unwrap_or_else(|_| Value::String(text.to_owned())),
                        )
                    })
                }),
            };
            cell.map_err(database_error)
        })
        .collect()
}
