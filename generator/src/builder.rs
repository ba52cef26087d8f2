//! The build-script front-end, in the style of prost-build and tonic-build.
//!
//! [`configure`] returns a [`Builder`]; [`Builder::compile`] generates the client in the
//! [`Layout::OutDir`] layout, writes the files that changed to `OUT_DIR`, and prints the
//! `cargo:` directives: `rerun-if-changed` for every file generation read (the spec, a
//! safety-overrides file), `rerun-if-env-changed` for the variables that locate the pinned
//! spec, and `warning` for the first warnings. Nothing panics: failures are [`Error`]s whose
//! `Display` names the file, the JSON pointer and the line.
//!
//! ```no_run
//! // build.rs
//! fn main() -> std::process::ExitCode {
//!     match agentgen::configure().crate_name("clerk-backend").compile() {
//!         Ok(_) => std::process::ExitCode::SUCCESS,
//!         Err(e) => {
//!             eprintln!("{e}");
//!             std::process::ExitCode::FAILURE
//!         }
//!     }
//! }
//! ```
//!
//! and in `src/lib.rs`, at the crate root:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/clerk_backend.rs"));
//! ```
//!
//! The crate depends on the runtime, `agentgen-runtime` (`generator/runtime/`), besides the
//! dependencies of the generated `Cargo.toml`.
//!
//! The builder generates the client only, so the build dependency needs no feature:
//! `cargo add --build agentgen-core` (without the `agent` feature, which adds the agent
//! documents and minijinja).

use crate::layout::{out_dir_stem, Layout};
use crate::pin::{self, Pin};
use crate::{Config, Diagnostic, Error, Generated, Severity};
use std::path::{Path, PathBuf};

/// How many `cargo:warning=` lines [`Builder::compile`] prints at most (then a count).
pub const MAX_CARGO_WARNINGS: usize = 10;

/// Environment variables that decide where the pinned spec is found.
pub const PIN_ENV_VARS: &[&str] = &[pin::MIRROR_ENV, pin::CACHE_ENV, "XDG_CACHE_HOME"];

/// Start configuring a build-script generation. See [`Builder`].
pub fn configure() -> Builder {
    Builder::default()
}

/// Options of a build-script generation. Every option has a default; see the setters.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    spec: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    crate_name: Option<String>,
    crate_version: Option<String>,
    safety: Option<PathBuf>,
    rerun_if_changed: Option<bool>,
    cargo_warnings: Option<bool>,
    webhooks_spec: Option<PathBuf>,
    clerk_webhooks: bool,
    overlays: Vec<PathBuf>,
}

/// What [`Builder::compile`] did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The directory written to.
    pub out_dir: PathBuf,
    /// The file to `include!` at the crate root (`OUT_DIR/<name>.rs`).
    pub include_file: PathBuf,
    /// The crate documentation (`OUT_DIR/<name>.md`), when the API has any.
    pub docs_file: Option<PathBuf>,
    /// Files written because they were new or changed.
    pub written: Vec<PathBuf>,
    /// Files left alone because their contents were already right.
    pub unchanged: Vec<PathBuf>,
    /// Stale generated files removed (modules of operations groups that no longer exist).
    pub removed: Vec<PathBuf>,
    /// Files generation read.
    pub inputs: Vec<PathBuf>,
    /// Findings that did not stop generation.
    pub diagnostics: Vec<Diagnostic>,
    /// The `cargo:` directives printed, in order.
    pub cargo_directives: Vec<String>,
    /// Operations generated.
    pub operations: usize,
}

impl Builder {
    /// The spec to generate from (YAML or JSON). Default: the pinned Clerk Backend API spec
    /// (`spec/clerk-bapi.yaml`), found through `AGENTGEN_SPEC_MIRROR`, the download cache,
    /// or a download, with its sha256 checked. A relative path is relative to the current
    /// directory, which for a build script is the package directory.
    pub fn spec(mut self, path: impl Into<PathBuf>) -> Self {
        self.spec = Some(path.into());
        self
    }

    /// Where [`Builder::compile`] writes. Default: `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The crate the code is compiled into; it names the files (`<name>.rs`), the doc
    /// examples and the `User-Agent`. Default: `$CARGO_PKG_NAME` (the package whose build
    /// script runs), else a slug of the spec title.
    pub fn crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = Some(name.into());
        self
    }

    /// The version in the `User-Agent`. Default: `$CARGO_PKG_VERSION`, else `0.1.0`.
    pub fn crate_version(mut self, version: impl Into<String>) -> Self {
        self.crate_version = Some(version.into());
        self
    }

    /// Reviewed safety overrides (YAML: `operationId: {class, reason, idempotent?}`).
    /// Default: the file shipped with agentgen for the spec, if any.
    pub fn safety_overrides(mut self, path: impl Into<PathBuf>) -> Self {
        self.safety = Some(path.into());
        self
    }

    /// Print `cargo:rerun-if-changed=` / `cargo:rerun-if-env-changed=` lines. Default: on
    /// when the `CARGO` environment variable is set (as it is for build scripts).
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.rerun_if_changed = Some(on);
        self
    }

    /// Print warnings as `cargo:warning=` lines (at most [`MAX_CARGO_WARNINGS`]). Default:
    /// on when the `CARGO` environment variable is set.
    pub fn cargo_warnings(mut self, on: bool) -> Self {
        self.cargo_warnings = Some(on);
        self
    }

    /// Merge the webhooks (`x-webhooks`) of this second spec into the client: a
    /// `webhooks` module with the typed events and signature verification.
    pub fn webhooks_spec(mut self, path: impl Into<PathBuf>) -> Self {
        self.webhooks_spec = Some(path.into());
        self
    }

    /// Merge the webhooks of the pinned Clerk webhooks spec (`spec/clerk-webhooks.yaml`,
    /// found like the pinned Backend API spec).
    pub fn clerk_webhooks(mut self) -> Self {
        self.clerk_webhooks = true;
        self
    }

    /// Apply this OpenAPI Overlay 1.0 document to the spec before generating (repeatable:
    /// overlays apply in the order given). Each overlay gets a `cargo:rerun-if-changed`.
    pub fn overlay(mut self, path: impl Into<PathBuf>) -> Self {
        self.overlays.push(path.into());
        self
    }

    /// The spec path, resolving the pinned default.
    fn spec_path(&self) -> Result<PathBuf, Error> {
        match &self.spec {
            Some(p) => Ok(p.clone()),
            None => pinned_spec(),
        }
    }

    /// Generate without writing anything. The files are in the [`Layout::OutDir`] layout;
    /// [`Generated::inputs`] lists every file read.
    pub fn generate(&self) -> Result<Generated, Error> {
        let path = self.spec_path()?;
        let mut config = Config::new(&path);
        config.layout = Layout::OutDir;
        config.overlays = self.overlays.clone();
        config.webhooks_spec = match (&self.webhooks_spec, self.clerk_webhooks) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => Some(pinned(&Pin::clerk_webhooks())?),
            (None, false) => None,
        };
        // Build scripts compile the client; the agent documents are for `agentgen generate`
        // (and would need the `agent` feature).
        config.emit_agent = false;
        config.crate_name = self
            .crate_name
            .clone()
            .or_else(|| non_empty_env("CARGO_PKG_NAME"));
        if let Some(v) = self
            .crate_version
            .clone()
            .or_else(|| non_empty_env("CARGO_PKG_VERSION"))
        {
            config.crate_version = v;
        }
        if let Some(s) = &self.safety {
            config = config.safety_file(s)?;
        }
        let inputs = crate::Inputs::load(&config)?;
        let mut generated = crate::generate(&inputs, &config)?;
        if let Some(s) = &self.safety {
            generated.inputs.push(s.clone());
        }
        Ok(generated)
    }

    /// Generate, write the files whose contents changed to the output directory, remove
    /// stale generated files there, and print the `cargo:` directives.
    pub fn compile(&self) -> Result<Report, Error> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                Error::msg(
                    "OUT_DIR",
                    "OUT_DIR is not set: call `compile` from a build script, or set the directory with `.out_dir(DIR)`",
                )
            })?,
        };
        let generated = self.generate()?;
        let stem = out_dir_stem(&generated.api.info.crate_name);
        let crate::write::Written {
            written,
            unchanged,
            removed,
        } = crate::write::write(&out_dir, &generated.files)?;
        let under_cargo = std::env::var_os("CARGO").is_some();
        let mut directives = Vec::new();
        if self.rerun_if_changed.unwrap_or(under_cargo) {
            for input in &generated.inputs {
                directives.push(format!("cargo:rerun-if-changed={}", input.display()));
            }
            if self.spec.is_none() || (self.clerk_webhooks && self.webhooks_spec.is_none()) {
                for var in PIN_ENV_VARS {
                    directives.push(format!("cargo:rerun-if-env-changed={var}"));
                }
            }
        }
        if self.cargo_warnings.unwrap_or(under_cargo) {
            directives.extend(warning_directives(&generated));
        }
        for d in &directives {
            println!("{d}");
        }
        let docs_file = out_dir.join(format!("{stem}.md"));
        Ok(Report {
            include_file: out_dir.join(format!("{stem}.rs")),
            docs_file: docs_file.is_file().then_some(docs_file),
            out_dir,
            written,
            unchanged,
            removed,
            inputs: generated.inputs,
            diagnostics: generated.diagnostics,
            cargo_directives: directives,
            operations: generated.api.operations.len(),
        })
    }
}

fn non_empty_env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// `cargo:warning=` lines for the warnings of a generation, one line each, capped.
fn warning_directives(generated: &Generated) -> Vec<String> {
    let label = generated
        .inputs
        .first()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "spec".to_string());
    let warnings: Vec<&Diagnostic> = generated
        .diagnostics
        .iter()
        .filter(|d| d.severity <= Severity::Warning)
        .collect();
    let mut out: Vec<String> = warnings
        .iter()
        .take(MAX_CARGO_WARNINGS)
        .map(|d| {
            let one_line = d.render(&label).replace('\n', " ").replace("  ", " ");
            format!("cargo:warning=agentgen: {one_line}")
        })
        .collect();
    if warnings.len() > MAX_CARGO_WARNINGS {
        out.push(format!(
            "cargo:warning=agentgen: ... and {} more warnings (`agentgen inspect --spec {label}` lists them)",
            warnings.len() - MAX_CARGO_WARNINGS
        ));
    }
    out
}

/// The pinned Clerk spec on disk (mirror, cache or download; sha256 checked). When it cannot
/// be found, the error says every way of providing it.
///
/// Build scripts run in their package's directory, not where cargo was started, so a
/// relative `AGENTGEN_SPEC_MIRROR` (`../shared/spec/clerk`, as written for the workspace
/// root) is taken relative to the workspace root: the nearest directory from
/// `CARGO_MANIFEST_DIR` up whose `Cargo.toml` has a `[workspace]` table.
pub fn pinned_spec() -> Result<PathBuf, Error> {
    pinned(&Pin::default_pin())
}

/// [`pinned_spec`] for any pin (the Clerk webhooks spec: [`Pin::clerk_webhooks`]).
pub fn pinned(pin: &Pin) -> Result<PathBuf, Error> {
    let pin = pin.clone();
    let mirror = std::env::var_os(pin::MIRROR_ENV).map(PathBuf::from);
    let mirror = match (mirror, std::env::var_os("CARGO_MANIFEST_DIR")) {
        (Some(m), Some(manifest)) if m.is_relative() => {
            Some(workspace_root(Path::new(&manifest)).join(m))
        }
        (m, _) => m,
    };
    pin::resolve_with_mirror(&pin, mirror).map_err(|e| {
        Error::msg(
            format!("pinned spec {} {}", pin.name, pin.version),
            format!("{e}\n{}", how_to_provide(&pin)),
        )
    })
}

/// The nearest directory from `dir` up whose `Cargo.toml` declares a `[workspace]` (the
/// workspace root of the package in `dir`), else `dir`.
fn workspace_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
        })
        .unwrap_or(dir)
        .to_path_buf()
}

/// How to make the pinned spec available.
pub fn how_to_provide(pin: &Pin) -> String {
    format!(
        "Provide the spec in one of these ways:\n  \
         - set {mirror} to a local copy of {repo} (it must contain {path}; CI sets it);\n  \
         - put the file in the download cache as {name}-{sha}.yml ({cache}, else $XDG_CACHE_HOME/agentgen or ~/.cache/agentgen), or let agentgen download {url};\n  \
         - name a spec file: `agentgen::configure().spec(PATH)` in build.rs, `--spec FILE` with the agentgen CLI.",
        mirror = pin::MIRROR_ENV,
        repo = pin.repository,
        path = pin.path,
        name = pin.name,
        sha = pin.sha256,
        cache = pin::CACHE_ENV,
        url = pin.url,
    )
}

pub use crate::write::is_generated_text;

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: Tiny API, version: '1'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n  /things:\n    get:\n      operationId: ListThings\n      tags: [things]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: array, items: {type: string}}\n";

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("agentgen-builder-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn compile_writes_only_changed_files_and_prints_directives() {
        let dir = temp_dir("compile");
        let spec = dir.join("spec.yaml");
        std::fs::write(&spec, SPEC).unwrap();
        let out = dir.join("out");
        let builder = configure()
            .spec(&spec)
            .out_dir(&out)
            .crate_name("tiny")
            .emit_rerun_if_changed(true)
            .cargo_warnings(true);
        let first = builder.compile().unwrap();
        assert_eq!(first.include_file, out.join("tiny.rs"));
        assert!(first.include_file.is_file());
        assert!(out.join("tiny/things.rs").is_file());
        // The crate's own client; the runtime is the `agentgen-runtime` dependency, not a file.
        assert!(out.join("tiny/client.rs").is_file());
        assert!(!out.join("tiny/runtime").exists());
        assert!(first.unchanged.is_empty());
        assert_eq!(
            first.cargo_directives,
            vec![format!("cargo:rerun-if-changed={}", spec.display())]
        );
        // A stale module from an earlier generation is removed; unchanged files stay.
        std::fs::write(out.join("tiny/gone.rs"), "// @generated by agentgen\n").unwrap();
        std::fs::write(out.join("tiny/mine.rs"), "// hand-written\n").unwrap();
        let second = builder.compile().unwrap();
        assert!(second.written.is_empty(), "{:?}", second.written);
        assert_eq!(second.unchanged.len(), first.written.len());
        assert_eq!(second.removed, vec![out.join("tiny/gone.rs")]);
        assert!(out.join("tiny/mine.rs").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn overlays_apply_in_order_and_rerun_the_build_script() {
        let dir = temp_dir("overlay");
        let spec = dir.join("spec.yaml");
        std::fs::write(&spec, SPEC).unwrap();
        let rename = dir.join("rename.yaml");
        std::fs::write(
            &rename,
            "overlay: 1.0.0\ninfo: {title: rename, version: '1'}\nactions:\n  - target: $.paths['/things'].get\n    update: {operationId: ListAllThings, summary: Every thing}\n",
        )
        .unwrap();
        let more = dir.join("more.yaml");
        std::fs::write(
            &more,
            "overlay: 1.0.0\ninfo: {title: more, version: '1'}\nactions:\n  - target: $.paths['/things'].get.responses\n    update: {'404': {description: none}}\n",
        )
        .unwrap();
        let builder = configure()
            .spec(&spec)
            .overlay(&rename)
            .overlay(&more)
            .out_dir(dir.join("out"))
            .crate_name("tiny")
            .emit_rerun_if_changed(true)
            .cargo_warnings(false);
        let generated = builder.generate().unwrap();
        let op = &generated.api.operations[0];
        assert_eq!(op.operation_id, "ListAllThings");
        assert_eq!(op.summary.as_deref(), Some("Every thing"));
        assert_eq!(op.error_statuses, [404]);
        let report = builder.compile().unwrap();
        assert_eq!(
            report.cargo_directives,
            [&spec, &rename, &more]
                .iter()
                .map(|p| format!("cargo:rerun-if-changed={}", p.display()))
                .collect::<Vec<_>>()
        );
        // A target that matches nothing: an error naming the overlay, the action and the path.
        let wrong = dir.join("wrong.yaml");
        std::fs::write(
            &wrong,
            "overlay: 1.0.0\ninfo: {title: wrong, version: '1'}\nactions:\n  - target: $.info\n    update: {x-a: 1}\n  - target: $.paths['/nothing']\n    remove: true\n",
        )
        .unwrap();
        let err = configure()
            .spec(&spec)
            .overlay(&wrong)
            .generate()
            .unwrap_err()
            .to_string();
        assert!(err.contains("wrong.yaml:6"), "{err}");
        assert!(err.contains("#/actions/1/target"), "{err}");
        assert!(err.contains("$.paths['/nothing']"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn errors_name_the_spec_and_never_panic() {
        let dir = temp_dir("errors");
        let spec = dir.join("bad.yaml");
        std::fs::write(&spec, "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n").unwrap();
        let err = configure()
            .spec(&spec)
            .out_dir(dir.join("out"))
            .emit_rerun_if_changed(false)
            .compile()
            .unwrap_err()
            .to_string();
        assert!(err.contains("dangling-ref"), "{err}");
        assert!(err.contains("bad.yaml:11"), "{err}");
        let missing = configure()
            .spec(dir.join("nope.yaml"))
            .out_dir(dir.join("out"))
            .compile()
            .unwrap_err()
            .to_string();
        assert!(missing.contains("cannot read the spec"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn workspace_root_of_a_member_is_the_workspace() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = workspace_root(here);
        assert_eq!(root, here.parent().unwrap());
        let lonely = temp_dir("lonely");
        assert_eq!(workspace_root(&lonely), lonely);
        let _ = std::fs::remove_dir_all(&lonely);
    }

    #[test]
    fn provide_hint_names_every_way() {
        let hint = how_to_provide(&Pin::default_pin());
        assert!(hint.contains("AGENTGEN_SPEC_MIRROR"), "{hint}");
        assert!(hint.contains("AGENTGEN_CACHE_DIR"), "{hint}");
        assert!(hint.contains("--spec FILE"), "{hint}");
        assert!(hint.contains(".spec(PATH)"), "{hint}");
    }
}
