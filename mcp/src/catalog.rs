//! The operations, as plain data, deserialized from the AgentSpec documents that agentgen
//! writes under `agent/`: `agentspec.json` (the manifest) and `ops/<tool>.json`. Unknown
//! fields are ignored so that newer documents still load; missing ones are errors that name
//! the file and the field.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// `agentspec.json`, the parts the server uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Document set name (kebab-case).
    pub name: String,
    /// Display title.
    pub title: String,
    /// What the API is for.
    pub description: String,
    /// The API.
    pub api: ApiSection,
    /// Authentication.
    pub auth: AuthSection,
    /// Operation groups, in order.
    pub groups: Vec<GroupEntry>,
    /// Every operation, in order.
    pub operations: Vec<OperationEntry>,
    /// The API's reviewed search vocabulary (absent: none).
    #[serde(default)]
    pub search: SearchSection,
}

/// The API's search vocabulary.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchSection {
    /// Groups of words or phrases that mean the same thing when choosing an operation.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
}

/// The API described.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiSection {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Server URL.
    pub base_url: String,
    /// Header carrying `version`, if any.
    #[serde(default)]
    pub version_header: Option<String>,
}

/// Authentication.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthSection {
    /// Environment variable holding the secret key.
    pub env: String,
    /// Key prefix -> environment.
    #[serde(default)]
    pub key_prefixes: BTreeMap<String, String>,
}

/// One group.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupEntry {
    /// Name (snake_case).
    pub name: String,
    /// Display title.
    pub title: String,
}

/// One operation in the manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationEntry {
    /// Tool name.
    pub name: String,
    /// Its document, relative to `agent/`.
    pub file: String,
}

/// `ops/<tool>.json`: one operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Tool name.
    pub name: String,
    /// Display title.
    pub title: String,
    /// What it does.
    pub description: String,
    /// JSON Schema of the input (parameters by wire name, plus `body`).
    pub input_schema: Value,
    /// JSON Schema of the output (absent: `null`).
    #[serde(default)]
    pub output_schema: Value,
    /// MCP tool annotations.
    pub annotations: Annotations,
    /// `operationId`.
    pub operation_id: String,
    /// Group name.
    pub group: String,
    /// Deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// The HTTP binding.
    pub http: Http,
    /// Response -> output.
    pub output: Output,
    /// Safety.
    pub safety: Safety,
    /// Paging, for list operations.
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// Valid inputs.
    #[serde(default)]
    pub examples: Vec<Example>,
}

/// MCP tool annotations.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    /// Display title.
    pub title: String,
    /// Reads only.
    pub read_only_hint: bool,
    /// Hard to undo.
    pub destructive_hint: bool,
    /// Safe to repeat.
    pub idempotent_hint: bool,
    /// Reaches people or third parties.
    pub open_world_hint: bool,
}

/// The HTTP binding.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http {
    /// Method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Sends the key.
    pub auth: bool,
    /// Parameters.
    pub params: Vec<HttpParam>,
    /// The `body` input key, if any.
    #[serde(default)]
    pub body: Option<HttpBody>,
    /// `json`, `empty`, `text` or `bytes`.
    pub response: String,
}

/// One parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpParam {
    /// Wire name (= input key).
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    /// Required.
    pub required: bool,
    /// Arrays: repeated keys.
    pub explode: bool,
    /// Arrays not exploded: the delimiter.
    #[serde(default)]
    pub delimiter: Option<String>,
}

/// The request body.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpBody {
    /// Media type.
    pub content_type: String,
    /// `json`, `form`, `multipart` or `bytes`.
    pub encoding: String,
    /// Required.
    pub required: bool,
}

/// Response -> output.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// What comes back, in words.
    pub summary: String,
}

/// Safety.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Safety {
    /// The class.
    pub class: Class,
    /// Safe to repeat.
    pub idempotent: bool,
    /// Ask first: `never`, `recommended`, `required`.
    pub confirm: String,
    /// The secret or credential it returns, when it does.
    #[serde(default)]
    pub credential: Option<Credential>,
}

/// Safety class, ordered from least to most harmful (a ceiling compares with `<=`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// No side effects.
    Read,
    /// Creates or changes data.
    Write,
    /// Deletes, revokes, bans: hard or impossible to undo.
    Destructive,
}

impl Class {
    /// `read`, `write` or `destructive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "write",
            Class::Destructive => "destructive",
        }
    }
}

/// What secret or credential an operation returns.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    /// What it returns, in words.
    pub reason: String,
}

/// Paging.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// `offset` or `cursor`.
    pub strategy: String,
    /// Page-size parameter.
    pub limit_param: String,
    /// Largest page size, if declared.
    #[serde(default)]
    pub max_limit: Option<u64>,
    /// Offset parameter.
    #[serde(default)]
    pub offset_param: Option<String>,
    /// Cursor parameter.
    #[serde(default)]
    pub cursor_param: Option<String>,
    /// Item property holding the cursor.
    #[serde(default)]
    pub cursor_field: Option<String>,
    /// Response property with the items (absent: the response is the array).
    #[serde(default)]
    pub items_field: Option<String>,
    /// Response property with the total count.
    #[serde(default)]
    pub total_field: Option<String>,
}

/// A valid input.
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    /// What it shows.
    pub title: String,
    /// The input.
    pub input: Value,
}

impl Operation {
    /// Class `read`.
    pub fn is_read(&self) -> bool {
        self.safety.class == Class::Read
    }
}

/// The manifest and every operation, in manifest order.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The manifest.
    pub manifest: Manifest,
    /// The operations.
    pub operations: Vec<Operation>,
}

fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        format!("{file}: at `{path}`: {}", e.into_inner())
    })
}

impl Catalog {
    /// From the documents by path relative to `agent/` (`agentspec.json`, `ops/<tool>.json`),
    /// as `agentgen` generates them.
    pub fn from_documents(files: &BTreeMap<String, String>) -> Result<Catalog, String> {
        let text = files
            .get("agentspec.json")
            .ok_or("the agent documents have no agentspec.json")?;
        let manifest: Manifest = parse("agentspec.json", text)?;
        let mut operations = Vec::with_capacity(manifest.operations.len());
        for entry in &manifest.operations {
            let text = files.get(&entry.file).ok_or_else(|| {
                format!(
                    "agentspec.json lists {} but the documents have no {}",
                    entry.name, entry.file
                )
            })?;
            let op: Operation = parse(&entry.file, text)?;
            if op.name != entry.name {
                return Err(format!(
                    "{}: at `name`: `{}` but agentspec.json calls it `{}`",
                    entry.file, op.name, entry.name
                ));
            }
            operations.push(op);
        }
        Ok(Catalog {
            manifest,
            operations,
        })
    }

    /// From a directory written by `agentgen generate` (its `agent/` folder).
    pub fn from_dir(dir: &Path) -> Result<Catalog, String> {
        let read = |rel: &str| {
            std::fs::read_to_string(dir.join(rel))
                .map_err(|e| format!("{}: {e}", dir.join(rel).display()))
        };
        let mut files = BTreeMap::new();
        let manifest_text = read("agentspec.json")?;
        let manifest: Manifest = parse("agentspec.json", &manifest_text)?;
        for entry in &manifest.operations {
            files.insert(entry.file.clone(), read(&entry.file)?);
        }
        files.insert("agentspec.json".to_string(), manifest_text);
        Catalog::from_documents(&files)
    }

    /// The operation with this tool name.
    pub fn get(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.name == name)
    }

    /// The group names, in order.
    pub fn group_names(&self) -> Vec<&str> {
        self.manifest
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect()
    }
}
