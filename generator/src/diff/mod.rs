//! Change reports: what changed between two versions of a spec, and what it means for the
//! generated crate.
//!
//! [`diff`] compares the IRs of two specs (what the generated code is made of), plus the raw
//! documents where the IR keeps no trace (operation `x-*` extensions, the file digests).
//! Every change names where it is (an operation `GET /users` or a component schema, and a
//! location inside it such as `query.email_address`, `request.name`, `response.data[].id`),
//! the old and new values, and its impact, following the classification rules of the spec
//! research (`clerk-spec.md` §4.3) adapted to what agentgen generates:
//!
//! - **breaking**: code written against the old crate may stop compiling (an operation,
//!   parameter, field, enum value or type removed; a new required input; a type changed;
//!   `T` <-> `Option<T>`; an operation that moved to another group or lost its read-only
//!   class). Semver-major.
//! - **wire-breaking**: code still compiles, but a client already deployed fails at runtime
//!   against the new API (an operation that moved to a new path; a response field that may
//!   now be missing or `null`; a request input the server now requires). Listed with the
//!   code impact too: a change can be both.
//! - **type-rename**: a component schema renamed, or a `$ref` retargeted to a structurally
//!   identical schema under another name (`schemas-CommercePlan` -> `CommercePlan-2`). The
//!   wire format is unchanged; code that names the old Rust type must use the new name.
//!   Detected with a structural hash that ignores names, descriptions and examples.
//! - **additive**: new operations, optional inputs, response fields, enum values, union
//!   variants, types, error statuses. Generated enums are open and `#[non_exhaustive]`, so
//!   new enum values break neither code nor deployed clients; generated structs implement
//!   `Default` and are built with `..Default::default()`, so new optional fields are additive.
//! - **compatible**: documentation (summaries, descriptions), formats, deprecations, `x-*`
//!   extensions, success status codes: nothing a caller has to change.
//!
//! The semver suggestion for the generated crate: major if anything is breaking or a
//! type-rename, minor if anything is additive or wire-breaking, patch if only compatible
//! changes. Before 1.0 Cargo treats the minor number as the major one: a major bump goes
//! `0.y.z` -> `0.(y+1).0`, minor and patch bumps go `0.y.z` -> `0.y.(z+1)`; for `0.0.z`
//! every bump goes to `0.0.(z+1)`.
//!
//! Changes are sorted by scope (operations by path, then method; then schemas by name), then
//! location, then kind, so reports are deterministic.

mod compare;
mod render;
mod report;
mod shape;

pub use render::{markdown, operations_line, summary_line};
pub use report::{
    Bump, Change, ChangeReport, Class, CodeImpact, Counts, OperationChanges, Scope, Semver,
    SpecSummary,
};

use crate::{Config, Error};
use std::path::Path;

/// Options of [`diff`].
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// The current version of the generated crate (for the semver suggestion).
    pub crate_version: String,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            crate_version: "0.1.0".to_string(),
        }
    }
}

/// Compare two specs read from files.
pub fn diff_files(old: &Path, new: &Path, options: &DiffOptions) -> Result<ChangeReport, Error> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| {
            Error::msg(
                p.display().to_string(),
                format!("cannot read the spec: {e}"),
            )
        })
    };
    let (old_text, new_text) = (read(old)?, read(new)?);
    diff(
        &old.display().to_string(),
        &old_text,
        &new.display().to_string(),
        &new_text,
        options,
    )
}

/// One side, analyzed.
struct Side {
    summary: SpecSummary,
    api: crate::ir::Api,
}

fn side(label: &str, text: &str) -> Result<Side, Error> {
    let (api, _) = crate::analyze(&crate::Inputs::from_text(label, text), &Config::new(label))?;
    let summary = SpecSummary {
        label: label.to_string(),
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        sha256: crate::pin::sha256_hex(text.as_bytes()),
        operations: api.operations.len(),
        schemas: api.types.iter().filter(|t| t.wire_name.is_some()).count(),
    };
    Ok(Side { summary, api })
}

/// Compare two specs given as text; `*_label` names them in the report and in errors.
pub fn diff(
    old_label: &str,
    old_text: &str,
    new_label: &str,
    new_text: &str,
    options: &DiffOptions,
) -> Result<ChangeReport, Error> {
    let old = side(old_label, old_text)?;
    let new = side(new_label, new_text)?;
    let mut changes = compare::compare(&old.api, &new.api);
    changes.sort_by(|a, b| {
        (&a.scope, &a.location, a.kind, &a.old, &a.new).cmp(&(
            &b.scope,
            &b.location,
            b.kind,
            &b.old,
            &b.new,
        ))
    });
    changes.dedup();
    let counts = count(&changes);
    let semver = semver(&changes, &counts, &options.crate_version);
    Ok(ChangeReport {
        old: old.summary,
        new: new.summary,
        counts,
        operations: operation_changes(&changes),
        semver,
        changes,
    })
}

fn operation_changes(changes: &[Change]) -> OperationChanges {
    use std::collections::BTreeSet;
    let split = |label: &str| {
        let (m, p) = label.split_once(' ').unwrap_or(("", label));
        (p.to_string(), m.to_string())
    };
    let (mut added, mut removed, mut changed) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for c in changes {
        match (&c.scope, c.kind) {
            (Scope::Operation { path, method }, "operation-added") => {
                added.insert((path.clone(), method.clone()));
            }
            (Scope::Operation { path, method }, "operation-removed") => {
                removed.insert((path.clone(), method.clone()));
            }
            (Scope::Operation { path, method }, _) => {
                changed.insert((path.clone(), method.clone()));
            }
            (Scope::Schema { .. }, _) => changed.extend(c.operations.iter().map(|l| split(l))),
        }
    }
    let label = |(p, m): &(String, String)| format!("{m} {p}");
    OperationChanges {
        changed: changed
            .iter()
            .filter(|k| !added.contains(*k) && !removed.contains(*k))
            .map(label)
            .collect(),
        added: added.iter().map(label).collect(),
        removed: removed.iter().map(label).collect(),
    }
}

fn count(changes: &[Change]) -> Counts {
    let mut c = Counts {
        total: changes.len(),
        ..Counts::default()
    };
    for ch in changes {
        match ch.class {
            Class::Breaking => c.breaking += 1,
            Class::WireBreaking => c.wire_breaking += 1,
            Class::TypeRename => c.type_rename += 1,
            Class::Additive => c.additive += 1,
            Class::Compatible => c.compatible += 1,
        }
        if ch.wire_breaking {
            c.breaks_deployed_clients += 1;
        }
    }
    c
}

fn semver(changes: &[Change], counts: &Counts, current: &str) -> Semver {
    let (bump, reason) = if counts.breaking + counts.type_rename > 0 {
        (
            Bump::Major,
            format!(
                "{} breaking change(s) and {} type rename(s): code written against the old crate may not compile",
                counts.breaking, counts.type_rename
            ),
        )
    } else if counts.additive + counts.wire_breaking > 0 {
        let wire = if counts.breaks_deployed_clients > 0 {
            format!(
                "; {} change(s) break clients already deployed, so release promptly",
                counts.breaks_deployed_clients
            )
        } else {
            String::new()
        };
        (
            Bump::Minor,
            format!(
                "{} additive and {} wire-breaking change(s), none that breaks code{wire}",
                counts.additive, counts.wire_breaking
            ),
        )
    } else if !changes.is_empty() {
        (
            Bump::Patch,
            format!(
                "{} documentation or metadata change(s) only",
                counts.compatible
            ),
        )
    } else {
        (Bump::None, "no changes".to_string())
    };
    Semver {
        bump,
        current: current.to_string(),
        next: next_version(current, bump),
        reason,
    }
}

/// The next version after `current` for a bump, with Cargo's pre-1.0 rules.
pub fn next_version(current: &str, bump: Bump) -> String {
    let core = current.split(['-', '+']).next().unwrap_or(current);
    let nums: Vec<u64> = core.split('.').filter_map(|p| p.parse().ok()).collect();
    let [major, minor, patch] = match nums[..] {
        [a, b, c] => [a, b, c],
        _ => return current.to_string(),
    };
    let (major, minor, patch) = match (bump, major, minor) {
        (Bump::None, ..) => return current.to_string(),
        (_, 0, 0) => (0, 0, patch + 1),
        (Bump::Major, 0, _) => (0, minor + 1, 0),
        (_, 0, _) => (0, minor, patch + 1),
        (Bump::Major, ..) => (major + 1, 0, 0),
        (Bump::Minor, ..) => (major, minor + 1, 0),
        (Bump::Patch, ..) => (major, minor, patch + 1),
    };
    format!("{major}.{minor}.{patch}")
}

#[cfg(test)]
mod tests;
