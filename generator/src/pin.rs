//! The pinned spec: where it comes from and how it is checked.

use crate::Error;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Environment variable naming a local mirror of the upstream spec repository.
pub const MIRROR_ENV: &str = "AGENTGEN_SPEC_MIRROR";
/// Environment variable naming the download cache directory.
pub const CACHE_ENV: &str = "AGENTGEN_CACHE_DIR";

/// A pinned upstream spec (`spec/clerk-bapi.yaml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// Short name.
    pub name: String,
    /// API version.
    pub version: String,
    /// Upstream repository.
    pub repository: String,
    /// Upstream commit.
    pub commit: String,
    /// Path inside the repository (and inside a mirror).
    pub path: String,
    /// Download URL at the commit.
    pub url: String,
    /// Expected sha256 of the file, lower-case hex.
    pub sha256: String,
}

/// The default pin, embedded from `spec/clerk-bapi.yaml`.
pub const DEFAULT_PIN_TEXT: &str = include_str!("../embed/spec/clerk-bapi.yaml");

/// The pinned Clerk webhooks spec, embedded from `spec/clerk-webhooks.yaml`.
pub const CLERK_WEBHOOKS_PIN_TEXT: &str = include_str!("../embed/spec/clerk-webhooks.yaml");

impl Pin {
    /// The pinned Clerk webhooks spec (merged into the Backend API client with
    /// `--clerk-webhooks` or [`crate::Builder::clerk_webhooks`]).
    pub fn clerk_webhooks() -> Pin {
        // The embedded file is part of this crate and covered by tests.
        Pin::parse(CLERK_WEBHOOKS_PIN_TEXT)
            .unwrap_or_else(|e| panic!("embedded webhooks pin is invalid: {e}"))
    }

    /// Parse a pin file.
    pub fn parse(text: &str) -> Result<Pin, String> {
        yaml_serde::from_str(text).map_err(|e| format!("invalid pin file: {e}"))
    }

    /// The pin built into this binary.
    pub fn default_pin() -> Pin {
        // The embedded file is part of this crate and covered by tests.
        Pin::parse(DEFAULT_PIN_TEXT).unwrap_or_else(|e| panic!("embedded pin is invalid: {e}"))
    }
}

/// Lower-case hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn check(pin: &Pin, path: &Path) -> Result<(), Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::msg(path.display().to_string(), format!("cannot read: {e}")))?;
    let actual = sha256_hex(&bytes);
    if actual != pin.sha256 {
        return Err(Error::msg(
            path.display().to_string(),
            format!(
                "sha256 mismatch for pinned spec `{}` {}: expected {}, found {actual}. The file is not the pinned revision (commit {}).",
                pin.name, pin.version, pin.sha256, pin.commit
            ),
        ));
    }
    Ok(())
}

fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(CACHE_ENV) {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("agentgen"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("agentgen"))
}

/// Find the pinned spec on disk (mirror, then cache, then download), checking its sha256.
pub fn resolve(pin: &Pin) -> Result<PathBuf, Error> {
    resolve_with_mirror(pin, std::env::var_os(MIRROR_ENV).map(PathBuf::from))
}

/// [`resolve`] with the mirror given (instead of read from `AGENTGEN_SPEC_MIRROR`).
pub fn resolve_with_mirror(pin: &Pin, mirror: Option<PathBuf>) -> Result<PathBuf, Error> {
    if let Some(mirror) = mirror {
        let path = mirror.join(&pin.path);
        if !path.is_file() {
            return Err(Error::msg(
                path.display().to_string(),
                format!("{MIRROR_ENV} is set, but the mirror has no `{}`", pin.path),
            ));
        }
        check(pin, &path)?;
        return Ok(path);
    }
    let cache = cache_dir();
    if let Some(dir) = &cache {
        let cached = dir.join(format!("{}-{}.yml", pin.name, pin.sha256));
        if cached.is_file() && check(pin, &cached).is_ok() {
            return Ok(cached);
        }
    }
    download(pin, cache.as_deref())
}

fn download(pin: &Pin, cache: Option<&Path>) -> Result<PathBuf, Error> {
    let hint = format!(
        "pass --spec FILE, or set {MIRROR_ENV} to a directory laid out like {} (containing {})",
        pin.repository, pin.path
    );
    let Some(dir) = cache else {
        return Err(Error::msg(
            &pin.url,
            format!("no cache directory (HOME is unset); {hint}"),
        ));
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::msg(
            dir.display().to_string(),
            format!("cannot create cache directory: {e}; {hint}"),
        )
    })?;
    let target = dir.join(format!("{}-{}.yml", pin.name, pin.sha256));
    let partial = dir.join(format!("{}-{}.yml.part", pin.name, pin.sha256));
    let status = std::process::Command::new("curl")
        .args(["-fsSL", "--max-time", "120", "-o"])
        .arg(&partial)
        .arg(&pin.url)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            let _ = std::fs::remove_file(&partial);
            return Err(Error::msg(
                &pin.url,
                format!("download failed (curl exit {s}); {hint}"),
            ));
        }
        Err(e) => {
            return Err(Error::msg(
                &pin.url,
                format!("cannot run curl to download the spec: {e}; {hint}"),
            ));
        }
    }
    if let Err(e) = check(pin, &partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &target).map_err(|e| {
        Error::msg(
            target.display().to_string(),
            format!("cannot store the download: {e}"),
        )
    })?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pin_parses() {
        let pin = Pin::default_pin();
        assert_eq!(pin.version, "2026-05-12");
        assert_eq!(pin.sha256.len(), 64);
        assert!(pin.url.contains(&pin.commit));
    }

    #[test]
    fn clerk_webhooks_pin_parses() {
        let pin = Pin::clerk_webhooks();
        assert_eq!(pin.version, "2025-04-15");
        assert_eq!(pin.sha256.len(), 64);
        assert!(pin.url.contains(&pin.commit) && pin.url.ends_with(&pin.path));
        // Same upstream revision as the Backend API pin.
        assert_eq!(pin.commit, Pin::default_pin().commit);
    }

    #[test]
    fn sha256_known_value() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
