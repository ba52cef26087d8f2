//! The AgentSpec documents, typed: `agentspec.json` (the manifest) and `ops/<tool>.json` (one
//! per operation, a superset of an MCP `Tool`). Their JSON Schema is
//! `schemas/agentspec.schema.json`; field names are camelCase like MCP's.

use super::schema::Schema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Version of the AgentSpec format written by this generator.
pub const AGENTSPEC_VERSION: &str = "0.2";

/// `agentspec.json`: the API, its auth, and an index of every operation and document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// Format version (`0.2`).
    pub agentspec: String,
    /// Always `manifest`.
    pub kind: String,
    /// Name of the document set (the skill name, kebab-case).
    pub name: String,
    /// Display title.
    pub title: String,
    /// What the API is for and when to use it.
    pub description: String,
    /// The API described.
    pub api: ApiSection,
    /// How to authenticate.
    pub auth: AuthSection,
    /// What wrote the documents.
    pub generator: GeneratorSection,
    /// Operation counts by safety class.
    pub counts: Counts,
    /// Operation groups, in order.
    pub groups: Vec<GroupEntry>,
    /// Every operation, grouped, in order.
    pub operations: Vec<OperationEntry>,
    /// Tool definition files, by runtime.
    pub tools: ToolFiles,
    /// The Agent Skill folders.
    pub skills: Vec<SkillEntry>,
    /// The Arazzo workflows document, when there are reviewed workflows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflows: Option<String>,
    /// The webhook events the API sends and how to verify them, when it sends any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<WebhooksSection>,
    /// Reviewed search vocabulary of the API, when there is any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchSection>,
}

/// Search vocabulary of the API, for tools that find operations by words (the MCP server's
/// `search_operations`, `agentgen search`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchSection {
    /// Groups of words or phrases that mean the same thing when choosing an operation.
    pub synonyms: Vec<Vec<String>>,
}

/// The API described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiSection {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Server URL requests go to.
    pub base_url: String,
    /// Header that carries `version` on every request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_header: Option<String>,
    /// The OpenAPI document the documents were generated from.
    pub openapi: OpenApiSource,
}

/// The OpenAPI document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpenApiSource {
    /// Where it is published (the pinned URL), else its file name.
    pub location: String,
    /// sha256 of its bytes, lower-case hex.
    pub sha256: String,
}

/// How to authenticate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthSection {
    /// `http-bearer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Environment variable holding the secret key.
    pub env: String,
    /// Request header.
    pub header: String,
    /// Scheme in front of the key (`Bearer`).
    pub scheme: String,
    /// Key prefix -> environment it belongs to (`sk_live_` -> `production`).
    pub key_prefixes: BTreeMap<String, String>,
    /// The key must never be printed, logged or put in a URL.
    pub never_log: bool,
}

/// What wrote the documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorSection {
    /// `agentgen`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Operation counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Counts {
    /// All operations.
    pub operations: usize,
    /// Class `read`.
    pub read: usize,
    /// Class `write`.
    pub write: usize,
    /// Class `destructive`.
    pub destructive: usize,
    /// `openWorldHint: true`.
    pub open_world: usize,
    /// Operations that return a credential (`safety.credential`).
    pub credentials: usize,
}

/// One operation group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupEntry {
    /// Group name (the client module, snake_case).
    pub name: String,
    /// Display title.
    pub title: String,
    /// Description from the spec's tag, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Number of operations.
    pub operations: usize,
    /// Reference file of the full skill (relative to `agent/`).
    pub reference: String,
}

/// One operation in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperationEntry {
    /// Tool name.
    pub name: String,
    /// `operationId` in the spec.
    pub operation_id: String,
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Group name.
    pub group: String,
    /// `read`, `write` or `destructive`.
    pub class: String,
    /// It returns a secret or credential (see the operation's `safety.credential`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credential: bool,
    /// The operation's document (relative to `agent/`).
    pub file: String,
}

/// Tool definition files (relative to `agent/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolFiles {
    /// MCP `tools/list` result.
    pub mcp: String,
    /// OpenAI function tools.
    pub openai: String,
    /// Anthropic tools.
    pub anthropic: String,
    /// Gemini function declarations.
    pub gemini: String,
}

/// One Agent Skill folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SkillEntry {
    /// Skill name (equals the folder name).
    pub name: String,
    /// Folder (relative to `agent/`).
    pub path: String,
    /// Lists only `read` operations.
    pub read_only: bool,
    /// Number of operations it lists.
    pub operations: usize,
}

/// `ops/<tool>.json`: one operation; the MCP `Tool` fields plus the HTTP binding and safety.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperationSpec {
    /// Format version (`0.2`).
    pub agentspec: String,
    /// Always `operation`.
    pub kind: String,
    /// Tool name (`users_list`): the same in every document.
    pub name: String,
    /// Display title.
    pub title: String,
    /// What it does, what it returns, how it pages (at most 1,024 characters).
    pub description: String,
    /// JSON Schema 2020-12 of the input: parameters by wire name, plus `body`.
    pub input_schema: Schema,
    /// JSON Schema 2020-12 of the output as MCP structured content (an object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Schema>,
    /// MCP tool annotations, all explicit.
    pub annotations: Annotations,
    /// `operationId` in the spec.
    pub operation_id: String,
    /// Group name.
    pub group: String,
    /// Tags in the spec.
    pub tags: Vec<String>,
    /// Deprecated in the spec.
    pub deprecated: bool,
    /// How the input becomes an HTTP request.
    pub http: Http,
    /// How the response becomes the output.
    pub output: Output,
    /// Safety classification.
    pub safety: SafetySection,
    /// Paging, for list operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationSection>,
    /// Declared error statuses.
    pub errors: Vec<u16>,
    /// Valid inputs.
    pub examples: Vec<Example>,
    /// The generated Rust client's method.
    pub rust: RustSection,
    /// Where it is in the spec.
    pub source: Source,
}

/// MCP `ToolAnnotations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Annotations {
    /// Display title.
    pub title: String,
    /// Class `read`.
    pub read_only_hint: bool,
    /// Class `destructive`.
    pub destructive_hint: bool,
    /// Repeating the call has no further effect.
    pub idempotent_hint: bool,
    /// Reaches people or third parties (emails, SMS, other services).
    pub open_world_hint: bool,
}

/// The HTTP binding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Http {
    /// Method.
    pub method: String,
    /// Path template relative to the base URL.
    pub path: String,
    /// Sends the bearer key.
    pub auth: bool,
    /// Parameters: input keys that go to the path, query or headers.
    pub params: Vec<HttpParam>,
    /// The `body` input key, when the operation takes a body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<HttpBody>,
    /// Status of a successful response (0 when the spec declares none).
    pub success_status: u16,
    /// `json`, `empty`, `text` or `bytes`.
    pub response: String,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpParam {
    /// Wire name (= input key).
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    /// Required.
    pub required: bool,
    /// Arrays: repeated keys (`true`) or one joined value (`false`).
    pub explode: bool,
    /// Arrays that are not exploded: the delimiter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
}

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpBody {
    /// Media type.
    pub content_type: String,
    /// `json`, `form`, `multipart` or `bytes`.
    pub encoding: String,
    /// Required.
    pub required: bool,
}

/// How the response maps to the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Output {
    /// In MCP structured content, a non-object response is wrapped under this key (`items`
    /// for arrays, `value` otherwise); absent when the response is an object or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap: Option<String>,
    /// What comes back, in words.
    pub summary: String,
}

/// Safety classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SafetySection {
    /// `read`, `write` or `destructive`.
    pub class: String,
    /// Repeating the call has no further effect.
    pub idempotent: bool,
    /// Why the class differs from the HTTP-method default (reviewed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who or what outside the API it reaches (reviewed), when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world: Option<String>,
    /// The secret or credential it returns, when it does: withheld from connections without
    /// `allow_secrets`, and absent from read-only skills and clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialSection>,
    /// Ask the user first: `never`, `recommended` or `required`.
    pub confirm: String,
}

/// What secret or credential an operation returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialSection {
    /// What it returns, in words.
    pub reason: String,
    /// `reviewed` (the safety file) or `heuristic` (credential-like response fields).
    pub source: String,
    /// Response fields that look like credentials (`secret`, `data[].api_key`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// How a list operation pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaginationSection {
    /// `offset` or `cursor`.
    pub strategy: String,
    /// Page-size parameter.
    pub limit_param: String,
    /// Largest page size, if declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_limit: Option<u64>,
    /// Offset parameter (offset strategy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_param: Option<String>,
    /// Cursor parameter that starts after an item, if the operation takes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_param: Option<String>,
    /// Item property whose value is the cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_field: Option<String>,
    /// Property of the response with the items; absent when the response is the array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_field: Option<String>,
    /// Property of the response with the total count, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_field: Option<String>,
}

/// A valid input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Example {
    /// What it shows.
    pub title: String,
    /// The input (validates against `inputSchema`).
    pub input: Value,
}

/// The generated Rust client's method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RustSection {
    /// Crate name.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Group accessor.
    pub group: String,
    /// Method.
    pub method: String,
    /// Paging stream method, for list operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
}

/// Where the operation is in the spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    /// JSON pointer.
    pub pointer: String,
}

/// `webhooks` of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhooksSection {
    /// Every event type, in spec order.
    pub events: Vec<WebhookEventEntry>,
    /// JSON Schema of each payload type (the envelope's `data`), by payload name.
    pub payloads: BTreeMap<String, Schema>,
    /// The envelope around every payload.
    pub envelope: Value,
    /// How to verify that a delivery is genuine.
    pub verification: Verification,
    /// The skill reference describing the events (relative to the manifest).
    pub reference: String,
}

/// One event type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEventEntry {
    /// The `type` of the body (`user.created`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// Variant of the Rust client's `webhooks::Event`.
    pub rust_variant: String,
    /// Key of [`WebhooksSection::payloads`] with the schema of `data`.
    pub payload: String,
    /// What happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The signature scheme (Svix / Standard Webhooks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Verification {
    /// `standard-webhooks` (what Svix sends).
    pub scheme: String,
    /// Header names: id, timestamp, signature (`svix-*`).
    pub headers: Vec<String>,
    /// The same headers under their Standard Webhooks names (`webhook-*`).
    pub alternate_headers: Vec<String>,
    /// `HMAC-SHA256`.
    pub algorithm: String,
    /// What is signed: `{id}.{timestamp}.{body}` with the raw body.
    pub signed_content: String,
    /// The secret's form and how to get the key from it.
    pub secret: String,
    /// Environment variable holding the secret.
    pub secret_env: String,
    /// The signature header's form.
    pub signature: String,
    /// Largest accepted distance between the timestamp and now, in seconds.
    pub tolerance_seconds: u64,
    /// The secret is never logged or shown.
    pub never_log: bool,
}
