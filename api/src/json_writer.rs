//! JSON for large answers, byte for byte as `serde_json::to_writer` writes it, faster where a
//! page of the customer listing spends its time. serde_json scans every string for characters
//! to escape, one byte at a time, struct field names included — and a page of the listing holds
//! thousands of them. Here a field name, fixed when the
//! type was compiled, is copied as it is, and a verbatim struct ([`VERBATIM`], as
//! `serde_json::value::RawValue` serializes) is copied without being parsed. Values go through
//! serde_json itself, so they are written exactly as everywhere else; the tests compare the two
//! writers on every shape serde has.

use serde::Serialize;
use serde::ser::{self, Error as _};
use serde_json::Error;

/// The name of a struct whose one field is text already in JSON: serde_json writes it
/// verbatim (it is `serde_json::raw::TOKEN`, the name `RawValue` serializes under, unchanged
/// since serde_json 1.0.27); so does this writer. The tests fail if serde_json changes it.
pub const VERBATIM: &str = "$serde_json::private::RawValue";

/// Appends `value` as JSON to `out`.
pub fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    value.serialize(&mut Writer {
        out,
        verbatim: false,
    })
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    /// Inside a verbatim struct: its string is written as it is.
    verbatim: bool,
}

impl<'a> Writer<'a> {
    /// A value that holds no struct, as serde_json writes it.
    fn plain<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, value)
    }

    /// A struct field's name and the colon after it, copied without a look at its characters:
    /// a field name is a Rust identifier or a `rename` of ours, fixed when the type was
    /// compiled; checking each one on every answer cost as much as serde_json's escaping did.
    /// Debug builds (every test run) check.
    fn field_name(&mut self, name: &str) {
        debug_assert!(
            name.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\'),
            "field name {name:?} needs escaping"
        );
        self.out.reserve(name.len() + 3);
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    fn open<'w>(&'w mut self, opening: &[u8], closing: &'static [u8]) -> Compound<'w, 'a> {
        self.out.extend_from_slice(opening);
        Compound {
            writer: self,
            first: true,
            closing,
            verbatim: false,
        }
    }

    /// `{"variant":` then the opening of the variant's content.
    fn open_variant<'w>(
        &'w mut self,
        variant: &str,
        opening: u8,
        closing: &'static [u8],
    ) -> Result<Compound<'w, 'a>, Error> {
        self.out.push(b'{');
        self.plain(variant)?;
        self.out.push(b':');
        Ok(self.open(&[opening], closing))
    }
}

/// An array or object being written.
struct Compound<'w, 'a> {
    writer: &'w mut Writer<'a>,
    first: bool,
    closing: &'static [u8],
    /// A verbatim struct: its field is its text, with nothing around it.
    verbatim: bool,
}

impl Compound<'_, '_> {
    fn separate(&mut self) {
        if !std::mem::replace(&mut self.first, false) {
            self.writer.out.push(b',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        if self.verbatim {
            self.writer.verbatim = true;
            let written = value.serialize(&mut *self.writer);
            self.writer.verbatim = false;
            return written;
        }
        self.separate();
        self.writer.field_name(name);
        value.serialize(&mut *self.writer)
    }

    fn close(self) -> Result<(), Error> {
        self.writer.out.extend_from_slice(self.closing);
        Ok(())
    }
}

macro_rules! plain {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(self, value: $type) -> Result<(), Error> {
            self.plain(&value)
        })*
    };
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    plain!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
    );

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        if self.verbatim {
            self.out.extend_from_slice(value.as_bytes());
            Ok(())
        } else {
            self.plain(value)
        }
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &str) -> Result<(), Error> {
        self.plain(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        self.plain(variant)?;
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        Ok(self.open(b"[", b"]"))
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound<'w, 'a>, Error> {
        Ok(self.open(b"[", b"]"))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'a>, Error> {
        Ok(self.open(b"[", b"]"))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.open_variant(variant, b'[', b"]}")
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        Ok(self.open(b"{", b"}"))
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'w, 'a>, Error> {
        if name == VERBATIM {
            let mut verbatim = self.open(b"", b"");
            verbatim.verbatim = true;
            return Ok(verbatim);
        }
        Ok(self.open(b"{", b"}"))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.open_variant(variant, b'{', b"}}")
    }
}

/// The array kinds: each element after a comma.
macro_rules! arrays {
    ($($kind:ident::$method:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

arrays!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// The struct kinds: each field's name copied, then its value.
macro_rules! structs {
    ($($kind:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(name, value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

structs!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    /// A map's keys are data: written as serde_json writes them (numbers and booleans quoted).
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.separate();
        match serde_json::to_value(key)? {
            serde_json::Value::String(key) => self.writer.plain(&key)?,
            key @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => {
                self.writer.plain(&key.to_string())?
            }
            _ => return Err(Error::custom("key must be a string")),
        }
        self.writer.out.push(b':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::value::RawValue;

    use super::*;

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) -> String {
        let mut ours = Vec::new();
        write(value, &mut ours).unwrap();
        let theirs = serde_json::to_vec(value).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        String::from_utf8(ours).unwrap()
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(i32);

    #[derive(Serialize)]
    struct Pair(u8, &'static str);

    #[derive(Serialize)]
    enum Shape {
        Empty,
        Wrapped(Option<bool>),
        Pair(i64, f64),
        Named { x: u128, y: Vec<char> },
    }

    #[derive(Serialize)]
    struct Everything {
        #[serde(rename = "odd name ✓")]
        odd: &'static str,
        r#ref: String,
        nothing: Option<u8>,
        unit: (),
        unit_struct: Unit,
        newtype: Newtype,
        pair: Pair,
        tuple: (i8, i16, u16, u32),
        shapes: Vec<Shape>,
        bytes: &'static [u8],
        floats: [f32; 3],
        by_number: BTreeMap<i32, bool>,
        by_flag: BTreeMap<bool, ()>,
        by_name: BTreeMap<String, Vec<Option<String>>>,
        empty: Vec<Unit>,
        raw: Box<RawValue>,
        nested: Option<Box<Everything>>,
    }

    #[test]
    fn writes_every_shape_as_serde_json_does() {
        let everything = |nested| Everything {
            odd: "\u{1}\t\"é\\",
            r#ref: "INV-0042".to_owned(),
            nothing: None,
            unit: (),
            unit_struct: Unit,
            newtype: Newtype(-7),
            pair: Pair(255, "</script>"),
            tuple: (i8::MIN, i16::MAX, 0, u32::MAX),
            shapes: vec![
                Shape::Empty,
                Shape::Wrapped(Some(true)),
                Shape::Wrapped(None),
                Shape::Pair(i64::MIN, 0.1),
                Shape::Named {
                    x: u128::MAX,
                    y: vec!['"', 'ß'],
                },
            ],
            bytes: b"\x00\xff",
            floats: [f32::NAN, f32::INFINITY, -1.5e-9],
            by_number: BTreeMap::from([(-1, true), (2, false)]),
            by_flag: BTreeMap::from([(true, ())]),
            by_name: BTreeMap::from([("a\"b".to_owned(), vec![None, Some(String::new())])]),
            empty: Vec::new(),
            raw: RawValue::from_string(r#"{ "kept": [1, 2] }"#.to_owned()).unwrap(),
            nested,
        };
        let written = same_as_serde_json(&everything(Some(Box::new(everything(None)))));
        assert!(written.contains(r#""raw":{ "kept": [1, 2] }"#), "{written}");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "needs escaping")]
    fn a_field_name_that_needs_escaping_fails_every_test_that_writes_it() {
        #[derive(Serialize)]
        struct Odd {
            #[serde(rename = "say \"hi\"")]
            odd: bool,
        }
        write(&Odd { odd: true }, &mut Vec::new()).unwrap();
    }

    #[test]
    fn a_map_key_that_is_not_text_is_refused_as_serde_json_refuses_it() {
        let map = BTreeMap::from([(vec![1], 2)]);
        assert!(write(&map, &mut Vec::new()).is_err());
        assert!(serde_json::to_vec(&map).is_err());
    }

    proptest! {
        #[test]
        fn any_text_is_escaped_as_serde_json_escapes_it(text in "\\PC*|[\\x00-\\x7f]*") {
            same_as_serde_json(&BTreeMap::from([(text.clone(), vec![text])]));
        }
    }
}
