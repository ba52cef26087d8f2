//! The configuration file of `agentgen serve`: TOML (`.toml`) or YAML (`.yaml`, `.yml`;
//! JSON is YAML). Unknown fields are errors, so that a misspelt `read_only` cannot grant
//! writes. Errors name the file, the key path (`connections[1].max_class`) and, for syntax
//! errors, the line; they never repeat a value from the file (a key may be in the wrong
//! place), and the secret keys appear in no error and no `Debug` output.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! public_url = "https://gateway.example.com"   # what agents are told to call
//! max_body_bytes = 1048576
//! workers = 4                                  # threads serving requests; default: one per core
//! audit_log = "-"                              # standard output, or a file path
//!
//! [[connections]]
//! name = "support"                             # served under /c/support/
//! description = "Acme's customer accounts (support desk)."
//! key_env = "ACME_CLERK_SECRET_KEY"            # or `key = "sk_live_..."`
//! read_only = true
//! access_tokens = ["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
//! rate_limit = { per_second = 20, burst = 40 }
//! ```

use crate::token::TokenHash;
use agentgen_mcp::Class;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::Path;

/// Default request-size limit: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// The most worker threads `workers` may ask for.
pub const MAX_WORKERS: usize = 1024;

/// A secret key: never printed (`Debug` is redacted, it is not `Serialize`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret from its text.
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    /// The key itself, to send it; never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// The whole file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default = "default_listen")]
    listen: String,
    #[serde(default)]
    public_url: Option<String>,
    #[serde(default)]
    max_body_bytes: Option<usize>,
    #[serde(default)]
    audit_log: Option<String>,
    #[serde(default)]
    shutdown_grace_seconds: Option<u64>,
    #[serde(default)]
    workers: Option<usize>,
    #[serde(default)]
    mcp_allowed_hosts: Option<Vec<String>>,
    connections: Vec<RawConnection>,
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConnection {
    name: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    key: Option<Secret>,
    #[serde(default)]
    key_env: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    max_class: Option<Class>,
    #[serde(default)]
    allow_secrets: bool,
    #[serde(default)]
    allow_private_metadata: bool,
    #[serde(default)]
    access_tokens: Vec<String>,
    #[serde(default)]
    rate_limit: Option<RateLimit>,
    #[serde(default)]
    mcp: Option<McpOptions>,
}

/// A per-connection rate limit: `per_second` requests on average, bursts of `burst`
/// (default: `per_second`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: NonZeroU32,
    /// Requests allowed at once after a quiet period.
    #[serde(default)]
    pub burst: Option<NonZeroU32>,
}

/// How the remote MCP endpoint of a connection lists its tools.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpOptions {
    /// `progressive` (default) or `full`.
    #[serde(default)]
    pub mode: McpMode,
    /// Only these groups (full mode; empty: all).
    #[serde(default)]
    pub groups: Vec<String>,
}

/// Tool listing mode of the remote MCP endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum McpMode {
    /// Three meta-tools.
    #[default]
    Progressive,
    /// One tool per operation.
    Full,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The URL agents reach the gateway at, without a trailing slash (default
    /// `http://<listen>`).
    pub public_url: String,
    /// Largest request body accepted (413 above).
    pub max_body_bytes: usize,
    /// Where audit lines go: `None` for standard output, else a file (appended to).
    pub audit_log: Option<std::path::PathBuf>,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub shutdown_grace: std::time::Duration,
    /// Threads serving requests, each with a runtime of its own (`None`: one per core).
    pub workers: Option<usize>,
    /// `Host` values the MCP endpoint accepts (rmcp's DNS-rebinding check); empty: any.
    pub mcp_allowed_hosts: Vec<String>,
    /// The connections, in file order.
    pub connections: Vec<Connection>,
}

/// One connection: who may use it, what it may do, and how it reaches the API.
#[derive(Debug, Clone)]
pub struct Connection {
    /// URL name: the connection is served under `/c/<name>/`.
    pub name: String,
    /// Display name (default: `name`).
    pub display_name: String,
    /// The operator's description of the instance, shown to agents.
    pub description: Option<String>,
    /// The secret key the gateway adds to requests.
    pub key: Secret,
    /// Another server URL than the spec's.
    pub base_url: Option<String>,
    /// The most harmful class the connection may call.
    pub ceiling: Class,
    /// Operations that return credentials are offered.
    pub allow_secrets: bool,
    /// Results keep `private_metadata`.
    pub allow_private_metadata: bool,
    /// Hashes of the access tokens its agents present.
    pub access_tokens: Vec<TokenHash>,
    /// Rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// Remote MCP settings.
    pub mcp: McpOptions,
}

/// Read and check a configuration file. `env` looks up environment variables (`key_env`).
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{label}: cannot read: {e}"))?;
    let toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    parse(&label, &text, toml, env)
}

/// [`load`] on text already read: `toml` selects TOML, else YAML (or JSON).
pub fn parse(
    label: &str,
    text: &str,
    toml: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, String> {
    let value = if toml {
        parse_toml(label, text)?
    } else {
        yaml_serde::from_str::<Value>(text)
            .map_err(|e| format!("{label}: invalid YAML: {}", scrub(&e.to_string())))?
    };
    let raw: RawConfig = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = scrub(&e.into_inner().to_string());
        if path == "." {
            format!("{label}: {inner}")
        } else {
            format!("{label}: at `{path}`: {inner}")
        }
    })?;
    check(label, raw, env)
}

fn parse_toml(label: &str, text: &str) -> Result<Value, String> {
    let located = |e: toml::de::Error| {
        let at = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(":{line}:{col}")
            })
            .unwrap_or_default();
        // The message only: toml's Display quotes the source line, which may hold a key.
        format!("{label}{at}: invalid TOML: {}", scrub(e.message()))
    };
    toml::from_str::<Value>(text).map_err(located)
}

/// A parser or serde message without the values it quotes (`string "…"`, `` `…` `` after
/// `value`), and without anything key-shaped.
fn scrub(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('"') {
            Some(end) => {
                out.push_str("\"…\"");
                rest = &after[end + 1..];
            }
            None => {
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    agentgen_mcp::redact::redact(&out, None)
}

fn check(
    label: &str,
    raw: RawConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, String> {
    let at = |path: &str, msg: String| format!("{label}: at `{path}`: {msg}");
    let listen: SocketAddr = raw.listen.parse().map_err(|_| {
        at(
            "listen",
            "expected an address and port such as 127.0.0.1:8080".into(),
        )
    })?;
    let public_url = match raw.public_url {
        Some(u) => {
            let u = u.trim().trim_end_matches('/').to_string();
            if !(u.starts_with("http://") || u.starts_with("https://")) || u.contains(['?', '#']) {
                return Err(at(
                    "public_url",
                    "expected an http or https URL without query or fragment".into(),
                ));
            }
            u
        }
        None => format!("http://{listen}"),
    };
    if raw.connections.is_empty() {
        return Err(at(
            "connections",
            "at least one connection is needed".into(),
        ));
    }
    let max_body_bytes = raw.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
    if max_body_bytes == 0 {
        return Err(at("max_body_bytes", "must be at least 1".into()));
    }
    if let Some(n) = raw.workers {
        if !(1..=MAX_WORKERS).contains(&n) {
            return Err(at(
                "workers",
                format!("must be between 1 and {MAX_WORKERS}"),
            ));
        }
    }
    let mut names = BTreeSet::new();
    let mut connections = Vec::with_capacity(raw.connections.len());
    for (i, c) in raw.connections.into_iter().enumerate() {
        let p = |field: &str| format!("connections[{i}].{field}");
        if !valid_name(&c.name) {
            return Err(at(
                &p("name"),
                "expected 1 to 64 characters from a-z, 0-9, `-` and `_`, starting with a letter or digit (it is a URL segment)".into(),
            ));
        }
        if !names.insert(c.name.clone()) {
            return Err(at(
                &p("name"),
                format!("`{}` names two connections", c.name),
            ));
        }
        let (key, var) = match (c.key, c.key_env) {
            (Some(_), Some(_)) => {
                return Err(at(&p("key"), "give `key` or `key_env`, not both".into()))
            }
            (Some(k), None) => (k, None),
            (None, Some(var)) => (Secret(env(&var).unwrap_or_default()), Some(var)),
            (None, None) => return Err(at(
                &p("key_env"),
                "no secret key: set `key_env` to the environment variable that holds it (or `key`)"
                    .into(),
            )),
        };
        let key = Secret(key.0.trim().to_string());
        if key.0.is_empty() {
            return Err(match var {
                Some(var) => at(
                    &p("key_env"),
                    format!("the environment variable `{var}` is not set or empty"),
                ),
                None => at(&p("key"), "the secret key is empty".into()),
            });
        }
        let ceiling = match (c.read_only, c.max_class) {
            (true, Some(m)) if m != Class::Read => {
                return Err(at(
                    &p("max_class"),
                    format!("`{m}` contradicts `read_only: true` (read-only is `max_class: read`); remove one of them"),
                ))
            }
            (true, _) => Class::Read,
            (false, m) => m.unwrap_or(Class::Destructive),
        };
        if c.access_tokens.is_empty() {
            return Err(at(
                &p("access_tokens"),
                "no access token: add the hash of at least one (`agentgen serve --hash-token` prints it)".into(),
            ));
        }
        let mut access_tokens = Vec::with_capacity(c.access_tokens.len());
        for (j, t) in c.access_tokens.iter().enumerate() {
            let hash =
                TokenHash::parse(t).map_err(|e| at(&p(&format!("access_tokens[{j}]")), e))?;
            access_tokens.push(hash);
        }
        if let Some(url) = &c.base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(at(&p("base_url"), "expected an http or https URL".into()));
            }
        }
        connections.push(Connection {
            display_name: c.display_name.unwrap_or_else(|| c.name.clone()),
            name: c.name,
            description: c.description,
            key,
            base_url: c.base_url,
            ceiling,
            allow_secrets: c.allow_secrets,
            allow_private_metadata: c.allow_private_metadata,
            access_tokens,
            rate_limit: c.rate_limit,
            mcp: c.mcp.unwrap_or_default(),
        });
    }
    Ok(Config {
        listen,
        public_url,
        max_body_bytes,
        audit_log: raw
            .audit_log
            .filter(|a| a != "-")
            .map(std::path::PathBuf::from),
        shutdown_grace: std::time::Duration::from_secs(raw.shutdown_grace_seconds.unwrap_or(10)),
        workers: raw.workers,
        mcp_allowed_hosts: raw.mcp_allowed_hosts.unwrap_or_default(),
        connections,
    })
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric()
}

impl Config {
    /// The connection's URL as agents see it: `<public_url>/c/<name>`.
    pub fn connection_url(&self, name: &str) -> String {
        format!("{}/c/{name}", self.public_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn env(var: &str) -> Option<String> {
        (var == "ACME_KEY").then(|| "sk_live_ConfigSecret123".to_string())
    }

    fn toml(text: &str) -> Result<Config, String> {
        parse("gw.toml", text, true, &env)
    }

    #[test]
    fn a_full_connection_reads() {
        let c = toml(&format!(
            "listen = \"127.0.0.1:9000\"\n[[connections]]\nname = \"support\"\nkey_env = \"ACME_KEY\"\nread_only = true\naccess_tokens = [\"{HASH}\"]\nrate_limit = {{ per_second = 5 }}\nmcp = {{ mode = \"full\", groups = [\"users\"] }}\n"
        ))
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.public_url, "http://127.0.0.1:9000");
        let conn = &c.connections[0];
        assert_eq!(conn.ceiling, Class::Read);
        assert_eq!(conn.key.expose(), "sk_live_ConfigSecret123");
        assert_eq!(conn.mcp.mode, McpMode::Full);
        assert_eq!(conn.rate_limit.unwrap().per_second.get(), 5);
        assert_eq!(
            c.connection_url("support"),
            "http://127.0.0.1:9000/c/support"
        );
        assert!(!format!("{c:?}").contains("ConfigSecret"));
    }

    #[test]
    fn yaml_reads_the_same() {
        let c = parse(
            "gw.yaml",
            &format!("connections:\n  - name: a\n    key: sk_test_x\n    max_class: write\n    access_tokens: [\"{HASH}\"]\n"),
            false,
            &env,
        )
        .unwrap();
        assert_eq!(c.connections[0].ceiling, Class::Write);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.workers, None);
    }

    #[test]
    fn workers_are_a_bounded_count() {
        let base =
            format!("[[connections]]\nname = \"a\"\nkey = \"k\"\naccess_tokens = [\"{HASH}\"]\n");
        assert_eq!(
            toml(&format!("workers = 3\n{base}")).unwrap().workers,
            Some(3)
        );
        for bad in ["0", "1025", "-1", "\"2\""] {
            let e = toml(&format!("workers = {bad}\n{base}")).unwrap_err();
            assert!(e.contains("`workers`"), "{bad}: {e}");
        }
    }

    #[test]
    fn errors_name_the_file_and_key_path_and_hide_values() {
        let base = format!("[[connections]]\nname = \"a\"\nkey = \"sk_live_HiddenKey99\"\naccess_tokens = [\"{HASH}\"]\n");
        let e = toml(&format!("{base}read_onyl = true\n")).unwrap_err();
        assert!(
            e.starts_with("gw.toml: at `connections[0].read_onyl`"),
            "{e}"
        );
        assert!(e.contains("read_onyl"), "{e}");
        let e = toml(&base.replace("name = \"a\"", "name = \"A/b\"")).unwrap_err();
        assert!(e.contains("`connections[0].name`"), "{e}");
        let e = toml(&format!("{base}read_only = \"sk_live_HiddenKey99\"\n")).unwrap_err();
        assert!(e.contains("`connections[0].read_only`"), "{e}");
        assert!(!e.contains("HiddenKey"), "{e}");
        let e = toml(&format!("{base}read_only = true\nmax_class = \"write\"\n")).unwrap_err();
        assert!(
            e.contains("`connections[0].max_class`") && e.contains("read_only"),
            "{e}"
        );
        let e = toml(&base.replace(HASH, "sha256:abc")).unwrap_err();
        assert!(e.contains("`connections[0].access_tokens[0]`"), "{e}");
        let e =
            toml(&base.replace("key = \"sk_live_HiddenKey99\"", "key_env = \"NOPE\"")).unwrap_err();
        assert!(e.contains("`connections[0].key_env`"), "{e}");
        // A syntax error on the key's line: located, and the line is not quoted.
        let e =
            toml(&base.replace("\"sk_live_HiddenKey99\"", "\"sk_live_HiddenKey99")).unwrap_err();
        assert!(e.starts_with("gw.toml:3:"), "{e}");
        assert!(!e.contains("HiddenKey"), "{e}");
        let e = toml(&format!(
            "{base}[[connections]]\nname = \"a\"\nkey = \"k\"\naccess_tokens = [\"{HASH}\"]\n"
        ))
        .unwrap_err();
        assert!(
            e.contains("`connections[1].name`") && e.contains("two"),
            "{e}"
        );
        let e = toml("listen = \"nowhere\"\nconnections = []\n").unwrap_err();
        assert!(e.contains("`listen`"), "{e}");
    }
}
