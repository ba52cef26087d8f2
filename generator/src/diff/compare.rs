//! Walking two IRs side by side and recording every change with its impact.

use super::report::{Change, Class, CodeImpact, Scope};
use super::shape::{describe, kind_name, Shapes};
use crate::ir::{
    Api, Constraints, Field, Operation, Param, ParamLocation, ResponseKind, SafetyClass, TypeDef,
    TypeId, TypeKind, TypeRef,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Which directions a type travels in; decides the runtime impact of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sides {
    request: bool,
    response: bool,
}

const REQUEST: Sides = Sides {
    request: true,
    response: false,
};
const RESPONSE: Sides = Sides {
    request: false,
    response: true,
};

/// Longest old/new text kept for prose (summaries, descriptions).
const PROSE: usize = 160;

struct Cx<'a> {
    old: &'a Api,
    new: &'a Api,
    old_shapes: Shapes<'a>,
    new_shapes: Shapes<'a>,
    /// Component renames: old name -> new name (same structure).
    renames: BTreeMap<String, String>,
    /// Pairs of types being compared (guards recursive types).
    stack: Vec<(TypeId, TypeId)>,
    out: Vec<Change>,
}

/// One change, before it is classified.
struct Raw<'s> {
    kind: &'static str,
    scope: &'s Scope,
    location: String,
    code: CodeImpact,
    wire: bool,
    old: Option<String>,
    new: Option<String>,
    note: String,
}

fn classify(code: CodeImpact, wire: bool) -> Class {
    match code {
        CodeImpact::Breaking => Class::Breaking,
        CodeImpact::Rename => Class::TypeRename,
        _ if wire => Class::WireBreaking,
        CodeImpact::Additive => Class::Additive,
        CodeImpact::None => Class::Compatible,
    }
}

fn prose(text: Option<&str>) -> Option<String> {
    let t = text.map(str::trim).filter(|t| !t.is_empty())?;
    let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > PROSE {
        let cut: String = flat.chars().take(PROSE).collect();
        Some(format!("{cut}…"))
    } else {
        Some(flat)
    }
}

fn norm_path(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// `Option` depth of a field in the generated struct (see `emit::models`): 0 for `T`, 1 for
/// `Option<T>`, 2 for the tri-state `Option<Option<T>>` of nullable optional request fields.
fn option_depth(f: &Field, def: &TypeDef) -> u8 {
    let nullable = f.ty.is_nullable();
    if f.required && !nullable {
        0
    } else if !f.required && nullable && def.usage.request {
        2
    } else {
        1
    }
}

/// True for a difference that leaves the wire format alone: a nested rename, or prose.
fn keeps_structure(c: &Change) -> bool {
    c.class == Class::TypeRename
        || matches!(
            c.kind,
            "description-changed" | "summary-changed" | "field-deprecated" | "field-undeprecated"
        )
}

fn path_params(op: &Operation) -> Vec<&Param> {
    op.params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .collect()
}

type ParamKey = (&'static str, String);

fn other_params(op: &Operation) -> BTreeMap<ParamKey, &Param> {
    op.params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(|p| ((p.location.as_str(), p.wire_name.clone()), p))
        .collect()
}

fn join(loc: &str, part: &str) -> String {
    format!("{loc}.{part}")
}

pub(super) fn compare(old: &Api, new: &Api) -> Vec<Change> {
    let mut cx = Cx {
        old,
        new,
        old_shapes: Shapes::new(old),
        new_shapes: Shapes::new(new),
        renames: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    cx.find_renames();
    cx.operations();
    cx.schemas();
    // Which operations each schema change reaches.
    let new_labels: BTreeMap<(&str, String), String> = new
        .operations
        .iter()
        .map(|o| ((o.http_method.as_str(), norm_path(&o.path)), op_label(o)))
        .collect();
    let old_reach = reach(old, |o| {
        new_labels
            .get(&(o.http_method.as_str(), norm_path(&o.path)))
            .cloned()
            .unwrap_or_else(|| op_label(o))
    });
    let new_reach = reach(new, op_label);
    let old_names: BTreeMap<&String, &String> = cx.renames.iter().map(|(o, n)| (n, o)).collect();
    let mut out = cx.out;
    for c in &mut out {
        let Scope::Schema { name } = &c.scope else {
            continue;
        };
        let mut ops: BTreeSet<(String, String)> = BTreeSet::new();
        let old_name = old_names.get(name).map(|s| s.as_str()).unwrap_or(name);
        for set in [new_reach.get(name.as_str()), old_reach.get(old_name)]
            .into_iter()
            .flatten()
        {
            ops.extend(set.iter().cloned());
        }
        c.operations = ops.into_iter().map(|(p, m)| format!("{m} {p}")).collect();
    }
    out
}

fn op_label(o: &Operation) -> String {
    format!("{} {}", o.http_method, o.path)
}

/// Component name -> operations (as (path, method), for sorting) whose parameters, body or
/// success response reach it.
fn reach(
    api: &Api,
    label: impl Fn(&Operation) -> String,
) -> BTreeMap<&str, BTreeSet<(String, String)>> {
    let mut out: BTreeMap<&str, BTreeSet<(String, String)>> = BTreeMap::new();
    for op in &api.operations {
        let l = label(op);
        let (method, path) = l.split_once(' ').unwrap_or(("", &l));
        let key = (path.to_string(), method.to_string());
        for id in crate::ir::reachable(&api.types, op.type_roots()) {
            if let Some(w) = &api.types[id].wire_name {
                out.entry(w.as_str()).or_default().insert(key.clone());
            }
        }
    }
    out
}

impl<'a> Cx<'a> {
    fn push(&mut self, r: Raw<'_>) {
        self.out.push(Change {
            class: classify(r.code, r.wire),
            code: r.code,
            wire_breaking: r.wire,
            kind: r.kind,
            scope: r.scope.clone(),
            location: r.location,
            old: r.old,
            new: r.new,
            note: r.note,
            operations: Vec::new(),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn note(
        &mut self,
        scope: &Scope,
        location: &str,
        kind: &'static str,
        code: CodeImpact,
        wire: bool,
        old: Option<String>,
        new: Option<String>,
        note: impl Into<String>,
    ) {
        self.push(Raw {
            kind,
            scope,
            location: location.to_string(),
            code,
            wire,
            old,
            new,
            note: note.into(),
        });
    }

    /// Run `f` and take the changes it recorded instead of keeping them.
    fn scratch(&mut self, f: impl FnOnce(&mut Self)) -> Vec<Change> {
        let len = self.out.len();
        f(self);
        self.out.split_off(len)
    }

    fn components(api: &Api) -> BTreeMap<&str, TypeId> {
        api.types
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.wire_name.as_deref().map(|w| (w, i)))
            .collect()
    }

    /// Pair removed components with added ones of the same structure. Repeated until
    /// nothing changes: a rename can make the schemas that refer to it identical too.
    fn find_renames(&mut self) {
        let old_c = Self::components(self.old);
        let new_c = Self::components(self.new);
        let none = BTreeMap::new();
        let mut added: Vec<(&str, String)> = new_c
            .iter()
            .filter(|(n, _)| !old_c.contains_key(*n))
            .map(|(n, id)| (*n, self.new_shapes.hash(*id, &none)))
            .collect();
        loop {
            let mut found = false;
            for (name, id) in &old_c {
                if new_c.contains_key(name) || self.renames.contains_key(*name) {
                    continue;
                }
                let h = self.old_shapes.hash(*id, &self.renames);
                if let Some(pos) = added.iter().position(|(_, nh)| *nh == h) {
                    let (new_name, _) = added.remove(pos);
                    self.renames.insert(name.to_string(), new_name.to_string());
                    found = true;
                }
            }
            if !found {
                break;
            }
        }
    }

    /// Same structure (component names mapped through the renames)?
    fn same_shape(&self, a: TypeId, b: TypeId) -> bool {
        self.old_shapes.hash(a, &self.renames) == self.new_shapes.hash(b, &BTreeMap::new())
    }

    // ----- operations -------------------------------------------------------------------

    fn operations(&mut self) {
        let key = |o: &Operation| (o.http_method.as_str(), norm_path(&o.path));
        let old_ops: BTreeMap<_, &Operation> =
            self.old.operations.iter().map(|o| (key(o), o)).collect();
        let new_ops: BTreeMap<_, &Operation> =
            self.new.operations.iter().map(|o| (key(o), o)).collect();
        let mut removed: Vec<&Operation> = Vec::new();
        for (k, o) in &old_ops {
            match new_ops.get(k) {
                Some(n) => self.operation(o, n),
                None => removed.push(o),
            }
        }
        let mut added: Vec<&Operation> = new_ops
            .iter()
            .filter(|(k, _)| !old_ops.contains_key(*k))
            .map(|(_, o)| *o)
            .collect();
        for o in removed {
            let scope = Scope::Operation {
                path: o.path.clone(),
                method: o.http_method.as_str().to_string(),
            };
            if let Some(pos) = added.iter().position(|n| n.operation_id == o.operation_id) {
                let n = added.remove(pos);
                let new_scope = Scope::Operation {
                    path: n.path.clone(),
                    method: n.http_method.as_str().to_string(),
                };
                self.note(
                    &new_scope,
                    "",
                    "operation-moved",
                    CodeImpact::None,
                    true,
                    Some(format!("{} {}", o.http_method, o.path)),
                    Some(format!("{} {}", n.http_method, n.path)),
                    format!(
                        "`{}` moved to a new method or path; deployed clients still call the old one",
                        o.operation_id
                    ),
                );
                self.operation(o, n);
                continue;
            }
            self.note(
                &scope,
                "",
                "operation-removed",
                CodeImpact::Breaking,
                true,
                Some(format!(
                    "`{}` ({})",
                    o.operation_id,
                    self.rust_path(self.old, o)
                )),
                None,
                "the method is gone; deployed clients get an error from the server",
            );
        }
        for n in added {
            let scope = Scope::Operation {
                path: n.path.clone(),
                method: n.http_method.as_str().to_string(),
            };
            self.note(
                &scope,
                "",
                "operation-added",
                CodeImpact::Additive,
                false,
                None,
                Some(format!(
                    "`{}` ({})",
                    n.operation_id,
                    self.rust_path(self.new, n)
                )),
                "new method",
            );
        }
    }

    fn rust_path(&self, api: &Api, o: &Operation) -> String {
        format!("{}().{}", &api.groups[o.group].module, &o.method_name)
    }

    fn operation(&mut self, o: &Operation, n: &Operation) {
        let scope = Scope::Operation {
            path: n.path.clone(),
            method: n.http_method.as_str().to_string(),
        };
        let s = &scope;
        let (orp, nrp) = (self.rust_path(self.old, o), self.rust_path(self.new, n));
        if orp != nrp {
            self.note(
                s,
                "",
                "method-renamed",
                CodeImpact::Breaking,
                false,
                Some(orp),
                Some(nrp),
                "the generated method has a new group or name",
            );
        }
        if o.operation_id != n.operation_id {
            self.note(
                s,
                "",
                "operation-id-changed",
                CodeImpact::Breaking,
                false,
                Some(o.operation_id.clone()),
                Some(n.operation_id.clone()),
                "calls by operationId (`Client::call`, agent tools) must use the new id",
            );
        }
        if o.params_type != n.params_type {
            if let (Some(a), Some(b)) = (&o.params_type, &n.params_type) {
                self.note(
                    s,
                    "",
                    "params-type-renamed",
                    CodeImpact::Breaking,
                    false,
                    Some(a.clone()),
                    Some(b.clone()),
                    "the optional-parameters struct has a new name",
                );
            }
        }
        self.safety(s, o, n);
        if o.deprecated != n.deprecated {
            self.note(
                s,
                "",
                if n.deprecated {
                    "operation-deprecated"
                } else {
                    "operation-undeprecated"
                },
                CodeImpact::None,
                false,
                Some(o.deprecated.to_string()),
                Some(n.deprecated.to_string()),
                "deprecation flag",
            );
        }
        if o.auth != n.auth {
            self.note(
                s,
                "",
                "auth-changed",
                CodeImpact::None,
                false,
                Some(o.auth.to_string()),
                Some(n.auth.to_string()),
                "whether the secret key is sent",
            );
        }
        self.prose_change(s, "", "summary-changed", &o.summary, &n.summary);
        self.prose_change(s, "", "description-changed", &o.description, &n.description);
        self.params(s, o, n);
        self.body(s, o, n);
        self.response(s, o, n);
        let (oe, ne): (BTreeSet<u16>, BTreeSet<u16>) = (
            o.error_statuses.iter().copied().collect(),
            n.error_statuses.iter().copied().collect(),
        );
        for st in ne.difference(&oe) {
            self.note(
                s,
                "errors",
                "error-status-added",
                CodeImpact::Additive,
                false,
                None,
                Some(st.to_string()),
                "a new documented error status",
            );
        }
        for st in oe.difference(&ne) {
            self.note(
                s,
                "errors",
                "error-status-removed",
                CodeImpact::None,
                false,
                Some(st.to_string()),
                None,
                "no longer documented",
            );
        }
        self.extensions(s, o, n);
    }

    fn safety(&mut self, s: &Scope, o: &Operation, n: &Operation) {
        let (oc, nc) = (o.safety.class, n.safety.class);
        if oc != nc {
            let name = |c: SafetyClass| format!("{c:?}").to_lowercase();
            let (code, note) = match (oc, nc) {
                (SafetyClass::Read, _) => (
                    CodeImpact::Breaking,
                    "no longer a read operation: gone from read-only clients",
                ),
                (_, SafetyClass::Read) => (
                    CodeImpact::Additive,
                    "now a read operation: available on read-only clients",
                ),
                _ => (
                    CodeImpact::None,
                    "safety class (documents and tool annotations)",
                ),
            };
            self.note(
                s,
                "",
                "safety-changed",
                code,
                false,
                Some(name(oc)),
                Some(name(nc)),
                note,
            );
        }
        if o.safety.idempotent != n.safety.idempotent {
            self.note(
                s,
                "",
                "idempotency-changed",
                CodeImpact::None,
                false,
                Some(o.safety.idempotent.to_string()),
                Some(n.safety.idempotent.to_string()),
                "idempotency (retries, documents)",
            );
        }
    }

    fn prose_change(
        &mut self,
        s: &Scope,
        loc: &str,
        kind: &'static str,
        old: &Option<String>,
        new: &Option<String>,
    ) {
        let norm = |t: &Option<String>| {
            t.as_deref()
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|t| !t.is_empty())
        };
        if norm(old) != norm(new) {
            self.note(
                s,
                loc,
                kind,
                CodeImpact::None,
                false,
                prose(old.as_deref()),
                prose(new.as_deref()),
                "documentation",
            );
        }
    }

    fn extensions(&mut self, s: &Scope, o: &Operation, n: &Operation) {
        let (oe, ne) = (&o.extensions, &n.extensions);
        let keys: BTreeSet<&String> = oe.keys().chain(ne.keys()).collect();
        for k in keys {
            let (a, b) = (oe.get(k), ne.get(k));
            if a != b {
                self.note(
                    s,
                    k,
                    "extension-changed",
                    CodeImpact::None,
                    false,
                    a.map(Value::to_string),
                    b.map(Value::to_string),
                    "vendor extension",
                );
            }
        }
    }

    fn params(&mut self, s: &Scope, o: &Operation, n: &Operation) {
        // Path parameters are positional arguments: match them by position.
        let (op_, np_) = (path_params(o), path_params(n));
        for (i, (a, b)) in op_.iter().zip(&np_).enumerate() {
            let loc = format!("path.{}", b.wire_name);
            if a.wire_name != b.wire_name {
                self.note(
                    s,
                    &loc,
                    "path-parameter-renamed",
                    CodeImpact::None,
                    false,
                    Some(a.wire_name.clone()),
                    Some(b.wire_name.clone()),
                    format!("path parameter {} has a new name; it is positional", i + 1),
                );
            }
            self.param_pair(s, &loc, a, b);
        }
        let (om, nm) = (other_params(o), other_params(n));
        for (k, a) in &om {
            let loc = format!("{}.{}", k.0, k.1);
            match nm.get(k) {
                Some(b) => self.param_pair(s, &loc, a, b),
                None => self.note(
                    s,
                    &loc,
                    "parameter-removed",
                    CodeImpact::Breaking,
                    false,
                    Some(describe(self.old, &a.ty)),
                    None,
                    if a.required {
                        "a required argument is gone"
                    } else {
                        "a field of the optional-parameters struct is gone"
                    },
                ),
            }
        }
        for (k, b) in &nm {
            if om.contains_key(k) {
                continue;
            }
            let loc = format!("{}.{}", k.0, k.1);
            if b.required {
                self.note(
                    s,
                    &loc,
                    "parameter-added",
                    CodeImpact::Breaking,
                    true,
                    None,
                    Some(format!("required {}", describe(self.new, &b.ty))),
                    "a new required argument; deployed clients do not send it",
                );
            } else {
                self.note(
                    s,
                    &loc,
                    "parameter-added",
                    CodeImpact::Additive,
                    false,
                    None,
                    Some(format!("optional {}", describe(self.new, &b.ty))),
                    "a new optional parameter",
                );
            }
        }
        if op_.len() != np_.len() {
            self.note(
                s,
                "path",
                "path-parameters-changed",
                CodeImpact::Breaking,
                true,
                Some(op_.len().to_string()),
                Some(np_.len().to_string()),
                "the number of path parameters changed",
            );
        }
    }

    fn param_pair(&mut self, s: &Scope, loc: &str, a: &Param, b: &Param) {
        if a.required != b.required {
            if b.required {
                self.note(
                    s,
                    loc,
                    "parameter-required",
                    CodeImpact::Breaking,
                    true,
                    Some("optional".into()),
                    Some("required".into()),
                    "now a required argument; deployed clients may not send it",
                );
            } else {
                self.note(
                    s,
                    loc,
                    "parameter-optional",
                    CodeImpact::Breaking,
                    false,
                    Some("required".into()),
                    Some("optional".into()),
                    "moves from the arguments to the optional-parameters struct",
                );
            }
        }
        if a.location != ParamLocation::Path && (a.explode, a.delimiter) != (b.explode, b.delimiter)
        {
            let style = |p: &Param| {
                if p.explode {
                    "exploded".to_string()
                } else {
                    format!("joined by `{}`", p.delimiter)
                }
            };
            self.note(
                s,
                loc,
                "parameter-style-changed",
                CodeImpact::None,
                true,
                Some(style(a)),
                Some(style(b)),
                "arrays are encoded differently; deployed clients use the old encoding",
            );
        }
        if a.deprecated != b.deprecated {
            self.note(
                s,
                loc,
                "parameter-deprecated",
                CodeImpact::None,
                false,
                Some(a.deprecated.to_string()),
                Some(b.deprecated.to_string()),
                "deprecation flag",
            );
        }
        self.prose_change(
            s,
            loc,
            "description-changed",
            &a.description,
            &b.description,
        );
        self.facts(s, loc, &a.constraints, &b.constraints);
        self.cmp_ref(&a.ty, &b.ty, REQUEST, s, loc);
    }

    fn body(&mut self, s: &Scope, o: &Operation, n: &Operation) {
        match (&o.body, &n.body) {
            (None, None) => {}
            (None, Some(b)) => self.note(
                s,
                "request",
                "request-body-added",
                CodeImpact::Breaking,
                b.required,
                None,
                Some(format!(
                    "{} ({})",
                    describe(self.new, &b.ty),
                    b.content_type
                )),
                "the method takes a new body argument",
            ),
            (Some(a), None) => self.note(
                s,
                "request",
                "request-body-removed",
                CodeImpact::Breaking,
                false,
                Some(format!(
                    "{} ({})",
                    describe(self.old, &a.ty),
                    a.content_type
                )),
                None,
                "the method no longer takes a body",
            ),
            (Some(a), Some(b)) => {
                if a.content_type != b.content_type {
                    self.note(
                        s,
                        "request",
                        "request-content-type-changed",
                        CodeImpact::Breaking,
                        true,
                        Some(a.content_type.clone()),
                        Some(b.content_type.clone()),
                        "the body is encoded differently",
                    );
                }
                if a.required != b.required {
                    self.note(
                        s,
                        "request",
                        if b.required {
                            "request-body-required"
                        } else {
                            "request-body-optional"
                        },
                        CodeImpact::Breaking,
                        b.required,
                        Some(if a.required { "required" } else { "optional" }.into()),
                        Some(if b.required { "required" } else { "optional" }.into()),
                        "the body argument changes between `&T` and `Option<&T>`",
                    );
                }
                self.prose_change(
                    s,
                    "request",
                    "description-changed",
                    &a.description,
                    &b.description,
                );
                self.cmp_ref(&a.ty, &b.ty, REQUEST, s, "request");
            }
        }
    }

    fn response(&mut self, s: &Scope, o: &Operation, n: &Operation) {
        let (a, b) = (&o.response, &n.response);
        if a.status != b.status {
            self.note(
                s,
                "response",
                "response-status-changed",
                CodeImpact::None,
                false,
                Some(a.status.to_string()),
                Some(b.status.to_string()),
                "the documented success status",
            );
        }
        let kind = |k: &ResponseKind, api: &Api| match k {
            ResponseKind::Json(t) => describe(api, t),
            ResponseKind::Empty => "no body".to_string(),
            ResponseKind::Text => "text".to_string(),
            ResponseKind::Bytes => "bytes".to_string(),
        };
        match (&a.kind, &b.kind) {
            (ResponseKind::Json(x), ResponseKind::Json(y)) => {
                self.cmp_ref(x, y, RESPONSE, s, "response")
            }
            (x, y) if x == y => {}
            (x, y) => self.note(
                s,
                "response",
                "response-kind-changed",
                CodeImpact::Breaking,
                true,
                Some(kind(x, self.old)),
                Some(kind(y, self.new)),
                "the method returns a different kind of body",
            ),
        }
    }

    /// Format and default of a schema node: documentation-level changes.
    fn facts(&mut self, s: &Scope, loc: &str, a: &Constraints, b: &Constraints) {
        let format = |c: &Constraints| c.format.clone();
        if format(a) != format(b) {
            self.note(
                s,
                loc,
                "format-changed",
                CodeImpact::None,
                false,
                format(a),
                format(b),
                "the `format` annotation (the Rust type is the same)",
            );
        }
        let default = |c: &Constraints| c.default.as_ref().map(Value::to_string);
        if default(a) != default(b) {
            self.note(
                s,
                loc,
                "default-changed",
                CodeImpact::None,
                false,
                default(a),
                default(b),
                "the documented default (what the server assumes when the value is not sent)",
            );
        }
    }

    // ----- types ------------------------------------------------------------------------

    fn resolve(api: &Api, t: &TypeRef) -> TypeRef {
        let mut cur = t.clone();
        for _ in 0..64 {
            let next = match &cur {
                TypeRef::Named(id) => match &api.types[*id].kind {
                    // Aliases are `pub type X = Y;`: transparent for code and wire.
                    TypeKind::Alias { target } => target.clone(),
                    _ => return cur,
                },
                TypeRef::Nullable(inner) => {
                    let r = Self::resolve(api, inner);
                    return if r.is_nullable() {
                        r
                    } else {
                        TypeRef::Nullable(Box::new(r))
                    };
                }
                _ => return cur,
            };
            cur = next;
        }
        cur
    }

    fn component<'x>(api: &'x Api, t: &TypeRef) -> Option<(&'x str, TypeId)> {
        match t.non_null() {
            TypeRef::Named(id) => api.types[*id].wire_name.as_deref().map(|w| (w, *id)),
            _ => None,
        }
    }

    /// Compare two type references at `loc`.
    fn cmp_ref(&mut self, a: &TypeRef, b: &TypeRef, sides: Sides, s: &Scope, loc: &str) {
        // References to components are compared by name; their contents are compared once,
        // in the schema section.
        if let (Some((an, ai)), Some((bn, bi))) =
            (Self::component(self.old, a), Self::component(self.new, b))
        {
            self.nullability(a, b, sides, s, loc);
            if an == bn {
                return;
            }
            let sub = self.scratch(|cx| cx.cmp_def(ai, bi, sides, s, loc));
            let same = self.renames.get(an).map(String::as_str) == Some(bn)
                || self.same_shape(ai, bi)
                || sub.iter().all(keeps_structure);
            let (on, nn) = (&self.old.types[ai].name, &self.new.types[bi].name);
            if same {
                self.note(
                    s,
                    loc,
                    "ref-renamed",
                    CodeImpact::Rename,
                    false,
                    Some(format!("{an} (`{on}`)")),
                    Some(format!("{bn} (`{nn}`)")),
                    "now refers to a structurally identical schema under another name",
                );
            } else {
                let wire = sub.iter().any(|c| c.wire_breaking);
                let mut kinds: Vec<String> = sub
                    .iter()
                    .map(|c| format!("{} {}", c.kind, c.location))
                    .collect();
                kinds.truncate(6);
                self.note(
                    s,
                    loc,
                    "ref-retargeted",
                    CodeImpact::Breaking,
                    wire,
                    Some(format!("{an} (`{on}`)")),
                    Some(format!("{bn} (`{nn}`)")),
                    format!(
                        "now refers to a different schema ({} structural differences: {})",
                        sub.len(),
                        kinds.join("; ")
                    ),
                );
            }
            return;
        }
        let (ra, rb) = (Self::resolve(self.old, a), Self::resolve(self.new, b));
        self.nullability(&ra, &rb, sides, s, loc);
        let (ia, ib) = (ra.non_null(), rb.non_null());
        match (ia, ib) {
            (TypeRef::Array(x), TypeRef::Array(y)) => {
                self.cmp_ref(x, y, sides, s, &format!("{loc}[]"))
            }
            (TypeRef::Map(x), TypeRef::Map(y)) => {
                self.cmp_ref(x, y, sides, s, &format!("{loc}{{}}"))
            }
            (TypeRef::Named(x), TypeRef::Named(y)) => {
                let (dx, dy) = (&self.old.types[*x], &self.new.types[*y]);
                match (&dx.wire_name, &dy.wire_name) {
                    (None, None) => self.cmp_def(*x, *y, sides, s, loc),
                    (Some(p), Some(q)) if p == q => {}
                    _ => {
                        // A component replaced by an inline schema or the reverse.
                        let same = self.same_shape(*x, *y);
                        let sub = self.scratch(|cx| cx.cmp_def(*x, *y, sides, s, loc));
                        let wire = sub.iter().any(|c| c.wire_breaking);
                        self.note(
                            s,
                            loc,
                            if same { "ref-renamed" } else { "type-changed" },
                            if same {
                                CodeImpact::Rename
                            } else {
                                CodeImpact::Breaking
                            },
                            wire && !same,
                            Some(format!("{} (`{}`)", describe(self.old, ia), dx.name)),
                            Some(format!("{} (`{}`)", describe(self.new, ib), dy.name)),
                            if same {
                                "the same structure under another type name".to_string()
                            } else {
                                format!("a different type ({} differences)", sub.len())
                            },
                        );
                    }
                }
            }
            (x, y) if x == y => {}
            (x, y) => {
                // Untyped JSON accepts anything that arrives; anything sent as untyped JSON
                // may be refused by a typed server.
                let wire = (sides.response && *x != TypeRef::Json)
                    || (sides.request && *y != TypeRef::Json);
                self.note(
                    s,
                    loc,
                    "type-changed",
                    CodeImpact::Breaking,
                    wire,
                    Some(describe(self.old, x)),
                    Some(describe(self.new, y)),
                    "a different Rust type",
                );
            }
        }
    }

    /// Nullability of a value that is not a struct field (items, bodies, parameters).
    fn nullability(&mut self, a: &TypeRef, b: &TypeRef, sides: Sides, s: &Scope, loc: &str) {
        match (a.is_nullable(), b.is_nullable()) {
            (false, true) => self.note(
                s,
                loc,
                "nullable-added",
                CodeImpact::Breaking,
                sides.response,
                Some(describe(self.old, a)),
                Some(describe(self.new, b)),
                "`T` becomes `Option<T>`; deployed clients fail on `null`",
            ),
            (true, false) => self.note(
                s,
                loc,
                "nullable-removed",
                CodeImpact::Breaking,
                sides.request,
                Some(describe(self.old, a)),
                Some(describe(self.new, b)),
                "`Option<T>` becomes `T`",
            ),
            _ => {}
        }
    }

    /// Compare the contents of two named types.
    fn cmp_def(&mut self, a: TypeId, b: TypeId, sides: Sides, s: &Scope, loc: &str) {
        if self.stack.contains(&(a, b)) {
            return;
        }
        self.stack.push((a, b));
        let (da, db) = (&self.old.types[a], &self.new.types[b]);
        match (&da.kind, &db.kind) {
            (TypeKind::Struct { fields: fa }, TypeKind::Struct { fields: fb }) => {
                self.fields(da, fa, db, fb, sides, s, loc)
            }
            (TypeKind::Enum { values: va }, TypeKind::Enum { values: vb }) => {
                let (sa, sb): (BTreeSet<&str>, BTreeSet<&str>) = (
                    va.iter().map(|v| v.wire.as_str()).collect(),
                    vb.iter().map(|v| v.wire.as_str()).collect(),
                );
                for v in sb.difference(&sa) {
                    self.note(
                        s,
                        loc,
                        "enum-value-added",
                        CodeImpact::Additive,
                        false,
                        None,
                        Some(v.to_string()),
                        "enums are open and non-exhaustive: unknown values are kept",
                    );
                }
                for v in sa.difference(&sb) {
                    self.note(
                        s,
                        loc,
                        "enum-value-removed",
                        CodeImpact::Breaking,
                        sides.request,
                        Some(v.to_string()),
                        None,
                        "the variant is gone; deployed clients may still send it",
                    );
                }
            }
            (
                TypeKind::Union {
                    tag: ta,
                    variants: va,
                },
                TypeKind::Union {
                    tag: tb,
                    variants: vb,
                },
            ) => {
                if ta != tb {
                    self.note(
                        s,
                        loc,
                        "union-tag-changed",
                        CodeImpact::Breaking,
                        true,
                        ta.clone(),
                        tb.clone(),
                        "the discriminator property changed",
                    );
                }
                let ma: BTreeMap<&str, _> = va.iter().map(|v| (v.ident.as_str(), v)).collect();
                let mb: BTreeMap<&str, _> = vb.iter().map(|v| (v.ident.as_str(), v)).collect();
                for (k, x) in &ma {
                    let vloc = format!("{loc}<{k}>");
                    match mb.get(k) {
                        Some(y) => {
                            if x.tag_values != y.tag_values {
                                self.note(
                                    s,
                                    &vloc,
                                    "variant-tag-changed",
                                    CodeImpact::None,
                                    true,
                                    Some(x.tag_values.join(", ")),
                                    Some(y.tag_values.join(", ")),
                                    "selected by other discriminator values",
                                );
                            }
                            self.cmp_ref(&x.ty, &y.ty, sides, s, &vloc);
                        }
                        None => self.note(
                            s,
                            &vloc,
                            "variant-removed",
                            CodeImpact::Breaking,
                            sides.request,
                            Some(describe(self.old, &x.ty)),
                            None,
                            "the union variant is gone",
                        ),
                    }
                }
                for (k, y) in &mb {
                    if !ma.contains_key(k) {
                        self.note(
                            s,
                            &format!("{loc}<{k}>"),
                            "variant-added",
                            CodeImpact::Additive,
                            false,
                            None,
                            Some(describe(self.new, &y.ty)),
                            "unions keep unknown variants",
                        );
                    }
                }
            }
            (TypeKind::Alias { target: x }, TypeKind::Alias { target: y }) => {
                let (x, y) = (x.clone(), y.clone());
                self.cmp_ref(&x, &y, sides, s, loc)
            }
            (ka, kb) => self.note(
                s,
                loc,
                "type-changed",
                CodeImpact::Breaking,
                true,
                Some(format!("{} `{}`", kind_name(ka), da.name)),
                Some(format!("{} `{}`", kind_name(kb), db.name)),
                "a different kind of type",
            ),
        }
        self.stack.pop();
    }

    #[allow(clippy::too_many_arguments)]
    fn fields(
        &mut self,
        da: &TypeDef,
        fa: &[Field],
        db: &TypeDef,
        fb: &[Field],
        sides: Sides,
        s: &Scope,
        loc: &str,
    ) {
        let nb: BTreeMap<&str, &Field> = fb.iter().map(|f| (f.wire_name.as_str(), f)).collect();
        let na: BTreeMap<&str, &Field> = fa.iter().map(|f| (f.wire_name.as_str(), f)).collect();
        for (name, x) in &na {
            let floc = join(loc, name);
            let Some(y) = nb.get(name) else {
                let od = option_depth(x, da);
                self.note(
                    s,
                    &floc,
                    "field-removed",
                    CodeImpact::Breaking,
                    sides.response && od == 0,
                    Some(format!(
                        "{} {}",
                        if x.required { "required" } else { "optional" },
                        describe(self.old, &x.ty)
                    )),
                    None,
                    if sides.response && od == 0 {
                        "the field is gone; deployed clients require it in responses"
                    } else {
                        "the field is gone"
                    },
                );
                continue;
            };
            self.field_pair(da, x, db, y, sides, s, &floc);
        }
        for (name, y) in &nb {
            if na.contains_key(name) {
                continue;
            }
            let floc = join(loc, name);
            let desc = format!(
                "{} {}",
                if y.required { "required" } else { "optional" },
                describe(self.new, &y.ty)
            );
            if y.required && sides.request {
                self.note(
                    s,
                    &floc,
                    "field-added",
                    CodeImpact::Breaking,
                    true,
                    None,
                    Some(desc),
                    "a new required request field; deployed clients do not send it",
                );
            } else {
                self.note(
                    s,
                    &floc,
                    "field-added",
                    CodeImpact::Additive,
                    false,
                    None,
                    Some(desc),
                    "a new field",
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn field_pair(
        &mut self,
        da: &TypeDef,
        x: &Field,
        db: &TypeDef,
        y: &Field,
        sides: Sides,
        s: &Scope,
        loc: &str,
    ) {
        let (od, nd) = (option_depth(x, da), option_depth(y, db));
        let code = if od != nd {
            CodeImpact::Breaking
        } else {
            CodeImpact::None
        };
        let shape = |d: u8| match d {
            0 => "T",
            1 => "Option<T>",
            _ => "Option<Option<T>>",
        };
        let rust = if od != nd {
            format!("`{}` -> `{}`", shape(od), shape(nd))
        } else {
            format!("the Rust type stays `{}`", shape(od))
        };
        if x.required != y.required {
            if y.required {
                self.note(
                    s,
                    loc,
                    "field-required",
                    code,
                    sides.request,
                    Some("optional".into()),
                    Some("required".into()),
                    if sides.request {
                        format!("{rust}; deployed clients may not send it")
                    } else {
                        rust.clone()
                    },
                );
            } else {
                self.note(
                    s,
                    loc,
                    "field-optional",
                    code,
                    sides.response && od == 0,
                    Some("required".into()),
                    Some("optional".into()),
                    if sides.response && od == 0 {
                        format!("{rust}; deployed clients fail when it is missing")
                    } else {
                        rust.clone()
                    },
                );
            }
        }
        match (x.ty.is_nullable(), y.ty.is_nullable()) {
            (false, true) => self.note(
                s,
                loc,
                "field-nullable",
                code,
                sides.response && od == 0,
                Some(describe(self.old, &x.ty)),
                Some(describe(self.new, &y.ty)),
                if sides.response && od == 0 {
                    format!("{rust}; deployed clients fail on `null`")
                } else {
                    rust.clone()
                },
            ),
            (true, false) => self.note(
                s,
                loc,
                "field-non-nullable",
                code,
                sides.request && x.required,
                Some(describe(self.old, &x.ty)),
                Some(describe(self.new, &y.ty)),
                if sides.request && x.required {
                    format!("{rust}; deployed clients may send `null`")
                } else {
                    rust.clone()
                },
            ),
            _ => {}
        }
        if x.deprecated != y.deprecated {
            self.note(
                s,
                loc,
                if y.deprecated {
                    "field-deprecated"
                } else {
                    "field-undeprecated"
                },
                CodeImpact::None,
                false,
                Some(x.deprecated.to_string()),
                Some(y.deprecated.to_string()),
                "deprecation flag",
            );
        }
        self.prose_change(
            s,
            loc,
            "description-changed",
            &x.description,
            &y.description,
        );
        self.facts(s, loc, &x.constraints, &y.constraints);
        let (xt, yt) = (x.ty.non_null().clone(), y.ty.non_null().clone());
        self.cmp_ref(&xt, &yt, sides, s, loc);
    }

    // ----- schemas ----------------------------------------------------------------------

    fn schemas(&mut self) {
        let old_c = Self::components(self.old);
        let new_c = Self::components(self.new);
        let targets: BTreeSet<String> = self.renames.values().cloned().collect();
        for (name, ai) in &old_c {
            let da = &self.old.types[*ai];
            match new_c.get(name) {
                Some(bi) => {
                    let db = &self.new.types[*bi];
                    let scope = Scope::Schema {
                        name: name.to_string(),
                    };
                    if da.name != db.name {
                        self.note(
                            &scope,
                            "",
                            "type-renamed",
                            CodeImpact::Rename,
                            false,
                            Some(da.name.clone()),
                            Some(db.name.clone()),
                            "the generated Rust type has a new name",
                        );
                    }
                    let (d1, d2) = (da.description.clone(), db.description.clone());
                    self.prose_change(&scope, "", "description-changed", &d1, &d2);
                    let sides = Sides {
                        request: da.usage.request || db.usage.request,
                        response: da.usage.response || db.usage.response,
                    };
                    self.cmp_def(*ai, *bi, sides, &scope, "");
                }
                None => match self.renames.get(*name).cloned() {
                    Some(new_name) => {
                        let db = &self.new.types[new_c[new_name.as_str()]];
                        let scope = Scope::Schema {
                            name: new_name.clone(),
                        };
                        let note = format!(
                            "renamed with an identical structure (hash {}); the wire format is unchanged",
                            self.old_shapes.hash(*ai, &self.renames)
                        );
                        self.note(
                            &scope,
                            "",
                            "schema-renamed",
                            CodeImpact::Rename,
                            false,
                            Some(format!("{name} (`{}`)", da.name)),
                            Some(format!("{new_name} (`{}`)", db.name)),
                            note,
                        );
                    }
                    None => {
                        let scope = Scope::Schema {
                            name: name.to_string(),
                        };
                        self.note(
                            &scope,
                            "",
                            "schema-removed",
                            CodeImpact::Breaking,
                            false,
                            Some(format!("`{}` ({})", da.name, kind_name(&da.kind))),
                            None,
                            "the generated type is gone",
                        );
                    }
                },
            }
        }
        for (name, bi) in &new_c {
            if old_c.contains_key(name) || targets.contains(*name) {
                continue;
            }
            let db = &self.new.types[*bi];
            let scope = Scope::Schema {
                name: name.to_string(),
            };
            self.note(
                &scope,
                "",
                "schema-added",
                CodeImpact::Additive,
                false,
                None,
                Some(format!("`{}` ({})", db.name, kind_name(&db.kind))),
                "a new type",
            );
        }
    }
}
