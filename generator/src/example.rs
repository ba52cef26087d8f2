//! Example inputs synthesized from the IR: for each operation, a JSON object that the spec
//! accepts (every required parameter by wire name, plus `"body"`), for end-to-end tests
//! against a validating mock server and for agent documents.
//!
//! Rules, in order, for one schema node (its constraints are those of every schema that
//! describes it, in this order: the use site's — [`Param::constraints`],
//! [`Field::constraints`], [`Variant::constraints`], the items or values of the enclosing
//! sites — then the named type's own, [`TypeDef::constraints`]):
//! 1. a single allowed value (`const_value`) wins;
//! 2. else the schema's `example`, then its `default`, when [`validate`] accepts it (object
//!    examples are never used: the IR does not know which extra keys are allowed);
//! 3. else a value built from the type: structs get their required, writable fields (plus
//!    the first property set of a validation-only `anyOf`/`oneOf`), enums their first
//!    value, unions their first variant that can be built, aliases their target, nullable
//!    types a non-null value, arrays `minItems` (at least one) items, maps `{}`, untyped
//!    JSON `{}`; strings satisfy `format`, `pattern` (see [`pattern`]) and length limits;
//!    numbers satisfy bounds (1 when unconstrained); booleans are `false`;
//! 4. binary fields of a multipart body are always given (even when optional: an empty form
//!    reads as no body), as
//!    `{"content_base64": …, "file_name": "x.png", "content_type": "image/png"}`.

pub mod pattern;

use crate::ir::{Api, Constraints, Field, Operation, TypeId, TypeKind, TypeRef};
#[cfg(doc)]
use crate::ir::{Param, TypeDef, Variant};
use pattern::Pattern;
use serde_json::{json, Map, Value};

/// A 1×1 transparent PNG, base64-encoded: the file sent for binary multipart fields.
pub const TINY_PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// Nesting limit for synthesized values (recursive types stop earlier, at their first
/// repetition).
const MAX_DEPTH: usize = 32;

/// Most values (each string character counts as one) one synthesized example holds. Past it
/// the value cannot be built: a spec can ask for exponentially many (five required fields of
/// a type with five required fields of ..., `minItems`, `minLength`), and an example must
/// stay small.
const MAX_SIZE: usize = 1 << 16;

/// The file object given for a binary multipart field.
pub fn file_value() -> Value {
    json!({
        "content_base64": TINY_PNG_BASE64,
        "file_name": "x.png",
        "content_type": "image/png",
    })
}

/// A valid input for `op`: required parameters by wire name, and `"body"` when the
/// operation has a request body.
pub fn operation_input<'a>(api: &'a Api, op: &'a Operation) -> Value {
    let mut synth = Synth::new(api);
    let mut input = Map::new();
    for p in op.params.iter().filter(|p| p.required) {
        let sites = [&p.constraints];
        // An empty path segment would change the route.
        synth.min_len = usize::from(p.location == crate::ir::ParamLocation::Path);
        let value = synth.value(&p.ty, &sites, false);
        synth.min_len = 0;
        input.insert(p.wire_name.clone(), value.unwrap_or_else(|| json!("x")));
    }
    if let Some(body) = &op.body {
        let sites = [&body.constraints];
        let value = synth
            .value(&body.ty, &sites, false)
            .unwrap_or_else(|| json!({}));
        input.insert("body".to_string(), value);
    }
    Value::Object(input)
}

/// [`operation_input`] for every operation, keyed by operation id (spec order).
pub fn operation_inputs(api: &Api) -> Map<String, Value> {
    api.operations
        .iter()
        .map(|op| (op.operation_id.clone(), operation_input(api, op)))
        .collect()
}

/// A valid value of type `ty`, whose schema node (if any) has the facts `constraints`.
pub fn value<'a>(api: &'a Api, ty: &TypeRef, constraints: Option<&'a Constraints>) -> Value {
    let sites: Vec<&Constraints> = constraints.into_iter().collect();
    Synth::new(api)
        .value(ty, &sites, false)
        .unwrap_or(Value::Null)
}

/// Check `value` against `ty` and the facts `constraints` of its schema node (and those of
/// the named types it reaches). Unknown object keys are rejected; patterns outside the
/// supported subset reject every string.
pub fn validate<'a>(
    api: &'a Api,
    ty: &TypeRef,
    constraints: Option<&'a Constraints>,
    value: &Value,
) -> Result<(), String> {
    let sites: Vec<&Constraints> = constraints.into_iter().collect();
    Synth::new(api).check(ty, &sites, value, false, "")
}

/// Validate a whole operation input as produced by [`operation_input`].
pub fn validate_input<'a>(api: &'a Api, op: &'a Operation, input: &Value) -> Result<(), String> {
    let Some(obj) = input.as_object() else {
        return Err("input is not an object".into());
    };
    let synth = Synth::new(api);
    for p in &op.params {
        match obj.get(&p.wire_name) {
            Some(v) => {
                synth.check(
                    &p.ty,
                    &[&p.constraints],
                    v,
                    false,
                    &format!("/{}", p.wire_name),
                )?;
            }
            None if p.required => return Err(format!("missing parameter `{}`", p.wire_name)),
            None => {}
        }
    }
    match (&op.body, obj.get("body")) {
        (Some(b), Some(v)) => {
            synth.check(&b.ty, &[&b.constraints], v, false, "/body")?;
        }
        (Some(b), None) if b.required => return Err("missing body".into()),
        (None, Some(_)) => return Err("body given for an operation without one".into()),
        _ => {}
    }
    for key in obj.keys() {
        if key != "body" && !op.params.iter().any(|p| &p.wire_name == key) {
            return Err(format!("unknown parameter `{key}`"));
        }
    }
    Ok(())
}

/// Patterns of the API that no synthesized string satisfies (outside the supported regex
/// subset, or contradicting the length limits): `(pointer, pattern, reason)`.
pub fn unsatisfiable_patterns(api: &Api) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (pointer, c) in constraint_sites(api) {
        let Some(p) = &c.pattern else { continue };
        match Pattern::parse(p) {
            Err(e) => out.push((pointer.clone(), p.clone(), e.to_string())),
            Ok(parsed) => {
                if parsed
                    .generate(c.min_length.unwrap_or(0), c.max_length)
                    .is_none()
                {
                    out.push((
                        pointer.clone(),
                        p.clone(),
                        "no generated string fits the length limits".into(),
                    ));
                }
            }
        }
    }
    out
}

/// The facts of every schema node of the API, by the pointer of the node (for reports):
/// parameters, bodies, named types, fields and union variants, with the items, values and
/// positions inside them.
fn constraint_sites(api: &Api) -> std::collections::BTreeMap<String, &Constraints> {
    fn add<'a>(
        out: &mut std::collections::BTreeMap<String, &'a Constraints>,
        at: String,
        c: &'a Constraints,
    ) {
        if let Some(items) = &c.items {
            add(out, format!("{at}/items"), items);
        }
        if let Some(values) = &c.values {
            add(out, format!("{at}/additionalProperties"), values);
        }
        for (i, p) in c.prefix_items.iter().enumerate() {
            add(out, format!("{at}/prefixItems/{i}"), p);
        }
        out.insert(at, c);
    }
    let mut out = std::collections::BTreeMap::new();
    for op in &api.operations {
        for p in &op.params {
            add(&mut out, format!("{}/schema", p.pointer), &p.constraints);
        }
        if let Some(b) = &op.body {
            add(&mut out, format!("{}/schema", b.pointer), &b.constraints);
        }
    }
    for def in &api.types {
        add(&mut out, def.pointer.clone(), &def.constraints);
        match &def.kind {
            TypeKind::Struct { fields } => {
                for f in fields {
                    add(&mut out, f.pointer.clone(), &f.constraints);
                }
            }
            TypeKind::Union { variants, .. } => {
                for v in variants {
                    add(&mut out, v.pointer.clone(), &v.constraints);
                }
            }
            TypeKind::Enum { .. } | TypeKind::Alias { .. } => {}
        }
    }
    out
}

struct Synth<'a> {
    api: &'a Api,
    stack: Vec<TypeId>,
    /// What is left of [`MAX_SIZE`].
    left: usize,
    /// Extra lower bound on string length (path segments must not be empty).
    min_len: usize,
}

impl<'a> Synth<'a> {
    fn new(api: &'a Api) -> Self {
        Synth {
            api,
            stack: Vec::new(),
            left: MAX_SIZE,
            min_len: 0,
        }
    }

    /// The facts describing a node of type `ty` used at `sites`, use sites first: a named
    /// type adds its definition's (unless they are already there, as for an inline schema
    /// that became the type).
    fn sites_of(&self, ty: &TypeRef, sites: &[&'a Constraints]) -> Vec<&'a Constraints> {
        let mut out = sites.to_vec();
        if let TypeRef::Named(id) = ty.non_null() {
            let own = &self.api.types[*id].constraints;
            if !out.contains(&own) {
                out.push(own);
            }
        }
        out
    }

    /// Build a value; `sites` are the facts describing this node. `file`: a binary value is
    /// a multipart file part.
    fn value(&mut self, ty: &TypeRef, sites: &[&'a Constraints], file: bool) -> Option<Value> {
        if self.stack.len() > MAX_DEPTH || self.left == 0 {
            return None;
        }
        self.left -= 1;
        let sites = self.sites_of(ty, sites);
        let cs: &[&Constraints] = &sites;
        if let Some(v) = cs.iter().find_map(|c| c.const_value.clone()) {
            return Some(v);
        }
        let candidates = cs
            .iter()
            .flat_map(|c| [c.example.clone(), c.default.clone()])
            .flatten();
        for candidate in candidates {
            // Object examples are skipped: which extra keys are allowed is not in the IR.
            if candidate.is_null() || has_object(&candidate) {
                continue;
            }
            if self.check(ty, &sites, &candidate, file, "").is_ok() {
                return Some(candidate);
            }
        }
        match ty {
            TypeRef::Nullable(inner) => self.value(inner, &sites, file),
            TypeRef::Named(id) => self.named(*id, &sites),
            TypeRef::String => Some(Value::String(self.string(cs)?)),
            TypeRef::Integer => Some(self.number(cs, true)),
            TypeRef::Number => Some(self.number(cs, false)),
            TypeRef::Boolean => Some(Value::Bool(false)),
            TypeRef::Bytes if file => Some(file_value()),
            TypeRef::Bytes => Some(Value::String(self.string(cs)?)),
            TypeRef::Json | TypeRef::JsonObject | TypeRef::Map(_) => Some(json!({})),
            TypeRef::Tuple(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let at: Vec<&Constraints> = sites.iter().map(|c| c.prefix_item(i)).collect();
                    out.push(self.value(item, &at, file)?);
                }
                Some(Value::Array(out))
            }
            TypeRef::Array(inner) => {
                let min = cs.iter().filter_map(|c| c.min_items).max().unwrap_or(0);
                let max = cs.iter().filter_map(|c| c.max_items).min();
                let n = min.max(1).min(max.unwrap_or(usize::MAX));
                let item_sites: Vec<&Constraints> = sites.iter().map(|c| c.items()).collect();
                let mut items = Vec::new();
                for i in 0..n {
                    match self.value(inner, &item_sites, file) {
                        Some(mut v) => {
                            let unique = cs.iter().any(|c| c.unique_items);
                            if unique && i > 0 {
                                if let Value::String(s) = &mut v {
                                    s.push_str(&i.to_string());
                                }
                            }
                            items.push(v);
                        }
                        None if min == 0 => break,
                        None => return None,
                    }
                }
                Some(Value::Array(items))
            }
        }
    }

    fn named(&mut self, id: TypeId, sites: &[&'a Constraints]) -> Option<Value> {
        if self.stack.contains(&id) {
            return None;
        }
        let api = self.api;
        let def = &api.types[id];
        self.stack.push(id);
        let out = match &def.kind {
            TypeKind::Struct { fields } => {
                let cs = sites;
                // Files of a multipart body are always sent: an upload without its file is
                // pointless, and an empty form reads as no body at all.
                let is_file = |t: &TypeRef| match t.non_null() {
                    TypeRef::Bytes => true,
                    TypeRef::Array(inner) => inner.non_null() == &TypeRef::Bytes,
                    _ => false,
                };
                let mut wanted: Vec<&str> = fields
                    .iter()
                    .filter(|f| {
                        (f.required || (def.usage.multipart && is_file(&f.ty))) && !f.read_only
                    })
                    .map(|f| f.wire_name.as_str())
                    .collect();
                // Validation-only anyOf/oneOf: satisfy the first alternative.
                for set in cs.iter().flat_map(|c| {
                    c.any_of_required
                        .first()
                        .into_iter()
                        .chain(c.one_of_required.first())
                }) {
                    for name in set {
                        if !wanted.contains(&name.as_str()) {
                            wanted.push(name);
                        }
                    }
                }
                let mut obj = Map::new();
                let mut ok = true;
                for f in fields
                    .iter()
                    .filter(|f| wanted.contains(&f.wire_name.as_str()))
                {
                    match self.value(&f.ty, &[&f.constraints], def.usage.multipart) {
                        Some(v) => {
                            obj.insert(f.wire_name.clone(), v);
                        }
                        None if f.ty.is_nullable() => {
                            obj.insert(f.wire_name.clone(), Value::Null);
                        }
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                ok.then_some(Value::Object(obj))
            }
            TypeKind::Enum { values } => values.first().map(|v| Value::String(v.wire.clone())),
            TypeKind::Union { variants, .. } => {
                let mut found = None;
                for v in variants {
                    if let Some(value) = self.value(&v.ty, &[&v.constraints], false) {
                        found = Some(value);
                        break;
                    }
                }
                found
            }
            TypeKind::Alias { target } => self.value(target, sites, false),
        };
        self.stack.pop();
        out
    }

    fn string(&mut self, cs: &[&Constraints]) -> Option<String> {
        let s = self.string_within(cs)?;
        self.left = self.left.checked_sub(s.len())?;
        Some(s)
    }

    fn string_within(&self, cs: &[&Constraints]) -> Option<String> {
        let min = cs
            .iter()
            .filter_map(|c| c.min_length)
            .max()
            .unwrap_or(0)
            .max(self.min_len);
        let max = cs.iter().filter_map(|c| c.max_length).min();
        if min > self.left {
            return None;
        }
        let patterns: Vec<Pattern> = cs
            .iter()
            .filter_map(|c| c.pattern.as_deref())
            .filter_map(|p| Pattern::parse(p).ok())
            .collect();
        let format = cs.iter().find_map(|c| c.format.as_deref());
        let fits = |s: &str| {
            let n = s.chars().count();
            n >= min
                && max.is_none_or(|m| n <= m)
                && patterns.iter().all(|p| p.is_match(s))
                && format.is_none_or(|f| format_ok(f, s))
        };
        let mut candidates: Vec<String> = Vec::new();
        if let Some(f) = format.and_then(format_example) {
            candidates.push(f.to_string());
        }
        candidates.push("example".to_string());
        for c in &candidates {
            if fits(c) {
                return Some(c.clone());
            }
        }
        for p in &patterns {
            if let Some(s) = p.generate(min, max) {
                if fits(&s) {
                    return Some(s);
                }
            }
        }
        // Only lengths left to satisfy.
        let base = candidates.pop().unwrap_or_default();
        let mut s: String = base.chars().take(max.unwrap_or(usize::MAX)).collect();
        let n = s.chars().count();
        s.extend(std::iter::repeat_n('x', min.saturating_sub(n)));
        Some(s)
    }

    fn number(&self, cs: &[&Constraints], integer: bool) -> Value {
        let step = if integer { 1.0 } else { 0.5 };
        let lo = cs
            .iter()
            .filter_map(|c| {
                c.minimum
                    .map(|m| if c.exclusive_minimum { m + step } else { m })
            })
            .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))));
        let hi = cs
            .iter()
            .filter_map(|c| {
                c.maximum
                    .map(|m| if c.exclusive_maximum { m - step } else { m })
            })
            .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.min(b))));
        let mut n = match (lo, hi) {
            (Some(lo), _) => lo,
            (None, Some(hi)) if hi < 1.0 => hi,
            _ => 1.0,
        };
        if integer {
            n = n.ceil();
        }
        if let Some(hi) = hi {
            if n > hi {
                n = if integer { hi.floor() } else { hi };
            }
        }
        if integer {
            json!(n as i64)
        } else {
            json!(n)
        }
    }

    /// Whether `v` is a value of `ty` that meets the validation keywords of `sites`; else
    /// what is wrong, at the JSON pointer `at`. `file`: in a multipart body, where bytes are
    /// a file object.
    fn check(
        &self,
        ty: &TypeRef,
        sites: &[&'a Constraints],
        v: &Value,
        file: bool,
        at: &str,
    ) -> Result<(), String> {
        let fail = |what: String| fail_at(at, what);
        for c in sites {
            check_constraints(c, v).or_else(fail)?;
        }
        match ty {
            TypeRef::Nullable(inner) => {
                if v.is_null() {
                    Ok(())
                } else {
                    self.check(inner, sites, v, file, at)
                }
            }
            TypeRef::String => match v {
                Value::String(_) => Ok(()),
                _ => fail(format!("{v} is not a string")),
            },
            TypeRef::Integer => {
                if v.is_i64() || v.is_u64() {
                    Ok(())
                } else {
                    fail(format!("{v} is not an integer"))
                }
            }
            TypeRef::Number => match v {
                Value::Number(_) => Ok(()),
                _ => fail(format!("{v} is not a number")),
            },
            TypeRef::Boolean => match v {
                Value::Bool(_) => Ok(()),
                _ => fail(format!("{v} is not a boolean")),
            },
            TypeRef::Bytes if file => {
                let ok = v.get("content_base64").is_some_and(Value::is_string);
                if ok {
                    Ok(())
                } else {
                    fail("a file needs `content_base64`".into())
                }
            }
            TypeRef::Bytes => match v {
                Value::String(_) => Ok(()),
                _ => fail(format!("{v} is not a string")),
            },
            TypeRef::Json => Ok(()),
            TypeRef::JsonObject => match v {
                Value::Object(_) => Ok(()),
                _ => fail(format!("{v} is not an object")),
            },
            TypeRef::Array(inner) => {
                let Value::Array(items) = v else {
                    return fail(format!("{v} is not an array"));
                };
                let item_sites: Vec<&Constraints> = sites.iter().map(|c| c.items()).collect();
                for (i, item) in items.iter().enumerate() {
                    self.check(inner, &item_sites, item, file, &format!("{at}/{i}"))?;
                }
                Ok(())
            }
            TypeRef::Tuple(types) => {
                let Value::Array(items) = v else {
                    return fail(format!("{v} is not an array"));
                };
                if items.len() != types.len() {
                    return fail(format!(
                        "{} items for a tuple of {}",
                        items.len(),
                        types.len()
                    ));
                }
                for (i, (t, item)) in types.iter().zip(items).enumerate() {
                    let item_sites: Vec<&Constraints> =
                        sites.iter().map(|c| c.prefix_item(i)).collect();
                    self.check(t, &item_sites, item, file, &format!("{at}/{i}"))?;
                }
                Ok(())
            }
            TypeRef::Map(inner) => {
                let Value::Object(map) = v else {
                    return fail(format!("{v} is not an object"));
                };
                let value_sites: Vec<&Constraints> = sites.iter().map(|c| c.values()).collect();
                for (k, item) in map {
                    self.check(inner, &value_sites, item, false, &format!("{at}/{k}"))?;
                }
                Ok(())
            }
            TypeRef::Named(id) => {
                let def = &self.api.types[*id];
                if !sites.contains(&&def.constraints) {
                    return self.check(ty, &self.sites_of(ty, sites), v, file, at);
                }
                match &def.kind {
                    TypeKind::Struct { fields } => {
                        self.check_object(fields, def.usage.multipart, sites, v, at)
                    }
                    TypeKind::Enum { values } => match v {
                        Value::String(s) if values.iter().any(|e| &e.wire == s) => Ok(()),
                        _ => fail(format!("{v} is not one of the enum's values")),
                    },
                    TypeKind::Union { variants, .. } => {
                        let ok = variants.iter().any(|var| {
                            self.check(&var.ty, &[&var.constraints], v, false, at)
                                .is_ok()
                        });
                        if ok {
                            Ok(())
                        } else {
                            fail(format!("{v} matches no variant"))
                        }
                    }
                    TypeKind::Alias { target } => self.check(target, sites, v, file, at),
                }
            }
        }
    }

    /// [`Self::check`] of an object of `fields` (a multipart body's when `multipart`): every
    /// required field, no unknown one, and the sites' `anyOf`/`oneOf` required sets.
    fn check_object(
        &self,
        fields: &[Field],
        multipart: bool,
        sites: &[&'a Constraints],
        v: &Value,
        at: &str,
    ) -> Result<(), String> {
        let fail = |what: String| fail_at(at, what);
        let Value::Object(obj) = v else {
            return fail(format!("{v} is not an object"));
        };
        for f in fields {
            match obj.get(&f.wire_name) {
                Some(fv) => self.check(
                    &f.ty,
                    &[&f.constraints],
                    fv,
                    multipart,
                    &format!("{at}/{}", f.wire_name),
                )?,
                None if f.required && !f.read_only => {
                    return fail(format!("missing required `{}`", f.wire_name))
                }
                None => {}
            }
        }
        if let Some(k) = obj
            .keys()
            .find(|k| !fields.iter().any(|f| &&f.wire_name == k))
        {
            return fail(format!("unknown property `{k}`"));
        }
        for c in sites {
            let has = |set: &Vec<String>| set.iter().all(|n| obj.contains_key(n));
            if !c.any_of_required.is_empty() && !c.any_of_required.iter().any(has) {
                return fail("no `anyOf` alternative's properties are present".into());
            }
            if !c.one_of_required.is_empty()
                && c.one_of_required.iter().filter(|s| has(s)).count() != 1
            {
                return fail("not exactly one `oneOf` alternative's properties are present".into());
            }
        }
        Ok(())
    }
}

/// A check's failure: what is wrong, at the JSON pointer `at` (`/` for the root).
fn fail_at(at: &str, what: String) -> Result<(), String> {
    Err(format!("{}: {what}", if at.is_empty() { "/" } else { at }))
}

/// Whether `v` meets the validation keywords of one site (the constant, string length,
/// pattern and format, numeric bounds, item counts); what is wrong if not.
fn check_constraints(c: &Constraints, v: &Value) -> Result<(), String> {
    if let Some(k) = &c.const_value {
        if v != k {
            return Err(format!("{v} is not the constant {k}"));
        }
    }
    if let Value::String(s) = v {
        let n = s.chars().count();
        if c.min_length.is_some_and(|m| n < m) || c.max_length.is_some_and(|m| n > m) {
            return Err(format!("length of {s:?} out of bounds"));
        }
        if let Some(p) = &c.pattern {
            match Pattern::parse(p) {
                Ok(re) if re.is_match(s) => {}
                _ => return Err(format!("{s:?} does not match `{p}`")),
            }
        }
        if let Some(f) = &c.format {
            if !format_ok(f, s) {
                return Err(format!("{s:?} is not a valid `{f}`"));
            }
        }
    }
    if let Some(x) = v.as_f64() {
        let below = c
            .minimum
            .is_some_and(|m| x < m || (c.exclusive_minimum && x == m));
        let above = c
            .maximum
            .is_some_and(|m| x > m || (c.exclusive_maximum && x == m));
        if below || above {
            return Err(format!("{x} out of bounds"));
        }
    }
    if let Value::Array(items) = v {
        let n = items.len();
        if c.min_items.is_some_and(|m| n < m) || c.max_items.is_some_and(|m| n > m) {
            return Err(format!("{n} items out of bounds"));
        }
    }
    Ok(())
}

/// True when `v` is or contains an object.
fn has_object(v: &Value) -> bool {
    match v {
        Value::Object(_) => true,
        Value::Array(items) => items.iter().any(has_object),
        _ => false,
    }
}

/// A canonical value of a string `format`, when there is one.
fn format_example(format: &str) -> Option<&'static str> {
    Some(match format {
        "email" | "idn-email" => "user@example.com",
        "uri" | "url" | "iri" => "https://example.com",
        "uri-reference" | "iri-reference" => "https://example.com/x",
        "date" => "2024-01-01",
        "date-time" => "2024-01-01T00:00:00Z",
        "time" => "00:00:00Z",
        "uuid" => "123e4567-e89b-42d3-a456-426614174000",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" | "base64" => "aGVsbG8=",
        "password" => "correct-horse-battery-staple",
        _ => return None,
    })
}

/// A light check of the string formats validators (ajv-formats) enforce; unknown formats
/// accept everything.
fn format_ok(format: &str, s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let date = |t: &str| {
        let parts: Vec<&str> = t.split('-').collect();
        parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| digits(p))
    };
    match format {
        "email" | "idn-email" => {
            let Some((local, domain)) = s.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        "uri" | "url" | "iri" => s.split_once(':').is_some_and(|(scheme, rest)| {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !s.chars().any(char::is_whitespace)
        }),
        "date" => date(s),
        "date-time" => {
            let Some((d, t)) = s.split_once(['T', 't', ' ']) else {
                return false;
            };
            date(d)
                && t.len() >= 8
                && (t.ends_with(['Z', 'z']) || t.get(8..).is_some_and(|z| z.contains(['+', '-'])))
        }
        "uuid" => {
            let parts: Vec<&str> = s.split('-').collect();
            parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
                && parts
                    .iter()
                    .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_of(spec: &str) -> Api {
        let inputs = crate::Inputs::from_text("inline.yaml", spec);
        crate::analyze(&inputs, &crate::Config::new("inline.yaml"))
            .unwrap()
            .0
    }

    fn input(api: &Api, id: &str) -> Value {
        let op = api
            .operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap();
        let input = operation_input(api, op);
        validate_input(api, op, &input).unwrap_or_else(|e| panic!("{id}: {e}\n{input}"));
        input
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n";

    #[test]
    fn parameters_follow_patterns_formats_and_bounds() {
        let api = api_of(&format!(
            "{HEAD}  /users/{{user_id}}:
    get:
      operationId: GetUser
      parameters:
        - {{name: user_id, in: path, required: true, schema: {{type: string, pattern: '^user_\\w{{27}}$'}}}}
        - {{name: since, in: query, required: true, schema: {{type: string, format: date-time}}}}
        - {{name: limit, in: query, required: true, schema: {{type: integer, minimum: 10, maximum: 500}}}}
        - {{name: ratio, in: query, required: true, schema: {{type: number, exclusiveMaximum: true, maximum: 0}}}}
        - {{name: order, in: query, required: true, schema: {{type: string, enum: [asc, desc]}}}}
        - {{name: ids, in: query, required: true, schema: {{type: array, minItems: 2, items: {{type: string, pattern: '^ak_[0-9a-f]{{4}}$'}}}}}}
        - {{name: q, in: query, required: true, schema: {{type: string, minLength: 9, maxLength: 9}}}}
        - {{name: named, in: query, required: true, schema: {{type: string, example: Ada, default: Bob}}}}
        - {{name: bad_example, in: query, required: true, schema: {{type: string, pattern: '^x+$', example: nope, default: xx}}}}
        - {{name: optional, in: query, schema: {{type: string}}}}
      responses: {{'200': {{description: ok}}}}
"
        ));
        let v = input(&api, "GetUser");
        assert_eq!(
            v,
            json!({
                "user_id": format!("user_{}", "a".repeat(27)),
                "since": "2024-01-01T00:00:00Z",
                "limit": 10,
                "ratio": -0.5,
                "order": "asc",
                "ids": ["ak_aaaa", "ak_aaaa"],
                "q": "examplexx",
                "named": "Ada",
                "bad_example": "xx",
            })
        );
    }

    #[test]
    fn bodies_take_required_fields_consts_and_validation_only_any_of() {
        let api = api_of(&format!(
            "{HEAD}  /saml:
    post:
      operationId: CreateSaml
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [name, provider, object, tags, meta, when, nested, choice]
              properties:
                name: {{type: string, minLength: 3}}
                provider: {{$ref: '#/components/schemas/Provider'}}
                object: {{type: string, enum: [saml]}}
                tags: {{type: array, items: {{type: string, format: email}}}}
                meta: {{type: object, additionalProperties: true}}
                when: {{type: string, nullable: true, format: date}}
                nested:
                  type: object
                  required: [n]
                  properties:
                    n: {{type: integer, format: int64}}
                    skip: {{type: boolean}}
                choice:
                  oneOf:
                    - {{type: integer}}
                    - {{type: string}}
                id: {{type: string, readOnly: true}}
                domain: {{type: string, format: uri}}
                domains: {{type: array, items: {{type: string}}}}
                optional: {{type: string}}
              anyOf:
                - required: [domain]
                - required: [domains]
      responses: {{'200': {{description: ok}}}}
components:
  schemas:
    Provider: {{type: string, enum: [saml_custom, saml_okta]}}
"
        ));
        let v = input(&api, "CreateSaml");
        assert_eq!(
            v,
            json!({"body": {
                "name": "example",
                "provider": "saml_custom",
                "object": "saml",
                "tags": ["user@example.com"],
                "meta": {},
                "when": "2024-01-01",
                "nested": {"n": 1},
                "choice": 1,
                "domain": "https://example.com",
            }})
        );
    }

    #[test]
    fn recursion_stops_and_nullable_fields_become_null() {
        let api = api_of(&format!(
            "{HEAD}  /tree:
    post:
      operationId: Tree
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/Node'}}
      responses: {{'200': {{description: ok}}}}
components:
  schemas:
    Node:
      type: object
      required: [name, parent, children]
      properties:
        name: {{type: string}}
        parent:
          nullable: true
          allOf: [{{$ref: '#/components/schemas/Node'}}]
        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}
"
        ));
        let v = input(&api, "Tree");
        assert_eq!(
            v,
            json!({"body": {"name": "example", "parent": null, "children": []}})
        );
    }

    #[test]
    fn unions_use_their_first_buildable_variant() {
        let api = api_of(&format!(
            "{HEAD}  /pets:
    post:
      operationId: Pet
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - $ref: '#/components/schemas/Cat'
                - $ref: '#/components/schemas/Dog'
              discriminator:
                propertyName: kind
      responses: {{'200': {{description: ok}}}}
components:
  schemas:
    Cat:
      type: object
      required: [kind, lives]
      properties:
        kind: {{type: string, enum: [cat]}}
        lives: {{type: integer, minimum: 1, maximum: 9, example: 9}}
    Dog:
      type: object
      required: [kind]
      properties:
        kind: {{type: string, enum: [dog]}}
"
        ));
        assert_eq!(
            input(&api, "Pet"),
            json!({"body": {"kind": "cat", "lives": 9}})
        );
    }

    #[test]
    fn fixture_inputs_are_valid() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/accounts/spec.yaml"
        );
        let api = crate::load_and_analyze(&crate::Config::new(path))
            .unwrap()
            .0;
        let all = operation_inputs(&api);
        assert_eq!(all.len(), api.operations.len());
        for op in &api.operations {
            input(&api, &op.operation_id);
        }
        assert_eq!(all["ListAccounts"], json!({}));
        assert_eq!(
            all["CreateAccount"],
            json!({"body": {"email_address": "user@example.com"}})
        );
        assert_eq!(all["GetAccount"], json!({"account_id": "example"}));
        assert_eq!(
            all["UpdateAccount"],
            json!({"account_id": "example", "body": {}})
        );
        assert_eq!(
            all["SetAccountAvatar"],
            json!({"account_id": "example", "body": {"file": file_value()}})
        );
        assert_eq!(all["RotateKeys"], json!({}));
        assert!(unsatisfiable_patterns(&api).is_empty());
        // Validation catches what Prism would reject.
        let create = api
            .operations
            .iter()
            .find(|o| o.operation_id == "CreateAccount")
            .unwrap();
        for bad in [
            json!({"body": {}}),
            json!({"body": {"email_address": "not-an-email"}}),
            json!({"body": {"email_address": "a@b.co", "bogus": 1}}),
            json!({}),
        ] {
            assert!(validate_input(&api, create, &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn multipart_binary_fields_are_files() {
        let api = api_of(&format!(
            "{HEAD}  /logo:
    put:
      operationId: Logo
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, uploader_user_id]
              properties:
                file: {{type: string, format: binary}}
                uploader_user_id: {{type: string}}
      responses: {{'200': {{description: ok}}}}
"
        ));
        assert_eq!(
            input(&api, "Logo"),
            json!({"body": {"file": file_value(), "uploader_user_id": "example"}})
        );
    }
}
