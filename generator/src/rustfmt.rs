//! Generated Rust and `cargo fmt`: generation prints with prettyplease (no rustfmt-skip
//! attribute), and this module makes rustfmt's layout of the same code count as the same file.
//!
//! - [`keep_formatted`] (the CLI's `generate` and `check`, always): a `.rs` file on disk that
//!   differs from the fresh text only as rustfmt lays it out is kept as it is. So `cargo fmt`
//!   over a generated crate leaves `agentgen check` clean, and the next `generate` does not
//!   undo it. It runs rustfmt only on files whose bytes differ, so a fresh output costs
//!   nothing.
//! - [`format_files`] (`agentgen generate --rustfmt`, and the committed fixtures, which
//!   `cargo fmt --check` sees): every `.rs` file laid out by rustfmt before it is written.
//!
//! Only front ends call it; generation stays pure, and build scripts skip it (`cargo fmt`
//! never visits `OUT_DIR`). rustfmt is the `RUSTFMT` variable, or `rustfmt` on `PATH`. Each
//! file is piped through `rustfmt --edition 2021`, run in the directory the file is written
//! to (or its nearest existing parent), where rustfmt finds the `rustfmt.toml` that
//! `cargo fmt` would. Hand-written because it is one process call per file; the crate that
//! wraps it (rustfmt-wrapper) takes no config directory.

use crate::write::TreeCheck;
use crate::Error;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What [`format_files`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Formatted {
    /// The Rust files were laid out by this rustfmt (its `--version` line).
    Ran {
        /// `rustfmt --version`, e.g. `rustfmt 1.9.0-stable (59807616e1 2026-04-14)`.
        version: String,
        /// How many files went through it.
        files: usize,
    },
    /// No rustfmt was found: the files are as prettyplease printed them.
    NotFound,
}

impl Formatted {
    /// The line a front end prints when rustfmt was not found, `None` when it ran.
    pub fn warning(&self) -> Option<String> {
        match self {
            Formatted::Ran { .. } => None,
            Formatted::NotFound => Some(
                "warning: --rustfmt: rustfmt was not found (install it with `rustup component add rustfmt`, or set RUSTFMT to its path): the Rust files are as prettyplease prints them"
                    .to_string(),
            ),
        }
    }
}

/// The rustfmt to run: `RUSTFMT` when set, else `rustfmt` on `PATH`.
pub fn program() -> PathBuf {
    std::env::var_os("RUSTFMT")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("rustfmt"), PathBuf::from)
}

/// `rustfmt --version` of [`program`], or `None` when it cannot be run.
pub fn version() -> Option<String> {
    let out = Command::new(program()).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Keep the `.rs` files under `out` that differ from `files` only in rustfmt's layout: their
/// text in `files` becomes the text on disk, and `check` (the [`crate::write::compare`] of
/// `files` with `out`) counts them unchanged, so [`crate::write::apply`] leaves them alone.
/// Only the files `check` found changed are read. Returns how many were kept. Without rustfmt
/// nothing is kept (and nothing is an error); rustfmt rejecting a generated file is an error.
pub fn keep_formatted(
    files: &mut BTreeMap<String, String>,
    out: &Path,
    check: &mut TreeCheck,
) -> Result<usize, Error> {
    let mut on_disk = BTreeMap::new();
    let mut fresh = BTreeMap::new();
    for rel in check.changed.iter().filter(|rel| rel.ends_with(".rs")) {
        if let Ok(disk) = std::fs::read_to_string(out.join(rel)) {
            fresh.insert(rel.clone(), files[rel].clone());
            on_disk.insert(rel.clone(), disk);
        }
    }
    if fresh.is_empty() || format_files(&mut fresh, out)? == Formatted::NotFound {
        return Ok(0);
    }
    let mut kept = 0;
    for (rel, formatted) in fresh {
        let disk = on_disk.remove(&rel).expect("read above");
        if formatted == disk {
            files.insert(rel.clone(), disk);
            check.changed.retain(|c| *c != rel);
            check.unchanged.push(rel);
            kept += 1;
        }
    }
    check.unchanged.sort();
    Ok(kept)
}

/// Lay out every `.rs` file of `files` (paths relative to `out`, the directory they are
/// written to) with rustfmt, in place. Returns [`Formatted::NotFound`], leaving the files as
/// they are, when no rustfmt can be run; an error (naming the file and quoting rustfmt) when
/// rustfmt rejects a file.
pub fn format_files(files: &mut BTreeMap<String, String>, out: &Path) -> Result<Formatted, Error> {
    let Some(version) = version() else {
        return Ok(Formatted::NotFound);
    };
    let program = program();
    let jobs: Vec<(&String, &mut String)> = files
        .iter_mut()
        .filter(|(rel, _)| rel.ends_with(".rs"))
        .collect();
    let count = jobs.len();
    // One rustfmt per file, on as many threads as there are cores: rustfmt's own time is
    // most of `generate`'s, and the files are independent.
    let next = std::sync::Mutex::new(jobs.into_iter());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<(), Error> {
                    loop {
                        let job = next
                            .lock()
                            .map_err(|_| Error::msg("rustfmt", "a worker panicked"))?
                            .next();
                        let Some((rel, text)) = job else {
                            return Ok(());
                        };
                        let dir = config_dir(&out.join(rel));
                        *text = format_one(&program, &dir, text).map_err(|e| Error::msg(rel, e))?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .map_err(|_| Error::msg("rustfmt", "a worker panicked"))?
        })
    })?;
    Ok(Formatted::Ran {
        version,
        files: count,
    })
}

/// The directory rustfmt runs in for the file at `path`: its parent, or the nearest parent
/// that exists (rustfmt looks for `rustfmt.toml` from there upwards).
fn config_dir(path: &Path) -> PathBuf {
    path.ancestors()
        .skip(1)
        .find(|d| d.is_dir())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// One file through `rustfmt --edition E`, on stdin and stdout.
fn format_one(program: &Path, dir: &Path, text: &str) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(["--edition", crate::emit::EDITION])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    // Write on a thread: rustfmt may fill the stdout pipe before it has read all of stdin.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt input writer panicked".to_string())?
        .map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated file ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt printed non-UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(rel: &str, text: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(rel.to_string(), text.to_string())])
    }

    #[test]
    fn lays_out_rust_files_and_leaves_others() {
        let dir = std::env::temp_dir().join(format!("agentgen-rustfmt-{}", std::process::id()));
        let mut files = one("src/lib.rs", "pub fn f( a:u8)->u8{a}\n");
        files.insert("README.md".into(), "keep  this\n".into());
        let formatted = format_files(&mut files, &dir).unwrap();
        let Formatted::Ran { files: n, version } = formatted else {
            panic!("rustfmt is installed wherever `cargo fmt` runs, as in CI");
        };
        assert!(version.starts_with("rustfmt "), "{version}");
        assert_eq!(n, 1);
        assert_eq!(files["src/lib.rs"], "pub fn f(a: u8) -> u8 {\n    a\n}\n");
        assert_eq!(files["README.md"], "keep  this\n");
    }

    #[test]
    fn follows_the_rustfmt_toml_of_the_output_directory() {
        let dir = std::env::temp_dir().join(format!("agentgen-rustfmt-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("rustfmt.toml"), "hard_tabs = true\n").unwrap();
        let mut files = one("src/lib.rs", "fn f() { g(); }\n");
        let formatted = format_files(&mut files, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            matches!(formatted, Ok(Formatted::Ran { .. })),
            "{formatted:?}"
        );
        assert_eq!(files["src/lib.rs"], "fn f() {\n\tg();\n}\n");
    }

    #[test]
    fn keeps_files_that_differ_only_in_rustfmt_layout() {
        let dir =
            std::env::temp_dir().join(format!("agentgen-rustfmt-keep-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        // Laid out by rustfmt; edited by hand; not on disk.
        std::fs::write(dir.join("src/a.rs"), "pub fn a(x: u8) -> u8 {\n    x\n}\n").unwrap();
        std::fs::write(dir.join("src/b.rs"), "pub fn b() -> u8 {\n    2\n}\n").unwrap();
        let mut files = one("src/a.rs", "pub fn a( x:u8)->u8{x}\n");
        files.insert("src/b.rs".into(), "pub fn b()->u8{1}\n".into());
        files.insert("src/c.rs".into(), "pub fn c( ){}\n".into());
        let mut check = crate::write::compare(&dir, &files);
        let kept = keep_formatted(&mut files, &dir, &mut check);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(kept.unwrap(), 1);
        assert_eq!(check.unchanged, ["src/a.rs"]);
        assert_eq!(check.changed, ["src/b.rs"]);
        assert_eq!(check.missing, ["src/c.rs"]);
        assert_eq!(files["src/a.rs"], "pub fn a(x: u8) -> u8 {\n    x\n}\n");
        assert_eq!(files["src/b.rs"], "pub fn b()->u8{1}\n");
        assert_eq!(files["src/c.rs"], "pub fn c( ){}\n");
    }

    #[test]
    fn a_file_rustfmt_rejects_is_an_error_naming_it() {
        let mut files = one("client/src/broken.rs", "fn f( {\n");
        let err = format_files(&mut files, Path::new("does-not-exist")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("client/src/broken.rs"), "{msg}");
        assert!(msg.contains("rustfmt rejected"), "{msg}");
    }
}
