//! What is PostgreSQL's own in the adapter: reading a table's columns
//! (`information_schema.columns`, in the schema the connection's
//! `search_path` names first), a row's cells, and moving an id sequence
//! past an id a record brought.
//!
//! PostgreSQL's types are strict: a value is decoded as its column's exact
//! type (`int4` as a 32-bit integer), and a table with a column of a type
//! the adapter has no JSON kind for (`timestamptz`, `numeric`, `uuid`) is
//! refused when the service is built, naming the column and its type.

use serde_json::Value;
use sqlx::Row;
use sqlx::postgres::{PgArguments, PgPool, PgRow};
use sqlx::query::Query;

use crate::error::{Error, Result};
use crate::sql::columns::{Column, ColumnKind};
use crate::sql::errors::database_error;
use crate::sql::row::Cell;

/// The columns of `table`, in their order; an error when it does not
/// exist or has a column of a type without a JSON kind.
pub(crate) async fn read_columns(pool: &PgPool, table: &str) -> Result<Vec<Column>> {
    let rows = sqlx::query(
        "SELECT column_name::text, udt_name::text, is_nullable = 'YES' \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 \
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .map_err(database_error)?;
    if rows.is_empty() {
        return Err(Error::general(format!(
            "The table '{table}' does not exist in the current schema \
             (run the app's migrations first)"
        )));
    }
    rows.iter()
        .map(|row| {
            let name: String = row.try_get(0).map_err(database_error)?;
            let declared: String = row.try_get(1).map_err(database_error)?;
            let nullable: bool = row.try_get(2).map_err(database_error)?;
            let kind = ColumnKind::from_postgres(&declared).ok_or_else(|| {
                Error::general(format!(
                    "The column '{name}' of '{table}' has the type '{declared}', which \
                     SqlService does not map to JSON: use smallint, integer, bigint, real, \
                     double precision, boolean, text, varchar, char, json or jsonb"
                ))
            })?;
            Ok(Column {
                name,
                kind,
                declared,
                nullable,
            })
        })
        .collect()
}

/// A row's cells, each decoded as its column's exact type (text borrowed
/// from the row).
pub(crate) fn row_cells<'r>(columns: &[Column], row: &'r PgRow) -> Result<Vec<Cell<'r>>> {
    columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let integer = |value: Option<i64>| value.map_or(Cell::Null, Cell::Integer);
            let cell = match column.declared.as_str() {
                "int2" => row
                    .try_get::<Option<i16>, _>(index)
                    .map(|value| integer(value.map(i64::from))),
                "int4" => row
                    .try_get::<Option<i32>, _>(index)
                    .map(|value| integer(value.map(i64::from))),
                "int8" => row.try_get::<Option<i64>, _>(index).map(integer),
                // A `real` as the decimal it prints as (0.1, not 0.100000001).
                "float4" => row.try_get::<Option<f32>, _>(index).map(|value| {
                    value
                        .and_then(|float| float.to_string().parse::<f64>().ok())
                        .map_or(Cell::Null, Cell::Real)
                }),
                "float8" => row
                    .try_get::<Option<f64>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Real)),
                "bool" => row
                    .try_get::<Option<bool>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Boolean)),
                "json" | "jsonb" => row
                    .try_get::<Option<Value>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Json)),
                _ => row
                    .try_get::<Option<&str>, _>(index)
                    .map(|value| value.map_or(Cell::Null, Cell::Text)),
            };
            cell.map_err(database_error)
        })
        .collect()
}

/// Moves the sequence of `table`'s `column` (a `serial` or an identity
/// column; nothing when it has none) to `id` when `id` is past the last
/// value it gave, so that it never gives `id` again. The names are bound
/// values, never SQL text.
pub(crate) fn reserve_id<'q>(
    table: &'q str,
    column: &'q str,
    id: i64,
) -> Query<'q, sqlx::Postgres, PgArguments> {
    sqlx::query(
        "SELECT setval(sequence, $3) \
         FROM (SELECT pg_get_serial_sequence(quote_ident($1), $2)::regclass AS sequence) AS s \
         WHERE sequence IS NOT NULL \
           AND $3 > COALESCE(pg_sequence_last_value(sequence), 0)",
    )
    .bind(table)
    .bind(column)
    .bind(id)
}
