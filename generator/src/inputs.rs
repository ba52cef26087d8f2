//! The loading step: everything generation reads, read before it starts.
//!
//! [`Inputs::load`] reads the spec, the webhooks spec and the overlays named by a
//! [`Config`]; [`crate::generate`] then works on the texts alone, without touching files,
//! the network or the environment. Front ends that already hold the text (the `diff`
//! command, tests) build [`Inputs`] directly.

use crate::{Config, Error};
use std::path::{Path, PathBuf};

/// A document read for generation: its text and the label that names it in diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The path it was read from (or a label for text given in memory).
    pub label: String,
    /// Its contents.
    pub text: String,
}

/// Everything generation reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The spec.
    pub spec: Text,
    /// A second spec whose webhooks are merged ([`Config::webhooks_spec`]).
    pub webhooks_spec: Option<Text>,
    /// OpenAPI Overlay documents, applied in order to the spec ([`Config::overlays`]).
    pub overlays: Vec<Text>,
    /// The files read, in order (for `cargo:rerun-if-changed`).
    pub files: Vec<PathBuf>,
}

impl Inputs {
    /// Spec text already in memory, named `label` in diagnostics; nothing else.
    pub fn from_text(label: impl Into<String>, text: impl Into<String>) -> Inputs {
        Inputs {
            spec: Text {
                label: label.into(),
                text: text.into(),
            },
            webhooks_spec: None,
            overlays: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Read what `config` names: the spec, the webhooks spec and the overlays.
    pub fn load(config: &Config) -> Result<Inputs, Error> {
        let mut files = Vec::new();
        let spec = read(&config.spec_path, "the spec", &mut files)?;
        let webhooks_spec = config
            .webhooks_spec
            .as_deref()
            .map(|p| read(p, "the webhooks spec", &mut files))
            .transpose()?;
        let overlays = config
            .overlays
            .iter()
            .map(|p| read(p, "the overlay", &mut files))
            .collect::<Result<_, _>>()?;
        Ok(Inputs {
            spec,
            webhooks_spec,
            overlays,
            files,
        })
    }
}

fn read(path: &Path, what: &str, files: &mut Vec<PathBuf>) -> Result<Text, Error> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::msg(&label, format!("cannot read {what}: {e}")))?;
    files.push(path.to_path_buf());
    Ok(Text { label, text })
}

/// Read the files of `dir` named like a built-in template (`skill.md.j2`, ...): the overrides
/// of `--templates DIR`, for [`Config::templates`]; errors name the file.
#[cfg(feature = "agent")]
pub fn read_templates(dir: &Path) -> Result<std::collections::BTreeMap<String, String>, Error> {
    let mut overrides = std::collections::BTreeMap::new();
    for (name, _) in crate::agent::skill::TEMPLATES {
        let path = dir.join(name);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::msg(
                    path.display().to_string(),
                    format!("cannot read the template: {e}"),
                )
            })?;
            overrides.insert(name.to_string(), text);
        }
    }
    Ok(overrides)
}
