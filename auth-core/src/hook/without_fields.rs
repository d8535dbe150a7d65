//! A record written as JSON without some of its top-level fields, for
//! `protect(..)`: a struct's protected fields are skipped while it is
//! written, rather than written (a password hash copied) and then
//! removed from the map again (hashed with the map's hasher).
//!
//! Only a struct's own fields are skipped; a record that is not a struct
//! (a map, a `Value`) is written whole, and [`record_json_without`] says
//! so, for the caller to remove the fields the usual way.

use std::cell::Cell;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::Value;

/// `record` as JSON without the top-level `fields`, and whether they were
/// skipped (the record is a struct): when not, the JSON is the whole
/// record.
pub(crate) fn record_json_without<T: Serialize>(
    record: &T,
    fields: &[&str],
) -> serde_json::Result<(Value, bool)> {
    let skipped = Cell::new(false);
    let value = record.serialize(Filter {
        inner: serde_json::value::Serializer,
        fields,
        skipped: &skipped,
    })?;
    Ok((value, skipped.get()))
}

/// serde_json's value serializer, skipping `fields` of a struct.
struct Filter<'a> {
    inner: serde_json::value::Serializer,
    fields: &'a [&'a str],
    skipped: &'a Cell<bool>,
}

/// A struct being written, without the protected fields.
struct FilteredStruct<'a> {
    inner: <serde_json::value::Serializer as Serializer>::SerializeStruct,
    fields: &'a [&'a str],
}

impl SerializeStruct for FilteredStruct<'_> {
    type Ok = Value;
    type Error = serde_json::Error;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> serde_json::Result<()> {
        if self.fields.contains(&key) {
            return Ok(());
        }
        self.inner.serialize_field(key, value)
    }

    fn skip_field(&mut self, key: &'static str) -> serde_json::Result<()> {
        self.inner.skip_field(key)
    }

    fn end(self) -> serde_json::Result<Value> {
        self.inner.end()
    }
}

/// Forwards a method to serde_json's value serializer as it is.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        $(fn $method(self, $($arg: $ty),*) -> serde_json::Result<$out> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<'a> Serializer for Filter<'a> {
    type Ok = Value;
    type Error = serde_json::Error;
    type SerializeSeq = <serde_json::value::Serializer as Serializer>::SerializeSeq;
    type SerializeTuple = <serde_json::value::Serializer as Serializer>::SerializeTuple;
    type SerializeTupleStruct = <serde_json::value::Serializer as Serializer>::SerializeTupleStruct;
    type SerializeTupleVariant =
        <serde_json::value::Serializer as Serializer>::SerializeTupleVariant;
    type SerializeMap = <serde_json::value::Serializer as Serializer>::SerializeMap;
    type SerializeStruct = FilteredStruct<'a>;
    type SerializeStructVariant =
        <serde_json::value::Serializer as Serializer>::SerializeStructVariant;

    forward! {
        serialize_bool(v: bool) -> Value;
        serialize_i8(v: i8) -> Value;
        serialize_i16(v: i16) -> Value;
        serialize_i32(v: i32) -> Value;
        serialize_i64(v: i64) -> Value;
        serialize_i128(v: i128) -> Value;
        serialize_u8(v: u8) -> Value;
        serialize_u16(v: u16) -> Value;
        serialize_u32(v: u32) -> Value;
        serialize_u64(v: u64) -> Value;
        serialize_u128(v: u128) -> Value;
        serialize_f32(v: f32) -> Value;
        serialize_f64(v: f64) -> Value;
        serialize_char(v: char) -> Value;
        serialize_str(v: &str) -> Value;
        serialize_bytes(v: &[u8]) -> Value;
        serialize_none() -> Value;
        serialize_unit() -> Value;
        serialize_unit_struct(name: &'static str) -> Value;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> Value;
        serialize_seq(len: Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(len: usize) -> Self::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> serde_json::Result<Value> {
        // `Option<Record>` is the record.
        value.serialize(self)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &V,
    ) -> serde_json::Result<Value> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &V,
    ) -> serde_json::Result<Value> {
        self.inner
            .serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> serde_json::Result<FilteredStruct<'a>> {
        self.skipped.set(true);
        Ok(FilteredStruct {
            inner: self.inner.serialize_struct(name, len)?,
            fields: self.fields,
        })
    }

    fn collect_str<V: std::fmt::Display + ?Sized>(self, value: &V) -> serde_json::Result<Value> {
        self.inner.collect_str(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct User {
        id: u64,
        email: String,
        password: Option<String>,
        token_epoch: Option<String>,
        #[serde(flatten)]
        more: serde_json::Map<String, Value>,
    }

    #[derive(serde::Serialize)]
    struct Plain {
        id: u64,
        password: String,
    }

    #[test]
    fn a_structs_protected_fields_are_skipped() {
        let plain = Plain {
            id: 1,
            password: "hash".into(),
        };
        let (json, skipped) = record_json_without(&plain, &["password"]).unwrap();
        assert!(skipped);
        assert_eq!(json, json!({ "id": 1 }));
        let (json, skipped) = record_json_without(&Some(&plain), &["password"]).unwrap();
        assert!(skipped);
        assert_eq!(json, json!({ "id": 1 }));
    }

    #[test]
    fn a_record_that_is_not_a_struct_is_written_whole() {
        let (json, skipped) =
            record_json_without(&json!({ "id": 1, "password": "x" }), &["password"]).unwrap();
        assert!(!skipped);
        assert_eq!(json, json!({ "id": 1, "password": "x" }));
        // A flattened struct is written as a map by serde.
        let user = User {
            id: 1,
            email: "a@b.c".into(),
            password: Some("hash".into()),
            token_epoch: None,
            more: serde_json::Map::new(),
        };
        let (json, skipped) = record_json_without(&user, &["password"]).unwrap();
        assert!(!skipped);
        assert_eq!(json["password"], "hash");
    }
}
