//! Generation options.

use crate::ir::SafetyClass;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A reviewed safety decision for one operation (an entry of a safety file such as
/// `spec/clerk-bapi.safety.yaml`): a class other than the HTTP-method default, and/or whether
/// the operation returns a credential.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyOverride {
    /// The class to use instead of the HTTP-method default.
    #[serde(default)]
    pub class: Option<SafetyClass>,
    /// Idempotency, when it differs from the method default.
    #[serde(default)]
    pub idempotent: Option<bool>,
    /// Why the class differs: required with `class` (shown to reviewers and in documents).
    #[serde(default)]
    pub reason: Option<String>,
    /// The operation returns a secret or credential: what it returns, in words. Withheld
    /// from connections without `allow_secrets` (see `lower::credentials`).
    #[serde(default)]
    pub credential: Option<String>,
    /// The response fields that the credential heuristic flags are not credentials: why
    /// (e.g. "`api_key` is only returned when the directory is created").
    #[serde(default)]
    pub no_credential: Option<String>,
}

/// Everything `generate` needs. Build with [`Config::new`] and the setters.
#[derive(Debug, Clone)]
pub struct Config {
    /// Path of the spec ([`crate::Inputs::load`] reads it; spec text already in memory goes
    /// in [`crate::Inputs::from_text`] instead).
    pub spec_path: PathBuf,
    /// Name of the generated crate; default: a slug of `info.title`.
    pub crate_name: Option<String>,
    /// Version of the generated crate.
    pub crate_version: String,
    /// Reviewed safety overrides keyed by operationId. `None`: the reviewed file shipped
    /// with agentgen for the spec, if there is one (`spec/clerk-bapi.safety.yaml` for
    /// Clerk's Backend API).
    pub safety_overrides: Option<BTreeMap<String, SafetyOverride>>,
    /// Emit the Rust client (`client/`).
    pub emit_client: bool,
    /// How the client's files are laid out: a crate under `client/` (default), or files to
    /// `include!` from `OUT_DIR` (see [`crate::layout`]).
    pub layout: crate::layout::Layout,
    /// Emit the agent documents (`agent/`); default: on ([`Config::new`]). They need the
    /// library's `agent` feature: without it, [`crate::generate`] with this set is an error
    /// naming the feature (set it to `false` for the client alone, as the build-script
    /// [`crate::Builder`] does).
    pub emit_agent: bool,
    /// Templates that replace the built-in ones of the same name (file name -> source;
    /// `--templates DIR` reads them with `inputs::read_templates`). Agent documents only
    /// (feature `agent`).
    pub templates: BTreeMap<String, String>,
    /// Reviewed agent data (YAML: key prefixes, open-world operations, gotchas, workflows).
    /// `None`: the file shipped for the spec, if any (`spec/clerk-bapi.workflows.yaml`).
    /// Agent documents only (feature `agent`).
    pub agent_data: Option<String>,
    /// A second spec whose webhooks (`x-webhooks`) are merged into this one's client and
    /// documents (Clerk publishes its webhooks as a separate spec).
    pub webhooks_spec: Option<PathBuf>,
    /// OpenAPI Overlay 1.0 documents applied, in order, to the spec before it is loaded
    /// (`--overlay FILE`; see [`crate::overlay`]).
    pub overlays: Vec<PathBuf>,
}

impl Config {
    /// Options for the spec at `path` with defaults.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Config {
            spec_path: path.into(),
            crate_name: None,
            crate_version: "0.1.0".to_string(),
            safety_overrides: None,
            emit_client: true,
            layout: crate::layout::Layout::Crate,
            emit_agent: true,
            templates: BTreeMap::new(),
            agent_data: None,
            webhooks_spec: None,
            overlays: Vec::new(),
        }
    }

    /// Set the crate name.
    pub fn crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = Some(name.into());
        self
    }

    /// Read the reviewed safety file at `path` (`--safety FILE`, the builder's
    /// `.safety_overrides(PATH)`) into [`Config::safety_overrides`]; errors name the file.
    pub fn safety_file(self, path: &std::path::Path) -> Result<Self, crate::Error> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| crate::Error::msg(&label, format!("cannot read safety overrides: {e}")))?;
        self.safety_overrides_yaml(&text)
            .map_err(|e| crate::Error::msg(&label, e))
    }

    /// Load reviewed safety overrides from YAML text (`operationId: {class?, reason?,
    /// idempotent?, credential?, no_credential?}`).
    pub fn safety_overrides_yaml(mut self, text: &str) -> Result<Self, String> {
        self.safety_overrides = Some(parse_safety(text)?);
        Ok(self)
    }
}

/// Reviewed safety classes for Clerk's Backend API, shipped with agentgen.
pub const CLERK_BAPI_SAFETY: &str = include_str!("../embed/spec/clerk-bapi.safety.yaml");

/// Parse a safety overrides file.
pub fn parse_safety(text: &str) -> Result<BTreeMap<String, SafetyOverride>, String> {
    // Through a JSON value, so that types are kept (`credential: true` is not a reason) and
    // errors name the entry and field.
    let value: serde_json::Value =
        yaml_serde::from_str(text).map_err(|e| format!("invalid safety overrides: {e}"))?;
    let map: BTreeMap<String, SafetyOverride> = if value.is_null() {
        BTreeMap::new()
    } else {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            format!("invalid safety overrides at `{path}`: {}", e.into_inner())
        })?
    };
    let blank = |s: &Option<String>| s.as_deref().is_some_and(|s| s.trim().is_empty());
    for (id, o) in &map {
        let problem = if o.class.is_some() && o.reason.is_none() {
            Some("has a `class` but no `reason`")
        } else if o.class.is_none() && (o.reason.is_some() || o.idempotent.is_some()) {
            Some("has a `reason` or `idempotent` without a `class`")
        } else if blank(&o.reason) || blank(&o.credential) || blank(&o.no_credential) {
            Some("has an empty reason")
        } else if o.credential.is_some() && o.no_credential.is_some() {
            Some("has both `credential` and `no_credential`")
        } else if o.class.is_none() && o.credential.is_none() && o.no_credential.is_none() {
            Some("decides nothing (give `class`, `credential` or `no_credential`)")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(format!("safety override for `{id}` {problem}"));
        }
    }
    Ok(map)
}
