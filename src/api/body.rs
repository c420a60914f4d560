//! Request bodies as JSON text, by a serde `Serializer` of the app's own.
//!
//! `serde_wasm_bindgen` built a JS object for `JSON.stringify` to write, through a cache of JS
//! field names (a hash map) that came with every part that sends a body; `serde_json` brings
//! float formatting. A request body is an object of strings, booleans, integers, options, and
//! enums' unit variants, which this writes as text directly. Anything else (a float, a map, a
//! variant with data) is an error, which the client reports as it would a request that
//! couldn't be sent: no request body has one.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeSeq, SerializeStruct, SerializeTuple};

use super::json::Invalid;

/// `value` as JSON text; `None` if it holds something a request body doesn't.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut out = String::new();
    value.serialize(Writer(&mut out)).ok()?;
    Some(out)
}

// A value no request body holds is `json.rs`'s error too: without a message, since building
// serde's messages links formatting code into every part that sends a body.
impl ser::Error for Invalid {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Invalid
    }
}

type Done = Result<(), Invalid>;
type Never = Impossible<(), Invalid>;

struct Writer<'a>(&'a mut String);

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Invalid;
    type SerializeSeq = List<'a>;
    type SerializeTuple = List<'a>;
    type SerializeTupleStruct = Never;
    type SerializeTupleVariant = Never;
    type SerializeMap = Never;
    type SerializeStruct = List<'a>;
    type SerializeStructVariant = Never;

    fn serialize_bool(self, v: bool) -> Done {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.0.push_str(&v.to_string());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.0.push_str(&v.to_string());
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> Done {
        Err(Invalid)
    }
    fn serialize_f64(self, _: f64) -> Done {
        Err(Invalid)
    }
    fn serialize_char(self, v: char) -> Done {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Done {
        string(self.0, v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Done {
        Err(Invalid)
    }
    fn serialize_none(self) -> Done {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.0.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Done {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Done {
        Err(Invalid)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<List<'a>, Invalid> {
        Ok(List::open(self.0, '['))
    }
    fn serialize_tuple(self, _: usize) -> Result<List<'a>, Invalid> {
        Ok(List::open(self.0, '['))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Never, Invalid> {
        Err(Invalid)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Never, Invalid> {
        Err(Invalid)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Never, Invalid> {
        Err(Invalid)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<List<'a>, Invalid> {
        Ok(List::open(self.0, '{'))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Never, Invalid> {
        Err(Invalid)
    }
}

/// An array or an object being written: a comma before every item but the first.
struct List<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> List<'a> {
    fn open(out: &'a mut String, bracket: char) -> Self {
        out.push(bracket);
        List { out, first: true }
    }

    fn item(&mut self) -> Writer<'_> {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        Writer(self.out)
    }
}

impl SerializeSeq for List<'_> {
    type Ok = ();
    type Error = Invalid;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(self.item())
    }
    fn end(self) -> Done {
        self.out.push(']');
        Ok(())
    }
}

impl SerializeTuple for List<'_> {
    type Ok = ();
    type Error = Invalid;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Done {
        SerializeSeq::end(self)
    }
}

impl SerializeStruct for List<'_> {
    type Ok = ();
    type Error = Invalid;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Done {
        let Writer(out) = self.item();
        string(out, key);
        out.push(':');
        value.serialize(Writer(out))
    }
    fn end(self) -> Done {
        self.out.push('}');
        Ok(())
    }
}

/// `s` as a JSON string: quotes, backslashes and control characters escaped, the rest as it is.
fn string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let n = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[n >> 4]));
                out.push(char::from(HEX[n & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use hallpass_api::{MaturityRating, ProfilePatch, SignIn, SignOutAll};

    use super::*;

    /// Writes `value` as serde_json does.
    fn same_as_serde_json<T: Serialize>(value: &T) {
        let ours = to_string(value).expect("a request body");
        let theirs = serde_json::to_string(value).expect("serde_json writes it");
        assert_eq!(ours, theirs);
    }

    #[test]
    fn writes_request_bodies_as_serde_json_does() {
        same_as_serde_json(&SignIn {
            email: "a\"b\\c@example.com".to_owned(),
            password: "tab\there\nnew line \u{1} bell\u{7} é 日本 🙂".to_owned(),
        });
        same_as_serde_json(&SignOutAll { keep_current: true });
        same_as_serde_json(&ProfilePatch {
            name: Some("Kid".to_owned()),
            kids: Some(false),
            maturity_rating: Some(MaturityRating::Thirteen),
            ..ProfilePatch::default()
        });
        same_as_serde_json(&ProfilePatch::default());
        same_as_serde_json(&(vec![Some(1u32), None], -7i64, 'x', ()));
    }

    #[test]
    fn refuses_what_no_request_body_holds() {
        assert!(to_string(&1.5f64).is_none());
        assert!(to_string(&std::collections::BTreeMap::from([("a", 1)])).is_none());
    }
}
