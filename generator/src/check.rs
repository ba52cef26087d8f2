//! `agentgen check`: is the pinned spec the pinned revision, and are the generated files on
//! disk what generation produces now?

use crate::pin::{self, Pin};
use std::path::{Path, PathBuf};

/// Result of checking the pinned spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinCheck {
    /// Found, and its sha256 matches the pin.
    Ok {
        /// Where it was found.
        path: PathBuf,
        /// Its sha256.
        sha256: String,
    },
    /// Missing or different from the pin; the message says which and how to fix it.
    Failed(String),
}

/// Find the pinned spec (mirror, cache, download) and check its sha256.
pub fn pinned_spec(pin: &Pin) -> PinCheck {
    match pin::resolve(pin) {
        Ok(path) => PinCheck::Ok {
            path,
            sha256: pin.sha256.clone(),
        },
        Err(e) => PinCheck::Failed(format!("{e}\n{}", crate::builder::how_to_provide(pin))),
    }
}

use crate::write::TreeCheck;

/// The readable summary of a tree check (several lines, no trailing newline).
pub fn render_tree(out: &Path, check: &TreeCheck) -> String {
    if check.is_clean() {
        return format!(
            "outputs in {}: {} files up to date",
            out.display(),
            check.unchanged.len()
        );
    }
    let mut s = format!(
        "outputs in {} differ from what generation produces now: {} changed, {} missing, {} extra ({} up to date)",
        out.display(),
        check.changed.len(),
        check.missing.len(),
        check.extra.len(),
        check.unchanged.len()
    );
    for (what, list) in [
        ("changed", &check.changed),
        ("missing", &check.missing),
        ("extra", &check.extra),
    ] {
        for rel in list {
            s.push_str(&format!("\n  {what:<8} {rel}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_lists_each_difference() {
        let check = TreeCheck {
            changed: vec!["client/src/b.rs".into()],
            missing: vec!["client/src/c.rs".into()],
            extra: vec!["client/src/old.rs".into()],
            unchanged: vec!["client/src/a.rs".into()],
        };
        let text = render_tree(Path::new("out"), &check);
        assert!(
            text.contains("1 changed, 1 missing, 1 extra (1 up to date)"),
            "{text}"
        );
        assert!(text.contains("changed  client/src/b.rs"), "{text}");
        assert!(text.contains("extra    client/src/old.rs"), "{text}");
        let clean = TreeCheck {
            unchanged: vec!["a".into()],
            ..TreeCheck::default()
        };
        assert_eq!(
            render_tree(Path::new("out"), &clean),
            "outputs in out: 1 files up to date"
        );
    }
}
