//! The Agent Skills (full and read-only): view models built from the [`Model`], rendered with
//! minijinja templates (`templates/*.md.j2`, embedded; `--templates DIR` overrides them by
//! file name). Undefined template variables are errors; spec prose goes through the escaping
//! filters of [`super::markdown`].

use super::agentspec::OperationSpec;
use super::markdown;
use super::model::{reachable_types, readonly_name, type_label, Model};
use crate::ir::{Api, Operation, SafetyClass, TypeId, TypeKind, TypeRef};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Built-in templates: file name -> source.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "skill.md.j2",
        include_str!("../../embed/templates/skill.md.j2"),
    ),
    (
        "index.md.j2",
        include_str!("../../embed/templates/index.md.j2"),
    ),
    (
        "group.md.j2",
        include_str!("../../embed/templates/group.md.j2"),
    ),
    (
        "types.md.j2",
        include_str!("../../embed/templates/types.md.j2"),
    ),
    (
        "connection.md.j2",
        include_str!("../../embed/templates/connection.md.j2"),
    ),
    (
        "webhooks.md.j2",
        include_str!("../../embed/templates/webhooks.md.j2"),
    ),
];

/// The template environment.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in templates, with those of `overrides` (file name -> source) replacing
    /// them.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Templates, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        let mut syntax = minijinja::syntax::SyntaxConfig::builder();
        syntax.trim_blocks(true).lstrip_blocks(true);
        env.set_syntax(
            syntax
                .build()
                .map_err(|e| format!("internal error: template syntax: {e}"))?,
        );
        env.add_filter("md_inline", |s: &str| markdown::inline(s));
        env.add_filter("md_block", |s: &str| markdown::block(s));
        env.add_filter("yaml_str", |s: &str| markdown::yaml_str(s));
        env.add_filter("code", |s: &str| markdown::code_span(s));
        env.add_filter("code_block", |s: &str, lang: &str| {
            markdown::code_block(s, lang)
        });
        for (name, builtin) in TEMPLATES {
            let source = overrides.get(*name).map_or(*builtin, String::as_str);
            env.add_template_owned(name.to_string(), source.to_string())
                .map_err(|e| format!("template {name}: {e:#}"))?;
        }
        Ok(Templates { env })
    }

    /// Render a template with a serializable context.
    pub fn render(&self, name: &str, ctx: &impl Serialize) -> Result<String, String> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| format!("template {name}: {e:#}"))?;
        let text = t
            .render(Value::from(minijinja::value::Serde(ctx)))
            .map_err(|e| format!("template {name}: {e:#}"))?;
        Ok(tidy(&text))
    }
}

/// Strip trailing spaces, collapse runs of blank lines, end with one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The `description` of a skill's frontmatter (also the manifest's): what it does and when to
/// use it, within the first 250 characters; at most 1,024 characters.
pub fn skill_description(model: &Model<'_>, read_only: bool) -> String {
    let api = model.api;
    let mut groups: Vec<(usize, String)> = api
        .groups
        .iter()
        .map(|g| {
            let n = g
                .operations
                .iter()
                .filter(|&&i| !read_only || api.operations[i].safety.read_only_safe())
                .count();
            (n, g.title.to_lowercase())
        })
        .filter(|(n, _)| *n > 0)
        .collect();
    groups.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut top: Vec<String> = Vec::new();
    for (_, t) in groups {
        if top.len() < 6 && !top.contains(&t) {
            top.push(t);
        }
    }
    let title = clean(&api.info.title);
    let version = clean(&api.info.version);
    let hooks = api.webhooks.len();
    let text = if api.operations.is_empty() && hooks > 0 {
        let mut types: Vec<&str> = Vec::new();
        for e in &api.webhooks {
            let resource = e.event_type.split('.').next().unwrap_or(&e.event_type);
            if types.len() < 6 && !types.contains(&resource) {
                types.push(resource);
            }
        }
        format!(
            "Receives the webhooks of {title} ({version}): {hooks} event types about {}. Use when asked to handle, verify or explain {title} webhook deliveries. Verification: Standard Webhooks (Svix) signatures with the signing secret in {}.",
            types.join(", "),
            api.webhook_names.secret_env.clone()
        )
    } else if read_only {
        format!(
            "Reads the {title} ({version}) without changing anything: {} read-only operations over {}. Use when asked to look up, list, count or inspect {title} data and nothing may be modified; it refuses writes and withholds credentials. Auth: bearer secret key in {}.",
            api.operations
                .iter()
                .filter(|o| o.safety.read_only_safe())
                .count(),
            top.join(", "),
            api.info.key_env_var
        )
    } else {
        format!(
            "Calls the {title} ({version}) with a secret key: {} operations over {}. Use when asked to look up, list, create, update or delete {title} data, or to run its workflows. Marks each operation read, write or destructive. Auth: bearer secret key in {}.",
            api.operations.len(),
            top.join(", "),
            api.info.key_env_var
        )
    };
    let text = if hooks > 0 && !api.operations.is_empty() {
        format!("{text} Also describes its {hooks} webhook events and how to verify them.")
    } else {
        text
    };
    markdown::truncate(&text, 1024)
}

/// Facts read off the spec itself, for the gotchas: which lists return bare arrays (no total)
/// and which operations are deprecated, among the operations `included` admits.
pub fn derived_gotchas(model: &Model<'_>, included: &dyn Fn(usize) -> bool) -> Vec<String> {
    let api = model.api;
    let names = |f: &dyn Fn(&crate::ir::Operation) -> bool| -> Vec<String> {
        model
            .order
            .iter()
            .copied()
            .filter(|&i| included(i) && f(&api.operations[i]))
            .map(|i| format!("`{}`", model.api.operations[i].tool_name))
            .collect()
    };
    let mut out = Vec::new();
    let bare = names(&|o| {
        o.pagination
            .as_ref()
            .is_some_and(|p| p.items == crate::ir::ItemsAt::Root)
    });
    if !bare.is_empty() {
        out.push(format!(
            "These list operations return a bare array with no total count; a page shorter than `limit` is the last: {}.",
            bare.join(", ")
        ));
    }
    let deprecated = names(&|o| o.deprecated);
    if !deprecated.is_empty() {
        out.push(format!(
            "Deprecated (prefer their replacements): {}.",
            deprecated.join(", ")
        ));
    }
    out
}

/// Text without angle brackets (Anthropic rejects XML tags in skill metadata).
fn clean(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['<', '>'], "")
}

#[derive(Serialize)]
struct KeyPrefix {
    prefix: String,
    environment: String,
}

#[derive(Serialize)]
struct GroupSummary {
    name: String,
    title: String,
    summary: String,
    operations: usize,
    read: usize,
    file: String,
}

#[derive(Serialize)]
struct WorkflowView {
    id: String,
    summary: String,
    description: String,
    steps: Vec<StepView>,
}

#[derive(Serialize)]
struct StepView {
    tool: String,
    class: String,
    description: String,
}

#[derive(Serialize)]
struct SkillView {
    name: String,
    title: String,
    version: String,
    description: String,
    compatibility: String,
    generator: String,
    read_only: bool,
    full_name: String,
    readonly_name: String,
    base_url: String,
    key_env: String,
    version_header: Option<String>,
    key_prefixes: Vec<KeyPrefix>,
    crate_name: String,
    operations: usize,
    /// Read operations the read-only skill leaves out because they return credentials.
    withheld: Vec<String>,
    read: usize,
    write: usize,
    destructive: usize,
    groups: Vec<GroupSummary>,
    workflows: Vec<WorkflowView>,
    gotchas: Vec<String>,
    example_tool: String,
    example_operation_id: String,
    example_method: String,
    example_path: String,
    example_group: String,
    example_method_name: String,
    has_workflows_file: bool,
    webhook_events: usize,
    webhook_secret_env: String,
}

#[derive(Serialize, Clone)]
pub(super) struct FieldView {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    required: bool,
    description: String,
}

#[derive(Serialize)]
struct ParamView {
    name: String,
    location: String,
    #[serde(rename = "type")]
    ty: String,
    required: bool,
    description: String,
}

#[derive(Serialize)]
struct BodyView {
    content_type: String,
    #[serde(rename = "type")]
    ty: String,
    required: bool,
    description: String,
    fields: Vec<FieldView>,
    /// Fields not listed (see `types.md`).
    more_fields: usize,
}

#[derive(Serialize)]
struct OpView {
    name: String,
    operation_id: String,
    title: String,
    method: String,
    path: String,
    class: String,
    idempotent: bool,
    deprecated: bool,
    confirm: String,
    description: String,
    notes: Vec<String>,
    params: Vec<ParamView>,
    body: Option<BodyView>,
    returns: String,
    status: u16,
    output_fields: Vec<FieldView>,
    more_output_fields: usize,
    paging: Option<String>,
    errors: String,
    example: String,
    rust: String,
    group: String,
}

#[derive(Serialize)]
struct GroupView {
    name: String,
    title: String,
    description: String,
    skill: String,
    read_only: bool,
    ops: Vec<Value>,
}

#[derive(Serialize)]
struct IndexGroup {
    name: String,
    title: String,
    ops: Vec<IndexLine>,
}

#[derive(Serialize)]
struct IndexLine {
    name: String,
    method: String,
    path: String,
    class: String,
    title: String,
    deprecated: bool,
    credential: bool,
}

#[derive(Serialize)]
struct IndexView {
    title: String,
    version: String,
    skill: String,
    read_only: bool,
    operations: usize,
    groups: Vec<IndexGroup>,
}

#[derive(Serialize)]
struct TypeView {
    name: String,
    kind: String,
    description: String,
    fields: Vec<FieldView>,
    values: Vec<String>,
    variants: Vec<String>,
    target: String,
}

#[derive(Serialize)]
struct TypesView {
    title: String,
    skill: String,
    types: Vec<Value>,
}

fn first_line(text: Option<&str>, max: usize) -> String {
    text.map(|t| markdown::first_sentence(t, max))
        .unwrap_or_default()
}

/// Most fields an operation's body table lists (the rest are in `types.md`).
pub const MAX_BODY_FIELDS: usize = 100;

/// Most bytes (names, types, descriptions) of fields one operation lists for its body or its
/// output: the same large type used by every operation must not be copied in full into each.
pub const MAX_FIELD_LIST_BYTES: usize = 16 * 1024;

/// The fields of a struct type (or of the items of an array of one): at most `limit` and
/// `max_bytes` of them, and how many more there are.
pub(super) fn fields_of(
    api: &Api,
    t: &TypeRef,
    limit: usize,
    max_bytes: usize,
) -> (Vec<FieldView>, usize) {
    let mut t = api.resolve_alias(t.non_null());
    if let TypeRef::Array(inner) = t {
        t = api.resolve_alias(inner.non_null());
    }
    let TypeRef::Named(id) = t else {
        return (Vec::new(), 0);
    };
    let TypeKind::Struct { fields } = &api.types[*id].kind else {
        return (Vec::new(), 0);
    };
    let mut views = Vec::new();
    let mut bytes = 0usize;
    for f in fields {
        if views.len() == limit {
            break;
        }
        let view = FieldView {
            name: f.wire_name.clone(),
            ty: type_label(api, &f.ty),
            required: f.required,
            description: first_line(f.description.as_deref(), 160),
        };
        bytes = bytes.saturating_add(view.name.len() + view.ty.len() + view.description.len());
        if bytes > max_bytes {
            break;
        }
        views.push(view);
    }
    let more = fields.len() - views.len();
    (views, more)
}

fn op_view(model: &Model<'_>, i: usize) -> OpView {
    let api = model.api;
    let op = &api.operations[i];
    let spec = &model.specs[i];
    let mut notes = Vec::new();
    if let Some(r) = &op.safety.reason {
        notes.push(format!("Safety: {r}"));
    }
    if let Some(o) = &spec.safety.open_world {
        notes.push(format!("Reaches outside the API: {o}"));
    }
    if let Some(c) = &spec.safety.credential {
        notes.push(format!(
            "Credential: {} Never show it unless the user asks for exactly that; connections without `allow_secrets` do not offer this operation.",
            c.reason
        ));
    }
    let params = op
        .params
        .iter()
        .map(|p| ParamView {
            name: p.wire_name.clone(),
            location: p.location.as_str().to_string(),
            ty: type_label(api, &p.ty),
            required: p.required,
            description: {
                let mut d = first_line(p.description.as_deref(), 200);
                if let Some(def) = &p.default {
                    d = format!("{d} Default `{def}`.").trim().to_string();
                }
                if p.deprecated {
                    d = format!("{d} Deprecated.").trim().to_string();
                }
                d
            },
        })
        .collect();
    let body = op.body.as_ref().map(|b| {
        let (fields, more_fields) = fields_of(api, &b.ty, MAX_BODY_FIELDS, MAX_FIELD_LIST_BYTES);
        BodyView {
            content_type: b.content_type.clone(),
            ty: type_label(api, &b.ty),
            required: b.required,
            description: b
                .description
                .as_deref()
                .map(|d| markdown::first_sentence(d, 200))
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| {
                    if fields.is_empty() {
                        "The request body.".to_string()
                    } else {
                        "An object: see the body fields below.".to_string()
                    }
                }),
            fields,
            more_fields,
        }
    });
    let (output_fields, more_output_fields) = match &op.response.kind {
        crate::ir::ResponseKind::Json(t) => fields_of(api, t, 30, MAX_FIELD_LIST_BYTES),
        _ => (Vec::new(), 0),
    };
    let group = api.groups[op.group].module.clone();
    let method = op.method_name.clone();
    let example = serde_json::to_string(&spec.examples[0].input).unwrap_or_default();
    OpView {
        name: spec.name.clone(),
        operation_id: op.operation_id.clone(),
        title: spec.title.clone(),
        method: op.http_method.as_str().to_string(),
        path: op.path.clone(),
        class: spec.safety.class.clone(),
        idempotent: op.safety.idempotent,
        deprecated: op.deprecated,
        confirm: spec.safety.confirm.clone(),
        description: op.description.clone().unwrap_or_default(),
        notes,
        params,
        body,
        returns: model.returns(op),
        status: op.response.status,
        output_fields,
        more_output_fields,
        paging: Model::paging_text(api, op),
        errors: op
            .error_statuses
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        example,
        rust: format!("client.{group}().{method}(..)"),
        group,
    }
}

fn type_view(api: &Api, id: TypeId) -> TypeView {
    let def = &api.types[id];
    let mut v = TypeView {
        name: def.name.clone(),
        kind: String::new(),
        description: first_line(def.description.as_deref(), 300),
        fields: Vec::new(),
        values: Vec::new(),
        variants: Vec::new(),
        target: String::new(),
    };
    match &def.kind {
        TypeKind::Struct { .. } => {
            v.kind = "object".into();
            v.fields = fields_of(api, &TypeRef::Named(id), usize::MAX, usize::MAX).0;
        }
        TypeKind::Enum { values } => {
            v.kind = "enum".into();
            v.values = values.iter().map(|x| x.wire.clone()).collect();
        }
        TypeKind::Union { tag, variants } => {
            v.kind = match tag {
                Some(t) => format!("one of (by `{t}`)"),
                None => "one of".into(),
            };
            v.variants = variants
                .iter()
                .map(|x| {
                    let label = type_label(api, &x.ty);
                    if x.tag_values.is_empty() {
                        label
                    } else {
                        format!("{label} ({})", x.tag_values.join(", "))
                    }
                })
                .collect();
        }
        TypeKind::Alias { target } => {
            v.kind = "alias".into();
            v.target = type_label(api, target);
        }
    }
    v
}

/// (tag, file, operations filed under it, operations whose first tag it is), in order of
/// first appearance; only operations `included` by the skill.
#[allow(clippy::type_complexity)]
fn tag_sections(
    api: &Api,
    included: &dyn Fn(usize) -> bool,
) -> Vec<(String, String, Vec<usize>, Vec<usize>)> {
    let mut out: Vec<(usize, Vec<usize>, Vec<usize>)> = Vec::new();
    for i in (0..api.operations.len()).filter(|&i| included(i)) {
        for (n, &section) in api.operations[i].sections.iter().enumerate() {
            let pos = match out.iter().position(|(s, ..)| *s == section) {
                Some(p) => p,
                None => {
                    out.push((section, Vec::new(), Vec::new()));
                    out.len() - 1
                }
            };
            if !out[pos].1.contains(&i) {
                out[pos].1.push(i);
            }
            if n == 0 {
                out[pos].2.push(i);
            }
        }
    }
    out.into_iter()
        .map(|(s, ops, first)| {
            let s = &api.sections[s];
            (s.title.clone(), s.file.clone(), ops, first)
        })
        .collect()
}

/// Template values of operations and types, built once for both skills.
#[derive(Default)]
pub struct Views {
    ops: BTreeMap<usize, Value>,
    types: BTreeMap<TypeId, Value>,
}

impl Views {
    fn op(&mut self, model: &Model<'_>, i: usize) -> Value {
        self.ops
            .entry(i)
            .or_insert_with(|| Value::from(minijinja::value::Serde(op_view(model, i))))
            .clone()
    }

    fn type_(&mut self, api: &Api, id: TypeId) -> Value {
        self.types
            .entry(id)
            .or_insert_with(|| Value::from(minijinja::value::Serde(type_view(api, id))))
            .clone()
    }
}

/// Render one skill: relative path (under `agent/`) -> contents. `views` carries what both
/// skills show from one to the other.
pub fn render(
    model: &Model<'_>,
    templates: &Templates,
    read_only: bool,
    views: &mut Views,
) -> Result<BTreeMap<String, String>, String> {
    let api = model.api;
    let name = if read_only {
        readonly_name(&model.skill_name)
    } else {
        model.skill_name.clone()
    };
    let root = format!("skills/{name}");
    let included = |i: usize| !read_only || api.operations[i].safety.read_only_safe();
    let included_ops: Vec<usize> = (0..api.operations.len()).filter(|&i| included(i)).collect();
    let mut files = BTreeMap::new();

    let refs = references(model, templates, &name, read_only, &included, views)?;
    for (file, text) in refs.files {
        files.insert(format!("{root}/references/{file}.md"), text);
    }
    // A webhooks-only API has no operations to index or types of operations to describe (its
    // payload types are in the webhooks reference).
    if !included_ops.is_empty() || api.webhooks.is_empty() {
        let index = IndexView {
            title: api.info.title.clone(),
            version: api.info.version.clone(),
            skill: name.clone(),
            read_only,
            operations: included_ops.len(),
            groups: refs.index,
        };
        files.insert(
            format!("{root}/references/index.md"),
            templates.render("index.md.j2", &index)?,
        );
        let types = TypesView {
            title: api.info.title.clone(),
            skill: name.clone(),
            types: reachable_types(api, &included_ops)
                .into_iter()
                .map(|id| views.type_(api, id))
                .collect(),
        };
        files.insert(
            format!("{root}/references/types.md"),
            templates.render("types.md.j2", &types)?,
        );
    }

    let count = |c: SafetyClass| {
        included_ops
            .iter()
            .filter(|&&i| api.operations[i].safety.class == c)
            .count()
    };
    let example = example_operation(api, &included_ops).map(|i| &api.operations[i]);
    let example_field = |f: fn(&Operation) -> String| example.map(f).unwrap_or_default();
    let view = SkillView {
        name: name.clone(),
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        description: skill_description(model, read_only),
        compatibility: format!(
            "Needs HTTPS access to {} and a secret key in {}.",
            clean(&api.info.default_base_url),
            api.info.key_env_var
        ),
        generator: format!("agentgen {}", env!("CARGO_PKG_VERSION")),
        read_only,
        full_name: model.skill_name.clone(),
        readonly_name: readonly_name(&model.skill_name),
        base_url: api.info.default_base_url.clone(),
        key_env: api.info.key_env_var.clone(),
        version_header: api.info.version_header.clone(),
        key_prefixes: model
            .data
            .auth
            .key_prefixes
            .iter()
            .map(|(p, e)| KeyPrefix {
                prefix: p.clone(),
                environment: e.clone(),
            })
            .collect(),
        crate_name: api.info.crate_name.replace('-', "_"),
        operations: included_ops.len(),
        withheld: if read_only {
            withheld_tools(model)
        } else {
            Vec::new()
        },
        read: count(SafetyClass::Read),
        write: count(SafetyClass::Write),
        destructive: count(SafetyClass::Destructive),
        groups: refs.summaries,
        workflows: workflow_views(model, &included),
        gotchas: skill_gotchas(model, &included),
        example_tool: example_field(|op| op.tool_name.clone()),
        example_operation_id: example_field(|op| op.operation_id.clone()),
        example_method: example_field(|op| op.http_method.as_str().to_string()),
        example_path: example_field(|op| op.path.clone()),
        example_group: example.map_or_else(String::new, |op| api.groups[op.group].module.clone()),
        example_method_name: example_field(|op| op.method_name.clone()),
        has_workflows_file: !model.data.workflows.is_empty(),
        webhook_events: api.webhooks.len(),
        webhook_secret_env: api.webhook_names.secret_env.clone(),
    };
    files.insert(
        format!("{root}/SKILL.md"),
        templates.render("skill.md.j2", &view)?,
    );
    Ok(files)
}

/// A skill's reference files of its tags, and what `SKILL.md` and the index say of them.
struct References {
    /// File stem (under `references/`) -> contents.
    files: Vec<(String, String)>,
    /// One per tag, for `SKILL.md`.
    summaries: Vec<GroupSummary>,
    /// The index's sections: each operation once, under its first tag.
    index: Vec<IndexGroup>,
}

/// One reference file per tag (an operation with two tags is in both files); the index lists
/// every operation once, under its first tag, linking to that tag's file.
fn references(
    model: &Model<'_>,
    templates: &Templates,
    skill: &str,
    read_only: bool,
    included: &dyn Fn(usize) -> bool,
    views: &mut Views,
) -> Result<References, String> {
    let api = model.api;
    let mut refs = References {
        files: Vec::new(),
        summaries: Vec::new(),
        index: Vec::new(),
    };
    for (tag, file, ops, first) in tag_sections(api, included) {
        let description = api
            .groups
            .iter()
            .find(|g| g.title == tag)
            .and_then(|g| g.description.clone());
        refs.summaries.push(GroupSummary {
            name: file.clone(),
            title: tag.clone(),
            summary: first_line(description.as_deref(), 120),
            operations: ops.len(),
            read: ops
                .iter()
                .filter(|&&i| api.operations[i].safety.class == SafetyClass::Read)
                .count(),
            file: format!("references/{file}.md"),
        });
        if !first.is_empty() {
            refs.index.push(IndexGroup {
                name: file.clone(),
                title: tag.clone(),
                ops: first.iter().map(|&i| index_line(&model.specs[i])).collect(),
            });
        }
        let view = GroupView {
            name: file.clone(),
            title: tag,
            description: description.unwrap_or_default(),
            skill: skill.to_string(),
            read_only,
            ops: ops.iter().map(|&i| views.op(model, i)).collect(),
        };
        refs.files
            .push((file, templates.render("group.md.j2", &view)?));
    }
    Ok(refs)
}

/// An operation's line in the index.
fn index_line(s: &OperationSpec) -> IndexLine {
    IndexLine {
        name: s.name.clone(),
        method: s.http.method.clone(),
        path: s.http.path.clone(),
        class: s.safety.class.clone(),
        title: s.title.clone(),
        deprecated: s.deprecated,
        credential: s.safety.credential.is_some(),
    }
}

/// The reviewed workflows a skill shows: those it has every step of.
fn workflow_views(model: &Model<'_>, included: &dyn Fn(usize) -> bool) -> Vec<WorkflowView> {
    let api = model.api;
    let step = |(i, s): (usize, &super::data::Step)| StepView {
        tool: api.operations[i].tool_name.clone(),
        class: model.specs[i].safety.class.clone(),
        description: s.description.clone().unwrap_or_default(),
    };
    model
        .workflows(included)
        .into_iter()
        .map(|(w, steps)| WorkflowView {
            id: w.id.clone(),
            summary: w.summary.clone(),
            description: w.description.clone().unwrap_or_default(),
            steps: steps.into_iter().map(step).collect(),
        })
        .collect()
}

/// The reviewed gotchas whose operations the skill has, then the derived ones.
fn skill_gotchas(model: &Model<'_>, included: &dyn Fn(usize) -> bool) -> Vec<String> {
    let mut gotchas = model.reviewed_gotchas(included);
    gotchas.extend(derived_gotchas(model, included));
    gotchas
}

/// The example call of `SKILL.md`: a read list operation of the largest group (else any
/// read, else any).
fn example_operation(api: &Api, included_ops: &[usize]) -> Option<usize> {
    let group_size = |i: usize| api.groups[api.operations[i].group].operations.len();
    included_ops.iter().copied().min_by_key(|&i| {
        let op = &api.operations[i];
        (
            op.safety.class != SafetyClass::Read,
            op.pagination.is_none(),
            std::cmp::Reverse(group_size(i)),
            i,
        )
    })
}

/// The read operations a read-only skill withholds because they return a credential, in
/// the model's order.
fn withheld_tools(model: &Model<'_>) -> Vec<String> {
    model.tools_where(|i| {
        let safety = &model.api.operations[i].safety;
        safety.class == SafetyClass::Read && safety.credential.is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_compile() {
        Templates::new(&BTreeMap::new()).unwrap();
    }

    #[test]
    fn undefined_variables_are_errors() {
        let t = Templates::new(&BTreeMap::new()).unwrap();
        let e = t.render("skill.md.j2", &serde_json::json!({})).unwrap_err();
        assert!(e.contains("undefined"), "{e}");
    }

    #[test]
    fn tidy_collapses_blank_runs() {
        assert_eq!(tidy("a  \n\n\n\nb\n\n"), "a\n\nb\n");
    }
}
