//! The MCP server: tools, read-only enforcement, argument checks, results and errors.

use crate::backend::{Backend, CallError};
use crate::catalog::{Catalog, Operation};
use crate::output::{self, Limits};
use crate::policy::Policy;
use crate::redact::redact;
use crate::search::Index;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Which tools the server lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Three meta-tools: `search_operations`, `describe_operation`, `call_operation`.
    #[default]
    Progressive,
    /// One tool per operation.
    Full,
}

/// Meta-tool names (progressive mode).
pub const SEARCH: &str = "search_operations";
/// Meta-tool names (progressive mode).
pub const DESCRIBE: &str = "describe_operation";
/// Meta-tool names (progressive mode).
pub const CALL: &str = "call_operation";

/// How the server behaves for one connection.
#[derive(Clone, Default)]
pub struct Settings {
    /// Tools listed.
    pub mode: Mode,
    /// Only these groups (empty: all).
    pub groups: Vec<String>,
    /// What the connection may do: operations it refuses are neither listed, found,
    /// described nor called.
    pub policy: Policy,
    /// The connection prompt, sent as the server instructions.
    pub instructions: String,
    /// Page sizes.
    pub limits: Limits,
    /// The secret key, only to scrub it from everything the server writes.
    pub secret: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("mode", &self.mode)
            .field("groups", &self.groups)
            .field("policy", &self.policy)
            .field("limits", &self.limits)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// The server. Cheap to clone.
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
}

struct Inner {
    catalog: Catalog,
    settings: Settings,
    backend: Arc<dyn Backend>,
    /// Indices of the operations this connection may see and call.
    visible: Vec<usize>,
    /// The search index over the visible operations.
    index: Index,
    tools: Vec<Tool>,
}

fn tool(value: Value) -> Tool {
    serde_json::from_value(value).expect("tool definitions built here have the MCP shape")
}

impl Server {
    /// A server for `catalog` under `settings`, calling through `backend`. Fails when a
    /// requested group does not exist.
    pub fn new(
        catalog: Catalog,
        settings: Settings,
        backend: Arc<dyn Backend>,
    ) -> Result<Server, String> {
        let known = catalog.group_names();
        for g in &settings.groups {
            if !known.contains(&g.as_str()) {
                return Err(format!(
                    "unknown group `{g}`; the groups are: {}",
                    known.join(", ")
                ));
            }
        }
        let visible: Vec<usize> = catalog
            .operations
            .iter()
            .enumerate()
            .filter(|(_, op)| {
                settings.policy.permits(op)
                    && (settings.groups.is_empty() || settings.groups.contains(&op.group))
            })
            .map(|(i, _)| i)
            .collect();
        let index = Index::new(&catalog, &visible);
        let mut inner = Inner {
            catalog,
            settings,
            backend,
            visible,
            index,
            tools: Vec::new(),
        };
        inner.tools = match inner.settings.mode {
            Mode::Full => inner.full_tools(),
            Mode::Progressive => inner.meta_tools(),
        };
        Ok(Server {
            inner: Arc::new(inner),
        })
    }

    /// The tools listed.
    pub fn tools(&self) -> &[Tool] {
        &self.inner.tools
    }

    /// Names of the operations this connection may see and call.
    pub fn visible_operations(&self) -> Vec<&str> {
        self.inner
            .visible
            .iter()
            .map(|&i| self.inner.catalog.operations[i].name.as_str())
            .collect()
    }

    /// The server instructions: the connection prompt plus how this server works.
    pub fn instructions(&self) -> String {
        self.inner.instructions()
    }

    /// Handle `tools/call`. Never fails: problems come back as tool errors (`isError`), and
    /// nothing in the result contains the secret key.
    pub async fn call(&self, name: &str, arguments: Option<Map<String, Value>>) -> CallToolResult {
        let inner = &self.inner;
        let args = arguments.unwrap_or_default();
        let result = match (inner.settings.mode, name) {
            (Mode::Progressive, SEARCH) => inner.search(&args),
            (Mode::Progressive, DESCRIBE) => inner.describe(&args),
            (Mode::Progressive, CALL) => match split_call(&args) {
                Ok(c) => inner.call_operation(&c.name, c.arguments, &c.fields).await,
                Err(e) => Err(e),
            },
            (Mode::Progressive, other) => Err(inner.unknown(other)),
            (Mode::Full, op) => inner.call_operation(op, args, &[]).await,
        };
        let secret = inner.settings.secret.as_deref();
        match result {
            Ok(value) => {
                let text = serde_json::to_string(&value).unwrap_or_default();
                CallToolResult::success(vec![ContentBlock::text(redact(&text, secret))])
            }
            Err(e) => {
                let mut blocks = vec![ContentBlock::text(redact(&e.message(), secret))];
                if matches!(e, CallError::Api { .. }) {
                    let text = serde_json::to_string(&e.to_json()).unwrap_or_default();
                    blocks.push(ContentBlock::text(redact(&text, secret)));
                }
                CallToolResult::error(blocks)
            }
        }
    }
}

/// `call_operation`'s arguments: `name`, `arguments` and `fields`.
struct Call {
    name: String,
    arguments: Map<String, Value>,
    fields: Vec<String>,
}

/// Most fields a `fields` selection may name.
const MAX_FIELDS: usize = 50;

fn split_call(args: &Map<String, Value>) -> Result<Call, CallError> {
    let name = match args.get("name") {
        Some(Value::String(n)) => n.clone(),
        Some(_) => return Err(CallError::InvalidInput("`name` must be a string".into())),
        None => {
            return Err(CallError::InvalidInput(
                "`name` is required: the operation to call (see search_operations)".into(),
            ))
        }
    };
    if let Some(extra) = args
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "arguments" | "fields"))
    {
        return Err(CallError::InvalidInput(format!(
            "unknown field `{extra}`: call_operation takes `name`, `arguments` and `fields`"
        )));
    }
    let arguments = match args.get("arguments") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(CallError::InvalidInput(
                "`arguments` must be an object".into(),
            ))
        }
    };
    let fields = match args.get("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_FIELDS => items
            .iter()
            .map(|f| match f.as_str() {
                Some(f) if !f.is_empty() && !f.split('.').any(str::is_empty) => Ok(f.to_string()),
                _ => Err(CallError::InvalidInput(
                    "`fields` must list field names or dotted paths such as `id` or `email_addresses.email_address`".into(),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(CallError::InvalidInput(format!(
                "`fields` must be an array of at most {MAX_FIELDS} field names"
            )))
        }
    };
    Ok(Call {
        name,
        arguments,
        fields,
    })
}

impl Inner {
    fn visible_ops(&self) -> impl Iterator<Item = &Operation> {
        self.visible.iter().map(|&i| &self.catalog.operations[i])
    }

    fn is_visible(&self, name: &str) -> bool {
        self.visible_ops().any(|o| o.name == name)
    }

    fn unknown(&self, name: &str) -> CallError {
        let hint = match self.settings.mode {
            Mode::Progressive => "use search_operations to find operations",
            Mode::Full => "see tools/list",
        };
        CallError::InvalidInput(format!("there is no tool or operation `{name}`; {hint}"))
    }

    fn full_tools(&self) -> Vec<Tool> {
        self.visible_ops()
            .map(|op| {
                let a = &op.annotations;
                tool(json!({
                    "name": op.name,
                    "title": op.title,
                    "description": op.description,
                    "inputSchema": output::listed_schema(op, &self.settings.limits),
                    "annotations": {
                        "title": a.title,
                        "readOnlyHint": a.read_only_hint,
                        "destructiveHint": a.destructive_hint,
                        "idempotentHint": a.idempotent_hint,
                        "openWorldHint": a.open_world_hint,
                    }
                }))
            })
            .collect()
    }

    fn meta_tools(&self) -> Vec<Tool> {
        let mut groups: Vec<&str> = Vec::new();
        for op in self.visible_ops() {
            if !groups.contains(&op.group.as_str()) {
                groups.push(&op.group);
            }
        }
        let writes = self.visible_ops().any(|o| !o.is_read());
        let destructive = self.visible_ops().any(|o| o.annotations.destructive_hint);
        let open_world = self.visible_ops().any(|o| o.annotations.open_world_hint);
        let api = &self.catalog.manifest.title;
        let n = self.visible.len();
        vec![
            tool(json!({
                "name": SEARCH,
                "title": format!("Search {api} operations"),
                "description": format!("Find operations of {api} ({n} available{}) by what you want to do, e.g. `find user by email` or `ban user_2abc...`: ranked by relevance over names, titles, descriptions, parameters and response fields, with synonyms; IDs and email addresses in the query count. Returns names, safety classes, one-line summaries and why each matched; then use {DESCRIBE} for the input schema and {CALL} to run one.", if self.settings.policy.is_read_only() { ", read-only" } else { "" }),
                "inputSchema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "description": "What to do and to what, in words, e.g. `list users`, `invite someone to an organization`, `sessions of user_2abc...`. Empty lists everything (paged)."},
                        "group": {"type": "string", "description": format!("Only operations of this group, e.g. `{}`.", groups.first().copied().unwrap_or("users"))},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10, "description": "How many results (default 10, at most 50)."},
                        "offset": {"type": "integer", "minimum": 0, "default": 0, "description": "Results to skip."}
                    },
                    "additionalProperties": false
                },
                "annotations": {"title": format!("Search {api} operations"), "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false}
            })),
            tool(json!({
                "name": DESCRIBE,
                "title": "Describe an operation",
                "description": format!("One operation: what it does and returns, its safety class, its input JSON Schema (pass the arguments to {CALL}) and an example."),
                "inputSchema": {
                    "type": "object",
                    "properties": {"name": {"type": "string", "description": format!("Operation name from {SEARCH}, e.g. `users_list`.")}},
                    "required": ["name"],
                    "additionalProperties": false
                },
                "annotations": {"title": "Describe an operation", "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false}
            })),
            tool(json!({
                "name": CALL,
                "title": format!("Call a {api} operation"),
                "description": format!("Call one operation with arguments that follow its input schema (see {DESCRIBE}); `fields` keeps only the fields you need. List operations return at most {} items per call (default {}); `next_page.next_arguments` are the arguments for the next page.{}", self.settings.limits.max_limit, self.settings.limits.default_limit, self.refusal_note()),
                "inputSchema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "Operation name, e.g. `users_list`."},
                        "arguments": {"type": "object", "description": "The operation's arguments (its input schema).", "additionalProperties": true},
                        "fields": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": MAX_FIELDS, "description": "Only these fields of each item (or of the result): names or dotted paths, e.g. [\"id\", \"email_addresses.email_address\"]. Ask only for what the task needs."}
                    },
                    "required": ["name"],
                    "additionalProperties": false
                },
                "annotations": {"title": format!("Call a {api} operation"), "readOnlyHint": !writes, "destructiveHint": destructive, "idempotentHint": false, "openWorldHint": open_world}
            })),
        ]
    }

    /// What `call_operation` refuses on this connection, in one sentence.
    fn refusal_note(&self) -> String {
        let p = &self.settings.policy;
        let mut note = match p.ceiling {
            crate::catalog::Class::Read => {
                " This connection is read-only: operations that change data are refused.".to_string()
            }
            crate::catalog::Class::Write => " This connection's ceiling is `write`: destructive operations are refused. Confirm with the user before operations that change data.".to_string(),
            crate::catalog::Class::Destructive => {
                " Confirm with the user before operations that change or delete data.".to_string()
            }
        };
        if !p.allow_secrets {
            note.push_str(" Operations that return credentials are withheld.");
        }
        note
    }

    fn instructions(&self) -> String {
        let mut text = self.settings.instructions.trim_end().to_string();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str("## This MCP server\n\n");
        match self.settings.mode {
            Mode::Progressive => text.push_str(&format!(
                "Operations are reached through three tools: `{SEARCH}` finds them, `{DESCRIBE}` gives one's input schema, `{CALL}` runs one.\n"
            )),
            Mode::Full => text.push_str("Each operation is one tool.\n"),
        }
        let p = &self.settings.policy;
        match p.ceiling {
            crate::catalog::Class::Read => text.push_str("This connection is read-only (max_class: read): only operations that read data are listed, and any other is refused without being sent.\n"),
            crate::catalog::Class::Write => text.push_str("This connection's ceiling is max_class: write: destructive operations are not listed, and are refused without being sent.\n"),
            crate::catalog::Class::Destructive => {}
        }
        if !p.allow_secrets {
            text.push_str("Operations that return credentials (secrets, tokens, keys) are withheld: not listed, and refused without being sent.\n");
        }
        let l = &self.settings.limits;
        text.push_str(&format!(
            "List operations return {} items per call unless `limit` says otherwise (at most {}); the result's `next_page` gives the arguments for the next page.\n",
            l.default_limit, l.max_limit
        ));
        if !p.allow_private_metadata {
            text.push_str("`private_metadata` is removed from results on this connection.\n");
        }
        text.push_str("Errors from the API come back as tool errors with the HTTP status, the API's error code and message: fix the arguments and retry when the message says how.\n");
        text
    }

    fn search(&self, args: &Map<String, Value>) -> Result<Value, CallError> {
        crate::validate::validate(
            &self.tools[0].input_schema_value(),
            &Value::Object(args.clone()),
        )
        .map_err(CallError::InvalidInput)?;
        let query = args.get("query").and_then(Value::as_str).unwrap_or("");
        let group = args.get("group").and_then(Value::as_str);
        let limit = args.get("limit").and_then(Value::as_u64).unwrap_or(10) as usize;
        let offset = args.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
        Ok(self.index.page(&self.catalog, query, group, offset, limit))
    }

    fn describe(&self, args: &Map<String, Value>) -> Result<Value, CallError> {
        crate::validate::validate(
            &self.tools[1].input_schema_value(),
            &Value::Object(args.clone()),
        )
        .map_err(CallError::InvalidInput)?;
        let name = args.get("name").and_then(Value::as_str).unwrap_or_default();
        let op = self.allowed(name)?;
        // Compact: what the agent needs to call it, once. The full documents (ops/<tool>.json,
        // the skill) keep the long descriptions; arguments are checked against the full schema.
        let mut out = json!({
            "name": op.name,
            "class": op.safety.class,
            "http": format!("{} {}", op.http.method, op.http.path),
            "description": op.description,
            "inputSchema": output::compact_schema(&output::listed_schema(op, &self.settings.limits)),
        });
        if op.safety.confirm != "never" {
            out["confirm"] = json!(op.safety.confirm);
        }
        if op.annotations.open_world_hint {
            out["openWorld"] = json!(true);
        }
        if op.deprecated {
            out["deprecated"] = json!(true);
        }
        if let Some(e) = op.examples.first() {
            out["example"] = e.input.clone();
        }
        Ok(out)
    }

    /// The operation, if this connection may use it; else why not.
    fn allowed(&self, name: &str) -> Result<&Operation, CallError> {
        let Some(op) = self.catalog.get(name) else {
            return Err(self.unknown(name));
        };
        if let Err(refusal) = self.settings.policy.check(op) {
            return Err(CallError::Refused(refusal.message(name)));
        }
        if !self.is_visible(name) {
            return Err(CallError::InvalidInput(format!(
                "`{name}` is in group `{}`, which this server does not serve (groups: {})",
                op.group,
                self.settings.groups.join(", ")
            )));
        }
        Ok(op)
    }

    async fn call_operation(
        &self,
        name: &str,
        mut args: Map<String, Value>,
        fields: &[String],
    ) -> Result<Value, CallError> {
        let op = self.allowed(name)?;
        let schema = output::listed_schema(op, &self.settings.limits);
        crate::validate::validate(&schema, &Value::Object(args.clone()))
            .map_err(CallError::InvalidInput)?;
        output::with_defaults(op, &mut args, &self.settings.limits);
        let body = self.backend.call(op, Value::Object(args.clone())).await?;
        let mut out = output::shape(op, &args, body, self.settings.policy.allow_private_metadata);
        output::select_fields(op, &mut out, fields);
        Ok(out)
    }
}

trait SchemaValue {
    fn input_schema_value(&self) -> Value;
}

impl SchemaValue for Tool {
    fn input_schema_value(&self) -> Value {
        Value::Object((*self.input_schema).clone())
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let m = &self.inner.catalog.manifest;
        let mut implementation = Implementation::new(
            format!("{}-mcp", m.name),
            env!("CARGO_PKG_VERSION").to_string(),
        );
        implementation.title = Some(format!("{} (agentgen MCP server)", m.title));
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation)
            .with_instructions(redact(
                &self.instructions(),
                self.inner.settings.secret.as_deref(),
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.inner.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        Ok(self.call(&request.name, request.arguments).await.into())
    }
}

/// Serve on standard input and output until the client disconnects.
pub async fn serve_stdio(server: Server) -> Result<(), String> {
    let secret = server.inner.settings.secret.clone();
    let hide = |e: &dyn std::fmt::Display| redact(&e.to_string(), secret.as_deref());
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("MCP initialization failed: {}", hide(&e)))?;
    running
        .waiting()
        .await
        .map_err(|e| format!("MCP server stopped: {}", hide(&e)))?;
    Ok(())
}

/// [`serve_stdio`] on a single-threaded runtime of its own, for a synchronous `main`.
pub fn run_stdio(server: Server) -> Result<(), String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?
        .block_on(serve_stdio(server))
}
