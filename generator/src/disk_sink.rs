//! Writing the generated files to disk as the generator hands them over, all or nothing.
//!
//! Files are written as they are built, but none takes its place before [`DiskSink::commit`]:
//! an output directory that this run creates is built under a staging directory beside it
//! and renamed into place; in an existing one, each changed file is written under a
//! temporary name beside its target and renamed over it. A run that fails before the
//! commit drops the sink, which removes what it staged, so the output stays as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The suffix of a changed file's temporary name, until the commit renames it.
const STAGED: &str = ".agentgen-staged";

pub struct DiskSink<'a> {
    out: &'a Path,
    /// Where files are written: a staging directory beside `out` when this run creates the
    /// output directory (nothing in it can be up to date, so nothing is read back), else
    /// `out` itself.
    root: PathBuf,
    fresh: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Directories known to exist (hundreds of files share a dozen directories).
    known: BTreeSet<PathBuf>,
    /// Directories this run made inside an existing output directory, removed again if
    /// the run fails.
    made: Vec<PathBuf>,
    /// Changed files in an existing output directory: (temporary name, target).
    staged: Vec<(PathBuf, PathBuf)>,
    committed: bool,
}

impl<'a> DiskSink<'a> {
    pub fn new(out: &'a Path) -> Self {
        let staging = (!out.exists())
            .then(|| out.file_name())
            .flatten()
            .map(|name| {
                let mut name = name.to_os_string();
                name.push(format!(".agentgen-{}.tmp", std::process::id()));
                out.with_file_name(name)
            });
        DiskSink {
            out,
            fresh: staging.is_some(),
            root: staging.unwrap_or_else(|| out.to_path_buf()),
            state: Mutex::default(),
        }
    }

    /// Whether this run creates the output directory (nothing in it can be stale).
    pub fn fresh(&self) -> bool {
        self.fresh
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Put every written file in its place.
    pub fn commit(&self) -> Result<(), agentgen::Error> {
        let mut state = self.state();
        if self.fresh {
            if self.root.exists() {
                std::fs::rename(&self.root, self.out).map_err(|e| io_error(self.out, e))?;
            } else {
                // No file was generated: make the directory all the same.
                std::fs::create_dir_all(self.out).map_err(|e| io_error(self.out, e))?;
            }
        } else {
            while let Some((staged, target)) = state.staged.pop() {
                if let Err(e) = std::fs::rename(&staged, &target) {
                    let error = io_error(&target, e);
                    state.staged.push((staged, target));
                    return Err(error);
                }
            }
        }
        state.committed = true;
        Ok(())
    }
}

impl Drop for DiskSink<'_> {
    /// A sink dropped before its commit removes what it wrote.
    fn drop(&mut self) {
        let state = self.state();
        if state.committed {
            return;
        }
        if self.fresh {
            let _ = std::fs::remove_dir_all(&self.root);
            return;
        }
        for (staged, _) in &state.staged {
            let _ = std::fs::remove_file(staged);
        }
        // Deepest first; a directory that is not empty stays.
        for dir in state.made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn io_error(path: &Path, e: std::io::Error) -> agentgen::Error {
    agentgen::Error::msg(path.display().to_string(), e.to_string())
}

impl agentgen::Sink for DiskSink<'_> {
    fn put(&self, dir: &str, files: &BTreeMap<String, String>) -> Result<usize, agentgen::Error> {
        let base = self.root.join(dir);
        let parents: BTreeSet<&Path> = files
            .keys()
            .filter_map(|rel| Path::new(rel).parent())
            .collect();
        for parent in parents {
            let path = base.join(parent);
            let mut state = self.state();
            if state.known.contains(&path) {
                continue;
            }
            if !self.fresh {
                // Remember each directory this run makes, outermost first.
                let missing: Vec<PathBuf> = path
                    .ancestors()
                    .take_while(|a| a.starts_with(self.out) && !a.exists())
                    .map(Path::to_path_buf)
                    .collect();
                state.made.extend(missing.into_iter().rev());
            }
            std::fs::create_dir_all(&path).map_err(|e| io_error(&path, e))?;
            state.known.insert(path);
        }
        let mut written = 0;
        for (rel, contents) in files {
            let path = base.join(rel);
            if self.fresh {
                std::fs::write(&path, contents).map_err(|e| io_error(&path, e))?;
            } else {
                if std::fs::read(&path).ok().as_deref() == Some(contents.as_bytes()) {
                    continue;
                }
                let mut staged = path.clone().into_os_string();
                staged.push(STAGED);
                let staged = PathBuf::from(staged);
                // Recorded first, so that a failed write is cleaned up as well.
                self.state().staged.push((staged.clone(), path.clone()));
                std::fs::write(&staged, contents).map_err(|e| io_error(&path, e))?;
            }
            written += 1;
        }
        Ok(written)
    }
}
