//! The AgentSpec manifest (`agentspec.json`): the API, its auth, the skills, the operation
//! index by safety class, the workflows, the webhooks and the search synonyms.

use super::agentspec::*;
use super::model::{readonly_name, Model};
use super::{skill, webhooks};
use crate::ir::SafetyClass;

/// The manifest of `model`'s documents; `workflows`: the path of the Arazzo file, if any.
pub fn manifest(model: &Model<'_>, workflows: Option<String>) -> Manifest {
    let api = model.api;
    let count = |c: SafetyClass| {
        api.operations
            .iter()
            .filter(|o| o.safety.class == c)
            .count()
    };
    let full = format!("skills/{}", model.skill_name);
    Manifest {
        agentspec: AGENTSPEC_VERSION.to_string(),
        kind: "manifest".to_string(),
        name: model.skill_name.clone(),
        title: api.info.title.clone(),
        description: skill::skill_description(model, false),
        api: ApiSection {
            title: api.info.title.clone(),
            version: api.info.version.clone(),
            base_url: api.info.default_base_url.clone(),
            version_header: api.info.version_header.clone(),
            openapi: OpenApiSource {
                location: model.spec_location.clone(),
                sha256: model.spec_sha256.clone(),
            },
        },
        auth: AuthSection {
            kind: "http-bearer".to_string(),
            env: api.info.key_env_var.clone(),
            header: "Authorization".to_string(),
            scheme: "Bearer".to_string(),
            key_prefixes: model.data.auth.key_prefixes.clone(),
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
            open_world: model
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
        operations: model
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
                name: model.skill_name.clone(),
                path: full,
                read_only: false,
                operations: api.operations.len(),
            },
            SkillEntry {
                name: readonly_name(&model.skill_name),
                path: format!("skills/{}", readonly_name(&model.skill_name)),
                read_only: true,
                operations: api
                    .operations
                    .iter()
                    .filter(|o| o.safety.read_only_safe())
                    .count(),
            },
        ],
        workflows,
        webhooks: webhooks::section(model),
        search: (!model.data.search.synonyms.is_empty()).then(|| SearchSection {
            synonyms: model.data.search.synonyms.clone(),
        }),
    }
}
