//! Parsing a large YAML spec in parts, on two threads.
//!
//! A spec is one block mapping at column 0 (`openapi:`, `info:`, `paths:`, `components:`),
//! and most of its bytes sit in one or two sections (`paths`, `components`) that are block
//! mappings at indentation 2. Cut at a key line, the text parses into the same values in
//! parts: at a key line every block node opened above it is closed, so a part that starts
//! there (behind `section:` when the cut is inside a section) is read in the same state as
//! in the whole document. A cut that lands inside a quoted scalar or a flow collection
//! leaves the part above it unterminated, which is a parse error.
//!
//! This parse is only an attempt: [`parse`] returns `None` whenever the result might differ
//! from the whole parse, and the caller then parses the whole text. That covers anything
//! unusual in the text (document markers, directives, anchors, tabs or carriage returns at
//! line starts, a top level that is not a plain block mapping), any part that fails or has
//! duplicate keys, and keys repeated across parts. Errors and duplicate-key reports therefore
//! always come from the whole parse, with its line numbers.

use serde_json::{Map, Value};
use std::cell::RefCell;

/// A part of the text to parse on its own.
#[derive(Debug, PartialEq)]
struct Part<'a> {
    /// The top-level key whose block mapping this part continues (the cut was inside it).
    section: Option<&'a str>,
    /// The text, from the cut to the next cut.
    text: &'a str,
}

/// Parse YAML `text` in `parts` parts on as many threads, or return `None` when the text is
/// not split safely (see the module documentation): then the whole text is to be parsed.
pub(crate) fn parse(text: &str, parts: usize) -> Option<Value> {
    parse_plan(&plan(text, parts)?)
}

/// Parse the parts of `plan` on as many threads and merge them, or `None`.
fn parse_plan(plan: &[Part<'_>]) -> Option<Value> {
    let values: Vec<Option<Value>> = std::thread::scope(|scope| {
        let handles: Vec<_> = plan[1..]
            .iter()
            .map(|part| scope.spawn(|| parse_part(part)))
            .collect();
        let mut values = vec![parse_part(&plan[0])];
        // A panicking part (none is expected) also means: parse the whole text.
        values.extend(handles.into_iter().map(|h| h.join().ok().flatten()));
        values
    });
    let mut values = values.into_iter();
    let Some(Value::Object(mut out)) = values.next()? else {
        return None;
    };
    for (part, value) in plan[1..].iter().zip(values) {
        let Value::Object(map) = value? else {
            return None;
        };
        merge(&mut out, map, part.section)?;
    }
    Some(Value::Object(out))
}

/// One part as a value; `None` when it fails or repeats a key.
fn parse_part(part: &Part<'_>) -> Option<Value> {
    let owned;
    let text = match part.section {
        Some(section) => {
            owned = format!("{section}:\n{}", part.text);
            owned.as_str()
        }
        None => part.text,
    };
    let dups = RefCell::new(Vec::new());
    let value =
        crate::unique_keys::deserialize(yaml_serde::Deserializer::from_str(text), &dups).ok()?;
    dups.into_inner().is_empty().then_some(value)
}

/// Append the top-level entries of a later part to `out`. A part cut inside `section` starts
/// with the rest of that section's mapping, which is appended to the section's. `None` when
/// a key is already there (the whole parse reports the duplicate).
fn merge(
    out: &mut Map<String, Value>,
    part: Map<String, Value>,
    section: Option<&str>,
) -> Option<()> {
    let mut entries = part.into_iter();
    if let Some(section) = section {
        let (key, Value::Object(rest)) = entries.next()? else {
            return None;
        };
        let (last, Value::Object(open)) = out.iter_mut().next_back()? else {
            return None;
        };
        if key != section || last != section {
            return None;
        }
        for (k, v) in rest {
            if open.contains_key(&k) {
                return None;
            }
            open.insert(k, v);
        }
    }
    for (k, v) in entries {
        if out.contains_key(&k) {
            return None;
        }
        out.insert(k, v);
    }
    Some(())
}

/// Where to cut `text` into `parts` parts of about equal parsing work, or `None` when it is
/// not to be split. The work goes with the number of lines more than with bytes (the
/// parser's work is per node, and long lines are mostly prose).
fn plan(text: &str, parts: usize) -> Option<Vec<Part<'_>>> {
    if parts < 2 || !plain_text(text) {
        return None;
    }
    let (cuts, lines) = cuts(text)?;
    let work = |at: usize, line: usize| at / BYTES_PER_LINE + line;
    let total = work(text.len(), lines);
    let mut chosen: Vec<&Cut<'_>> = Vec::new();
    for i in 1..parts {
        let target = total * i / parts;
        let after = chosen.last().map_or(0, |c| c.at);
        let best = cuts
            .iter()
            .filter(|c| c.at > after)
            .min_by_key(|c| work(c.at, c.line).abs_diff(target));
        match best {
            Some(cut) => chosen.push(cut),
            None => break,
        }
    }
    if chosen.is_empty() {
        return None;
    }
    let mut plan = Vec::with_capacity(chosen.len() + 1);
    let mut start = Cut {
        at: 0,
        line: 0,
        section: None,
    };
    for cut in chosen {
        plan.push(Part {
            section: start.section,
            text: &text[start.at..cut.at],
        });
        start = *cut;
    }
    plan.push(Part {
        section: start.section,
        text: &text[start.at..],
    });
    Some(plan)
}

/// How many bytes of a line cost the parser as much as the line itself (measured on Clerk's
/// specs).
const BYTES_PER_LINE: usize = 350;

/// Whether the text is free of forms that rule out cutting it anywhere: a byte-order mark,
/// carriage returns, and anchors (an alias may only refer to an anchor in its own part, and
/// the parser's alias budget is per document). Line starts are checked in [`cuts`].
fn plain_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    !text.starts_with('\u{feff}') && memchr::memchr(b'\r', bytes).is_none() && !has_anchor(bytes)
}

/// Whether the text may hold an anchor (`&name` where a node can start). Errs towards yes:
/// prose such as `see &this` counts too.
fn has_anchor(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'&', bytes).any(|i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + 1);
        matches!(
            before,
            None | Some(b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':' | b'-' | b'?')
        ) && after.is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\n'))
    })
}

/// A place where the text may be cut: the start of a key line.
#[derive(Debug, Clone, Copy)]
struct Cut<'a> {
    /// Byte offset of the line start.
    at: usize,
    /// Index of the line.
    line: usize,
    /// The section the line is a key of, for a line at indentation 2.
    section: Option<&'a str>,
}

/// Every place the text may be cut, in order: top-level key lines after the first, and the
/// key lines at indentation 2 of a section whose value is a block mapping at indentation 2
/// (a `name:` line alone, followed by such a key line), after the section's first key.
/// `None` when the document does not start with a top-level key line, or when a line starts
/// with a document marker (`---`, `...`), a directive (`%`) or a tab.
fn cuts(text: &str) -> Option<(Vec<Cut<'_>>, usize)> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::new();
    let mut first = true;
    // The open section: its name, and whether its first key line was seen.
    let mut section: Option<(&str, bool)> = None;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    let mut start = 0;
    let mut lines = 0;
    for (index, end) in ends.enumerate() {
        lines = index + 1;
        let at = start;
        let line = &text[at..end];
        start = end + 1;
        let Some(&lead) = line.as_bytes().first() else {
            continue;
        };
        match lead {
            b'#' => continue,
            b'\t' | b'%' => return None,
            b'-' | b'.' if line.starts_with("---") || line.starts_with("...") => return None,
            b' ' => {}
            _ => {
                let Some((key, rest)) = key_line(line) else {
                    if first {
                        return None;
                    }
                    section = None;
                    continue;
                };
                if !first {
                    cuts.push(Cut {
                        at,
                        line: index,
                        section: None,
                    });
                }
                first = false;
                section = rest.bytes().all(|b| b == b' ').then_some((key, false));
                continue;
            }
        }
        // An indented line: only those of an open section matter.
        let Some((name, seen_first_key)) = section else {
            continue;
        };
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let key = line.len() - body.len() == 2 && key_line(body).is_some();
        if seen_first_key {
            if key {
                cuts.push(Cut {
                    at,
                    line: index,
                    section: Some(name),
                });
            }
        } else if key {
            section = Some((name, true));
        } else {
            // The section's value is not a block mapping at indentation 2.
            section = None;
        }
    }
    if first {
        return None;
    }
    Some((cuts, lines))
}

/// `key: rest` where the key is a plain scalar of ordinary characters (a letter, digit, `_`,
/// `/` or `$` first; no `: `, ` #` or tab in it), and what follows the `:`.
fn key_line(body: &str) -> Option<(&str, &str)> {
    let first = body.bytes().next()?;
    if !(first.is_ascii_alphanumeric() || matches!(first, b'_' | b'/' | b'$')) {
        return None;
    }
    let bytes = body.as_bytes();
    let colon = memchr::memchr_iter(b':', bytes)
        .find(|&i| matches!(bytes.get(i + 1), None | Some(b' ')))?;
    let key = &body[..colon];
    if key.contains(" #") || key.contains('\t') {
        return None;
    }
    Some((key, &body[colon + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str) -> Option<Value> {
        parse_part(&Part {
            section: None,
            text,
        })
    }

    #[test]
    fn cuts_are_top_level_and_section_keys() {
        let text = "openapi: 3.0.3\n# c\npaths:\n  /a:\n    get: {}\n\n  /b:\n    x: |\n      y\n  # c\n  /c: {}\ninfo:\n  title: t\n  version: v\n";
        let plan = plan(text, 2).unwrap();
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[1].section, Some("paths"));
        assert!(plan[1].text.starts_with("  /b:\n"), "{plan:?}");
        assert_eq!(parse(text, 2), whole(text));
        let at: Vec<_> = cuts(text)
            .unwrap()
            .0
            .iter()
            .map(|c| (&text[c.at..c.at + 4], c.section))
            .collect();
        assert_eq!(
            at,
            [
                ("path", None),
                ("  /b", Some("paths")),
                ("  /c", Some("paths")),
                ("info", None),
                ("  ve", Some("info"))
            ]
        );
        for n in 2..6 {
            assert_eq!(parse(text, n), whole(text), "{n} parts");
        }
    }

    #[test]
    fn unusual_texts_are_not_cut() {
        for text in [
            "---\na: 1\nb: 2\n",
            "%YAML 1.2\n---\na: 1\nb: 2\n",
            "a: 1\nb: 2\n...\n",
            "a: &x 1\nb: *x\n",
            "a: [&x 1]\nb: 2\n",
            "a: 1\r\nb: 2\r\n",
            "a:\n\t- 1\nb: 2\n",
            "\u{feff}a: 1\nb: 2\n",
        ] {
            assert!(plan(text, 2).is_none(), "{text:?}");
        }
        // Not a block mapping at the top: nothing to cut.
        for text in ["{a: 1,\nb: 2}\n", "- a\n- b\n", "'a': 1\nb: 2\n", "x\n"] {
            assert!(cuts(text).is_none(), "{text:?}");
        }
        // Prose with `&` between words is not an anchor.
        assert!(!has_anchor(b"a: Q&A, R & D\n"));
        assert!(has_anchor(b"a: see &this\n"));
    }

    #[test]
    fn sections_that_are_not_block_mappings_at_two_are_not_cut() {
        let text = "a:\n    x: 1\n    y: 2\nb: |\n  k: 1\n  l: 2\nc:\n- d: 1\n  e: 2\nf: 3\n";
        let sections: Vec<_> = cuts(text).unwrap().0.iter().map(|c| c.section).collect();
        assert_eq!(sections, [None, None, None]);
        assert_eq!(parse(text, 2), whole(text));
    }

    #[test]
    fn a_cut_inside_a_quoted_scalar_or_flow_collection_fails_the_part() {
        // Quoted scalars and flow collections may continue at column 0 (or 2) as far as the
        // line scan can tell; the part above such a cut is then unterminated.
        for (text, inside) in [
            ("a: \"one\nb: two\"\nc: 1\n", "b: two"),
            ("a: 'one\nb: two'\nc: 1\n", "b: two"),
            ("a: [1,\nb: 2]\nc: 1\n", "b: 2"),
            ("p:\n  x: 1\n  y: \"one\n  z: two\"\n  w: 1\n", "  z: two"),
        ] {
            // The whole parse reads one value across the line (the parser does not check
            // the indentation of these continuation lines).
            let whole = whole(text);
            assert!(whole.is_some(), "{text:?}");
            let (cuts, _) = cuts(text).unwrap();
            assert!(cuts.len() >= 2, "{text:?}");
            for cut in cuts {
                let plan = [
                    Part {
                        section: None,
                        text: &text[..cut.at],
                    },
                    Part {
                        section: cut.section,
                        text: &text[cut.at..],
                    },
                ];
                let parsed = parse_plan(&plan);
                if text[cut.at..].starts_with(inside) {
                    assert!(parsed.is_none(), "{text:?} at {}", cut.at);
                } else {
                    assert_eq!(parsed, whole, "{text:?} at {}", cut.at);
                }
            }
        }
    }

    #[test]
    fn keys_repeated_across_parts_or_aliases_across_parts_fall_back() {
        // A repeated top-level key, and a repeated key of a cut section.
        assert!(parse("a: 1\nb: 2\na: 3\n", 2).is_none());
        assert!(parse("p:\n  x: 1\n  y: 2\n  x: 3\n", 3).is_none());
        // A duplicate inside one part.
        assert!(parse("a:\n  x: 1\n  x: 2\nb: 1\n", 2).is_none());
        // An alias whose anchor is in another part.
        assert!(parse_part(&Part {
            section: None,
            text: "b: *x\n"
        })
        .is_none());
    }

    /// `parse_text` with and without the parse in parts: the value and every diagnostic
    /// (with its line) are the same.
    fn same(text: &str) -> Option<Value> {
        let mut split = crate::diagnostics::Diagnostics::default();
        let a = crate::load::parse_text_split(text, &mut split, 0);
        let mut serial = crate::diagnostics::Diagnostics::default();
        let b = crate::load::parse_text_split(text, &mut serial, usize::MAX);
        assert_eq!(a, b);
        assert_eq!(split.into_sorted(), serial.into_sorted());
        a
    }

    #[test]
    fn fallbacks_give_the_whole_parse_and_its_errors() {
        let errors = |text: &str| {
            let mut d = crate::diagnostics::Diagnostics::default();
            assert!(
                crate::load::parse_text_split(text, &mut d, 0).is_none(),
                "{text:?}"
            );
            d.into_sorted()
        };
        // An alias to an anchor in another part, document markers, a flow mapping at the top.
        assert!(same("a: &x 1\nb:\n  c: 2\n  d: *x\n").is_some());
        assert!(same("---\na: 1\nb: 2\n").is_some());
        assert!(same("# c\n{a: 1,\n b: 2}\n").is_some());
        assert!(same("{\"a\": 1,\n \"b\": [2]}\n").is_some());
        // An alias with no anchor: the error is the whole parse's.
        let text = "a: 1\nb:\n  c: 2\n  d: *x\n";
        assert!(plan(text, 2).is_some());
        assert!(same(text).is_none());
        // Errors in either half keep their line; duplicates keep their pointers.
        let lines: String = (0..200).map(|i| format!("k{i}:\n  v: {i}\n")).collect();
        for bad in ["  w: [1\n", "  - x\n", "  v: 2\n", " x: \"\n"] {
            for at in [10, 150] {
                let text = lines.replacen(&format!("k{at}:\n"), &format!("k{at}:\n{bad}"), 1);
                assert!(same(&text).is_none(), "{text}");
                let diags = errors(&text);
                assert!(
                    diags
                        .iter()
                        .all(|d| d.line.is_some() || d.code == "duplicate-key"),
                    "{diags:?}"
                );
            }
        }
        let text = format!("{lines}k3:\n  v: 1\n");
        assert!(same(&text).is_none());
        let text = format!("p:\n{}", lines.replace("k", "  k").replace("  v", "    v"));
        let text = text.replacen(
            "  k120:\n    v: 120\n",
            "  k120:\n    v: 120\n    v: 0\n",
            1,
        );
        assert!(same(&text).is_none());
        let diags = errors(&text);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].pointer, "#/p/k120");
    }

    fn specs_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                specs_under(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
            {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_clerk_spec_parses_the_same_in_parts() {
        let mut specs = Vec::new();
        specs_under(&crate::test_mirror::mirror(), &mut specs);
        assert!(specs.len() >= 10, "{specs:?}");
        for spec in specs {
            let text = std::fs::read_to_string(&spec).unwrap();
            let value = same(&text);
            assert!(value.is_some(), "{}", spec.display());
            // The parse in parts is taken (not a fallback), and agrees for any part count.
            for parts in 2..=5 {
                assert_eq!(parse(&text, parts), value, "{} in {parts}", spec.display());
            }
        }
    }

    #[test]
    fn fixture_and_hostile_specs_parse_the_same_in_parts() {
        let fixtures = crate::test_mirror::repo_root().join("tests/fixtures");
        let mut specs = Vec::new();
        specs_under(&fixtures.join("hostile"), &mut specs);
        for case in ["accounts", "minimal", "names", "webhooks"] {
            for name in ["spec.yaml", "spec.json"] {
                let path = fixtures.join(case).join(name);
                if path.is_file() {
                    specs.push(path);
                }
            }
        }
        assert!(specs.len() >= 20, "{specs:?}");
        let mut cut = 0;
        for spec in specs {
            let text = std::fs::read_to_string(&spec).unwrap();
            same(&text);
            cut += usize::from(plan(&text, 2).is_some());
        }
        assert!(cut >= 10, "only {cut} specs were cut");
    }
}
