//! Pretty JSON text of the agent documents, byte-for-byte what `serde_json::to_string_pretty`
//! writes, except that schema definitions shared by many documents are rendered once
//! ([`Fragment`]) and copied in, re-indented to where they land, instead of being cloned and
//! serialized again for every document that embeds them.

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::value::RawValue;
use serde_json::Value;
use std::io::{self, Write};
use std::sync::Arc;

/// A JSON value rendered once as pretty text at indentation 0, to be embedded anywhere.
#[derive(Debug, Clone)]
pub struct Fragment(Arc<RawValue>);

impl Fragment {
    /// Render `v`.
    pub fn new(v: &Value) -> Fragment {
        let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".to_string());
        // The text was just written by serde_json, so it parses.
        let raw = RawValue::from_string(text).unwrap_or_default();
        Fragment(Arc::from(raw))
    }

    /// The pretty text (indentation 0).
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// Length of the text in bytes (the size measure of the document budget).
    pub fn len(&self) -> usize {
        self.0.get().len()
    }

    /// Whether the text is empty (never: the smallest JSON text is one byte).
    pub fn is_empty(&self) -> bool {
        self.0.get().is_empty()
    }

    /// The value again (slow: parses the text).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

impl Serialize for Fragment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (*self.0).serialize(s)
    }
}

/// `to_string_pretty` plus a final newline, with fragments re-indented in place.
pub fn text(v: &impl Serialize, capacity: usize) -> Result<String, String> {
    let mut out = Vec::with_capacity(capacity);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
    v.serialize(&mut ser)
        .map_err(|e| format!("internal error: cannot write JSON: {e}"))?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| format!("internal error: JSON is not UTF-8: {e}"))
}

/// serde_json's pretty formatter, tracking its depth so that a raw fragment (pretty text at
/// indentation 0) can be indented to the depth it is written at.
#[derive(Default)]
struct Pretty {
    inner: PrettyFormatter<'static>,
    depth: usize,
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

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
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
    fn write_raw_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        // JSON strings never hold a raw newline, so every newline starts a line to indent.
        let pad = self.depth * 2;
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                w.write_all(&bytes[start..=i])?;
                indent(w, pad)?;
                start = i + 1;
            }
        }
        w.write_all(&bytes[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fragments_land_exactly_where_pretty_printing_puts_them() {
        let inner = json!({"a": [1, {"b": "x\ny"}], "c": {}, "d": [], "e": {"f": null}});
        let whole = json!({"outer": [{"k": inner.clone()}, inner.clone()], "z": 1});
        #[derive(Serialize)]
        struct K {
            k: Fragment,
        }
        #[derive(Serialize)]
        struct Outer {
            outer: (K, Fragment),
            z: u8,
        }
        let f = Fragment::new(&inner);
        let doc = Outer {
            outer: (K { k: f.clone() }, f),
            z: 1,
        };
        let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
        assert_eq!(text(&doc, 0).unwrap(), expected);
    }
}
