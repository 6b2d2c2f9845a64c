//! A model struct's fields as (name, JSON value) pairs: what `records` writes for an entity. The
//! same pairs as serializing to a `serde_json` object, without the object's tree and a copy of
//! each name (a 10,000-task import makes 70,000 of them).

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::Value;

/// The fields of `value`, a struct, in the order it serializes them (not sorted, as a JSON
/// object's are); empty for anything that is not a struct.
pub(super) fn fields<T: Serialize>(value: &T) -> Vec<(&'static str, Value)> {
    value.serialize(Fields).unwrap_or_default()
}

/// Why a value gave no fields: it is not a struct, or a field did not serialize.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct NotFields(String);

impl ser::Error for NotFields {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

struct Fields;

/// The fields collected so far.
pub(super) struct Collect(Vec<(&'static str, Value)>);

impl ser::SerializeStruct for Collect {
    type Ok = Vec<(&'static str, Value)>;
    type Error = NotFields;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), NotFields> {
        let value = serde_json::to_value(value).map_err(|e| NotFields(e.to_string()))?;
        self.0.push((key, value));
        Ok(())
    }

    fn end(self) -> Result<Self::Ok, NotFields> {
        Ok(self.0)
    }
}

fn not_a_struct<T>() -> Result<T, NotFields> {
    Err(NotFields("not a struct".into()))
}

type Out = Vec<(&'static str, Value)>;

impl ser::Serializer for Fields {
    type Ok = Out;
    type Error = NotFields;
    type SerializeSeq = Impossible<Out, NotFields>;
    type SerializeTuple = Impossible<Out, NotFields>;
    type SerializeTupleStruct = Impossible<Out, NotFields>;
    type SerializeTupleVariant = Impossible<Out, NotFields>;
    type SerializeMap = Impossible<Out, NotFields>;
    type SerializeStruct = Collect;
    type SerializeStructVariant = Impossible<Out, NotFields>;

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Collect, NotFields> {
        Ok(Collect(Vec::with_capacity(len)))
    }

    fn serialize_bool(self, _: bool) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_i8(self, _: i8) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_i16(self, _: i16) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_i32(self, _: i32) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_i64(self, _: i64) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_u8(self, _: u8) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_u16(self, _: u16) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_u32(self, _: u32) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_u64(self, _: u64) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_f32(self, _: f32) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_f64(self, _: f64) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_char(self, _: char) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_str(self, _: &str) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_none(self) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_unit(self) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Out, NotFields> {
        not_a_struct()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotFields> {
        not_a_struct()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotFields> {
        not_a_struct()
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotFields> {
        not_a_struct()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotFields> {
        not_a_struct()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotFields> {
        not_a_struct()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotFields> {
        not_a_struct()
    }
}

#[cfg(test)]
mod tests {
    use super::fields;
    use proptest::prelude::*;
    use serde_json::Value;
    use warroom_model::{Contact, Phase, Task};

    /// What `fields` must equal: the struct as a JSON object, iterated.
    fn via_object<T: serde::Serialize>(value: &T) -> Vec<(String, Value)> {
        match serde_json::to_value(value).unwrap() {
            Value::Object(m) => m.into_iter().collect(),
            other => panic!("not an object: {other}"),
        }
    }

    /// In name order, as the object's.
    fn owned(f: Vec<(&'static str, Value)>) -> Vec<(String, Value)> {
        let mut f: Vec<(String, Value)> = f.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        f.sort_by(|a, b| a.0.cmp(&b.0));
        f
    }

    #[test]
    fn a_structs_fields_are_its_json_objects() {
        let md = crate::demo::synthetic_markdown(120);
        let rb = crate::import::import_markdown("n.md", md.as_bytes()).unwrap().runbook;
        let demo = crate::demo::runbook().unwrap().runbook;
        for rb in [&rb, &demo] {
            for t in rb.tasks() {
                assert_eq!(owned(fields(t)), via_object(t), "task {}", t.id);
            }
            for c in &rb.contacts {
                assert_eq!(owned(fields(c)), via_object(c));
            }
            for s in &rb.rollback.steps {
                assert_eq!(owned(fields(s)), via_object(s));
            }
            for m in &rb.metrics {
                assert_eq!(owned(fields(m)), via_object(m));
            }
            let p = Phase { tasks: Vec::new(), ..rb.phases[0].clone() };
            assert_eq!(owned(fields(&p)), via_object(&p));
        }
        assert!(fields(&"a string").is_empty(), "not a struct: no fields");
        assert!(fields(&vec![1, 2]).is_empty());
    }

    proptest! {
        #[test]
        fn any_task_or_contact_gives_its_json_objects_fields(
            title in "\\PC{0,12}", owner in "[a-zA-Zàệ ]{0,8}", minutes in proptest::option::of(0u32..600),
            checkpoint in any::<bool>(), day in -3i16..3, name in "\\PC{0,8}", phone in "[0-9 +]{0,12}",
        ) {
            let task = Task { title, owner: owner.clone(), duration_min: minutes, checkpoint, day, ..Task::default() };
            prop_assert_eq!(owned(fields(&task)), via_object(&task));
            let contact = Contact { name, phone, role: owner, ..Contact::default() };
            prop_assert_eq!(owned(fields(&contact)), via_object(&contact));
        }
    }
}
