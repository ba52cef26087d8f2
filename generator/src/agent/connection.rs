//! Connection documents and the connection prompt: the system-prompt text for an agent that is
//! connected to the API through one connection (a key, maybe read-only). The key is never part
//! of the prompt, nor of any error message: only the environment its prefix names.
//!
//! A connection document (JSON, or the same as YAML):
//!
//! ```json
//! {
//!   "display_name": "Acme production",
//!   "description": "Acme's customer accounts; used by the support desk.",
//!   "connection_details": {
//!     "clerk": {"bearer_token": {"token": "sk_live_..."}, "read_only": true}
//!   }
//! }
//! ```
//!
//! `connection_details` has exactly one entry, named after the service; in it:
//!
//! * `bearer_token` (optional: only its environment is shown);
//! * `read_only` (default false): only `read` operations; the same as `max_class: read`;
//! * `max_class` (`read`, `write` or `destructive`; default `destructive`, i.e. no ceiling):
//!   the most harmful class the connection may call, so that an onboarding agent can invite
//!   users and edit metadata (`write`) without being able to delete anything;
//! * `allow_secrets` (default false): operations that return a secret or credential
//!   (`safety.credential`) are offered; without it they are withheld whatever the ceiling;
//! * `base_url` (optional: another server URL);
//! * `allow_private_metadata` (default false: results served by `agentgen mcp` leave out
//!   `private_metadata`).
//!
//! Unknown fields are errors, so that a misspelt `read_only` cannot silently grant writes, and
//! `read_only: true` with a `max_class` other than `read` is an error.

use super::model::Model;
use super::skill::Templates;
use crate::ir::{Safety, SafetyClass};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A secret key: never printed (its `Debug` is redacted and it is not `Serialize`).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretKey(String);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// The key itself, to send it (`agentgen mcp`); never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The environment the key's prefix names, from `prefixes` (prefix -> environment).
    pub fn environment<'p>(
        &self,
        prefixes: &'p BTreeMap<String, String>,
    ) -> Option<(&'p str, &'p str)> {
        prefixes
            .iter()
            .filter(|(p, _)| self.0.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(p, e)| (p.as_str(), e.as_str()))
    }
}

/// A connection document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// How the connection is called.
    pub display_name: String,
    /// What the instance behind it is (shown to the agent).
    #[serde(default)]
    pub description: Option<String>,
    /// Service name (`clerk`) -> how to reach it; exactly one entry.
    pub connection_details: BTreeMap<String, ConnectionDetails>,
}

/// How the connection reaches the service.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionDetails {
    /// The secret key (only its environment is ever shown).
    #[serde(default)]
    pub bearer_token: Option<BearerToken>,
    /// Only `read` operations may be called (the same as `max_class: read`).
    #[serde(default)]
    pub read_only: bool,
    /// The most harmful class of operation the connection may call (default: any).
    #[serde(default)]
    pub max_class: Option<SafetyClass>,
    /// Operations that return a secret or credential may be called (default false).
    #[serde(default)]
    pub allow_secrets: bool,
    /// Another server URL.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Results may include `private_metadata` (default false: `agentgen mcp` removes it).
    #[serde(default)]
    pub allow_private_metadata: bool,
}

/// A bearer token.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BearerToken {
    /// The secret key.
    pub token: SecretKey,
}

impl Connection {
    /// The service name and its details (the one entry of `connection_details`).
    pub fn details(&self) -> (&str, &ConnectionDetails) {
        let (k, v) = self
            .connection_details
            .iter()
            .next()
            .expect("parse checks there is exactly one entry");
        (k.as_str(), v)
    }

    /// Only `read` operations may be called.
    pub fn read_only(&self) -> bool {
        self.ceiling() == SafetyClass::Read
    }

    /// The most harmful class the connection may call: `read` when read-only, else
    /// `max_class`, else `destructive` (no ceiling).
    pub fn ceiling(&self) -> SafetyClass {
        let d = self.details().1;
        if d.read_only {
            SafetyClass::Read
        } else {
            d.max_class.unwrap_or(SafetyClass::Destructive)
        }
    }

    /// Operations that return credentials may be called.
    pub fn allow_secrets(&self) -> bool {
        self.details().1.allow_secrets
    }

    /// Whether the connection may call an operation with this safety: its class is within
    /// the ceiling and it returns no credential unless secrets are allowed.
    pub fn permits(&self, safety: &Safety) -> bool {
        safety.class <= self.ceiling() && (safety.credential.is_none() || self.allow_secrets())
    }

    /// Results may include `private_metadata`.
    pub fn allow_private_metadata(&self) -> bool {
        self.details().1.allow_private_metadata
    }

    /// The secret key, if the document has one.
    pub fn key(&self) -> Option<&SecretKey> {
        self.details().1.bearer_token.as_ref().map(|b| &b.token)
    }
}

/// The runtime's redactor (the same code the generated clients and the MCP server run).
#[allow(dead_code)]
#[path = "../../embed/runtime-src/redact.rs"]
mod shared_redact;

/// Remove anything that looks like a secret key (`sk_...`, or `secret`'s exact value) from a
/// message. (A wrapper, not a re-export: the shared function's docs link to items this crate
/// keeps private.)
pub fn redact(message: &str, secret: Option<&str>) -> String {
    shared_redact::redact(message, secret)
}

/// Every string in `v`, collected into `out`.
fn strings_in(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|i| strings_in(i, out)),
        serde_json::Value::Object(m) => m.values().for_each(|i| strings_in(i, out)),
        _ => {}
    }
}

/// A serde message without the values it quotes: `invalid type: string "…", expected …`
/// becomes `invalid type: string, expected …` (the value may be a key in the wrong place).
fn without_quoted_values(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(start) = rest.find("string \"") {
        out.push_str(&rest[..start + "string".len()]);
        let after = &rest[start + "string \"".len()..];
        rest = match after.find("\", expected").or_else(|| after.rfind('"')) {
            Some(end) => &after[end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Parse a connection document; errors name the field at fault and never contain the key.
pub fn parse(text: &str) -> Result<Connection, String> {
    let value: serde_json::Value = yaml_serde::from_str(text).map_err(|e| {
        format!(
            "invalid connection document: {}",
            redact(&e.to_string(), None)
        )
    })?;
    if !value.is_object() {
        return Err(
            "invalid connection document: expected an object with `display_name` and `connection_details`"
                .into(),
        );
    }
    // Every string under a `bearer_token` (the key, however misplaced within it), for
    // redaction; and no error repeats a string value from the document at all.
    let mut secrets: Vec<String> = Vec::new();
    for details in value
        .get("connection_details")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        if let Some(token) = details.get("bearer_token") {
            strings_in(token, &mut secrets);
        }
    }
    let hide = |msg: &str| {
        let msg = without_quoted_values(msg);
        secrets
            .iter()
            .fold(redact(&msg, None), |m, s| redact(&m, Some(s)))
    };
    let conn = serde_path_to_error::deserialize::<_, Connection>(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = hide(&e.into_inner().to_string());
        if path == "." {
            format!("invalid connection document: {inner}")
        } else {
            format!("invalid connection document: field `{path}`: {inner}")
        }
    })?;
    let n = conn.connection_details.len();
    if n != 1 {
        return Err(format!(
            "invalid connection document: field `connection_details`: expected exactly one entry (the service, such as `clerk`), found {n}"
        ));
    }
    let (service, details) = conn.details();
    if let (true, Some(max)) = (details.read_only, details.max_class) {
        if max != SafetyClass::Read {
            return Err(format!(
                "invalid connection document: field `connection_details.{service}.max_class`: `{}` contradicts `read_only: true` (read-only is `max_class: read`); remove one of them",
                max.as_str()
            ));
        }
    }
    Ok(conn)
}

/// How the connection prompt is rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptOptions {
    /// The agent reaches the API through a tool server (`agentgen mcp`) that lists or
    /// searches the operations, describes each (confirmation, deprecation, paging) and
    /// enforces the connection: the prompt names the groups, not every operation, and leaves
    /// out the lists the tools give themselves. Otherwise (an agent that reads the skill) every
    /// operation is named.
    pub via_tools: bool,
    /// The agent reaches the API through an `agentgen serve` gateway: the connection's REST
    /// base URL there (`<gateway>/c/<connection>`). The agent sends its access token and
    /// never holds the key.
    pub gateway: Option<String>,
}

impl PromptOptions {
    /// The prompt for an agent that reads the skill: every operation is named.
    pub fn full() -> PromptOptions {
        PromptOptions {
            via_tools: false,
            gateway: None,
        }
    }

    /// The prompt for an agent behind a tool server (the MCP server's instructions).
    pub fn via_tools() -> PromptOptions {
        PromptOptions {
            via_tools: true,
            gateway: None,
        }
    }

    /// The same prompt for an agent that calls the gateway at `url` (the connection's REST
    /// base, `<gateway>/c/<connection>`) with an access token instead of the API with a key.
    pub fn through_gateway(self, url: impl Into<String>) -> PromptOptions {
        PromptOptions {
            gateway: Some(url.into()),
            ..self
        }
    }
}

#[derive(Serialize)]
struct GroupLine {
    name: String,
    title: String,
    tools: Vec<String>,
}

#[derive(Serialize)]
struct PromptView {
    title: String,
    version: String,
    connection: String,
    service: String,
    description: String,
    environment: String,
    environment_note: String,
    read_only: bool,
    /// The ceiling (`read`, `write`, `destructive`).
    ceiling: &'static str,
    /// A ceiling below `destructive` that is not read-only (`max_class: write`).
    capped: bool,
    /// Operations above the ceiling (refused).
    above_ceiling: usize,
    /// Operations within the ceiling withheld because they return credentials.
    withheld: Vec<String>,
    /// The API has `private_metadata` fields and this connection hides them.
    hide_private_metadata: bool,
    base_url: String,
    key_env: String,
    version_header: Option<String>,
    via_tools: bool,
    operations: usize,
    total: usize,
    read: usize,
    groups: Vec<GroupLine>,
    destructive: Vec<String>,
    confirm: Vec<String>,
    workflows: Vec<WorkflowLine>,
    gotchas: Vec<String>,
    skill: String,
    /// Set when the agent goes through an `agentgen serve` gateway.
    gateway: Option<GatewayView>,
}

#[derive(Serialize)]
struct WorkflowLine {
    summary: String,
    steps: Vec<String>,
}

/// Where an agent reaches the API through an `agentgen serve` gateway instead of directly.
#[derive(Serialize)]
struct GatewayView {
    /// The connection's REST base: `<gateway>/c/<connection>`.
    url: String,
    /// Its remote MCP endpoint, `<gateway>/mcp/<connection>`, when `url` has that shape.
    mcp_url: Option<String>,
}

impl GatewayView {
    fn new(url: &str) -> GatewayView {
        let url = url.trim_end_matches('/').to_string();
        let mcp_url = url.rsplit_once("/c/").and_then(|(base, name)| {
            (!name.is_empty() && !name.contains('/')).then(|| format!("{base}/mcp/{name}"))
        });
        GatewayView { url, mcp_url }
    }
}

/// Render the connection prompt.
pub fn render(
    model: &Model<'_>,
    templates: &Templates,
    conn: &Connection,
    options: &PromptOptions,
) -> Result<String, String> {
    let api = model.api;
    let read_only = conn.read_only();
    let (environment, environment_note) = environment(conn, &model.data.auth.key_prefixes);
    let ceiling = conn.ceiling();
    let included = |i: usize| conn.permits(&api.operations[i].safety);
    let mut gotchas = model.reviewed_gotchas(&included);
    // The tools say which operations return bare arrays or are deprecated.
    if !options.via_tools {
        gotchas.extend(super::skill::derived_gotchas(model, &included));
    }
    let view = PromptView {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        connection: conn.display_name.clone(),
        service: conn.details().0.to_string(),
        description: conn.description.clone().unwrap_or_default(),
        environment,
        environment_note,
        read_only,
        ceiling: ceiling.as_str(),
        capped: ceiling == SafetyClass::Write,
        above_ceiling: api
            .operations
            .iter()
            .filter(|o| o.safety.class > ceiling)
            .count(),
        withheld: model.tools_where(|i| {
            let safety = &api.operations[i].safety;
            safety.class <= ceiling && safety.credential.is_some() && !conn.allow_secrets()
        }),
        hide_private_metadata: !conn.allow_private_metadata()
            && model.specs.iter().any(|s| {
                s.output_schema
                    .as_ref()
                    .is_some_and(|o| o.mentions("private_metadata"))
            }),
        base_url: conn
            .details()
            .1
            .base_url
            .clone()
            .unwrap_or_else(|| api.info.default_base_url.clone()),
        key_env: api.info.key_env_var.clone(),
        version_header: api.info.version_header.clone(),
        via_tools: options.via_tools,
        operations: (0..api.operations.len()).filter(|&i| included(i)).count(),
        total: api.operations.len(),
        read: api
            .operations
            .iter()
            .filter(|o| o.safety.class == SafetyClass::Read)
            .count(),
        groups: group_lines(model, &included),
        destructive: model.tools_where(|i| {
            included(i) && api.operations[i].safety.class == SafetyClass::Destructive
        }),
        confirm: model.tools_where(|i| {
            included(i)
                && model.specs[i].safety.confirm == "required"
                && api.operations[i].safety.class != SafetyClass::Destructive
        }),
        workflows: workflow_lines(model, &included),
        gotchas,
        skill: if read_only {
            super::model::readonly_name(&model.skill_name)
        } else {
            model.skill_name.clone()
        },
        gateway: options.gateway.as_deref().map(GatewayView::new),
    };
    let text = templates.render("connection.md.j2", &view)?;
    // Belt and braces: nothing key-shaped leaves this function.
    let secret = conn.key().map(|k| k.0.as_str());
    Ok(redact(&text, secret))
}

/// The environment the connection's key is for (by its prefix), and what the prompt says of it.
fn environment(conn: &Connection, prefixes: &BTreeMap<String, String>) -> (String, String) {
    let Some(key) = conn.key() else {
        return (
            "unknown".to_string(),
            "No key is recorded for this connection; it is supplied when requests are sent."
                .to_string(),
        );
    };
    let Some((prefix, env)) = key.environment(prefixes) else {
        return (
            "unknown".to_string(),
            "The key's prefix names no known environment: treat it as production.".to_string(),
        );
    };
    let note = if env == "production" && conn.read_only() {
        format!("The key starts with `{prefix}`: this is a production instance with real users.")
    } else if env == "production" {
        format!("The key starts with `{prefix}`: this is a production instance with real users. Be careful: prefer reads, and confirm every change.")
    } else {
        format!("The key starts with `{prefix}`: this is a {env} instance.")
    };
    (env.to_string(), note)
}

/// The groups' tools the connection permits, by display title (two groups may share one:
/// their tags have the same title); groups with none are left out.
fn group_lines(model: &Model<'_>, included: &dyn Fn(usize) -> bool) -> Vec<GroupLine> {
    let api = model.api;
    let mut groups: Vec<GroupLine> = Vec::new();
    for g in &api.groups {
        let tools = g
            .operations
            .iter()
            .filter(|&&i| included(i))
            .map(|&i| api.operations[i].tool_name.clone());
        let title = g.title.clone();
        match groups.iter_mut().find(|l| l.title == title) {
            Some(line) => line.tools.extend(tools),
            None => groups.push(GroupLine {
                name: g.module.clone(),
                title,
                tools: tools.collect(),
            }),
        }
    }
    groups.retain(|g| !g.tools.is_empty());
    groups
}

/// The reviewed workflows all of whose (known) steps the connection permits.
fn workflow_lines(model: &Model<'_>, included: &dyn Fn(usize) -> bool) -> Vec<WorkflowLine> {
    model
        .workflows(included)
        .into_iter()
        .map(|(w, steps)| WorkflowLine {
            summary: w.summary.clone(),
            steps: steps
                .into_iter()
                .map(|(i, _)| model.api.operations[i].tool_name.clone())
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"display_name": "Acme", "description": "Support desk.",
        "connection_details": {"clerk": {"bearer_token": {"token": "sk_live_abcdef123"}, "read_only": true}}}"#;

    #[test]
    fn parse_reads_the_documented_shape() {
        let c = parse(DOC).unwrap();
        assert_eq!(c.display_name, "Acme");
        assert!(c.read_only());
        assert_eq!(c.details().0, "clerk");
        assert!(!format!("{c:?}").contains("abcdef"));
        let c = parse("display_name: x\nconnection_details: {clerk: {}}\n").unwrap();
        assert!(!c.read_only() && c.key().is_none() && !c.allow_private_metadata());
        let c =
            parse("display_name: x\nconnection_details: {clerk: {allow_private_metadata: true}}\n")
                .unwrap();
        assert!(c.allow_private_metadata());
    }

    #[test]
    fn parse_names_the_wrong_field_and_hides_the_key() {
        let bad = DOC.replace(
            "\"read_only\": true",
            "\"read_only\": \"sk_live_abcdef123\"",
        );
        let e = parse(&bad).unwrap_err();
        assert!(e.contains("connection_details.clerk.read_only"), "{e}");
        assert!(!e.contains("abcdef123"), "{e}");
        let e = parse(&DOC.replace("read_only", "readonly")).unwrap_err();
        assert!(e.contains("readonly"), "{e}");
        assert!(!e.contains("abcdef123"), "{e}");
        let e = parse(&DOC.replace("\"token\"", "\"tokn\"")).unwrap_err();
        assert!(e.contains("bearer_token") && e.contains("tokn"), "{e}");
        assert!(!e.contains("abcdef123"), "{e}");
        let e = parse(&DOC.replace("display_name", "name")).unwrap_err();
        assert!(e.contains("display_name") || e.contains("`name`"), "{e}");
        let e = parse("display_name: [1]\nconnection_details: {clerk: {}}\n").unwrap_err();
        assert!(e.contains("`display_name`"), "{e}");
        let e = parse("display_name: x\nconnection_details: {}\n").unwrap_err();
        assert!(e.contains("`connection_details`"), "{e}");
        let e = parse("[1]").unwrap_err();
        assert!(e.contains("display_name"), "{e}");
    }

    #[test]
    fn ceilings_and_secrets_decide_what_a_connection_permits() {
        use crate::ir::{Credential, CredentialSource};
        let safety = |class, credential: bool| Safety {
            class,
            idempotent: false,
            reason: None,
            credential: credential.then(|| Credential {
                reason: "Returns a key.".into(),
                source: CredentialSource::Reviewed,
                fields: vec![],
            }),
        };
        let read = safety(SafetyClass::Read, false);
        let secret = safety(SafetyClass::Read, true);
        let write = safety(SafetyClass::Write, false);
        let delete = safety(SafetyClass::Destructive, false);
        let conn = |details: &str| {
            parse(&format!(
                "display_name: x\nconnection_details: {{clerk: {{{details}}}}}\n"
            ))
            .unwrap()
        };

        let full = conn("");
        assert_eq!(full.ceiling(), SafetyClass::Destructive);
        assert!(full.permits(&read) && full.permits(&write) && full.permits(&delete));
        assert!(
            !full.permits(&secret),
            "credentials are withheld by default"
        );

        let ro = conn("read_only: true");
        assert!(ro.read_only() && ro.permits(&read));
        assert!(!ro.permits(&write) && !ro.permits(&secret));
        assert!(conn("read_only: true, max_class: read").read_only());

        let onboarding = conn("max_class: write");
        assert!(!onboarding.read_only());
        assert!(onboarding.permits(&write) && !onboarding.permits(&delete));

        let ro_secrets = conn("read_only: true, allow_secrets: true");
        assert!(ro_secrets.permits(&secret) && !ro_secrets.permits(&write));

        let e = parse(
            "display_name: x\nconnection_details: {clerk: {read_only: true, max_class: write}}\n",
        )
        .unwrap_err();
        assert!(
            e.contains("connection_details.clerk.max_class") && e.contains("read_only"),
            "{e}"
        );
        let e = parse("display_name: x\nconnection_details: {clerk: {max_class: admin}}\n")
            .unwrap_err();
        assert!(e.contains("max_class"), "{e}");
    }

    #[test]
    fn gateway_urls_give_the_mcp_endpoint() {
        let g = GatewayView::new("https://gw.example/c/support/");
        assert_eq!(g.url, "https://gw.example/c/support");
        assert_eq!(g.mcp_url.as_deref(), Some("https://gw.example/mcp/support"));
        assert_eq!(GatewayView::new("https://gw.example/clerk").mcp_url, None);
    }

    #[test]
    fn environments_come_from_prefixes() {
        let prefixes = [
            ("sk_test_".to_string(), "development".to_string()),
            ("sk_live_".to_string(), "production".to_string()),
        ]
        .into_iter()
        .collect();
        let k = SecretKey("sk_live_123".into());
        assert_eq!(k.environment(&prefixes), Some(("sk_live_", "production")));
        assert_eq!(SecretKey("pk_1".into()).environment(&prefixes), None);
    }

    #[test]
    fn serde_messages_lose_their_quoted_values() {
        assert_eq!(
            without_quoted_values("invalid type: string \"opaque, \"x\", expected a boolean"),
            "invalid type: string, expected a boolean"
        );
        assert_eq!(
            without_quoted_values("unknown field `x`"),
            "unknown field `x`"
        );
    }
}
