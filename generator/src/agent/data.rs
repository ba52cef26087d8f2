//! Reviewed agent data (`spec/clerk-bapi.workflows.yaml` for Clerk's Backend API): key
//! prefixes, open-world operations, gotchas, workflows and search synonyms. Data, not code:
//! every operationId it names is checked against the IR.

use crate::ir::Api;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The reviewed agent data shipped for Clerk's Backend API.
pub const CLERK_BAPI_WORKFLOWS: &str = include_str!("../../embed/spec/clerk-bapi.workflows.yaml");

/// Reviewed agent data for one API.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentData {
    /// Facts about the secret key.
    #[serde(default)]
    pub auth: AuthData,
    /// operationId -> why it reaches people or third parties (`openWorldHint: true`).
    #[serde(default)]
    pub open_world: BTreeMap<String, String>,
    /// Facts an agent gets wrong without being told; `[[OperationId]]` names an operation.
    #[serde(default)]
    pub gotchas: Vec<String>,
    /// Reviewed multi-step recipes.
    #[serde(default)]
    pub workflows: Vec<Workflow>,
    /// Words people use for the operations (carried to the manifest for operation search).
    #[serde(default)]
    pub search: SearchData,
}

/// Search vocabulary of one API.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchData {
    /// Groups of words or phrases that mean the same thing when choosing an operation.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
}

/// Facts about the secret key.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthData {
    /// Key prefix -> environment (`sk_live_` -> `production`).
    #[serde(default)]
    pub key_prefixes: BTreeMap<String, String>,
}

/// A reviewed workflow.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    /// Identifier (`find-user-by-email`).
    pub id: String,
    /// One line.
    pub summary: String,
    /// What it does and when.
    #[serde(default)]
    pub description: Option<String>,
    /// Input name -> JSON Schema.
    #[serde(default)]
    pub inputs: BTreeMap<String, serde_json::Value>,
    /// Required inputs.
    #[serde(default)]
    pub required: Vec<String>,
    /// Steps, in order.
    pub steps: Vec<Step>,
    /// Workflow outputs: name -> runtime expression.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
}

/// One step of a workflow: one operation call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Identifier, unique in the workflow.
    pub id: String,
    /// operationId of the operation called.
    pub operation: String,
    /// What the step does.
    #[serde(default)]
    pub description: Option<String>,
    /// Parameter wire name -> value or runtime expression.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    /// Request body payload (values may be runtime expressions).
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// Step outputs: name -> runtime expression.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
}

/// Parse agent data YAML.
pub fn parse(text: &str) -> Result<AgentData, String> {
    let value: serde_json::Value =
        yaml_serde::from_str(text).map_err(|e| format!("invalid agent data: {e}"))?;
    if value.is_null() {
        return Ok(AgentData::default());
    }
    if value.get("sensitive").is_some() {
        return Err("invalid agent data at `sensitive`: operations that return credentials are safety decisions now: write `OperationId: {credential: <what it returns>}` in the safety file (`--safety`) instead".to_string());
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        format!("invalid agent data at `{path}`: {}", e.into_inner())
    })
}

/// The data that applies to `api`: `override_text` when given, else the reviewed file shipped
/// for the spec (Clerk's Backend API), else nothing. Entries that do not fit the spec (an
/// unknown operationId, a workflow step with a wrong parameter) are dropped and reported.
pub fn for_api(api: &Api, override_text: Option<&str>) -> Result<(AgentData, Vec<String>), String> {
    let mut data = match override_text {
        Some(t) => parse(t)?,
        None if api.info.title == "Clerk Backend API" => parse(CLERK_BAPI_WORKFLOWS)?,
        None => AgentData::default(),
    };
    let problems = sanitize(api, &mut data);
    Ok((data, problems))
}

/// Drop what does not fit the spec; returns what was dropped and why.
pub fn sanitize(api: &Api, data: &mut AgentData) -> Vec<String> {
    let known = |id: &str| api.operations.iter().any(|o| o.operation_id == id);
    let mut problems = Vec::new();
    data.open_world.retain(|id, _| {
        let ok = known(id);
        if !ok {
            problems.push(format!(
                "open_world: `{id}` is not an operationId of this spec; ignored"
            ));
        }
        ok
    });
    data.gotchas.retain(|g| {
        let unknown: Vec<String> = op_refs(g).into_iter().filter(|id| !known(id)).collect();
        for id in &unknown {
            problems.push(format!(
                "gotchas: [[{id}]] is not an operationId of this spec; the gotcha is ignored"
            ));
        }
        unknown.is_empty()
    });
    let mut index = 0;
    data.search.synonyms.retain_mut(|group| {
        group.retain(|w| !w.trim().is_empty());
        let ok = group.len() >= 2;
        if !ok {
            problems.push(format!(
                "search.synonyms[{index}]: a group needs at least two words; ignored"
            ));
        }
        index += 1;
        ok
    });
    let mut ids = std::collections::BTreeSet::new();
    data.workflows.retain(|w| {
        let mut errors = workflow_problems(api, w);
        if !ids.insert(w.id.clone()) {
            errors.push(format!("workflow `{}` is defined twice", w.id));
        }
        let ok = errors.is_empty();
        for e in errors {
            problems.push(format!("{e}; the workflow is ignored"));
        }
        ok
    });
    problems
}

/// What is wrong with a workflow for this spec.
pub fn workflow_problems(api: &Api, w: &Workflow) -> Vec<String> {
    let find = |id: &str| api.operations.iter().find(|o| o.operation_id == id);
    let mut errors = Vec::new();
    if w.steps.is_empty() {
        errors.push(format!("workflow `{}` has no steps", w.id));
    }
    for r in &w.required {
        if !w.inputs.contains_key(r) {
            errors.push(format!(
                "workflow `{}`: required input `{r}` is not declared",
                w.id
            ));
        }
    }
    let mut seen_steps: Vec<&str> = Vec::new();
    for s in &w.steps {
        let at = format!("workflow `{}` step `{}`", w.id, s.id);
        if seen_steps.contains(&s.id.as_str()) {
            errors.push(format!("{at}: the step id is used twice"));
        }
        let Some(op) = find(&s.operation) else {
            errors.push(format!(
                "{at}: `{}` is not an operationId of this spec",
                s.operation
            ));
            seen_steps.push(&s.id);
            continue;
        };
        for name in s.params.keys() {
            if !op.params.iter().any(|p| &p.wire_name == name) {
                errors.push(format!("{at}: `{}` has no parameter `{name}`", s.operation));
            }
        }
        for p in op.params.iter().filter(|p| p.required) {
            if !s.params.contains_key(&p.wire_name) {
                errors.push(format!(
                    "{at}: required parameter `{}` of `{}` is not given",
                    p.wire_name, s.operation
                ));
            }
        }
        if s.body.is_some() && op.body.is_none() {
            errors.push(format!("{at}: `{}` takes no request body", s.operation));
        }
        if s.body.is_none() && op.body.as_ref().is_some_and(|b| b.required) {
            errors.push(format!("{at}: `{}` needs a request body", s.operation));
        }
        let mut exprs: Vec<String> = s.params.values().flat_map(strings).collect();
        exprs.extend(s.body.iter().flat_map(strings));
        for e in exprs {
            check_expression(&e, w, &seen_steps, &at, &mut errors);
        }
        seen_steps.push(&s.id);
    }
    let all: Vec<&str> = w.steps.iter().map(|s| s.id.as_str()).collect();
    for e in w.outputs.values() {
        check_expression(
            e,
            w,
            &all,
            &format!("workflow `{}` outputs", w.id),
            &mut errors,
        );
    }
    errors
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(strings).collect(),
        serde_json::Value::Object(o) => o.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// `$inputs.x` must be a declared input; `$steps.s.outputs.o` must name an earlier step and
/// one of its outputs.
fn check_expression(e: &str, w: &Workflow, earlier: &[&str], at: &str, errors: &mut Vec<String>) {
    if let Some(name) = e.strip_prefix("$inputs.") {
        if !w.inputs.contains_key(name) {
            errors.push(format!("{at}: `{e}` names no declared input"));
        }
    } else if let Some(rest) = e.strip_prefix("$steps.") {
        let mut parts = rest.splitn(3, '.');
        let (step, kw, out) = (parts.next(), parts.next(), parts.next());
        let ok = match (step, kw, out) {
            (Some(step), Some("outputs"), Some(out)) if earlier.contains(&step) => w
                .steps
                .iter()
                .find(|s| s.id == step)
                .is_some_and(|s| s.outputs.contains_key(out)),
            _ => false,
        };
        if !ok {
            errors.push(format!("{at}: `{e}` names no output of an earlier step"));
        }
    }
}

/// The operationIds named as `[[OperationId]]` in prose.
pub fn op_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("]]") else { break };
        out.push(after[..end].to_string());
        rest = &after[end + 2..];
    }
    out
}

/// Replace every `[[OperationId]]` with `` `tool_name` ``.
pub fn resolve_refs(text: &str, name_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("]]") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let id = &after[..end];
        match name_of(id) {
            Some(name) => out.push_str(&format!("`{name}`")),
            None => out.push_str(&format!("`{id}`")),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_clerk_data_parses() {
        let d = parse(CLERK_BAPI_WORKFLOWS).unwrap();
        assert_eq!(d.auth.key_prefixes["sk_live_"], "production");
        assert!(d.open_world.contains_key("CreateInvitation"));
        assert!(d.workflows.len() >= 5);
        assert!(d
            .search
            .synonyms
            .iter()
            .any(|g| g.contains(&"ban".to_string()) && g.contains(&"suspend".to_string())));
    }

    #[test]
    fn unknown_fields_are_named() {
        let e = parse("workflows:\n  - id: a\n    summary: s\n    stepz: []\n").unwrap_err();
        assert!(e.contains("workflows[0]"), "{e}");
        assert!(e.contains("stepz"), "{e}");
    }

    #[test]
    fn op_refs_are_found_and_replaced() {
        let t = "Use [[GetUserList]], not [[GetUser]] for /users/{id}.";
        assert_eq!(op_refs(t), vec!["GetUserList", "GetUser"]);
        let r = resolve_refs(t, &|id| Some(format!("x_{}", id.len())));
        assert_eq!(r, "Use `x_11`, not `x_7` for /users/{id}.");
    }
}
