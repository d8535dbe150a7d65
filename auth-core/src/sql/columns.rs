//! A table's columns as the adapter reads them from the database, and the
//! conversions between JSON values and SQL values for each kind of column.
//!
//! SQLite types by affinity: a declared type containing `INT` is an
//! integer, `BOOL` a boolean (stored as 0/1), `REAL`, `FLOA` or `DOUB` a
//! float, `JSON` a JSON document stored as text; anything else is text.
//! PostgreSQL's types are strict, so only those with a JSON kind are
//! taken (`smallint`, `integer`, `bigint`, `real`, `double precision`,
//! `boolean`, `text`, `varchar`, `char`, `json`, `jsonb`); a table with
//! another is refused when the service is built, naming the column.

use sea_query::Value as SqlValue;
use serde_json::{Number, Value};

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
    /// The kind of a PostgreSQL column of type `udt_name` (as
    /// `information_schema.columns` names it: `int4`, `varchar`, `jsonb`),
    /// or `None` for a type without one.
    pub fn from_postgres(udt_name: &str) -> Option<ColumnKind> {
        Some(match udt_name {
            "int2" | "int4" | "int8" => ColumnKind::Integer,
            "float4" | "float8" => ColumnKind::Real,
            "bool" => ColumnKind::Boolean,
            "text" | "varchar" | "bpchar" => ColumnKind::Text,
            "json" | "jsonb" => ColumnKind::Json,
            _ => return None,
        })
    }

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

    /// `value` as a query compares it with this kind's column, or `None`
    /// when no value of the column can equal or order against it. As the
    /// memory adapter compares (`query::compare`): a number, or a query
    /// string reading as one (`"3"`, `"2.5"`, `"1e3"`), is compared with
    /// a numeric column as a number, integral or not; `"true"`/`"false"`
    /// with a boolean; and kinds do not mix otherwise (a number never
    /// equals nor orders against text).
    pub fn to_sql(self, value: &Value) -> Option<SqlValue> {
        if value.is_null() {
            return Some(self.null());
        }
        match self {
            ColumnKind::Integer | ColumnKind::Real => match value {
                Value::Number(number) => Some(number_value(number)),
                Value::String(text) => numeric_text(text),
                _ => None,
            },
            ColumnKind::Boolean => boolean(value),
            ColumnKind::Text => match value {
                Value::String(text) => Some(SqlValue::from(text.as_str())),
                _ => None,
            },
            ColumnKind::Json => Some(SqlValue::from(value.to_string())),
        }
    }

    /// `value` as a column of this kind stores it, or `None` when the
    /// column can not hold it (`"abc"` or `1.5` for an integer). Strings
    /// reading as the kind convert (`"3"` for an integer, `"true"` for a
    /// boolean), and numbers and booleans become text in a text column.
    pub fn to_stored(self, value: &Value) -> Option<SqlValue> {
        if value.is_null() {
            return Some(self.null());
        }
        match self {
            ColumnKind::Integer => match value {
                Value::Number(number) => number.as_i64().map(SqlValue::from),
                Value::String(text) => text.trim().parse::<i64>().ok().map(SqlValue::from),
                _ => None,
            },
            ColumnKind::Real => match value {
                Value::Number(number) => number.as_f64().map(SqlValue::from),
                Value::String(text) => text.trim().parse::<f64>().ok().map(SqlValue::from),
                _ => None,
            },
            ColumnKind::Boolean => boolean(value),
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

/// A JSON number as SQL: an integer when it is one, else a float (SQLite
/// compares the two by value).
fn number_value(number: &Number) -> SqlValue {
    match number.as_i64() {
        Some(integer) => SqlValue::from(integer),
        None => SqlValue::from(number.as_f64().unwrap_or(f64::NAN)),
    }
}

/// A query string as the number it reads as, if it reads as a finite one
/// (parsed as the memory adapter parses it: no surrounding spaces).
fn numeric_text(text: &str) -> Option<SqlValue> {
    if let Ok(integer) = text.parse::<i64>() {
        return Some(SqlValue::from(integer));
    }
    text.parse::<f64>()
        .ok()
        .filter(|float| float.is_finite())
        .map(SqlValue::from)
}

fn boolean(value: &Value) -> Option<SqlValue> {
    match value {
        Value::Bool(flag) => Some(SqlValue::from(*flag)),
        Value::String(text) if text == "true" => Some(SqlValue::from(true)),
        Value::String(text) if text == "false" => Some(SqlValue::from(false)),
        _ => None,
    }
}

/// A column of the service's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
    /// Its type as the database declares it: SQLite's declared type
    /// (`INTEGER`, `VARCHAR(255)`), PostgreSQL's type name (`int4`, `jsonb`).
    pub declared: String,
    /// Whether it may hold null.
    pub nullable: bool,
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
    fn query_values_compare_as_the_memory_adapter_compares_them() {
        let integer = ColumnKind::Integer;
        assert_eq!(integer.to_sql(&json!("3")), Some(SqlValue::from(3i64)));
        assert_eq!(integer.to_sql(&json!(1.5)), Some(SqlValue::from(1.5f64)));
        assert_eq!(integer.to_sql(&json!("2.5")), Some(SqlValue::from(2.5f64)));
        assert_eq!(integer.to_sql(&json!("1e1")), Some(SqlValue::from(10.0f64)));
        for never in [json!("abc"), json!(" 3"), json!("inf"), json!(true)] {
            assert_eq!(integer.to_sql(&never), None, "{never}");
        }
        assert_eq!(
            ColumnKind::Boolean.to_sql(&json!("true")),
            Some(SqlValue::from(true))
        );
        assert_eq!(ColumnKind::Boolean.to_sql(&json!("yes")), None);
        assert_eq!(ColumnKind::Text.to_sql(&json!(7)), None);
        assert_eq!(
            ColumnKind::Real.to_sql(&Value::Null),
            Some(SqlValue::Double(None))
        );
    }

    #[test]
    fn stored_values_must_be_of_the_columns_kind() {
        assert_eq!(
            ColumnKind::Integer.to_stored(&json!("3")),
            Some(SqlValue::from(3i64))
        );
        assert_eq!(ColumnKind::Integer.to_stored(&json!("abc")), None);
        assert_eq!(ColumnKind::Integer.to_stored(&json!(1.5)), None);
        assert_eq!(
            ColumnKind::Text.to_stored(&json!(7)),
            Some(SqlValue::from("7".to_owned()))
        );
        assert_eq!(ColumnKind::Boolean.to_stored(&json!("yes")), None);
    }
}
