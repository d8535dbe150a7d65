//! One top-level field of a serializable record, as JSON, without
//! serializing the rest: the record is walked by serde and every other
//! field is skipped unread.

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::Value;

/// The value of `record`'s top-level `field` (a struct's field by its
/// serialized name, or a map's key), as JSON; `None` when the record is
/// not a struct or map, has no such field, or the field is not JSON.
pub(crate) fn field_of<T: Serialize + ?Sized>(record: &T, field: &str) -> Option<Value> {
    record.serialize(Picker { field }).ok().flatten()
}

/// Why a walk stopped: the record is not a struct or a map.
#[derive(Debug)]
struct NotARecord;

impl std::fmt::Display for NotARecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a record")
    }
}

impl std::error::Error for NotARecord {}

impl ser::Error for NotARecord {
    fn custom<M: std::fmt::Display>(_: M) -> NotARecord {
        NotARecord
    }
}

struct Picker<'f> {
    field: &'f str,
}

/// A struct or a map being walked for the field.
struct Fields<'f> {
    field: &'f str,
    found: Option<Value>,
    /// A map's key, when it is the field.
    key_matches: bool,
}

impl Fields<'_> {
    fn take<V: Serialize + ?Sized>(&mut self, value: &V) {
        if self.found.is_none() {
            self.found = serde_json::to_value(value).ok();
        }
    }
}

macro_rules! not_a_record {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, NotARecord> { Err(NotARecord) })*
    };
}

impl<'f> ser::Serializer for Picker<'f> {
    type Ok = Option<Value>;
    type Error = NotARecord;
    type SerializeSeq = Impossible<Option<Value>, NotARecord>;
    type SerializeTuple = Impossible<Option<Value>, NotARecord>;
    type SerializeTupleStruct = Impossible<Option<Value>, NotARecord>;
    type SerializeTupleVariant = Impossible<Option<Value>, NotARecord>;
    type SerializeMap = Fields<'f>;
    type SerializeStruct = Fields<'f>;
    type SerializeStructVariant = Impossible<Option<Value>, NotARecord>;

    not_a_record! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_str(&str); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<Option<Value>, NotARecord> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<Option<Value>, NotARecord> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<Option<Value>, NotARecord> {
        Err(NotARecord)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotARecord> {
        Err(NotARecord)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotARecord> {
        Err(NotARecord)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotARecord> {
        Err(NotARecord)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotARecord> {
        Err(NotARecord)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Fields<'f>, NotARecord> {
        Ok(Fields {
            field: self.field,
            found: None,
            key_matches: false,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'f>, NotARecord> {
        self.serialize_map(None)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotARecord> {
        Err(NotARecord)
    }
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = Option<Value>;
    type Error = NotARecord;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), NotARecord> {
        if key == self.field {
            self.take(value);
        }
        Ok(())
    }

    fn end(self) -> Result<Option<Value>, NotARecord> {
        Ok(self.found)
    }
}

impl ser::SerializeMap for Fields<'_> {
    type Ok = Option<Value>;
    type Error = NotARecord;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), NotARecord> {
        // Keys are strings in JSON; any other key is not the field.
        self.key_matches = matches!(
            serde_json::to_value(key),
            Ok(Value::String(key)) if key == self.field
        );
        Ok(())
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), NotARecord> {
        if std::mem::take(&mut self.key_matches) {
            self.take(value);
        }
        Ok(())
    }

    fn end(self) -> Result<Option<Value>, NotARecord> {
        Ok(self.found)
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;
    use serde::Serialize;
    use serde_json::json;

    #[derive(Serialize)]
    struct User {
        id: u64,
        #[serde(rename = "tokenEpoch", skip_serializing_if = "Option::is_none")]
        token_epoch: Option<String>,
        nested: Nested,
    }

    #[derive(Serialize)]
    struct Nested {
        #[serde(rename = "tokenEpoch")]
        epoch: u8,
    }

    #[test]
    fn a_struct_field_is_read_by_its_serialized_name() {
        let user = User {
            id: 1,
            token_epoch: Some("e1".into()),
            nested: Nested { epoch: 9 },
        };
        assert_eq!(field_of(&user, "tokenEpoch"), Some(json!("e1")));
        assert_eq!(field_of(&user, "id"), Some(json!(1)));
        assert_eq!(field_of(&user, "token_epoch"), None);
        let user = User {
            token_epoch: None,
            ..user
        };
        // Skipped when absent; a nested field of that name is not read.
        assert_eq!(field_of(&user, "tokenEpoch"), None);
    }

    #[test]
    fn a_map_key_is_read_and_other_values_are_not_records() {
        let user = json!({ "id": 2, "tokenEpoch": null, "a": { "tokenEpoch": 1 } });
        assert_eq!(field_of(&user, "tokenEpoch"), Some(json!(null)));
        assert_eq!(field_of(&user, "b"), None);
        assert_eq!(field_of(&json!([1, 2]), "0"), None);
        assert_eq!(field_of(&Some(user), "id"), Some(json!(2)));
        assert_eq!(field_of(&5, "id"), None);
    }
}
