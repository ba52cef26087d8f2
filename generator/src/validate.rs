//! A structural check of the raw document, run when typing it fails: the typed model's
//! flattened fields hide where a problem is, this pass names the exact JSON pointer.

use crate::diagnostics::{join, Diagnostics};
use serde_json::{Map, Value};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

struct Check<'d> {
    diags: &'d mut Diagnostics,
    found: usize,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl Check<'_> {
    fn bad(&mut self, pointer: &str, what: &str, v: &Value) {
        self.found += 1;
        self.diags.error(
            "invalid-type",
            pointer,
            format!("{what}, found {}", kind(v)),
        );
    }

    fn object<'v>(
        &mut self,
        v: &'v Value,
        pointer: &str,
        what: &str,
    ) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.bad(pointer, &format!("{what} must be a mapping"), other);
                None
            }
        }
    }

    fn string(&mut self, m: &Map<String, Value>, key: &str, pointer: &str, required: bool) {
        match m.get(key) {
            Some(Value::String(_)) => {}
            Some(other) => self.bad(
                &join(pointer, key),
                &format!("`{key}` must be a string"),
                other,
            ),
            None if required => {
                self.found += 1;
                self.diags.error(
                    "missing-field",
                    pointer,
                    format!("missing required field `{key}`"),
                );
            }
            None => {}
        }
    }

    fn boolean(&mut self, m: &Map<String, Value>, key: &str, pointer: &str) {
        if let Some(v) = m.get(key) {
            if !v.is_boolean() {
                self.bad(
                    &join(pointer, key),
                    &format!("`{key}` must be true or false"),
                    v,
                );
            }
        }
    }

    fn list<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        key: &str,
        pointer: &str,
    ) -> Option<&'v Vec<Value>> {
        match m.get(key)? {
            Value::Array(a) => Some(a),
            other => {
                self.bad(
                    &join(pointer, key),
                    &format!("`{key}` must be a list"),
                    other,
                );
                None
            }
        }
    }

    fn is_ref(m: &Map<String, Value>) -> bool {
        m.contains_key("$ref")
    }

    fn schema(&mut self, v: &Value, pointer: &str, depth: usize) {
        if depth > 200 {
            return;
        }
        let Some(m) = self.object(v, pointer, "a schema") else {
            return;
        };
        if Self::is_ref(m) {
            self.string(m, "$ref", pointer, true);
            return;
        }
        self.string(m, "type", pointer, false);
        self.string(m, "format", pointer, false);
        self.string(m, "description", pointer, false);
        self.boolean(m, "nullable", pointer);
        self.boolean(m, "deprecated", pointer);
        if let Some(props) = m.get("properties") {
            let p = join(pointer, "properties");
            if let Some(props) = self.object(props, &p, "`properties`") {
                for (k, s) in props {
                    self.schema(s, &join(&p, k), depth + 1);
                }
            }
        }
        if let Some(items) = m.get("items") {
            self.schema(items, &join(pointer, "items"), depth + 1);
        }
        if let Some(ap) = m.get("additionalProperties") {
            if !ap.is_boolean() {
                self.schema(ap, &join(pointer, "additionalProperties"), depth + 1);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(list) = self.list(m, key, pointer) {
                for (i, s) in list.iter().enumerate() {
                    self.schema(s, &format!("{}/{i}", join(pointer, key)), depth + 1);
                }
            }
        }
        if let Some(req) = self.list(m, "required", pointer) {
            for (i, r) in req.iter().enumerate() {
                if !r.is_string() {
                    self.bad(
                        &format!("{pointer}/required/{i}"),
                        "`required` entries must be strings",
                        r,
                    );
                }
            }
        }
        self.list(m, "enum", pointer);
    }

    fn content(&mut self, m: &Map<String, Value>, pointer: &str) {
        let Some(c) = m.get("content") else { return };
        let p = join(pointer, "content");
        let Some(c) = self.object(c, &p, "`content`") else {
            return;
        };
        for (media, mt) in c {
            let mp = join(&p, media);
            if let Some(mt) = self.object(mt, &mp, "a media type") {
                if let Some(s) = mt.get("schema") {
                    self.schema(s, &join(&mp, "schema"), 0);
                }
            }
        }
    }

    fn parameter(&mut self, v: &Value, pointer: &str) {
        let Some(m) = self.object(v, pointer, "a parameter") else {
            return;
        };
        if Self::is_ref(m) {
            return self.string(m, "$ref", pointer, true);
        }
        self.string(m, "name", pointer, true);
        match m.get("in") {
            Some(Value::String(s))
                if ["query", "header", "path", "cookie"].contains(&s.as_str()) => {}
            Some(other) => self.bad(
                &join(pointer, "in"),
                "`in` must be one of query, header, path, cookie",
                other,
            ),
            None => {
                self.found += 1;
                self.diags
                    .error("missing-field", pointer, "missing required field `in`");
            }
        }
        self.boolean(m, "required", pointer);
        if let Some(s) = m.get("schema") {
            self.schema(s, &join(pointer, "schema"), 0);
        }
    }

    fn response(&mut self, v: &Value, pointer: &str) {
        let Some(m) = self.object(v, pointer, "a response") else {
            return;
        };
        if Self::is_ref(m) {
            return self.string(m, "$ref", pointer, true);
        }
        self.string(m, "description", pointer, true);
        self.content(m, pointer);
    }

    fn operation(&mut self, v: &Value, pointer: &str) {
        let Some(m) = self.object(v, pointer, "an operation") else {
            return;
        };
        self.string(m, "operationId", pointer, false);
        self.string(m, "summary", pointer, false);
        self.boolean(m, "deprecated", pointer);
        if let Some(params) = self.list(m, "parameters", pointer) {
            for (i, p) in params.iter().enumerate() {
                self.parameter(p, &format!("{pointer}/parameters/{i}"));
            }
        }
        if let Some(b) = m.get("requestBody") {
            let bp = join(pointer, "requestBody");
            if let Some(b) = self.object(b, &bp, "`requestBody`") {
                if !Self::is_ref(b) {
                    self.content(b, &bp);
                }
            }
        }
        match m.get("responses") {
            Some(r) => {
                let rp = join(pointer, "responses");
                if let Some(r) = self.object(r, &rp, "`responses`") {
                    for (code, resp) in r {
                        if !code.starts_with("x-") {
                            self.response(resp, &join(&rp, code));
                        }
                    }
                }
            }
            None => {
                self.found += 1;
                self.diags.error(
                    "missing-field",
                    pointer,
                    "missing required field `responses`",
                );
            }
        }
    }
}

/// Check the raw document's structure; returns the number of problems recorded.
pub fn check(raw: &Value, diags: &mut Diagnostics) -> usize {
    let mut c = Check { diags, found: 0 };
    let Some(root) = c.object(raw, "#", "the document") else {
        return c.found;
    };
    match root.get("info") {
        Some(info) => {
            if let Some(info) = c.object(info, "#/info", "`info`") {
                c.string(info, "title", "#/info", true);
                c.string(info, "version", "#/info", true);
            }
        }
        None => {
            c.found += 1;
            c.diags
                .error("missing-field", "#", "missing required field `info`");
        }
    }
    if let Some(paths) = root.get("paths") {
        if let Some(paths) = c.object(paths, "#/paths", "`paths`") {
            for (path, item) in paths {
                if path.starts_with("x-") {
                    continue;
                }
                let pp = join("#/paths", path);
                let Some(item) = c.object(item, &pp, "a path item") else {
                    continue;
                };
                for (key, v) in item {
                    if METHODS.contains(&key.as_str()) {
                        c.operation(v, &join(&pp, key));
                    } else if key == "parameters" {
                        if let Some(list) = c.list(item, "parameters", &pp) {
                            for (i, p) in list.iter().enumerate() {
                                c.parameter(p, &format!("{pp}/parameters/{i}"));
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(comp) = root.get("components") {
        if let Some(comp) = c.object(comp, "#/components", "`components`") {
            for (section, v) in comp {
                let sp = join("#/components", section);
                let Some(entries) = c.object(v, &sp, &format!("`{section}`")) else {
                    continue;
                };
                for (name, entry) in entries {
                    let ep = join(&sp, name);
                    match section.as_str() {
                        "schemas" => c.schema(entry, &ep, 0),
                        "parameters" => c.parameter(entry, &ep),
                        "responses" => c.response(entry, &ep),
                        _ => {}
                    }
                }
            }
        }
    }
    c.found
}
