//! The pipeline every front end runs: [`analyze`] (load → lower → IR) and [`generate`] (IR →
//! the client's files and the agent documents), pure, over the texts an [`Inputs`] holds;
//! `load_and_*` read the inputs first. Re-exported at the crate root.

#[cfg(feature = "agent")]
use crate::agent;
use crate::timings::Timings;
use crate::{
    diagnostics, emit, ir, layout, load, lower, overlay, pin, Config, Diagnostic, Error, Inputs,
    Text,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The result of generation: files by relative path, plus diagnostics.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Relative path (`client/src/lib.rs`) -> contents, ordered.
    pub files: BTreeMap<String, String>,
    /// Findings that did not stop generation (warnings, notes).
    pub diagnostics: Vec<Diagnostic>,
    /// Files read (for `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    /// The IR the files were generated from.
    pub api: ir::Api,
}

/// Lower the spec of `inputs` into the IR, with diagnostics; merges the webhooks of
/// [`Inputs::webhooks_spec`] when there is one. Pure, like [`generate`].
pub fn analyze(inputs: &Inputs, config: &Config) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    analyze_timed(inputs, config, &mut Timings::default())
}

/// [`Inputs::load`], then [`analyze`]: the shorthand of front ends that start from paths.
pub fn load_and_analyze(config: &Config) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    analyze(&Inputs::load(config)?, config)
}

fn analyze_timed(
    inputs: &Inputs,
    config: &Config,
    timings: &mut Timings,
) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    let (mut api, mut diagnostics) = analyze_one(&inputs.spec, &inputs.overlays, config, timings)?;
    let mut bytes = inputs.spec.text.len();
    if let Some(hooks_spec) = &inputs.webhooks_spec {
        let mut hooks_config = Config::new(&hooks_spec.label);
        hooks_config.crate_name = config.crate_name.clone();
        hooks_config.safety_overrides = Some(BTreeMap::new());
        let (hooks, hook_diags) = analyze_one(hooks_spec, &[], &hooks_config, timings)?;
        if hooks.webhooks.is_empty() {
            return Err(Error::msg(
                &hooks_spec.label,
                "the webhooks spec describes no webhooks (`x-webhooks`)",
            ));
        }
        let file = file_name(&hooks_spec.label, "webhooks");
        lower::webhooks::merge(&mut api, hooks, &file);
        diagnostics.extend(hook_diags.into_iter().map(|mut d| {
            d.message = format!("{}: {}", hooks_spec.label, d.message);
            d
        }));
        bytes += hooks_spec.text.len();
    }
    let sha256 = pin::sha256_hex(inputs.spec.text.as_bytes());
    let default_pin = pin::Pin::default_pin();
    api.info.source = ir::SpecSource {
        location: if default_pin.sha256 == sha256 {
            default_pin.url
        } else {
            file_name(&inputs.spec.label, "openapi.yaml")
        },
        sha256,
        bytes,
    };
    Ok((api, diagnostics))
}

/// The last component of a path given as a label (`default` when there is none).
fn file_name(label: &str, default: &str) -> String {
    std::path::Path::new(label)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| default.to_string())
}

/// Parse, apply the overlays, load and lower one spec; its diagnostics located and sorted.
fn analyze_one(
    spec: &Text,
    overlays: &[Text],
    config: &Config,
    timings: &mut Timings,
) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    let text = &spec.text;
    let mut diags = diagnostics::Diagnostics::default();
    let located = |mut diags: diagnostics::Diagnostics| {
        let lines = load::YamlLines::new(text);
        diags.locate(|p| lines.line_of(p));
        diags.into_sorted()
    };
    let fail =
        |diags| Error::with_diagnostics(&spec.label, "the spec cannot be used", located(diags));
    let Some(mut raw) = timings.time("parse", || load::parse_text(text, &mut diags)) else {
        return Err(fail(diags));
    };
    for overlay in overlays {
        timings.time("overlays", || apply_overlay(&mut raw, overlay))?;
    }
    let Some(loaded) = timings.time("load (normalize, type)", || load::load(raw, &mut diags))
    else {
        return Err(fail(diags));
    };
    let api = timings.time("lower", || lower::lower(&loaded.doc, config, &mut diags));
    if diags.has_errors() {
        return Err(fail(diags));
    }
    Ok((api, timings.time("locate diagnostics", || located(diags))))
}

/// Apply the overlay to `raw`; its problems are an error located in the overlay (file,
/// JSON pointer of the action, line).
fn apply_overlay(raw: &mut serde_json::Value, overlay: &Text) -> Result<(), Error> {
    let mut diags = diagnostics::Diagnostics::default();
    if let Some(document) = load::parse_text(&overlay.text, &mut diags) {
        overlay::apply(raw, &document, &mut diags);
    }
    if diags.has_errors() {
        let lines = load::YamlLines::new(&overlay.text);
        // `- target: ...` is found by its list item (the key shares the item's line).
        diags.locate(|p| {
            lines
                .line_of(p)
                .or_else(|| lines.line_of(p.rsplit_once('/').map_or(p, |(parent, _)| parent)))
        });
        return Err(Error::with_diagnostics(
            &overlay.label,
            "the overlay cannot be applied",
            diags.into_sorted(),
        ));
    }
    Ok(())
}

/// Generate every output of `config` from `inputs`: the client crate (under `client/`, or
/// laid out for `OUT_DIR`) and the agent documents (under `agent/`). Pure: reads and writes
/// nothing.
///
/// Without the `agent` feature, a `config` with [`Config::emit_agent`] set is an error that
/// names the feature (set `emit_agent = false` for the client alone).
pub fn generate(inputs: &Inputs, config: &Config) -> Result<Generated, Error> {
    generate_timed(inputs, config, &mut Timings::default())
}

/// [`Inputs::load`], then [`generate`]: the shorthand of front ends that start from paths.
pub fn load_and_generate(config: &Config) -> Result<Generated, Error> {
    generate(&Inputs::load(config)?, config)
}

/// [`generate`], recording how long each phase took in `timings` (the output is the same).
pub fn generate_timed(
    inputs: &Inputs,
    config: &Config,
    timings: &mut Timings,
) -> Result<Generated, Error> {
    let label = &inputs.spec.label;
    #[cfg(not(feature = "agent"))]
    if config.emit_agent {
        return Err(Error::msg(label, AGENT_FEATURE_OFF));
    }
    #[cfg_attr(not(feature = "agent"), allow(unused_mut))]
    let (api, mut diagnostics) = analyze_timed(inputs, config, timings)?;
    let mut files = BTreeMap::new();
    if config.emit_client {
        let client = timings
            .time("emit client", || emit::client(&api))
            .and_then(|client| client_files(&api, config, client))
            .map_err(|e| Error::msg(label, e))?;
        files.extend(client);
    }
    #[cfg(feature = "agent")]
    if config.emit_agent {
        let (agent, agent_diagnostics) =
            agent::generate_timed(&api, config, timings).map_err(|e| Error::msg(label, e))?;
        files.extend(
            agent
                .into_iter()
                .map(|(path, contents)| (format!("agent/{path}"), contents)),
        );
        diagnostics.extend(agent_diagnostics);
    }
    Ok(Generated {
        files,
        diagnostics,
        inputs: inputs.files.clone(),
        api,
    })
}

/// Why [`generate`] refuses a [`Config::emit_agent`] config when the library is built without
/// the `agent` feature.
#[cfg(not(feature = "agent"))]
const AGENT_FEATURE_OFF: &str = "the agent documents were asked for (`Config::emit_agent`), \
but agentgen-core was built without its `agent` feature: enable it \
(`agentgen-core = { version = \"...\", features = [\"agent\"] }`) or set \
`emit_agent = false` to generate the client alone";

/// The client's files by their path in the output: under `client/`, or laid out for a
/// build script's `OUT_DIR`.
fn client_files(
    api: &ir::Api,
    config: &Config,
    client: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    if config.layout == layout::Layout::OutDir {
        return layout::out_dir_files(&api.info.crate_name, &client);
    }
    Ok(client
        .into_iter()
        .map(|(path, contents)| (format!("client/{path}"), contents))
        .collect())
}
