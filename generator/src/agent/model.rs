//! The model every agent document is rendered from: the IR, the reviewed data, the names,
//! and each operation's AgentSpec (built once here, then read by the renderers: skills,
//! tools, workflows, webhooks, the manifest and the connection prompt).

use super::agentspec::*;
use super::{budget, data, markdown, schema};
use crate::diagnostics::{Diagnostic, Severity};
use crate::ir::{
    Api, BodyEncoding, ItemsAt, Operation, PageStrategy, ResponseKind, SafetyClass, TypeId, TypeRef,
};
use std::collections::BTreeMap;

/// Everything the renderers share: the IR, the reviewed data, names and per-operation specs.
pub struct Model<'a> {
    /// The IR.
    pub api: &'a Api,
    /// Reviewed agent data.
    pub data: data::AgentData,
    /// Operation indices in document order: by group, then spec order.
    pub order: Vec<usize>,
    /// The AgentSpec document of each operation (indexed like `api.operations`).
    pub specs: Vec<OperationSpec>,
    /// JSON Schema of each webhook payload type, by its label.
    pub payloads: BTreeMap<String, schema::Schema>,
    /// Warnings about the documents (definitions left out for size).
    pub diagnostics: Vec<Diagnostic>,
    /// Name of the document set and of the full skill (`clerk-backend-api`).
    pub skill_name: String,
    /// Where the OpenAPI document is published, else its file name.
    pub spec_location: String,
    /// sha256 of the spec.
    pub spec_sha256: String,
}

/// The kebab-case name of the document set and the full skill: the API title's slug, at most
/// 55 characters (room for `-readonly`), without the words Anthropic reserves.
pub fn skill_name(api: &Api) -> String {
    let slug = crate::lower::slug(&api.info.title)
        .split('-')
        .filter(|w| !w.is_empty() && *w != "claude" && *w != "anthropic")
        .collect::<Vec<_>>()
        .join("-");
    let slug = if slug.is_empty() {
        "api".to_string()
    } else {
        slug
    };
    let mut cut = slug.chars().take(55).collect::<String>();
    while cut.ends_with('-') {
        cut.pop();
    }
    cut
}

impl<'a> Model<'a> {
    /// Build the model for `api` with the reviewed `data`.
    pub fn new(api: &'a Api, data: data::AgentData) -> Self {
        let spec_bytes = api.info.source.bytes;
        let mut order = Vec::new();
        for g in &api.groups {
            order.extend(g.operations.iter().copied());
        }
        let mut model = Model {
            api,
            data,
            order,
            specs: Vec::new(),
            payloads: BTreeMap::new(),
            diagnostics: Vec::new(),
            skill_name: skill_name(api),
            spec_location: api.info.source.location.clone(),
            spec_sha256: api.info.source.sha256.clone(),
        };
        let mut input = schema::Builder::new(api, schema::Mode::Input);
        let mut output = schema::Builder::new(api, schema::Mode::Output);
        let mut inputs = Vec::with_capacity(api.operations.len());
        let mut outputs = Vec::with_capacity(api.operations.len());
        for op in &api.operations {
            inputs.push(schema::input_schema(&mut input, op));
            outputs.push(schema::output_schema(&mut output, op));
        }
        // Webhook payloads, by label, with the event that names each first.
        let mut payloads: Vec<(String, &str, schema::Draft)> = Vec::new();
        for e in &api.webhooks {
            let label = type_label(api, &e.payload);
            if !payloads.iter().any(|(l, ..)| *l == label) {
                let draft = schema::payload_schema(&mut output, &e.payload);
                payloads.push((label, &e.pointer, draft));
            }
        }
        payloads.sort_by(|a, b| a.0.cmp(&b.0));

        // Size budgets: inputs share one pool; outputs and payloads another.
        let in_budgets = budget::budgets(
            &inputs.iter().map(schema::Draft::need).collect::<Vec<_>>(),
            spec_bytes,
        );
        let out_needs: Vec<usize> = outputs
            .iter()
            .map(|o| o.as_ref().map_or(0, |(d, _)| d.need()))
            .chain(payloads.iter().map(|(_, _, d)| d.need()))
            .collect();
        let out_budgets = budget::budgets(&out_needs, spec_bytes);
        let see = model.described_at();
        let mut diagnostics = Vec::new();
        model.payloads = payloads
            .into_iter()
            .zip(&out_budgets[api.operations.len()..])
            .map(|((label, pointer, draft), &b)| {
                let (schema, cut) = budget::fit(draft, b, &see);
                if let Some(cut) = cut {
                    diagnostics.push(budget_warning(
                        pointer,
                        &format!("the payload schema of `{label}`"),
                        &[cut],
                    ));
                }
                (label, schema)
            })
            .collect();
        model.specs = inputs
            .into_iter()
            .zip(outputs)
            .enumerate()
            .map(|(i, (input, output))| {
                let (input, in_cut) = budget::fit(input, in_budgets[i], &see);
                let (output, out_cut) = match output {
                    Some((d, w)) => {
                        let (s, cut) = budget::fit(d, out_budgets[i], &see);
                        (Some((s, w)), cut)
                    }
                    None => (None, None),
                };
                let cuts: Vec<_> = in_cut.into_iter().chain(out_cut).collect();
                if !cuts.is_empty() {
                    let what = format!("the schemas of `{}`", api.operations[i].tool_name);
                    diagnostics.push(budget_warning(&api.operations[i].pointer, &what, &cuts));
                }
                model.operation_spec(i, input, output)
            })
            .collect();
        model.diagnostics = diagnostics;
        model
    }

    /// Where a type left out of a document for size is described: the full skill's type
    /// reference when it lists the type, else the client's models.
    fn described_at(&self) -> impl Fn(&schema::Def) -> String {
        let listed: std::collections::BTreeSet<crate::ir::TypeId> = reachable_types(
            self.api,
            &(0..self.api.operations.len()).collect::<Vec<_>>(),
        )
        .into_iter()
        .collect();
        let types = format!("skills/{}/references/types.md", self.skill_name);
        let krate = self.api.info.crate_name.replace('-', "_");
        move |def: &schema::Def| {
            if listed.contains(&def.id) {
                format!("; see `{}` in `{types}`", def.name)
            } else {
                format!("; see `{krate}::models::{}`", def.name)
            }
        }
    }

    /// Tool name of the operation with this operationId.
    pub fn name_of(&self, operation_id: &str) -> Option<String> {
        self.api
            .operations
            .iter()
            .position(|o| o.operation_id == operation_id)
            .map(|i| self.api.operations[i].tool_name.clone())
    }

    /// Replace `[[OperationId]]` references in reviewed prose with tool names.
    pub fn resolve(&self, text: &str) -> String {
        data::resolve_refs(text, &|id| self.name_of(id))
    }

    /// The tool names of the operations `pick` chooses, in the model's order.
    pub fn tools_where(&self, pick: impl Fn(usize) -> bool) -> Vec<String> {
        self.order
            .iter()
            .filter(|&&i| pick(i))
            .map(|&i| self.api.operations[i].tool_name.clone())
            .collect()
    }

    /// The reviewed workflows `included` admits every (known) step of, each with those
    /// steps and their operations' indices (a step whose operation the spec lacks is left out).
    pub fn workflows(
        &self,
        included: &dyn Fn(usize) -> bool,
    ) -> Vec<(&data::Workflow, Vec<(usize, &data::Step)>)> {
        let index = |s: &data::Step| {
            self.api
                .operations
                .iter()
                .position(|o| o.operation_id == s.operation)
        };
        self.data
            .workflows
            .iter()
            .filter_map(|w| {
                let steps: Vec<_> = w
                    .steps
                    .iter()
                    .filter_map(|s| Some((index(s)?, s)))
                    .collect();
                steps
                    .iter()
                    .all(|&(i, _)| included(i))
                    .then_some((w, steps))
            })
            .collect()
    }

    /// The reviewed gotchas (resolved) all of whose operations `included` admits.
    pub fn reviewed_gotchas(&self, included: &dyn Fn(usize) -> bool) -> Vec<String> {
        self.data
            .gotchas
            .iter()
            .filter(|g| {
                data::op_refs(g).iter().all(|id| {
                    self.api
                        .operations
                        .iter()
                        .position(|o| &o.operation_id == id)
                        .is_some_and(included)
                })
            })
            .map(|g| self.resolve(g))
            .collect()
    }

    fn title(op: &Operation, name: &str) -> String {
        op.summary
            .as_deref()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .map(|s| s.trim_end_matches('.').to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| name.replace('_', " "))
    }

    /// What the operation returns, in words.
    pub fn returns(&self, op: &Operation) -> String {
        let api = self.api;
        match &op.response.kind {
            ResponseKind::Empty => "nothing (an empty response)".to_string(),
            ResponseKind::Text => "text (not JSON)".to_string(),
            ResponseKind::Bytes => "raw bytes".to_string(),
            ResponseKind::Json(t) => {
                let label = type_label(api, t);
                match &op.pagination {
                    Some(p) => match p.items {
                        ItemsAt::Root => format!(
                            "a bare array of {} (no total count)",
                            type_label(api, &p.item_type)
                        ),
                        ItemsAt::Envelope { items, total, .. } => match total {
                            Some(total) => format!(
                                "`{label}`: `{}` holds one page of {}, `{}` the total",
                                api.field_name(items),
                                type_label(api, &p.item_type),
                                api.field_name(total)
                            ),
                            None => format!(
                                "`{label}`: `{}` holds one page of {}",
                                api.field_name(items),
                                type_label(api, &p.item_type)
                            ),
                        },
                    },
                    None => format!("`{label}`"),
                }
            }
        }
    }

    fn pagination(api: &Api, op: &Operation) -> Option<PaginationSection> {
        let p = op.pagination.as_ref()?;
        let names = api.paging_names(op)?;
        let strategy = match &p.strategy {
            PageStrategy::Offset { .. } => "offset",
            PageStrategy::Cursor(_) => "cursor",
        };
        let own = |s: Option<&str>| s.map(str::to_string);
        Some(PaginationSection {
            strategy: strategy.to_string(),
            limit_param: names.limit.to_string(),
            max_limit: p.max_limit,
            offset_param: own(names.offset),
            cursor_param: own(names.after),
            cursor_field: own(names.cursor_field),
            items_field: own(names.items),
            total_field: own(names.total),
        })
    }

    /// Paging in words.
    pub fn paging_text(api: &Api, op: &Operation) -> Option<String> {
        let p = op.pagination.as_ref()?;
        let wire = |i: usize| op.params[i].wire_name.as_str();
        let limit = wire(p.limit);
        let max = p
            .max_limit
            .map(|m| format!(" (at most {m})"))
            .unwrap_or_default();
        let mut s = match &p.strategy {
            PageStrategy::Offset { offset } => {
                format!("Pages with `{limit}`{max} and `{}`", wire(*offset))
            }
            PageStrategy::Cursor(c) => format!(
                "Pages with `{limit}`{max} and `{}` (the `{}` of the last item seen)",
                wire(c.after),
                api.field_name(c.field)
            ),
        };
        if let (PageStrategy::Offset { .. }, Some(c)) = (&p.strategy, &p.alt_cursor) {
            s.push_str(&format!(
                ", or with `{}` (the `{}` of the last item seen)",
                wire(c.after),
                api.field_name(c.field)
            ));
        }
        s.push('.');
        Some(s)
    }

    fn description(&self, op: &Operation, title: &str) -> String {
        let mut parts = vec![format!("{title}.")];
        if let Some(d) = op.description.as_deref() {
            let mut first = markdown::first_sentence(d, 300);
            if !first.is_empty() && first.trim_end_matches('.') != title {
                if !first.ends_with(['.', '!', '?', '…', ':']) {
                    first.push('.');
                }
                parts.push(first);
            }
        }
        parts.push(format!("Returns {}.", self.returns(op)));
        if let Some(p) = Self::paging_text(self.api, op) {
            parts.push(p);
        }
        match op.safety.class {
            SafetyClass::Destructive => parts.push(
                "Destructive: hard or impossible to undo; confirm with the user first.".to_string(),
            ),
            SafetyClass::Write => parts.push("Changes data.".to_string()),
            SafetyClass::Read => {}
        }
        if let Some(r) = &op.safety.reason {
            parts.push(r.clone());
        }
        if let Some(o) = self.data.open_world.get(&op.operation_id) {
            parts.push(o.clone());
        }
        if let Some(c) = &op.safety.credential {
            parts.push(format!(
                "Credential: {} Treat the result as a secret; connections without `allow_secrets` do not offer this operation.",
                c.reason
            ));
        }
        if op.deprecated {
            parts.push("Deprecated.".to_string());
        }
        markdown::truncate(&parts.join(" "), 1024)
    }

    fn confirm(&self, op: &Operation) -> &'static str {
        let id = &op.operation_id;
        let credential = op.safety.credential.is_some();
        let open = self.data.open_world.contains_key(id);
        match op.safety.class {
            SafetyClass::Destructive => "required",
            _ if credential => "required",
            SafetyClass::Write if open => "required",
            SafetyClass::Write => "recommended",
            SafetyClass::Read => "never",
        }
    }

    fn operation_spec(
        &self,
        i: usize,
        input_schema: schema::Schema,
        output: Option<(schema::Schema, schema::Wrap)>,
    ) -> OperationSpec {
        let api = self.api;
        let op = &api.operations[i];
        let name = self.api.operations[i].tool_name.clone();
        let title = Self::title(op, &name);
        let group = api.groups[op.group].module.clone();
        let open_world = self.data.open_world.get(&op.operation_id).cloned();
        let annotations = Annotations {
            title: title.clone(),
            read_only_hint: op.safety.class == SafetyClass::Read,
            destructive_hint: op.safety.class == SafetyClass::Destructive,
            idempotent_hint: op.safety.idempotent,
            open_world_hint: open_world.is_some(),
        };
        let http = Http {
            method: op.http_method.as_str().to_string(),
            path: op.path.clone(),
            auth: op.auth,
            params: op
                .params
                .iter()
                .map(|p| HttpParam {
                    name: p.wire_name.clone(),
                    location: p.location.as_str().to_string(),
                    required: p.required,
                    explode: p.explode,
                    delimiter: (!p.explode).then(|| p.delimiter.to_string()),
                })
                .collect(),
            body: op.body.as_ref().map(|b| HttpBody {
                content_type: b.content_type.clone(),
                encoding: match b.encoding {
                    BodyEncoding::Json => "json",
                    BodyEncoding::Form => "form",
                    BodyEncoding::Multipart => "multipart",
                    BodyEncoding::Bytes => "bytes",
                }
                .to_string(),
                required: b.required,
            }),
            success_status: op.response.status,
            response: match op.response.kind {
                ResponseKind::Json(_) => "json",
                ResponseKind::Empty => "empty",
                ResponseKind::Text => "text",
                ResponseKind::Bytes => "bytes",
            }
            .to_string(),
        };
        let (output_schema, wrap) = match output {
            Some((s, w)) => (Some(s), w.as_str().map(str::to_string)),
            None => (None, None),
        };
        let example = crate::example::operation_input(api, op);
        OperationSpec {
            agentspec: AGENTSPEC_VERSION.to_string(),
            kind: "operation".to_string(),
            description: self.description(op, &title),
            name,
            title,
            input_schema,
            output_schema,
            annotations,
            operation_id: op.operation_id.clone(),
            group: group.clone(),
            tags: op.tags.clone(),
            deprecated: op.deprecated,
            http,
            output: Output {
                wrap,
                summary: self.returns(op),
            },
            safety: SafetySection {
                class: op.safety.class.as_str().to_string(),
                idempotent: op.safety.idempotent,
                reason: op.safety.reason.clone(),
                open_world,
                credential: op.safety.credential.as_ref().map(|c| CredentialSection {
                    reason: c.reason.clone(),
                    source: c.source.as_str().to_string(),
                    fields: c.fields.clone(),
                }),
                confirm: self.confirm(op).to_string(),
            },
            pagination: Self::pagination(self.api, op),
            errors: op.error_statuses.clone(),
            examples: vec![Example {
                title: "Required inputs only".to_string(),
                input: example,
            }],
            rust: RustSection {
                crate_name: api.info.crate_name.clone(),
                group,
                method: op.method_name.clone(),
                stream: op.pagination.as_ref().map(|p| p.stream_method.clone()),
            },
            source: Source {
                pointer: op.pointer.clone(),
            },
        }
    }

    /// Specs in document order, optionally only those a read-only connection may call
    /// (`read`, no credential).
    pub fn ordered(&self, read_only: bool) -> Vec<&OperationSpec> {
        self.order
            .iter()
            .filter(|&&i| !read_only || self.api.operations[i].safety.read_only_safe())
            .map(|&i| &self.specs[i])
            .collect()
    }
}

/// The warning for an operation (or payload) whose documents left definitions out.
fn budget_warning(pointer: &str, what: &str, cuts: &[budget::Cut]) -> Diagnostic {
    let kept: usize = cuts.iter().map(|c| c.kept).sum();
    let left: usize = cuts.iter().map(|c| c.placeholders).sum();
    let budget = cuts.iter().map(|c| c.budget).min().unwrap_or(0);
    Diagnostic::new(
        Severity::Warning,
        "schema-budget",
        pointer,
        format!(
            "{what} reach more schema definitions than fit one document ({budget} bytes of definitions for this spec): {kept} embedded, {left} left as open placeholders that say where the type is described"
        ),
    )
}

/// Name of the read-only skill.
pub fn readonly_name(full: &str) -> String {
    format!("{full}-readonly")
}

/// A short human label of a type: `string`, `User`, `User[]`, `map<string, string>`, `T | null`.
pub fn type_label(api: &Api, t: &TypeRef) -> String {
    match t {
        TypeRef::Named(id) => api.types[*id].name.clone(),
        TypeRef::String => "string".into(),
        TypeRef::Integer => "integer".into(),
        TypeRef::Number => "number".into(),
        TypeRef::Boolean => "boolean".into(),
        TypeRef::Bytes => "file".into(),
        TypeRef::Json => "any JSON".into(),
        TypeRef::JsonObject => "object".into(),
        TypeRef::Array(i) => format!("{}[]", type_label(api, i)),
        TypeRef::Map(i) => format!("map<string, {}>", type_label(api, i)),
        TypeRef::Nullable(i) => format!("{} | null", type_label(api, i)),
        TypeRef::Tuple(items) => {
            let items: Vec<String> = items.iter().map(|i| type_label(api, i)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// Named types reachable from the given operations, in arena order.
pub fn reachable_types(api: &Api, ops: &[usize]) -> Vec<TypeId> {
    let roots = ops.iter().flat_map(|&i| api.operations[i].type_roots());
    crate::ir::reachable(&api.types, roots)
        .into_iter()
        .collect()
}
