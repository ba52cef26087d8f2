//! agentgen: turn an OpenAPI spec (Clerk's Backend API first) into a typed Rust client crate.
//!
//! One pure entry point, [`generate`], sits behind every front-end (the `agentgen` CLI, build
//! scripts, tests): it reads the spec and returns the files to write, without writing anything.
//!
//! ```no_run
//! let config = agentgen::Config::new("bapi/2026-05-12.yml");
//! let generated = agentgen::generate(&config)?;
//! for (path, contents) in &generated.files {
//!     println!("{path}: {} bytes", contents.len());
//! }
//! # Ok::<(), agentgen::Error>(())
//! ```
#![warn(missing_docs)]

pub mod agent;
pub mod builder;
pub mod check;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod emit;
mod error;
pub mod example;
pub mod inspect;
pub mod ir;
pub mod layout;
pub mod load;
pub mod lower;
pub mod naming;
pub mod normalize;
pub mod overlay;
pub mod pin;
pub mod publish;
pub mod timings;
mod unique_keys;
mod validate;
mod work;
mod yaml_split;

/// The tests' repository and spec-mirror lookup, shared with the cross-stage tests.
#[cfg(test)]
#[path = "../../tests/src/mirror.rs"]
mod test_mirror;

pub use builder::{configure, Builder, Report};
pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};
pub use error::Error;
pub use timings::Timings;

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

/// Read and lower the spec named by `config` into the IR, with diagnostics; merges the
/// webhooks of [`Config::webhooks_spec`] when set.
pub fn analyze(config: &Config) -> Result<(ir::Api, Vec<Diagnostic>, Vec<PathBuf>), Error> {
    let (api, unlocated, inputs) = analyze_timed(config, &mut Timings::default())?;
    Ok((api, locate_all(unlocated), inputs))
}

/// Diagnostics of one spec whose lines are still to be looked up in its text. The lookup
/// only serves reporting, so [`generate`] does it while the outputs are built.
struct Unlocated {
    diags: diagnostics::Diagnostics,
    text: String,
    /// Put before each message (`FILE: `), for a merged spec's diagnostics.
    prefix: Option<String>,
    /// The typed document, done with: freed with the diagnostics, off the critical path.
    doc: Option<openapiv3::OpenAPI>,
}

/// Locate and sort the diagnostics of each spec, in order (freeing the typed documents).
fn locate_all(all: Vec<Unlocated>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for Unlocated {
        mut diags,
        text,
        prefix,
        doc,
    } in all
    {
        drop(doc);
        let lines = load::YamlLines::new(&text);
        diags.locate(|p| lines.line_of(p));
        out.extend(diags.into_sorted().into_iter().map(|mut d| {
            if let Some(prefix) = &prefix {
                d.message = format!("{prefix}{}", d.message);
            }
            d
        }));
    }
    out
}

fn analyze_timed(
    config: &Config,
    timings: &mut Timings,
) -> Result<(ir::Api, Vec<Unlocated>, Vec<PathBuf>), Error> {
    let Some(path) = &config.webhooks_spec else {
        let (api, diags, inputs) = analyze_one(config, timings)?;
        return Ok((api, vec![diags], inputs));
    };
    let label = path.display().to_string();
    let mut hooks_config = Config::new(path);
    hooks_config.crate_name = config.crate_name.clone();
    hooks_config.safety_overrides = Some(BTreeMap::new());
    // The two specs are read and lowered on two threads; the main spec's errors come first.
    let (main, hooks) = std::thread::scope(|scope| {
        let hooks = scope.spawn(|| {
            let mut t = Timings::default();
            (analyze_one(&hooks_config, &mut t), t)
        });
        let main = analyze_one(config, timings);
        (main, hooks.join())
    });
    let (hooks, hook_timings) = match hooks {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let (mut api, diags, mut inputs) = main?;
    timings.merge(hook_timings);
    let (hooks, mut hook_diags, hook_inputs) = hooks?;
    if hooks.webhooks.is_empty() {
        return Err(Error::msg(
            &label,
            "the webhooks spec describes no webhooks (`x-webhooks`)",
        ));
    }
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "webhooks".to_string());
    lower::webhooks::merge(&mut api, hooks, &file);
    hook_diags.prefix = Some(format!("{label}: "));
    inputs.extend(hook_inputs);
    Ok((api, vec![diags, hook_diags], inputs))
}

fn analyze_one(
    config: &Config,
    timings: &mut Timings,
) -> Result<(ir::Api, Unlocated, Vec<PathBuf>), Error> {
    let label = config.spec_path.display().to_string();
    let (text, inputs) = match &config.spec_text {
        Some(t) => (t.clone(), Vec::new()),
        None => {
            let text = timings
                .time("read spec", || std::fs::read_to_string(&config.spec_path))
                .map_err(|e| Error::msg(&label, format!("cannot read the spec: {e}")))?;
            (text, vec![config.spec_path.clone()])
        }
    };
    let mut diags = diagnostics::Diagnostics::default();
    let fail = |mut diags: diagnostics::Diagnostics, text: &str| {
        let lines = load::YamlLines::new(text);
        diags.locate(|p| lines.line_of(p));
        let all = diags.into_sorted();
        Error::with_diagnostics(&label, "the spec cannot be used", all)
    };
    let Some(mut raw) = timings.time("parse", || load::parse_text(&text, &mut diags)) else {
        return Err(fail(diags, &text));
    };
    let mut inputs = inputs;
    for path in &config.overlays {
        timings.time("overlays", || apply_overlay(&mut raw, path))?;
        inputs.push(path.clone());
    }
    let Some(loaded) = timings.time("load (normalize, type)", || load::load(raw, &mut diags))
    else {
        return Err(fail(diags, &text));
    };
    // The raw document is not needed any more: free it (~1 ms of small allocations) on
    // another thread while lowering, which leaves a core idle.
    let load::Loaded { doc, raw } = loaded;
    let api = std::thread::scope(|scope| {
        scope.spawn(move || drop(raw));
        timings.time("lower", || lower::lower(&doc, config, &mut diags))
    });
    if diags.has_errors() {
        return Err(fail(diags, &text));
    }
    let unlocated = Unlocated {
        diags,
        text,
        prefix: None,
        doc: Some(doc),
    };
    Ok((api, unlocated, inputs))
}

/// Read the overlay at `path` and apply it to `raw`; its problems are an error located in
/// the overlay (file, JSON pointer of the action, line).
fn apply_overlay(raw: &mut serde_json::Value, path: &std::path::Path) -> Result<(), Error> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::msg(&label, format!("cannot read the overlay: {e}")))?;
    let mut diags = diagnostics::Diagnostics::default();
    if let Some(overlay) = load::parse_text(&text, &mut diags) {
        overlay::apply(raw, &overlay, &mut diags);
    }
    if diags.has_errors() {
        let lines = load::YamlLines::new(&text);
        // `- target: ...` is found by its list item (the key shares the item's line).
        diags.locate(|p| {
            lines
                .line_of(p)
                .or_else(|| lines.line_of(p.rsplit_once('/').map_or(p, |(parent, _)| parent)))
        });
        return Err(Error::with_diagnostics(
            &label,
            "the overlay cannot be applied",
            diags.into_sorted(),
        ));
    }
    Ok(())
}

/// Generate every output for `config`. Pure: reads the spec, writes nothing.
pub fn generate(config: &Config) -> Result<Generated, Error> {
    generate_timed(config, &mut Timings::default())
}

/// [`generate`], recording how long each phase took in `timings` (the output is the same).
pub fn generate_timed(config: &Config, timings: &mut Timings) -> Result<Generated, Error> {
    generate_with(config, timings, None).map(|(generated, _)| generated)
}

/// Receives generated files while [`generate_into`] runs: each set as soon as it is built,
/// from the thread that built it, so that writing overlaps the rest of the work.
pub trait Sink: Sync {
    /// Take `files`, whose paths are relative to `dir` (`client`, `agent`, or empty for the
    /// output directory itself). Returns how many it wrote (the others were up to date).
    fn put(&self, dir: &str, files: &BTreeMap<String, String>) -> Result<usize, Error>;
}

/// [`generate_timed`], also handing every file to `sink` while generating (recorded as
/// `write`); returns the files handed over in [`Generated::files`] all the same, and the
/// total the sink reported written. Files go to the sink only once the spec was read and
/// the agent's model built, but a later failure (a template error, say) can leave the
/// sink holding some of the files: a sink that must be all or nothing stages them until
/// this returns `Ok` (as `agentgen generate` does).
pub fn generate_into(
    config: &Config,
    timings: &mut Timings,
    sink: &dyn Sink,
) -> Result<(Generated, usize), Error> {
    generate_with(config, timings, Some(sink))
}

/// What the sink did: files written, time spent, the first error.
#[derive(Default)]
struct Put {
    written: std::sync::atomic::AtomicUsize,
    took: std::sync::Mutex<std::time::Duration>,
    error: std::sync::Mutex<Option<Error>>,
}

impl Put {
    fn put(&self, sink: Option<&dyn Sink>, dir: &str, files: &BTreeMap<String, String>) {
        let Some(sink) = sink else {
            return;
        };
        let start = std::time::Instant::now();
        let result = sink.put(dir, files);
        let took = start.elapsed();
        *self.took.lock().unwrap_or_else(|e| e.into_inner()) += took;
        match result {
            Ok(n) => {
                self.written
                    .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => {
                self.error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
            }
        }
    }
}

fn generate_with(
    config: &Config,
    timings: &mut Timings,
    sink: Option<&dyn Sink>,
) -> Result<(Generated, usize), Error> {
    let (api, unlocated, inputs) = analyze_timed(config, timings)?;
    let label = config.spec_path.display().to_string();
    // The client and the agent documents depend only on the IR: build them on two threads,
    // the client on this one and the agent's model on the other. The agent's documents are
    // then independent jobs, which both threads take in turn once free. Files are merged
    // into one ordered map afterwards, so the output does not depend on which thread did
    // what. The diagnostics' lines are looked up meanwhile, and each finished set of files
    // goes to the sink from the thread that built it.
    let put = Put::default();
    let prepared = std::sync::OnceLock::new();
    let next_job = std::sync::atomic::AtomicUsize::new(0);
    let agent_jobs = |prepared: &agent::Prepared<'_>| {
        let mut done = Vec::new();
        loop {
            let i = next_job.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= agent::JOBS {
                return done;
            }
            let job = agent::job(prepared, i);
            if let Ok(files) = job.files() {
                put.put(sink, "agent", files);
            }
            done.push((i, job));
        }
    };
    let (client, agent, mut diagnostics) = std::thread::scope(|scope| {
        let located = scope.spawn(|| {
            let start = std::time::Instant::now();
            let diagnostics = locate_all(unlocated);
            (diagnostics, start.elapsed())
        });
        // Told when the model is ready (or, dropped, that it never will be).
        let (ready, model_ready) = std::sync::mpsc::channel::<()>();
        let agent = config.emit_agent.then(|| {
            let (prepared, agent_jobs, api) = (&prepared, &agent_jobs, &api);
            scope.spawn(move || {
                let mut t = Timings::default();
                let model = agent::prepare(api, config, &mut t).map(|p| {
                    let p = prepared.get_or_init(|| p);
                    let _ = ready.send(());
                    agent_jobs(p)
                });
                (model, t)
            })
        });
        let client = config.emit_client.then(|| {
            let mut t = Timings::default();
            timings::take_format();
            let start = std::time::Instant::now();
            let client = emit::client(&api);
            let format = timings::take_format();
            t.add("emit client", start.elapsed());
            t.add("  of which printing (cpu)", format);
            (client.and_then(|c| client_files(&api, config, c)), t)
        });
        let model = agent
            .as_ref()
            .map(|_| model_ready.recv().ok().and_then(|()| prepared.get()));
        if let Some((Ok(files), _)) = &client {
            if !matches!(model, Some(None)) {
                put.put(sink, "", files);
            }
        }
        let mine = match model {
            Some(Some(p)) => agent_jobs(p),
            _ => Vec::new(),
        };
        let agent = agent.map(|handle| match handle.join() {
            Ok((model, t)) => (model.map(|theirs| (theirs, mine)), t),
            Err(panic) => std::panic::resume_unwind(panic),
        });
        let (diagnostics, took) = match located.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        timings.add("locate diagnostics", took);
        (client, agent, diagnostics)
    });
    let mut files = BTreeMap::new();
    if let Some((client, t)) = client {
        timings.merge(t);
        files.extend(client.map_err(|e| Error::msg(&label, e))?);
    }
    if let Some((model, mut t)) = agent {
        let (theirs, mine) = model.map_err(|e| Error::msg(&label, e))?;
        let mut done: Vec<_> = theirs.into_iter().chain(mine).collect();
        done.sort_by_key(|(i, _)| *i);
        let prepared = prepared
            .get()
            .ok_or_else(|| Error::msg(&label, "internal error: no agent model"))?;
        let (agent, readme) =
            agent::finish(prepared, done.into_iter().map(|(_, d)| d).collect(), &mut t)
                .map_err(|e| Error::msg(&label, e))?;
        put.put(sink, "agent", &readme);
        timings.merge(t);
        for (path, contents) in agent.into_iter().chain(readme) {
            files.insert(format!("agent/{path}"), contents);
        }
        diagnostics.extend(prepared.diagnostics.iter().cloned());
    }
    if sink.is_some() {
        timings.add(
            "write",
            put.took.into_inner().unwrap_or_else(|e| e.into_inner()),
        );
    }
    if let Some(e) = put.error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    let generated = Generated {
        files,
        diagnostics,
        inputs,
        api,
    };
    Ok((generated, put.written.into_inner()))
}

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
