//! Loading: text -> raw JSON value -> normalized -> `openapiv3::OpenAPI`.
//!
//! Normalization happens on the raw value, before typing, because the typed model loses
//! meaning that the spec carries (`nullable` next to `$ref`), and rejects shapes that are
//! harmless (empty path items, a missing `paths`).

use crate::diagnostics::{join, Diagnostics};
use serde_json::{Map, Value};

/// A loaded spec.
#[derive(Debug)]
pub struct Loaded {
    /// The typed document.
    pub doc: openapiv3::OpenAPI,
    /// The normalized raw document (for extensions and anything the typed model drops).
    pub raw: Value,
}

/// Parse spec text (YAML or JSON) into a raw value. Errors carry a line when the parser knows it.
pub fn parse_text(text: &str, diags: &mut Diagnostics) -> Option<Value> {
    if text.trim().is_empty() {
        diags.error("empty-spec", "#", "the spec file is empty");
        return None;
    }
    let trimmed = text.trim_start();
    let looks_json = trimmed.starts_with('{');
    if !looks_json {
        if let Some(line) = flow_nesting_over(text, MAX_FLOW_DEPTH) {
            diags.error(
                "too-deep",
                "#",
                format!(
                    "YAML flow collections (`[`, `{{`) nest deeper than {MAX_FLOW_DEPTH} levels"
                ),
            );
            diags.set_last_line(line);
            return None;
        }
    }
    let dups = std::cell::RefCell::new(Vec::new());
    let parsed: Result<Value, String> = if looks_json {
        let mut de = serde_json::Deserializer::from_str(text);
        crate::unique_keys::deserialize(&mut de, &dups)
            .and_then(|v| de.end().map(|()| v))
            .map_err(|e| format!("invalid JSON: {e}"))
    } else {
        crate::unique_keys::deserialize(yaml_serde::Deserializer::from_str(text), &dups)
            .map_err(|e| format!("invalid YAML: {e}"))
    };
    match parsed {
        Ok(v) => {
            let dups = dups.into_inner();
            for (pointer, key) in &dups {
                diags.error(
                    "duplicate-key",
                    pointer.clone(),
                    format!("the key `{key}` appears more than once in this mapping"),
                );
            }
            dups.is_empty().then_some(v)
        }
        Err(msg) => {
            let line = line_in_message(&msg);
            diags.error("parse", "#", msg);
            if let Some(l) = line {
                diags.set_last_line(l);
            }
            None
        }
    }
}

/// Deepest flow nesting accepted in YAML. The YAML parser's work grows with the square of the
/// flow depth (a 200 KB line of `[` takes minutes) before its own recursion limit (128)
/// applies, so nesting is measured on the text first.
const MAX_FLOW_DEPTH: usize = 256;

/// The 1-based line where YAML flow collections first nest deeper than `limit`, if they do.
///
/// A light scan, not a parser: a `[` or `{` counts only where a node can start (line start
/// or after `:`, `,`, `-`, `?`, `[`, `{`), quoted scalars and comments are skipped, and block
/// scalar (`|`, `>`) content is skipped. Brackets inside plain scalars are not node starts,
/// so prose cannot trip the limit; misreading only ever under-counts.
fn flow_nesting_over(text: &str, limit: usize) -> Option<usize> {
    if openers_at_most(text.as_bytes(), limit) {
        return None;
    }
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    // Indentation of the line that opened a block scalar: deeper lines are its content.
    let mut block_scalar: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        if let Some(opened) = block_scalar {
            if indent > opened || line.trim().is_empty() {
                continue;
            }
            block_scalar = None;
        }
        // Outside quotes, only quotes and brackets change the state: most lines have none.
        // The scan is bytewise; it compares ASCII only, which never matches inside a
        // multi-byte character.
        if quote.is_some()
            || memchr::memchr3(b'\'', b'"', b'[', bytes).is_some()
            || memchr::memchr3(b']', b'{', b'}', bytes).is_some()
        {
            // `prev`: the last byte that is not a space on this line.
            let mut prev: Option<u8> = None;
            let mut after_space = false;
            let mut escaped = false;
            let mut k = 0;
            while k < bytes.len() {
                if let Some(q) = quote {
                    if escaped {
                        escaped = false;
                        k += 1;
                        continue;
                    }
                    // Inside a quote only the closing quote (and `\` in `"`) matter: jump
                    // to the next one.
                    let rest = &bytes[k..];
                    let next = if q == b'"' {
                        memchr::memchr2(b'"', b'\\', rest)
                    } else {
                        memchr::memchr(q, rest)
                    };
                    let Some(at) = next else {
                        break;
                    };
                    k += at;
                    if bytes[k] == q {
                        quote = None;
                        prev = Some(q);
                    } else {
                        escaped = true;
                    }
                    k += 1;
                    continue;
                }
                let c = bytes[k];
                k += 1;
                if c == b' ' || c == b'\t' {
                    after_space = true;
                    continue;
                }
                if c == b'#' && (after_space || prev.is_none()) {
                    break;
                }
                // A node starts at the line start, after an opener or a comma, or after `:`,
                // `-` or `?` followed by a space.
                let node_start = match prev {
                    None | Some(b'[' | b'{' | b',') => true,
                    Some(b':' | b'-' | b'?') => after_space,
                    _ => false,
                };
                after_space = false;
                prev = Some(c);
                match c {
                    b'\'' | b'"' if node_start => quote = Some(c),
                    b'[' | b'{' if node_start => {
                        depth += 1;
                        if depth > limit {
                            return Some(n + 1);
                        }
                    }
                    // A bracket inside a plain scalar starts nothing.
                    b'[' | b'{' => prev = Some(b'x'),
                    b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        if quote.is_none() && depth == 0 && memchr::memchr2(b'|', b'>', bytes).is_some() {
            let header = line.split(" #").next().unwrap_or("").trim_end();
            let header = header.rsplit([' ', '\t']).next().unwrap_or("");
            if (header.starts_with('|') || header.starts_with('>'))
                && header[1..]
                    .chars()
                    .all(|c| matches!(c, '-' | '+' | '0'..='9'))
            {
                block_scalar = Some(indent);
            }
        }
    }
    None
}

/// Whether at most `limit` of the text's `[` and `{` could open a flow collection in the
/// scan of [`flow_nesting_over`]: those with only spaces before them on their line, or
/// after `[`, `{`, `,`, or `:`, `-`, `?` and a space. The scan's depth never exceeds that
/// count (it counts a subset of them), so it need not run when the count is small, as it is
/// for most specs (the rest are in paths such as `/users/{id}` and in prose).
fn openers_at_most(bytes: &[u8], limit: usize) -> bool {
    let mut count = 0usize;
    for i in memchr::memchr2_iter(b'[', b'{', bytes) {
        let before = &bytes[..i];
        let text_end = before
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |j| j + 1);
        let spaced = text_end < i;
        let opens = match text_end.checked_sub(1).map(|j| bytes[j]) {
            None | Some(b'\n' | b'[' | b'{' | b',') => true,
            Some(b':' | b'-' | b'?') => spaced,
            _ => false,
        };
        if opens {
            count += 1;
            if count > limit {
                return false;
            }
        }
    }
    true
}

fn line_in_message(msg: &str) -> Option<usize> {
    let idx = msg.find("line ")?;
    let digits: String = msg[idx + 5..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Normalize the raw document and type it. Returns None (with errors recorded) when the
/// document is not a usable OpenAPI 3.0 or 3.1 document.
pub fn load(mut raw: Value, diags: &mut Diagnostics) -> Option<Loaded> {
    let Some(root) = raw.as_object_mut() else {
        diags.error(
            "not-an-object",
            "#",
            "the spec must be a mapping (an OpenAPI document), not a scalar or a list",
        );
        return None;
    };
    if root.contains_key("swagger") {
        diags.error(
            "unsupported-version",
            "#/swagger",
            "Swagger 2.0 documents are not supported; convert to OpenAPI 3.0 first",
        );
        return None;
    }
    let version = match root.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.0") => crate::normalize::Version::V30,
        Some(Value::String(v)) if v.starts_with("3.1") => crate::normalize::Version::V31,
        Some(Value::String(v)) => {
            diags.error(
                "unsupported-version",
                "#/openapi",
                format!("unsupported OpenAPI version `{v}` (3.0.x and 3.1.x are supported)"),
            );
            return None;
        }
        Some(_) => {
            diags.error(
                "invalid-type",
                "#/openapi",
                "`openapi` must be a string such as \"3.0.3\"",
            );
            return None;
        }
        None => {
            diags.error(
                "missing-field",
                "#",
                "missing `openapi` version field: this is not an OpenAPI document",
            );
            return None;
        }
    };
    // Lenient defaults, and 3.1 rewritten to the 3.0 model (`normalize`).
    crate::normalize::document(&mut raw, version, diags);
    let root = raw.as_object_mut()?;
    let webhooks_only = ["x-webhooks", crate::normalize::oas31::WEBHOOKS]
        .iter()
        .any(|k| root.contains_key(*k));
    if !root.contains_key("paths") {
        if webhooks_only {
            diags.note(
                "missing-paths",
                "#",
                "no `paths`: the document describes only webhooks",
            );
        } else {
            diags.warning("missing-paths", "#", "no `paths`; treating as empty");
        }
        root.insert("paths".into(), Value::Object(Map::new()));
    }
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        let empty: Vec<String> = paths
            .iter()
            .filter(|(_, v)| v.as_object().is_some_and(|o| o.is_empty()) || v.is_null())
            .map(|(k, _)| k.clone())
            .collect();
        for key in empty {
            diags.note(
                "empty-path-item",
                join("#/paths", &key),
                "empty path item skipped (a hidden endpoint)",
            );
            paths.shift_remove(&key);
        }
    }
    lift_ref_siblings(&mut raw, "#", diags, 0);
    let doc: openapiv3::OpenAPI = match serde_path_to_error::deserialize(&raw) {
        Ok(doc) => doc,
        Err(err) => {
            // The typed model often reports only an outer location (flattened fields);
            // the structural check names the exact place when it can.
            if crate::validate::check(&raw, diags) == 0 {
                let pointer = path_to_pointer(err.path());
                diags.error(
                    "invalid-document",
                    pointer,
                    format!("not a valid OpenAPI document: {}", err.inner()),
                );
            }
            return None;
        }
    };
    Some(Loaded { doc, raw })
}

/// Rewrite `{$ref, nullable: true, ...}` to `{allOf: [{$ref}], nullable: true, ...}` so the
/// meaning survives typing (OpenAPI 3.0 says `$ref` siblings are ignored; Clerk relies on them).
fn lift_ref_siblings(v: &mut Value, pointer: &str, diags: &mut Diagnostics, depth: usize) {
    let mut buf = String::from(pointer);
    lift_ref_siblings_in(v, &mut buf, diags, depth);
}

/// [`lift_ref_siblings`] with the pointer in one growing buffer (one allocation for the
/// whole walk instead of one per node: the walk visits every node of the spec).
fn lift_ref_siblings_in(
    v: &mut Value,
    pointer: &mut String,
    diags: &mut Diagnostics,
    depth: usize,
) {
    if depth > 256 {
        diags.error(
            "too-deep",
            pointer.as_str(),
            "the document nests deeper than 256 levels",
        );
        return;
    }
    let len = pointer.len();
    match v {
        Value::Object(map) => {
            let meaningful = ["nullable", "readOnly", "writeOnly", "deprecated"];
            if map.contains_key("$ref") && meaningful.iter().any(|k| map.contains_key(*k)) {
                if let Some(reference) = map.shift_remove("$ref") {
                    let mut inner = Map::new();
                    inner.insert("$ref".into(), reference);
                    map.insert("allOf".into(), Value::Array(vec![Value::Object(inner)]));
                    diags.note(
                        "ref-sibling",
                        pointer.as_str(),
                        "`$ref` with sibling keywords rewritten to `allOf: [$ref]` so they are kept",
                    );
                }
            }
            for (k, child) in map.iter_mut() {
                if depth < 256 && !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                pointer.push('/');
                push_escaped(pointer, k);
                lift_ref_siblings_in(child, pointer, diags, depth + 1);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                if depth < 256 && !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                use std::fmt::Write as _;
                let _ = write!(pointer, "/{i}");
                lift_ref_siblings_in(child, pointer, diags, depth + 1);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Append a JSON pointer token, escaped (`~` -> `~0`, `/` -> `~1`), as [`join`] does.
fn push_escaped(pointer: &mut String, token: &str) {
    if !token.contains(['~', '/']) {
        pointer.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    let mut out = String::from("#");
    for seg in path.iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => out = format!("{out}/{index}"),
            serde_path_to_error::Segment::Map { key } => out = join(&out, key),
            serde_path_to_error::Segment::Enum { variant } => out = join(&out, variant),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    out
}

/// Best-effort 1-based line of a JSON pointer in YAML text (block style), for diagnostics.
pub fn yaml_line(text: &str, pointer: &str) -> Option<usize> {
    YamlLines::new(text).line_of(pointer)
}

/// [`yaml_line`] over pre-split lines.
pub fn yaml_line_in(lines: &[&str], pointer: &str) -> Option<usize> {
    YamlLines::from_lines(lines.iter().copied()).line_of(pointer)
}

/// YAML text split once into (indent, content) per line, for locating many pointers: each
/// lookup scans lines without re-trimming them.
pub struct YamlLines<'a> {
    /// Indentation in bytes and the content after it, per line (content empty for blank lines).
    lines: Vec<(usize, &'a str)>,
}

impl<'a> YamlLines<'a> {
    /// Split `text` into lines.
    pub fn new(text: &'a str) -> Self {
        Self::from_lines(text.lines())
    }

    fn from_lines(lines: impl Iterator<Item = &'a str>) -> Self {
        let lines = lines
            .map(|line| {
                let content = line.trim_start();
                (line.len() - content.len(), content)
            })
            .collect();
        YamlLines { lines }
    }

    /// The 1-based line of `pointer`, if found.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let lines = &self.lines;
        let tokens: Vec<String> = pointer
            .trim_start_matches('#')
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let mut pos = 0usize;
        let mut indent: isize = -1;
        let mut found = None;
        for token in &tokens {
            let mut hit = None;
            let mut seq_count = 0usize;
            // A numeric token is a sequence index only when the container is a sequence.
            let is_sequence = lines
                .iter()
                .skip(pos)
                .map(|(_, c)| *c)
                .find(|c| !c.is_empty() && !c.starts_with('#'))
                .is_some_and(|c| c.starts_with("- ") || c == "-");
            let index: Option<usize> = if is_sequence {
                token.parse().ok()
            } else {
                None
            };
            // The key forms, built once per token instead of once per line.
            let keys = [
                format!("{token}:"),
                format!("\"{token}\":"),
                format!("'{token}':"),
            ];
            // A line can only hold the key if it starts like one of the forms (or with `- `).
            let first = token.as_bytes().first().copied();
            for (i, &(ind, content)) in lines.iter().enumerate().skip(pos) {
                if content.is_empty() || content.starts_with('#') {
                    continue;
                }
                let ind = ind as isize;
                if i > pos
                    && ind <= indent
                    && !(index.is_some() && ind == indent && content.starts_with("- "))
                {
                    break;
                }
                if let Some(n) = index {
                    if content.starts_with("- ") || content == "-" {
                        if seq_count == n {
                            hit = Some((i, ind + 1));
                            break;
                        }
                        seq_count += 1;
                    }
                    continue;
                }
                let lead = content.as_bytes()[0];
                if first.is_some_and(|f| !matches!(lead, b'"' | b'\'' | b'-') && lead != f) {
                    continue;
                }
                // `trim_start_matches("- ")`, without building a substring searcher per line.
                let mut key = content;
                while let Some(rest) = key.strip_prefix("- ") {
                    key = rest;
                }
                if keys.iter().any(|k| key.starts_with(k.as_str())) {
                    hit = Some((i, ind));
                    break;
                }
            }
            let (line, ind) = hit?;
            pos = line + 1;
            indent = ind;
            found = Some(line + 1);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_line_finds_nested_keys() {
        let text = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses: {}\n  /b:\n    post:\n      parameters:\n        - name: x\n        - name: y\n";
        assert_eq!(yaml_line(text, "#/paths/~1b/post"), Some(7));
        assert_eq!(yaml_line(text, "#/paths/~1a/get/responses"), Some(5));
        assert_eq!(yaml_line(text, "#/paths/~1b/post/parameters/1"), Some(10));
        assert_eq!(yaml_line(text, "#/nope"), None);
        let text = "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n";
        assert_eq!(
            yaml_line(text, "#/paths/~1a/get/responses/200/description"),
            Some(6)
        );
    }

    /// The first, charwise version of [`flow_nesting_over`], kept as the reference for the
    /// bytewise one with its shortcuts.
    fn flow_nesting_over_reference(text: &str, limit: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        // Indentation of the line that opened a block scalar: deeper lines are its content.
        let mut block_scalar: Option<usize> = None;
        for (n, line) in text.lines().enumerate() {
            let indent = line.len() - line.trim_start_matches(' ').len();
            if let Some(opened) = block_scalar {
                if line.trim().is_empty() || indent > opened {
                    continue;
                }
                block_scalar = None;
            }
            // `prev`: the last character that is not a space on this line.
            let mut prev: Option<char> = None;
            let mut after_space = false;
            let mut escaped = false;
            for c in line.chars() {
                if let Some(q) = quote {
                    if escaped {
                        escaped = false;
                    } else if q == '"' && c == '\\' {
                        escaped = true;
                    } else if c == q {
                        quote = None;
                        prev = Some(c);
                    }
                    continue;
                }
                if c == ' ' || c == '\t' {
                    after_space = true;
                    continue;
                }
                if c == '#' && (after_space || prev.is_none()) {
                    break;
                }
                // A node starts at the line start, after an opener or a comma, or after `:`,
                // `-` or `?` followed by a space.
                let node_start = match prev {
                    None | Some('[' | '{' | ',') => true,
                    Some(':' | '-' | '?') => after_space,
                    _ => false,
                };
                after_space = false;
                prev = Some(c);
                match c {
                    '\'' | '"' if node_start => quote = Some(c),
                    '[' | '{' if node_start => {
                        depth += 1;
                        if depth > limit {
                            return Some(n + 1);
                        }
                    }
                    // A bracket inside a plain scalar starts nothing.
                    '[' | '{' => prev = Some('x'),
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            if quote.is_none() && depth == 0 {
                let header = line.split(" #").next().unwrap_or("").trim_end();
                let header = header.rsplit([' ', '\t']).next().unwrap_or("");
                if (header.starts_with('|') || header.starts_with('>'))
                    && header[1..]
                        .chars()
                        .all(|c| matches!(c, '-' | '+' | '0'..='9'))
                {
                    block_scalar = Some(indent);
                }
            }
        }
        None
    }

    #[test]
    fn the_bytewise_flow_scan_agrees_with_the_charwise_one() {
        let mut texts: Vec<String> = Vec::new();
        let root = crate::test_mirror::repo_root();
        for dir in [
            "tests/fixtures/hostile",
            "tests/fixtures/accounts",
            "tests/fixtures/names",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                if let Ok(text) = std::fs::read_to_string(entry.unwrap().path()) {
                    texts.push(text);
                }
            }
        }
        let mirror = crate::test_mirror::mirror();
        for spec in [
            "bapi/2026-05-12.yml",
            "fapi/2026-05-12.yml",
            "webhooks/2025-04-15.yml",
        ] {
            texts.push(std::fs::read_to_string(mirror.join(spec)).unwrap());
        }
        // Small texts from the characters that matter, every combination up to a length.
        let alphabet = [
            "[", "]", "{", "}", "'", "\"", "\\", "#", " ", "\n", ":", "-", "|", ">", "é", "a", ",",
            "\t",
        ];
        let mut small = vec![String::new()];
        for _ in 0..4 {
            small = small
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            texts.extend(small.iter().cloned());
        }
        // And longer ones, drawn with a fixed-seed generator.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let text: String = (0..40)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            texts.push(text);
        }
        for text in &texts {
            for limit in [0, 1, 2, 256] {
                assert_eq!(
                    flow_nesting_over(text, limit),
                    flow_nesting_over_reference(text, limit),
                    "{limit} {text:?}"
                );
            }
        }
    }

    #[test]
    fn flow_nesting_is_measured_outside_strings_and_block_scalars() {
        let deep = format!("x: {}{}\n", "[".repeat(300), "]".repeat(300));
        assert_eq!(flow_nesting_over(&deep, 256), Some(1));
        let ok = format!("a: 1\nx: {}{}\n", "[".repeat(200), "]".repeat(200));
        assert_eq!(flow_nesting_over(&ok, 256), None);
        let spread = format!("a: 1\nx: [\n{}\n]\n", "[a, ".repeat(300));
        assert_eq!(flow_nesting_over(&spread, 256), Some(3));
        let prose = format!(
            "a: '{}'\nb: \"{}\"\nc: see[{}\nd: |\n  {}\n# {}\ne: [x] # {}\n",
            "[".repeat(300),
            "[".repeat(300),
            "[".repeat(300),
            "[".repeat(300),
            "[".repeat(300),
            "[".repeat(300)
        );
        assert_eq!(flow_nesting_over(&prose, 256), None);
    }

    #[test]
    fn ref_with_nullable_is_lifted() {
        let mut d = Diagnostics::default();
        let mut v = serde_json::json!({"a": {"$ref": "#/components/schemas/X", "nullable": true}});
        lift_ref_siblings(&mut v, "#", &mut d, 0);
        assert_eq!(
            v,
            serde_json::json!({"a": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/X"}]}})
        );
    }
}
