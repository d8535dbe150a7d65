//! A row decoded once into [`Cell`]s (borrowing its text from the row),
//! then given either as the JSON record the adapter works on, or straight
//! to a type's `Deserialize`: a `get` or a `find` that answers `T` skips
//! the JSON map (no key copies, no hashing, no second read from it).
//!
//! Reading straight into `T` is an optimisation only: when it fails, the
//! row is read through JSON as before ([`typed::read`]), which answers
//! the same `T` or the same error naming the field.

use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};

use crate::error::Result;
use crate::sql::columns::Column;
use crate::typed;

/// One column's value in a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'r> {
    Null,
    Integer(i64),
    Real(f64),
    Boolean(bool),
    Text(&'r str),
    Json(Value),
}

impl Cell<'_> {
    fn to_json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Integer(integer) => Value::from(*integer),
            Cell::Real(real) => Number::from_f64(*real).map_or(Value::Null, Value::Number),
            Cell::Boolean(flag) => Value::Bool(*flag),
            Cell::Text(text) => Value::String((*text).to_owned()),
            Cell::Json(value) => value.clone(),
        }
    }
}

/// The record a row stores: one key per column, `null` for SQL nulls.
pub(crate) fn to_json(columns: &[Column], cells: &[Cell<'_>]) -> Value {
    let mut record = Map::with_capacity(columns.len());
    for (column, cell) in columns.iter().zip(cells) {
        record.insert(column.name.clone(), cell.to_json());
    }
    Value::Object(record)
}

/// The record a row stores, for [`SqlPool::fetch`](super::pool::SqlPool).
pub(crate) fn json(columns: &[Column], cells: &[Cell<'_>]) -> Result<Value> {
    Ok(to_json(columns, cells))
}

/// The row as `T`: read straight from the cells, or through its JSON when
/// that fails (for `typed::read`'s answer, a `T` or the error naming the
/// field).
pub(crate) fn read<T: DeserializeOwned>(columns: &[Column], cells: &[Cell<'_>]) -> Result<T> {
    match T::deserialize(RowDeserializer { columns, cells }) {
        Ok(record) => Ok(record),
        Err(_) => typed::read(&to_json(columns, cells)),
    }
}

/// A row as a map from column names to cells.
struct RowDeserializer<'a, 'r> {
    columns: &'a [Column],
    cells: &'a [Cell<'r>],
}

impl<'de> Deserializer<'de> for RowDeserializer<'_, '_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(Cells {
            columns: self.columns.iter(),
            cells: self.cells.iter(),
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The row's entries, in column order.
struct Cells<'a, 'r> {
    columns: std::slice::Iter<'a, Column>,
    cells: std::slice::Iter<'a, Cell<'r>>,
}

impl<'de> MapAccess<'de> for Cells<'_, '_> {
    type Error = de::value::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.columns.next() {
            Some(column) => seed
                .deserialize(column.name.as_str().into_deserializer())
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        match self.cells.next() {
            Some(cell) => seed.deserialize(CellDeserializer(cell)),
            None => Err(de::Error::custom("a row has a value per column")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.columns.len())
    }
}

/// One cell as a value: null as `None`/unit, numbers, booleans, text, and
/// a JSON column as its document.
struct CellDeserializer<'a, 'r>(&'a Cell<'r>);

impl<'de> Deserializer<'de> for CellDeserializer<'_, '_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Cell::Null => visitor.visit_unit(),
            Cell::Integer(integer) => visitor.visit_i64(*integer),
            Cell::Real(real) => visitor.visit_f64(*real),
            Cell::Boolean(flag) => visitor.visit_bool(*flag),
            Cell::Text(text) => visitor.visit_str(text),
            Cell::Json(value) => value
                .clone()
                .deserialize_any(visitor)
                .map_err(de::Error::custom),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Cell::Null => visitor.visit_none(),
            Cell::Json(Value::Null) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            // A unit variant stored as its name.
            Cell::Text(text) => visitor.visit_enum(text.into_deserializer()),
            Cell::Json(value) => value
                .clone()
                .deserialize_enum(name, variants, visitor)
                .map_err(de::Error::custom),
            _ => self.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;
    use crate::sql::columns::ColumnKind;

    fn column(name: &str, kind: ColumnKind) -> Column {
        Column {
            name: name.to_owned(),
            kind,
            declared: String::new(),
            nullable: true,
        }
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Message {
        id: Option<i64>,
        text: String,
        user_id: Option<u32>,
        score: f32,
        flag: Option<bool>,
        kind: Kind,
        tags: Vec<String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Kind {
        Plain,
    }

    fn columns() -> Vec<Column> {
        vec![
            column("id", ColumnKind::Integer),
            column("text", ColumnKind::Text),
            column("userId", ColumnKind::Integer),
            column("score", ColumnKind::Real),
            column("flag", ColumnKind::Boolean),
            column("kind", ColumnKind::Text),
            column("tags", ColumnKind::Json),
        ]
    }

    #[test]
    fn a_row_reads_straight_into_a_type_as_its_json_would() {
        let cells = [
            Cell::Integer(3),
            Cell::Text("hi"),
            Cell::Null,
            Cell::Real(2.5),
            Cell::Boolean(true),
            Cell::Text("Plain"),
            Cell::Json(json!(["a"])),
        ];
        let straight: Message = T::deserialize(RowDeserializer {
            columns: &columns(),
            cells: &cells,
        })
        .unwrap();
        let through_json: Message = typed::read(&to_json(&columns(), &cells)).unwrap();
        assert_eq!(straight, through_json);
        assert_eq!(straight.user_id, None);
        assert_eq!(straight.kind, Kind::Plain);
    }

    type T = Message;

    #[test]
    fn what_does_not_fit_is_the_error_json_reading_gives() {
        let cells = [
            Cell::Integer(3),
            Cell::Integer(5),
            Cell::Integer(-1),
            Cell::Real(2.5),
            Cell::Null,
            Cell::Text("Plain"),
            Cell::Json(json!([])),
        ];
        let error = read::<Message>(&columns(), &cells).unwrap_err();
        let expected = typed::read::<Message>(&to_json(&columns(), &cells)).unwrap_err();
        assert_eq!(error.message(), expected.message());
        assert!(error.message().contains("text"), "{}", error.message());
    }
}
