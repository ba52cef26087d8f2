//! Cargo features of the generated crate: one per group, `write` for the operations that are
//! not `read`, `full` for every group, `dynamic` for `Client::call`.
//!
//! An operation is compiled when its group's feature is on (and `write` too, unless it reads).
//! A named type is compiled when some compiled operation reaches it, through its parameters,
//! body or response and then transitively through fields, variants and alias targets. Types
//! that the webhook events reach are also compiled with the events' feature; types that
//! nothing reaches are compiled with `full` only. A type that the read operations
//! of every group reach carries no `cfg` at all.

use super::types::param_type;
use crate::ir::{Api, Operation, ResponseKind, SafetyClass, TypeRef};
use proc_macro2::TokenStream;
use std::collections::BTreeSet;

/// Feature enabling the operations that change data.
pub const WRITE: &str = "write";
/// Feature enabling every group.
pub const FULL: &str = "full";
/// Feature enabling `Client::call`.
pub const DYNAMIC: &str = "dynamic";

/// The `cfg` predicates of an API's operations and types.
pub struct Gates {
    /// Per type: the predicate under which it is compiled, `None` for always.
    types: Vec<Option<String>>,
}

impl Gates {
    /// Analyze `api` once.
    pub fn new(api: &Api) -> Gates {
        let n = api.types.len();
        // Per type: groups whose read operations reach it, and groups whose writes do.
        let mut read: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        let mut write: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for op in &api.operations {
            let target = if op.safety.class == SafetyClass::Read {
                &mut read
            } else {
                &mut write
            };
            for id in reached(api, op) {
                target[id].insert(op.group);
            }
        }
        // Types the webhook events reach are compiled with the events' feature too.
        let hooks = crate::ir::reachable(&api.types, api.webhooks.iter().map(|e| &e.payload));
        let hook_feature = feature(&api.webhook_names.feature);
        let all = api.groups.len();
        let types = (0..n)
            .map(|id| {
                let r = &read[id];
                let w: Vec<usize> = write[id].difference(r).copied().collect();
                if all > 0 && r.len() == all {
                    return None;
                }
                let hooked = hooks.contains(&id);
                if r.is_empty() && w.is_empty() {
                    return Some(if hooked {
                        hook_feature.clone()
                    } else {
                        feature(FULL)
                    });
                }
                let mut parts: Vec<String> = r.iter().map(|&g| group(api, g)).collect();
                if hooked {
                    parts.push(hook_feature.clone());
                }
                match w.as_slice() {
                    [] => {}
                    [g] => parts.push(format!("all({}, {})", feature(WRITE), group(api, *g))),
                    many => {
                        let gs: Vec<String> = many.iter().map(|&g| group(api, g)).collect();
                        parts.push(format!("all({}, any({}))", feature(WRITE), gs.join(", ")));
                    }
                }
                Some(any(parts))
            })
            .collect();
        Gates { types }
    }

    /// `#[cfg(...)]` of a named type, or nothing.
    pub fn type_attr(&self, id: usize) -> TokenStream {
        attr(self.types[id].as_deref())
    }

    /// `#[cfg(...)]` text (with a newline) of a named type, or nothing.
    pub fn type_attr_text(&self, id: usize) -> String {
        match &self.types[id] {
            Some(p) => format!("#[cfg({p})]\n"),
            None => String::new(),
        }
    }
}

/// `feature = "name"`.
pub fn feature(name: &str) -> String {
    format!("feature = \"{name}\"")
}

fn group(api: &Api, g: usize) -> String {
    feature(&api.groups[g].feature)
}

fn any(mut parts: Vec<String>) -> String {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("any({})", parts.join(", "))
    }
}

/// The predicate under which an operation is compiled.
pub fn op_pred(api: &Api, op: &Operation) -> String {
    if op.safety.class == SafetyClass::Read {
        group(api, op.group)
    } else {
        format!("all({}, {})", group(api, op.group), feature(WRITE))
    }
}

/// `#[cfg(...)]` of an operation.
pub fn op_attr(api: &Api, op: &Operation) -> TokenStream {
    attr(Some(&op_pred(api, op)))
}

/// `#[cfg(predicate)]`, or nothing for `None`.
pub fn attr(pred: Option<&str>) -> TokenStream {
    match pred {
        Some(p) => {
            let p: TokenStream = p.parse().unwrap_or_default();
            quote::quote! { #[cfg(#p)] }
        }
        None => TokenStream::new(),
    }
}

/// Named types an operation's code mentions, and everything they reach.
fn reached(api: &Api, op: &Operation) -> BTreeSet<usize> {
    let mut roots: Vec<TypeRef> = op.params.iter().map(|p| param_type(api, &p.ty)).collect();
    if let Some(b) = &op.body {
        roots.push(b.ty.clone());
    }
    if let ResponseKind::Json(t) = &op.response.kind {
        roots.push(t.clone());
    }
    if let Some(p) = &op.pagination {
        roots.push(p.item_type.clone());
    }
    crate::ir::reachable(&api.types, &roots)
}

#[cfg(test)]
mod tests {
    /// The `#[cfg(...)]` line right before `pub struct <name>` in models.rs, if any.
    fn cfg_of(models: &str, name: &str) -> Option<String> {
        let at = models.find(&format!("pub struct {name} "))?;
        let before: Vec<&str> = models[..at].lines().rev().take(3).collect();
        before
            .iter()
            .find(|l| l.starts_with("#[cfg("))
            .map(|l| l.to_string())
    }

    #[test]
    fn types_are_gated_by_the_operations_that_reach_them() {
        let spec = r#"
openapi: 3.0.3
info: {title: Gates, version: '1'}
paths:
  /a:
    get:
      operationId: GetA
      x-speakeasy-group: alpha
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Outer'}}}}
    post:
      operationId: CreateA
      x-speakeasy-group: alpha
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/NewA'}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Shared'}}}}
  /b:
    get:
      operationId: GetB
      x-speakeasy-group: beta
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Shared'}}}}
components:
  schemas:
    Outer: {type: object, properties: {inner: {$ref: '#/components/schemas/Inner'}}}
    Inner: {type: object, properties: {x: {type: string}}}
    NewA: {type: object, properties: {y: {type: string}}}
    Shared: {type: object, properties: {z: {type: string}}}
    Unused: {type: object, properties: {w: {type: string}}}
"#;
        let generated = crate::generate(
            &crate::Inputs::from_text("gates.yaml", spec),
            &crate::Config::new("gates.yaml"),
        )
        .unwrap();
        let models = &generated.files["client/src/models.rs"];
        let cfg = |n| cfg_of(models, n);
        assert_eq!(cfg("Outer").as_deref(), Some("#[cfg(feature = \"alpha\")]"));
        // Reached through a field of Outer.
        assert_eq!(cfg("Inner").as_deref(), Some("#[cfg(feature = \"alpha\")]"));
        // Reached only by a write of alpha.
        assert_eq!(
            cfg("NewA").as_deref(),
            Some("#[cfg(all(feature = \"write\", feature = \"alpha\"))]")
        );
        // Reached by a write of alpha and a read of beta.
        assert_eq!(
            cfg("Shared").as_deref(),
            Some("#[cfg(any(feature = \"beta\", all(feature = \"write\", feature = \"alpha\")))]")
        );
        // Reached by no operation.
        assert_eq!(cfg("Unused").as_deref(), Some("#[cfg(feature = \"full\")]"));
        let toml = &generated.files["client/Cargo.toml"];
        assert!(
            toml.contains("default = [\"full\", \"write\", \"dynamic\"]"),
            "{toml}"
        );
        assert!(toml.contains("\nalpha = []\nbeta = []\n"), "{toml}");
    }
}
