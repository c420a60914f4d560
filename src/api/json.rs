//! serde over the JS value that `JSON.parse` (or `Response.json()`) made: how every answer
//! and event becomes a wire type, without the JSON text crossing into the wasm.
//!
//! This replaces `serde_wasm_bindgen::from_value` for one reason: its error type builds
//! serde's messages ("invalid type: floating point `1.5`, expected u32"), and those link float
//! printing and most of `core::fmt` into the shell. Nobody reads them: a body outside the
//! contract is `ApiError::Unexpected` and an event that doesn't decode is ignored. [`Invalid`]
//! carries no message, and the main module is 11 KB brotli lighter, which every page pays
//! (decision record 0001).
//!
//! Only what `JSON.parse` can produce is accepted (null, booleans, numbers, strings, arrays,
//! plain objects), in serde's self-describing way: a type asked for by name is read as that
//! type, anything else as it is (`deserialize_any`), and serde's own visitors check the rest
//! (an integer's range, a missing field). A struct reads the fields it declares and nothing
//! else, as `serde_wasm_bindgen` did: a server that adds a field doesn't break an older app.

use std::cell::RefCell;
use std::fmt;

use js_sys::{Array, Number, Object, Reflect};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// The value was not the JSON the type describes. Deliberately without a message (see the
/// module's comment).
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid;

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not the JSON the contract describes")
    }
}

impl std::error::Error for Invalid {}

// Every constructor serde offers is overridden: their default bodies format a message
// through `custom`, and formatting one is what this module exists to avoid.
impl de::Error for Invalid {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Invalid
    }
    fn invalid_type(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn invalid_value(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn invalid_length(_: usize, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn unknown_variant(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn missing_field(_: &'static str) -> Self {
        Invalid
    }
    fn duplicate_field(_: &'static str) -> Self {
        Invalid
    }
}

/// Reads `value` as a `T`.
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, Invalid> {
    T::deserialize(Value(value))
}

/// Every integer is read the same way: serde's integer visitors take any integer and check
/// its range themselves.
macro_rules! integers_as_u64 {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
            self.deserialize_u64(visitor)
        }
    )*};
}

/// One JSON value on the JS side.
struct Value(JsValue);

impl<'de> de::Deserializer<'de> for Value {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        let value = self.0;
        if value.is_null() || value.is_undefined() {
            visitor.visit_unit()
        } else if let Some(flag) = value.as_bool() {
            visitor.visit_bool(flag)
        } else if let Some(number) = value.as_f64() {
            // Whole numbers as integers, so that serde's integer visitors take them (and
            // check their range); JSON has no other kind.
            if Number::is_safe_integer(&value) {
                visitor.visit_i64(number as i64)
            } else {
                visitor.visit_f64(number)
            }
        } else if let Some(text) = value.as_string() {
            visitor.visit_string(text)
        } else if Array::is_array(&value) {
            Value(value).deserialize_seq(visitor)
        } else {
            Value(value).deserialize_map(visitor)
        }
    }

    // The types a wire type asks for by name read only that type. Each of these is compiled
    // once per visitor, so a narrow body here is less code than `deserialize_any`'s every
    // branch (measured: about 1 KB on the devices page).

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_bool(self.0.as_bool().ok_or(Invalid)?)
    }

    /// A whole number that a double holds exactly; serde's visitor checks its range.
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if !Number::is_safe_integer(&self.0) {
            return Err(Invalid);
        }
        visitor.visit_i64(self.0.as_f64().ok_or(Invalid)? as i64)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_string(self.0.as_string().ok_or(Invalid)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        self.deserialize_string(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if !Array::is_array(&self.0) {
            return Err(Invalid);
        }
        visitor.visit_seq(Items {
            array: self.0.unchecked_into(),
            next: 0,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(Invalid);
        }
        visitor.visit_map(Entries {
            entries: Object::entries(self.0.unchecked_ref()),
            next: 0,
            value: JsValue::UNDEFINED,
        })
    }

    /// A struct reads its own fields by name, not the object's every entry: no key crosses
    /// into the wasm, and what the type doesn't know is never looked at. Half the time of
    /// `Object.entries` on the devices page's 1,000 devices (measured).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(Invalid);
        }
        visitor.visit_map(Fields {
            object: self.0,
            fields,
            next: 0,
            value: JsValue::UNDEFINED,
        })
    }

    /// `null` (or a key that isn't there) is `None`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_newtype_struct(self)
    }

    /// serde's external tagging, as `serde_json` writes it: `"variant"`, or
    /// `{"variant": payload}`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        if self.0.is_string() {
            return visitor.visit_enum(Variant {
                tag: self.0,
                payload: JsValue::UNDEFINED,
            });
        }
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(Invalid);
        }
        let entries = Object::entries(self.0.unchecked_ref());
        if entries.length() != 1 {
            return Err(Invalid);
        }
        let (tag, payload) = pair(entries.get(0));
        visitor.visit_enum(Variant { tag, payload })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char bytes byte_buf unit unit_struct tuple tuple_struct
    }

    integers_as_u64! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32
    }
}

fn pair(entry: JsValue) -> (JsValue, JsValue) {
    let entry: Array = entry.unchecked_into();
    (entry.get(0), entry.get(1))
}

/// An array's items, in order.
struct Items {
    array: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Invalid;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Invalid> {
        if self.next >= self.array.length() {
            return Ok(None);
        }
        let item = self.array.get(self.next);
        self.next += 1;
        seed.deserialize(Value(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.array.length() - self.next) as usize)
    }
}

/// An object's keys and values (`Object.entries`), for maps.
struct Entries {
    entries: Array,
    next: u32,
    /// The value of the key just read.
    value: JsValue,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Invalid> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let (key, value) = pair(self.entries.get(self.next));
        self.next += 1;
        self.value = value;
        seed.deserialize(Value(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Invalid> {
        seed.deserialize(Value(std::mem::take(&mut self.value)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.entries.length() - self.next) as usize)
    }
}

/// A struct's fields, in the order the type declares them; a missing one (`undefined`) is
/// skipped, and serde decides whether it may be.
struct Fields {
    object: JsValue,
    fields: &'static [&'static str],
    next: usize,
    value: JsValue,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Invalid> {
        while let Some(field) = self.fields.get(self.next) {
            let value = property(&self.object, self.fields, self.next)?;
            self.next += 1;
            if !value.is_undefined() {
                self.value = value;
                return seed.deserialize(field.into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Invalid> {
        seed.deserialize(Value(std::mem::take(&mut self.value)))
    }
}

thread_local! {
    /// Each struct's field names as JS strings, made the first time one is read: keyed by
    /// the address of serde's static list of them. Making them anew for every object took
    /// the devices page's 1,000 devices from 5 to 10 ms (measured).
    static NAMES: RefCell<Vec<(*const &'static str, Vec<JsValue>)>> = const { RefCell::new(Vec::new()) };
}

/// `object[fields[index]]`.
fn property(
    object: &JsValue,
    fields: &'static [&'static str],
    index: usize,
) -> Result<JsValue, Invalid> {
    NAMES.with_borrow_mut(|cache| {
        let at = match cache.iter().position(|(list, _)| *list == fields.as_ptr()) {
            Some(at) => at,
            None => {
                cache.push((
                    fields.as_ptr(),
                    fields.iter().map(|f| JsValue::from_str(f)).collect(),
                ));
                cache.len() - 1
            }
        };
        Reflect::get(object, &cache[at].1[index]).map_err(|_| Invalid)
    })
}

/// An enum's variant name and what it carries (`undefined` for a unit variant).
struct Variant {
    tag: JsValue,
    payload: JsValue,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Invalid;
    type Variant = Value;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Value), Invalid> {
        Ok((seed.deserialize(Value(self.tag))?, Value(self.payload)))
    }
}

impl<'de> de::VariantAccess<'de> for Value {
    type Error = Invalid;

    fn unit_variant(self) -> Result<(), Invalid> {
        if self.0.is_undefined() {
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Invalid> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Invalid> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
