//! The markdown form of a change report.

use super::report::{Change, ChangeReport, Class, Scope};

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// The one-line summary: counts per class, deployed-client impact and the semver suggestion.
pub fn summary_line(r: &ChangeReport) -> String {
    let c = &r.counts;
    format!(
        "**Summary:** {} changes: {} breaking, {} wire-breaking, {} type-rename, {} additive, {} compatible; changes that break deployed clients: {}. Suggested crate version: {} -> {} ({}).",
        c.total,
        c.breaking,
        c.wire_breaking,
        c.type_rename,
        c.additive,
        c.compatible,
        c.breaks_deployed_clients,
        r.semver.current,
        r.semver.next,
        format!("{:?}", r.semver.bump).to_lowercase(),
    )
}

/// The operations line: counts, and the labels when there are few.
pub fn operations_line(r: &ChangeReport) -> String {
    let o = &r.operations;
    let list = |v: &[String]| {
        if v.is_empty() {
            String::new()
        } else if v.len() <= LIST {
            format!(
                " ({})",
                v.iter()
                    .map(|l| format!("`{l}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            format!(" ({} listed below)", v.len())
        }
    };
    format!(
        "**Operations:** {} added{}, {} removed{}, {} changed{}.",
        o.added.len(),
        list(&o.added),
        o.removed.len(),
        list(&o.removed),
        o.changed.len(),
        list(&o.changed)
    )
}

/// Most operations listed inline (summary line, schema headings).
const LIST: usize = 8;

fn line(c: &Change) -> String {
    let value = match (&c.old, &c.new) {
        (Some(o), Some(n)) => format!(": {o} -> {n}"),
        (Some(o), None) => format!(": was {o}"),
        (None, Some(n)) => format!(": {n}"),
        (None, None) => String::new(),
    };
    let loc = if c.location.is_empty() {
        String::new()
    } else {
        format!(" `{}`", c.location)
    };
    let wire = if c.wire_breaking {
        " **(breaks deployed clients)**"
    } else {
        ""
    };
    format!(
        "- **{}** {}{loc}{value} ({}){wire}\n",
        c.class.as_str(),
        c.kind,
        c.note
    )
}

/// Render a report as markdown: header, summary, counts, then the changes grouped by
/// operation and by schema (documentation-only changes last).
pub fn markdown(r: &ChangeReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# API change report: {} {} -> {} {}\n\n",
        r.old.title, r.old.version, r.new.title, r.new.version
    ));
    out.push_str("| | old | new |\n|---|---|---|\n");
    out.push_str(&format!(
        "| spec | `{}` | `{}` |\n",
        r.old.label, r.new.label
    ));
    out.push_str(&format!(
        "| sha256 | `{}` | `{}` |\n",
        short(&r.old.sha256),
        short(&r.new.sha256)
    ));
    out.push_str(&format!(
        "| operations | {} | {} |\n",
        r.old.operations, r.new.operations
    ));
    out.push_str(&format!(
        "| schemas | {} | {} |\n\n",
        r.old.schemas, r.new.schemas
    ));
    out.push_str(&summary_line(r));
    out.push_str("\n\n");
    out.push_str(&operations_line(r));
    out.push_str("\n\n");
    for (what, list) in [
        ("added", &r.operations.added),
        ("removed", &r.operations.removed),
        ("changed", &r.operations.changed),
    ] {
        if list.len() > LIST {
            out.push_str(&format!(
                "<details><summary>{} operations {what}</summary>\n\n",
                list.len()
            ));
            for l in list {
                out.push_str(&format!("- `{l}`\n"));
            }
            out.push_str("\n</details>\n\n");
        }
    }
    out.push_str(&format!("**Semver:** {}.\n\n", r.semver.reason));
    out.push_str("| class | changes |\n|---|---|\n");
    for class in Class::ALL {
        out.push_str(&format!(
            "| {} | {} |\n",
            class.as_str(),
            r.of_class(class).count()
        ));
    }
    out.push('\n');
    let main: Vec<&Change> = r
        .changes
        .iter()
        .filter(|c| c.class != Class::Compatible)
        .collect();
    let docs: Vec<&Change> = r
        .changes
        .iter()
        .filter(|c| c.class == Class::Compatible)
        .collect();
    section(
        &mut out,
        "## Operations\n\n",
        main.iter()
            .filter(|c| matches!(c.scope, Scope::Operation { .. })),
    );
    section(
        &mut out,
        "## Schemas\n\n",
        main.iter()
            .filter(|c| matches!(c.scope, Scope::Schema { .. })),
    );
    section(
        &mut out,
        "## Compatible changes (documentation and metadata)\n\n",
        docs.iter(),
    );
    if r.changes.is_empty() {
        out.push_str("No changes.\n");
    }
    out
}

fn section<'a>(out: &mut String, title: &str, changes: impl Iterator<Item = &'a &'a Change>) {
    let mut current: Option<String> = None;
    let mut any = false;
    for c in changes {
        if !any {
            out.push_str(title);
            any = true;
        }
        let label = c.scope.label();
        if current.as_deref() != Some(label.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            let used = match c.operations.len() {
                0 => String::new(),
                n if n <= LIST => format!(
                    " (used by {})",
                    c.operations
                        .iter()
                        .map(|l| format!("`{l}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                n => format!(" (used by {n} operations)"),
            };
            out.push_str(&format!("### `{label}`{used}\n\n"));
            current = Some(label);
        }
        out.push_str(&line(c));
    }
    if any {
        out.push('\n');
    }
}
