//! The real-world spec corpus (`tests/corpus/corpus.yaml`): fetch each spec by package name
//! and version with its registry's own client, check its sha256, cache it; count its
//! operations from the raw document, independently of agentgen's loader.
//!
//! Shared by `tests/corpus.rs` (generation, operation counts, clippy, the report) and
//! `tests/agent_docs.rs` (the agent documents), through `#[path]`.

#![allow(dead_code)]

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One spec of the corpus.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Short name; the crate is `corpus-<name>`.
    pub name: String,
    /// `npm` or `pypi`.
    pub registry: String,
    /// Package name.
    pub package: String,
    /// Package version.
    pub version: String,
    /// Path of the spec inside the package archive.
    pub file: String,
    /// sha256 of the spec file, lower-case hex.
    pub sha256: String,
    /// Its `openapi` field.
    pub openapi: String,
    /// Its operations, as listed.
    pub operations: usize,
}

impl Entry {
    /// `YAML` or `JSON`: what the file's text is (Anthropic's `.yml` is JSON).
    pub fn format(&self, text: &str) -> &'static str {
        if text.trim_start().starts_with('{') {
            "JSON"
        } else {
            "YAML"
        }
    }

    /// The crate name.
    pub fn crate_name(&self) -> String {
        format!("corpus-{}", self.name)
    }
}

/// The corpus list.
pub fn entries() -> Vec<Entry> {
    let path = agentgen_tests::repo_root().join("tests/corpus/corpus.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = yaml_serde::from_str(&text).unwrap();
    let field = |e: &serde_json::Value, k: &str| -> String {
        match &e[k] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => panic!("{}: entry without `{k}`: {e}", path.display()),
            other => other.to_string(),
        }
    };
    doc["specs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Entry {
            name: field(e, "name"),
            registry: field(e, "registry"),
            package: field(e, "package"),
            version: field(e, "version"),
            file: field(e, "file"),
            sha256: field(e, "sha256"),
            openapi: field(e, "openapi"),
            operations: field(e, "operations").parse().unwrap(),
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `$AGENTGEN_CACHE_DIR/corpus`, else `$XDG_CACHE_HOME/agentgen/corpus`, else
/// `~/.cache/agentgen/corpus`, else `target/corpus-cache`.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("AGENTGEN_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("agentgen")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/agentgen")))
        .unwrap_or_else(|| agentgen_tests::repo_root().join("target"));
    base.join("corpus")
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The one file in `dir` whose name ends with `suffix`.
fn only_file(dir: &Path, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {suffix} in {}: {found:?}",
        dir.display()
    );
    found[0].clone()
}

/// The spec of `e` on disk: from the cache when its sha256 matches, else fetched from the
/// registry (then cached). Panics with what failed: no registry client, a download that
/// failed, a file missing from the package, or a sha256 that differs.
pub fn fetch(e: &Entry) -> PathBuf {
    let cache = cache_dir();
    std::fs::create_dir_all(&cache).unwrap();
    let ext = Path::new(&e.file)
        .extension()
        .map(|x| x.to_string_lossy().to_string())
        .unwrap_or_else(|| "spec".into());
    let target = cache.join(format!("{}-{}.{ext}", e.name, &e.sha256[..16]));
    if let Ok(bytes) = std::fs::read(&target) {
        if sha256_hex(&bytes) == e.sha256 {
            return target;
        }
    }
    let work = cache.join(format!("{}.download", e.name));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let what = format!("{} {} {}", e.registry, e.package, e.version);
    match e.registry.as_str() {
        // npm checks the tarball against the registry's integrity digest.
        "npm" => {
            run(
                Command::new("npm")
                    .args(["pack", "--silent", "--pack-destination"])
                    .arg(&work)
                    .arg(format!("{}@{}", e.package, e.version))
                    .current_dir(&work),
                &format!("npm pack ({what})"),
            );
            let tgz = only_file(&work, ".tgz");
            run(
                Command::new("tar")
                    .arg("-xzf")
                    .arg(&tgz)
                    .arg("-C")
                    .arg(&work)
                    .arg(&e.file),
                &format!("tar ({what})"),
            );
        }
        "pypi" => {
            run(
                Command::new("python3")
                    .args([
                        "-m",
                        "pip",
                        "download",
                        "--no-deps",
                        "--only-binary=:all:",
                        "--disable-pip-version-check",
                        "--quiet",
                        "-d",
                    ])
                    .arg(&work)
                    .arg(format!("{}=={}", e.package, e.version)),
                &format!("pip download ({what})"),
            );
            let wheel = only_file(&work, ".whl");
            run(
                Command::new("python3")
                    .args(["-m", "zipfile", "-e"])
                    .arg(&wheel)
                    .arg(&work),
                &format!("unzip ({what})"),
            );
        }
        other => panic!("{}: unknown registry `{other}`", e.name),
    }
    let extracted = work.join(&e.file);
    let bytes =
        std::fs::read(&extracted).unwrap_or_else(|err| panic!("{what} has no {}: {err}", e.file));
    let actual = sha256_hex(&bytes);
    assert_eq!(
        actual, e.sha256,
        "{}: sha256 of {} in {what} differs from tests/corpus/corpus.yaml",
        e.name, e.file
    );
    std::fs::write(&target, &bytes).unwrap();
    let _ = std::fs::remove_dir_all(&work);
    target
}

/// A path item, read for its operations only: the methods it declares, or the `$ref` it is.
#[derive(Default)]
struct PathItemOps {
    methods: usize,
    reference: Option<String>,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl<'de> Deserialize<'de> for PathItemOps {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PathItemOps;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path item")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PathItemOps, A::Error> {
                let mut item = PathItemOps::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "$ref" {
                        item.reference = Some(map.next_value()?);
                    } else {
                        // Values are skipped unread (numbers of any size included).
                        map.next_value::<IgnoredAny>()?;
                        if METHODS.contains(&key.as_str()) {
                            item.methods += 1;
                        }
                    }
                }
                Ok(item)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    paths: BTreeMap<String, PathItemOps>,
    #[serde(default)]
    components: Components,
}

#[derive(Deserialize, Default)]
struct Components {
    #[serde(default, rename = "pathItems")]
    path_items: BTreeMap<String, PathItemOps>,
}

/// Operations under `paths` of a spec's text (YAML or JSON), following path-item `$ref`s to
/// `#/components/pathItems`: read with serde alone, not with agentgen's loader.
pub fn count_operations(text: &str) -> usize {
    let doc: Doc = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).unwrap()
    } else {
        yaml_serde::from_str(text).unwrap()
    };
    doc.paths
        .values()
        .map(|item| match &item.reference {
            Some(r) => {
                let name = r.strip_prefix("#/components/pathItems/").unwrap();
                doc.components.path_items[name].methods
            }
            None => item.methods,
        })
        .sum()
}
