//! Compact serde support for the generated structs.
//!
//! `serde`'s derives write, for every struct, a field enum with its own visitor, a sequence
//! visitor and a map visitor: about 350 lines per type once expanded, which made up more than
//! half of what the compiler had to check in a generated crate. The generated structs instead
//! go through the crate-internal `object!` macro: it implements [`Object`] with one `match` on
//! the key (sharing [`deserialize_object`]'s visitor) and `Serialize` with [`Fields`]. The macro keeps the
//! generated source at one line per field.
//!
//! The behaviour is the derive's for JSON objects: unknown keys are skipped, a repeated key is
//! an error (`duplicate field`), a missing required field is `missing field`, and optional
//! fields that are `None` are left out when serializing. Unlike the derive, an array is not
//! accepted in place of an object.

use serde::de::{Deserialize, Deserializer, Error, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A struct decoded from a JSON object, one key at a time.
pub trait Object: Sized {
    /// The type's name, for error messages ("invalid type: ..., expected struct User").
    const NAME: &'static str;

    /// Decode the struct from the entries of an object.
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of an [`Object`].
pub fn deserialize_object<'de, D: Deserializer<'de>, T: Object>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// An object key, borrowed from the input when it holds no escapes.
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }

    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Key<'de>, E> {
        Ok(Key(String::from_utf8_lossy(v).into_owned().into()))
    }
}

/// Read the value of key `name` into its slot; a second occurrence is an error.
pub fn field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(A::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skip the value of a key this client does not know.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// The first required field whose slot is empty: `(empty, wire name)` per field, in order.
pub fn missing(fields: &[(bool, &'static str)]) -> Option<&'static str> {
    fields.iter().find(|f| f.0).map(|f| f.1)
}

/// The value of a required field, after [`missing`] found every required slot filled.
pub fn take<T>(slot: Option<T>) -> T {
    match slot {
        Some(value) => value,
        None => unreachable!("`missing` checks every required field first"),
    }
}

/// The value of a field that may be absent or `null` (both are `None`).
pub fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// Writes a struct's fields, leaving out optional ones that are `None`. The first error is
/// kept and returned by [`end`](Self::end); the fields after it are not written.
///
/// Calls return nothing, so a struct of n fields has one exit instead of n `?`s: that is
/// less for the compiler to check in every generated `serialize`.
pub struct Fields<S: Serializer>(Result<S::SerializeStruct, S::Error>);

impl<S: Serializer> Fields<S> {
    /// Start a struct of `len` fields (the ones that will be written).
    pub fn start(serializer: S, name: &'static str, len: usize) -> Self {
        Fields(serializer.serialize_struct(name, len))
    }

    /// A field that is always written.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Ok(state) = &mut self.0 {
            if let Err(e) = state.serialize_field(key, value) {
                self.0 = Err(e);
            }
        }
    }

    /// A field written only when it is `Some` (for a tri-state `Option<Option<T>>`,
    /// `Some(None)` is written as `null`).
    pub fn optional<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Ok(state) = &mut self.0 {
            let written = match value {
                Some(value) => state.serialize_field(key, value),
                None => state.skip_field(key),
            };
            if let Err(e) = written {
                self.0 = Err(e);
            }
        }
    }

    /// Finish the struct, or return the first error.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.0?.end()
    }
}

/// How many of the optional fields are present (to announce the struct's length).
pub fn present(flags: &[bool]) -> usize {
    flags.iter().filter(|f| **f).count()
}

/// Implements `Deserialize` (through [`Object`]) and `Serialize` for a struct defined just
/// before, from one line per field: its name, how it is present on the wire and its wire
/// name.
///
/// ```text
/// crate::object! {
///     User {
///         id: required "id",                // T: present, not null
///         name: nullable "name",            // Option<T>: present, may be null; always written
///         email: optional "email_address",  // Option<T>: may be absent; left out when None
///         phone: tristate "phone",          // Option<Option<T>>: absent, null or a value
///     }
/// }
/// ```
///
/// `@deserialize_only` before the name leaves out `Serialize` (multipart bodies).
#[macro_export]
macro_rules! object {
    (@deserialize_only $name:ident { $($field:ident : $kind:ident $wire:literal),* $(,)? }) => {
        $crate::object!(@deserialize $name { $($field : $kind $wire),* });
    };
    ($name:ident { $($field:ident : $kind:ident $wire:literal),* $(,)? }) => {
        $crate::object!(@deserialize $name { $($field : $kind $wire),* });

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let len = $crate::de::present(&[
                    $($crate::object!(@present $kind self.$field)),*
                ]);
                #[allow(unused_mut)]
                let mut fields = $crate::de::Fields::start(serializer, stringify!($name), len);
                $($crate::object!(@write $kind fields $wire self.$field);)*
                fields.end()
            }
        }
    };
    (@deserialize $name:ident { $($field:ident : $kind:ident $wire:literal),* }) => {
        impl $crate::de::Object for $name {
            const NAME: &'static str = stringify!($name);

            #[allow(unused_mut)]
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<Self, A::Error> {
                $(let mut $field = ::std::option::Option::None;)*
                while let ::std::option::Option::Some(key) =
                    map.next_key::<$crate::de::Key<'de>>()?
                {
                    // One `?` for all keys (and one exit for all required fields below):
                    // every early return is checked and drop-elaborated separately.
                    let step = match key.as_str() {
                        $($wire => $crate::de::field(&mut map, &mut $field, $wire),)*
                        _ => $crate::de::skip(&mut map),
                    };
                    step?;
                }
                if let ::std::option::Option::Some(name) = $crate::de::missing(&[
                    $($crate::object!(@missing $kind $field $wire)),*
                ]) {
                    return ::std::result::Result::Err(
                        <A::Error as ::serde::de::Error>::missing_field(name),
                    );
                }
                ::std::result::Result::Ok(Self {
                    $($field: $crate::object!(@take $kind $field $wire),)*
                })
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::de::deserialize_object(deserializer)
            }
        }
    };
    (@take required $slot:ident $wire:literal) => { $crate::de::take($slot) };
    (@take nullable $slot:ident $wire:literal) => { $crate::de::optional($slot) };
    (@take optional $slot:ident $wire:literal) => { $crate::de::optional($slot) };
    (@take tristate $slot:ident $wire:literal) => { $slot };
    (@missing required $slot:ident $wire:literal) => { ($slot.is_none(), $wire) };
    (@missing $kind:ident $slot:ident $wire:literal) => { (false, $wire) };
    (@present required $value:expr) => { true };
    (@present nullable $value:expr) => { true };
    (@present optional $value:expr) => { $value.is_some() };
    (@present tristate $value:expr) => { $value.is_some() };
    (@write required $fields:ident $wire:literal $value:expr) => { $fields.field($wire, &$value) };
    (@write nullable $fields:ident $wire:literal $value:expr) => { $fields.field($wire, &$value) };
    (@write optional $fields:ident $wire:literal $value:expr) => { $fields.optional($wire, &$value) };
    (@write tristate $fields:ident $wire:literal $value:expr) => { $fields.optional($wire, &$value) };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq)]
    struct Point {
        x: i64,
        label: Option<String>,
        note: Option<String>,
        clear: Option<Option<String>>,
    }

    crate::object! {
        Point {
            x: required "x",
            label: optional "label",
            note: nullable "note",
            clear: tristate "clear",
        }
    }

    /// Keys that are the decoder's own variable names, and a raw identifier.
    #[derive(Debug, PartialEq)]
    struct Clash {
        map: Option<i64>,
        key: Option<i64>,
        step: Option<i64>,
        name: String,
        r#type: String,
    }

    crate::object! {
        Clash {
            map: optional "map",
            key: optional "key",
            step: optional "step",
            name: required "name",
            r#type: required "type",
        }
    }

    /// Multipart bodies only decode.
    #[derive(Debug, PartialEq)]
    struct Upload {
        name: String,
    }

    crate::object! {
        @deserialize_only Upload {
            name: required "na\"me",
        }
    }

    /// No fields at all.
    #[derive(Debug, PartialEq)]
    struct Empty {}

    crate::object! { Empty {} }

    fn decode(json: &str) -> Result<Point, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn decodes_like_the_derive() {
        let p = decode(r#"{"x": 1, "label": "a", "extra": [1, {"y": 2}], "clear": null}"#).unwrap();
        assert_eq!(
            p,
            Point {
                x: 1,
                label: Some("a".into()),
                note: None,
                clear: Some(None)
            }
        );
        let p = decode(r#"{"x": 1, "note": null, "clear": "c"}"#).unwrap();
        assert_eq!(p.note, None);
        assert_eq!(p.clear, Some(Some("c".into())));
        assert_eq!(decode(r#"{"x": 2}"#).unwrap().clear, None);
        // Escaped keys are matched by their value.
        assert_eq!(decode(r#"{"\u0078": 3}"#).unwrap().x, 3);
    }

    #[test]
    fn reports_what_the_derive_reports() {
        assert!(decode(r#"{"label": "a"}"#)
            .unwrap_err()
            .starts_with("missing field `x`"));
        assert!(decode(r#"{"x": 1, "x": 2}"#)
            .unwrap_err()
            .starts_with("duplicate field `x`"));
        assert!(decode(r#"{"x": "one"}"#)
            .unwrap_err()
            .starts_with("invalid type: string \"one\", expected i64"));
        assert!(decode("[1]")
            .unwrap_err()
            .starts_with("invalid type: sequence, expected struct Point"));
        let path = serde_path_to_error::deserialize::<_, Point>(
            &mut serde_json::Deserializer::from_str(r#"{"x": 1, "label": 5}"#),
        )
        .unwrap_err();
        assert_eq!(path.path().to_string(), "label");
    }

    #[test]
    fn serializes_like_the_derive() {
        let p = Point {
            x: 1,
            label: None,
            note: None,
            clear: Some(None),
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"x":1,"note":null,"clear":null}"#
        );
        let p = Point {
            x: 1,
            label: Some("a".into()),
            note: Some("n".into()),
            clear: None,
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"x":1,"label":"a","note":"n"}"#
        );
    }

    /// A value whose serialization fails.
    #[derive(Debug, PartialEq)]
    struct Boom;

    impl serde::Serialize for Boom {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("boom"))
        }
    }

    impl<'de> serde::Deserialize<'de> for Boom {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            serde::de::IgnoredAny::deserialize(d).map(|_| Boom)
        }
    }

    #[derive(Debug, PartialEq)]
    struct Failing {
        before: i64,
        boom: Option<Boom>,
        after: i64,
    }

    crate::object! {
        Failing {
            before: required "before",
            boom: optional "boom",
            after: required "after",
        }
    }

    #[test]
    fn a_field_that_fails_to_serialize_fails_the_struct() {
        let mut out = Vec::new();
        let value = Failing {
            before: 1,
            boom: Some(Boom),
            after: 2,
        };
        let err = serde::Serialize::serialize(&value, &mut serde_json::Serializer::new(&mut out))
            .unwrap_err();
        assert_eq!(err.to_string(), "boom");
        // Nothing after the failing field was written.
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"before":1,"boom":"#);
        let ok = Failing {
            before: 1,
            boom: None,
            after: 2,
        };
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"before":1,"after":2}"#
        );
    }

    #[test]
    fn field_names_cannot_shadow_the_decoder() {
        let c: Clash =
            serde_json::from_str(r#"{"key": 1, "map": 2, "step": 3, "name": "n", "type": "t"}"#)
                .unwrap();
        assert_eq!(
            c,
            Clash {
                map: Some(2),
                key: Some(1),
                step: Some(3),
                name: "n".into(),
                r#type: "t".into()
            }
        );
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"map":2,"key":1,"step":3,"name":"n","type":"t"}"#
        );
        // Several required fields missing: the first one in declaration order is reported.
        let err = serde_json::from_str::<Clash>(r#"{"step": 1}"#).unwrap_err();
        assert!(err.to_string().starts_with("missing field `name`"), "{err}");
        let err = serde_json::from_str::<Clash>(r#"{"name": "n"}"#).unwrap_err();
        assert!(err.to_string().starts_with("missing field `type`"), "{err}");
        let u: Upload = serde_json::from_str(r#"{"na\"me": "n"}"#).unwrap();
        assert_eq!(u.name, "n");
        let e: Empty = serde_json::from_str(r#"{"anything": [1]}"#).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "{}");
    }
}
