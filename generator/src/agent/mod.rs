//! Agent documents, from the same IR as the client: the AgentSpec (`agentspec.json` and one
//! `ops/<tool>.json` per operation), tool definitions per runtime (`tools/`), two Agent
//! Skills (full and read-only, `skills/`), the reviewed workflows as Arazzo (`workflows/`),
//! and the connection prompt (`agentgen connection-prompt`).
//!
//! Every document names an operation by the same tool name (`users_list`: the client's group
//! and method, snake_case, at most 64 characters, unique), carries the same safety class and
//! MCP hints, and is byte-for-byte deterministic.

pub mod agentspec;
pub mod budget;
pub mod connection;
pub mod data;
pub mod json;
pub mod markdown;
pub mod schema;
pub mod skill;
pub mod tools;
pub mod webhooks;
pub mod workflows;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::ir::{Api, BodyEncoding, ItemsAt, Operation, PageStrategy, ResponseKind, SafetyClass};
use crate::timings::Timings;
use agentspec::*;
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
            let label = skill::type_label(api, &e.payload);
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
        let listed: std::collections::BTreeSet<crate::ir::TypeId> = skill::reachable_types(
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
                let label = skill::type_label(api, t);
                match &op.pagination {
                    Some(p) => match p.items {
                        ItemsAt::Root => format!(
                            "a bare array of {} (no total count)",
                            skill::type_label(api, &p.item_type)
                        ),
                        ItemsAt::Envelope { items, total, .. } => match total {
                            Some(total) => format!(
                                "`{label}`: `{}` holds one page of {}, `{}` the total",
                                api.field_name(items),
                                skill::type_label(api, &p.item_type),
                                api.field_name(total)
                            ),
                            None => format!(
                                "`{label}`: `{}` holds one page of {}",
                                api.field_name(items),
                                skill::type_label(api, &p.item_type)
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

    fn manifest(&self, workflows: Option<String>) -> Manifest {
        let api = self.api;
        let count = |c: SafetyClass| {
            api.operations
                .iter()
                .filter(|o| o.safety.class == c)
                .count()
        };
        let full = format!("skills/{}", self.skill_name);
        Manifest {
            agentspec: AGENTSPEC_VERSION.to_string(),
            kind: "manifest".to_string(),
            name: self.skill_name.clone(),
            title: api.info.title.clone(),
            description: skill::skill_description(self, false),
            api: ApiSection {
                title: api.info.title.clone(),
                version: api.info.version.clone(),
                base_url: api.info.default_base_url.clone(),
                version_header: api.info.version_header.clone(),
                openapi: OpenApiSource {
                    location: self.spec_location.clone(),
                    sha256: self.spec_sha256.clone(),
                },
            },
            auth: AuthSection {
                kind: "http-bearer".to_string(),
                env: api.info.key_env_var.clone(),
                header: "Authorization".to_string(),
                scheme: "Bearer".to_string(),
                key_prefixes: self.data.auth.key_prefixes.clone(),
                never_log: true,
            },
            generator: GeneratorSection {
                name: "agentgen".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            counts: Counts {
                operations: api.operations.len(),
                read: count(SafetyClass::Read),
                write: count(SafetyClass::Write),
                destructive: count(SafetyClass::Destructive),
                open_world: self
                    .specs
                    .iter()
                    .filter(|s| s.annotations.open_world_hint)
                    .count(),
                credentials: api
                    .operations
                    .iter()
                    .filter(|o| o.safety.credential.is_some())
                    .count(),
            },
            groups: api
                .groups
                .iter()
                .map(|g| {
                    let reference = &api.sections[g.section].file;
                    let name = g.module.clone();
                    GroupEntry {
                        title: g.title.clone(),
                        description: g.description.clone(),
                        operations: g.operations.len(),
                        reference: format!("{full}/references/{reference}.md"),
                        name,
                    }
                })
                .collect(),
            operations: self
                .ordered(false)
                .into_iter()
                .map(|s| OperationEntry {
                    name: s.name.clone(),
                    operation_id: s.operation_id.clone(),
                    method: s.http.method.clone(),
                    path: s.http.path.clone(),
                    group: s.group.clone(),
                    class: s.safety.class.clone(),
                    credential: s.safety.credential.is_some(),
                    file: format!("ops/{}.json", s.name),
                })
                .collect(),
            tools: ToolFiles {
                mcp: "tools/mcp.tools.json".to_string(),
                openai: "tools/openai.tools.json".to_string(),
                anthropic: "tools/anthropic.tools.json".to_string(),
                gemini: "tools/gemini.tools.json".to_string(),
            },
            skills: vec![
                SkillEntry {
                    name: self.skill_name.clone(),
                    path: full,
                    read_only: false,
                    operations: api.operations.len(),
                },
                SkillEntry {
                    name: skill::readonly_name(&self.skill_name),
                    path: format!("skills/{}", skill::readonly_name(&self.skill_name)),
                    read_only: true,
                    operations: api
                        .operations
                        .iter()
                        .filter(|o| o.safety.read_only_safe())
                        .count(),
                },
            ],
            workflows,
            webhooks: webhooks::section(self),
            search: (!self.data.search.synonyms.is_empty()).then(|| SearchSection {
                synonyms: self.data.search.synonyms.clone(),
            }),
        }
    }
}

fn json_text(v: &impl serde::Serialize) -> Result<String, String> {
    json::text(v, 4096)
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

/// The reviewed data for `api` under `config`, with warnings for entries that do not apply.
pub fn load_data(api: &Api, config: &Config) -> Result<(data::AgentData, Vec<Diagnostic>), String> {
    let (d, problems) = data::for_api(api, config.agent_data.as_deref())?;
    let diags = problems
        .into_iter()
        .map(|p| Diagnostic::new(Severity::Warning, "agent-data", "#", p))
        .collect();
    Ok((d, diags))
}

/// Generate the agent documents: relative path (under `agent/`) -> contents, and warnings.
pub fn generate(
    api: &Api,
    config: &Config,
) -> Result<(BTreeMap<String, String>, Vec<Diagnostic>), String> {
    generate_timed(api, config, &mut Timings::default())
}

/// [`generate`], recording phase durations in `timings`.
pub fn generate_timed(
    api: &Api,
    config: &Config,
    timings: &mut Timings,
) -> Result<(BTreeMap<String, String>, Vec<Diagnostic>), String> {
    let (model, templates, diagnostics) = timings.time("agent: model", || {
        let (data, mut diagnostics) = load_data(api, config)?;
        let model = Model::new(api, data);
        let templates = skill::Templates::new(&config.templates)?;
        diagnostics.extend(model.diagnostics.iter().cloned());
        Ok::<_, String>((model, templates, diagnostics))
    })?;
    let mut files = timings.time("agent: agentspec", || agentspec_files(&model))?;
    let all = model.ordered(false);
    type Export = fn(&[&OperationSpec]) -> Result<String, String>;
    let tool_files: [(&str, Export); 4] = [
        ("tools/mcp.tools.json", |all| json_text(&tools::mcp(all))),
        ("tools/openai.tools.json", |all| {
            json_text(&tools::openai(all))
        }),
        ("tools/anthropic.tools.json", |all| {
            json_text(&tools::anthropic(all))
        }),
        ("tools/gemini.tools.json", |all| {
            json_text(&tools::gemini(all))
        }),
    ];
    for (path, export) in tool_files {
        let text = timings.time("agent: tool definitions", || export(&all))?;
        files.insert(path.to_string(), text);
    }
    files.extend(timings.time("agent: skills", || skills(&model, &templates))?);
    timings.time("agent: workflows, readme", || {
        files.extend(workflows(&model));
        let readme = readme(&model, &files);
        files.insert("README.md".to_string(), readme);
    });
    Ok((files, diagnostics))
}

/// Both skills (one pass shares the template values with the other), each with the webhooks
/// reference when the API sends webhooks.
fn skills(
    model: &Model<'_>,
    templates: &skill::Templates,
) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    let mut views = skill::Views::default();
    for read_only in [false, true] {
        files.extend(skill::render(model, templates, read_only, &mut views)?);
        let name = if read_only {
            skill::readonly_name(&model.skill_name)
        } else {
            model.skill_name.clone()
        };
        if let Some(text) = webhooks::reference(model, templates, &name)? {
            files.insert(
                format!("skills/{name}/references/{}", webhooks::REFERENCE_FILE),
                text,
            );
        }
    }
    Ok(files)
}

/// The Arazzo workflows file, when there are reviewed workflows.
fn workflows(model: &Model<'_>) -> BTreeMap<String, String> {
    let Some(path) = workflows_file(model) else {
        return BTreeMap::new();
    };
    let api = model.api;
    let doc = workflows::arazzo(api, &model.data.workflows, &model.spec_location);
    let header = format!(
        "# @generated by agentgen {} from {} {} and the reviewed workflows. Do not edit by hand.\n",
        env!("CARGO_PKG_VERSION"),
        api.info.title,
        api.info.version
    );
    [(path, workflows::to_yaml(&doc, &header))].into()
}

fn workflows_file(model: &Model<'_>) -> Option<String> {
    (!model.data.workflows.is_empty())
        .then(|| format!("workflows/{}.arazzo.yaml", model.skill_name))
}

/// `agentspec.json` and `ops/<tool>.json`.
fn agentspec_files(model: &Model<'_>) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    files.insert(
        "agentspec.json".to_string(),
        json_text(&model.manifest(workflows_file(model)))?,
    );
    for spec in &model.specs {
        files.insert(format!("ops/{}.json", spec.name), json_text(spec)?);
    }
    Ok(files)
}

/// Only the AgentSpec documents (`agentspec.json`, `ops/<tool>.json`), exactly as
/// [`generate`] writes them, without rendering the skills and tool files (`agentgen mcp`).
pub fn agentspec_documents(api: &Api, config: &Config) -> Result<BTreeMap<String, String>, String> {
    let (data, _) = load_data(api, config)?;
    agentspec_files(&Model::new(api, data))
}

fn readme(model: &Model<'_>, files: &BTreeMap<String, String>) -> String {
    let api = model.api;
    let mut out = format!(
        "# Agent documents for {} {}\n\nGenerated by agentgen {} from the same IR as the client crate. Do not edit by hand.\n\n",
        markdown::inline(&api.info.title),
        markdown::inline(&api.info.version),
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("| path | what |\n|---|---|\n");
    out.push_str("| `agentspec.json` | manifest: API, auth, counts, every operation with its tool name and safety class |\n");
    out.push_str(&format!(
        "| `ops/<tool>.json` | one AgentSpec per operation ({}): MCP tool fields plus the HTTP binding, safety, paging, examples |\n",
        model.specs.len()
    ));
    out.push_str("| `tools/mcp.tools.json` | MCP `tools/list` result |\n");
    out.push_str("| `tools/openai.tools.json` | OpenAI function tools (strict where possible; reasons in `nonStrict`) |\n");
    out.push_str("| `tools/anthropic.tools.json` | Anthropic tools (`name`, `description`, `input_schema`) |\n");
    out.push_str(
        "| `tools/gemini.tools.json` | Gemini `functionDeclarations` (`parametersJsonSchema`) |\n",
    );
    out.push_str(&format!(
        "| `skills/{0}/` | Agent Skill: every operation |\n| `skills/{1}/` | Agent Skill: `read` operations only |\n",
        model.skill_name,
        skill::readonly_name(&model.skill_name)
    ));
    if files.keys().any(|k| k.starts_with("workflows/")) {
        out.push_str(&format!(
            "| `workflows/{}.arazzo.yaml` | reviewed workflows (Arazzo {}) |\n",
            model.skill_name,
            workflows::ARAZZO_VERSION
        ));
    }
    if !api.webhooks.is_empty() {
        out.push_str(&format!(
            "| `skills/*/references/{}` | the {} webhook events, their payloads and how to verify a delivery (also `webhooks` in `agentspec.json`) |\n",
            webhooks::REFERENCE_FILE,
            api.webhooks.len()
        ));
    }
    out
}

/// The connection prompt for a connection document (YAML or JSON), from the IR and reviewed
/// data. The secret key is never part of it: only the environment its prefix names.
pub fn connection_prompt(
    api: &Api,
    config: &Config,
    connection_text: &str,
    options: &connection::PromptOptions,
) -> Result<String, String> {
    let conn = connection::parse(connection_text)?;
    let (data, _) = load_data(api, config)?;
    let model = Model::new(api, data);
    let templates = skill::Templates::new(&config.templates)?;
    connection::render(&model, &templates, &conn, options)
}
