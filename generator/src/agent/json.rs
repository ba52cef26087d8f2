//! Pretty JSON text of the agent documents, byte-for-byte what `serde_json::to_string_pretty`
//! writes, except that parts shared by many documents (schema definitions, whole schemas) are
//! rendered once ([`Fragment`]) and copied in, indented to where they land, instead of being
//! cloned and serialized again for every document that embeds them.
//!
//! How a fragment gets in: serde_json writes a `RawValue` through the formatter's
//! `write_raw_fragment`. While [`text`] runs, the formatter keeps its depth in a thread-local;
//! a fragment serialized then fetches (or makes, once per depth) its text indented for that
//! depth and hands it to the formatter, which copies it verbatim. Serialized any other way, a
//! fragment is its plain `RawValue`.

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::value::RawValue;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::sync::{Arc, OnceLock};

/// Depths whose indented copies a fragment keeps.
const CACHED_DEPTHS: usize = 8;

/// A JSON value rendered once as pretty text at indentation 0, to be embedded anywhere.
#[derive(Debug, Clone)]
pub struct Fragment(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    raw: Box<RawValue>,
    /// The text indented for depth `i` (every line after the first gets `2 * i` spaces).
    indented: [OnceLock<Box<str>>; CACHED_DEPTHS],
}

thread_local! {
    /// The depth of the formatter of the [`text`] running on this thread, if any.
    static DEPTH: Cell<Option<usize>> = const { Cell::new(None) };
    /// The text of the fragment being written, handed from [`Fragment`] to the formatter.
    static HANDOFF: RefCell<Option<(Arc<Inner>, usize)>> = const { RefCell::new(None) };
}

/// What a fragment writes through serde_json while handing its text over.
fn stand_in() -> &'static RawValue {
    static STAND_IN: OnceLock<Box<RawValue>> = OnceLock::new();
    STAND_IN.get_or_init(|| RawValue::from_string("0".to_string()).unwrap_or_default())
}

impl Fragment {
    /// Render `v`.
    pub fn new(v: &Value) -> Fragment {
        let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".to_string());
        // The text was just written by serde_json, so it parses.
        Fragment::from_raw(RawValue::from_string(text).unwrap_or_default())
    }

    fn from_raw(raw: Box<RawValue>) -> Fragment {
        Fragment(Arc::new(Inner {
            raw,
            indented: Default::default(),
        }))
    }

    /// The pretty text (indentation 0).
    pub fn text(&self) -> &str {
        self.0.raw.get()
    }

    /// Length of the text in bytes (the size measure of the document budget).
    pub fn len(&self) -> usize {
        self.text().len()
    }

    /// Whether the text is empty (never: the smallest JSON text is one byte).
    pub fn is_empty(&self) -> bool {
        self.text().is_empty()
    }

    /// The value again (slow: parses the text).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.text()).unwrap_or(Value::Null)
    }
}

impl Serialize for Fragment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match DEPTH.get() {
            Some(depth) if depth < CACHED_DEPTHS => {
                self.0.indented[depth].get_or_init(|| indented(self.text(), depth));
                HANDOFF.set(Some((self.0.clone(), depth)));
                stand_in().serialize(s)
            }
            _ => self.0.raw.serialize(s),
        }
    }
}

/// `to_string_pretty` plus a final newline, with fragments copied in.
pub fn text(v: &impl Serialize, capacity: usize) -> Result<String, String> {
    let mut out = Vec::with_capacity(capacity);
    let outer = DEPTH.replace(Some(0));
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
    let result = v.serialize(&mut ser);
    DEPTH.set(outer);
    // Nothing is left over for a later write, even after an error.
    HANDOFF.set(None);
    result.map_err(|e| format!("internal error: cannot write JSON: {e}"))?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| format!("internal error: JSON is not UTF-8: {e}"))
}

/// serde_json's pretty formatter, publishing its depth (see the module documentation).
#[derive(Default)]
struct Pretty {
    inner: PrettyFormatter<'static>,
    depth: usize,
}

impl Pretty {
    fn deeper(&mut self) {
        self.depth += 1;
        DEPTH.set(Some(self.depth));
    }

    fn shallower(&mut self) {
        self.depth -= 1;
        DEPTH.set(Some(self.depth));
    }
}

const SPACES: &[u8; 64] = b"                                                                ";

fn indent<W: ?Sized + Write>(w: &mut W, n: usize) -> io::Result<()> {
    let mut left = n;
    while left > 0 {
        let k = left.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        left -= k;
    }
    Ok(())
}

/// Pretty text of indentation 0 indented for `depth` (see [`reindent`]).
fn indented(text: &str, depth: usize) -> Box<str> {
    let pad = &SPACES_STR[..(depth * 2).min(SPACES_STR.len())];
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', text.as_bytes()) {
        out.push_str(&text[start..=i]);
        out.push_str(pad);
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.into_boxed_str()
}

const SPACES_STR: &str = "                ";

/// Write pretty text of indentation 0 indented for `depth`: JSON strings never hold a raw
/// newline, so every newline starts a line to indent.
fn reindent<W: ?Sized + Write>(w: &mut W, text: &str, depth: usize) -> io::Result<()> {
    let pad = depth * 2;
    let bytes = text.as_bytes();
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', bytes) {
        w.write_all(&bytes[start..=i])?;
        indent(w, pad)?;
        start = i + 1;
    }
    w.write_all(&bytes[start..])
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.deeper();
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.shallower();
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.deeper();
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.shallower();
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_value(w)
    }
    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        match HANDOFF.take() {
            Some((inner, depth)) => match inner.indented[depth].get() {
                Some(text) => w.write_all(text.as_bytes()),
                None => reindent(w, inner.raw.get(), depth),
            },
            None => reindent(w, fragment, self.depth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A fragment under `depth` levels of arrays.
    fn nest(f: &Fragment, depth: usize) -> Value {
        let mut v = serde_json::to_value(f).unwrap();
        for _ in 0..depth {
            v = Value::Array(vec![v]);
        }
        v
    }

    #[derive(Serialize)]
    struct K {
        k: Fragment,
    }

    #[derive(Serialize)]
    struct Outer {
        outer: (K, Fragment, Nested),
        z: u8,
    }

    /// A fragment `depth` arrays deep, written through the fragment (not as a value).
    struct Nested(Fragment, usize);

    impl Serialize for Nested {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeSeq;
            let mut seq = s.serialize_seq(Some(1))?;
            if self.1 <= 1 {
                seq.serialize_element(&self.0)?;
            } else {
                seq.serialize_element(&Nested(self.0.clone(), self.1 - 1))?;
            }
            seq.end()
        }
    }

    #[test]
    fn fragments_land_exactly_where_pretty_printing_puts_them() {
        let inner = json!({"a": [1, {"b": "x\ny"}], "c": {}, "d": [], "e": {"f": null}});
        let f = Fragment::new(&inner);
        // Ten arrays deep: past the depths whose indented copies are kept.
        let whole = json!({"outer": [{"k": inner.clone()}, inner.clone(), nest(&f, 10)], "z": 1});
        let doc = Outer {
            outer: (K { k: f.clone() }, f.clone(), Nested(f.clone(), 10)),
            z: 1,
        };
        let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
        // Twice: the second time from the indented copies.
        assert_eq!(text(&doc, 0).unwrap(), expected);
        assert_eq!(text(&doc, 0).unwrap(), expected);
        // Written by anything else, a fragment is its plain JSON.
        assert_eq!(serde_json::to_value(&f).unwrap(), inner);
        let compact: Value = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        assert_eq!(compact, whole);
    }
}
