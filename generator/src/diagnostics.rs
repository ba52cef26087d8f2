//! Diagnostics: every problem found in a spec, with the place it was found.

use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Generation cannot produce correct output.
    Error,
    /// The output is usable but something was approximated or skipped.
    Warning,
    /// Informational: a decision the generator made that a reviewer may want to know.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One finding, located by a JSON pointer into the spec (and a line when known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Severity.
    pub severity: Severity,
    /// Stable kebab-case identifier of the kind of finding.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// JSON pointer (RFC 6901) of the offending node, e.g. `#/paths/~1users/get`.
    pub pointer: String,
    /// 1-based line in the spec file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Diagnostic {
    /// A diagnostic of the given severity.
    pub fn new(
        severity: Severity,
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            pointer: pointer.into(),
            line: None,
        }
    }

    /// Render as one line, prefixed with the file name.
    pub fn render(&self, file: &str) -> String {
        let line = self.line.map(|l| format!(":{l}")).unwrap_or_default();
        format!(
            "{}[{}]: {}\n  --> {}{} at {}",
            self.severity, self.code, self.message, file, line, self.pointer
        )
    }
}

/// Collects diagnostics during a pass.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Record an error.
    pub fn error(
        &mut self,
        code: &'static str,
        pointer: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.items
            .push(Diagnostic::new(Severity::Error, code, pointer, msg));
    }
    /// Record a warning.
    pub fn warning(
        &mut self,
        code: &'static str,
        pointer: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.items
            .push(Diagnostic::new(Severity::Warning, code, pointer, msg));
    }
    /// Record a note.
    pub fn note(&mut self, code: &'static str, pointer: impl Into<String>, msg: impl Into<String>) {
        self.items
            .push(Diagnostic::new(Severity::Note, code, pointer, msg));
    }
    /// Set the line of the most recent diagnostic.
    pub fn set_last_line(&mut self, line: usize) {
        if let Some(last) = self.items.last_mut() {
            last.line = Some(line);
        }
    }
    /// Fill in missing lines using a pointer -> line lookup.
    pub fn locate(&mut self, lookup: impl Fn(&str) -> Option<usize>) {
        for d in &mut self.items {
            if d.line.is_none() {
                d.line = lookup(&d.pointer);
            }
        }
    }
    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
    /// The diagnostics, sorted by severity then pointer (stable, deterministic).
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (a.severity, &a.pointer, a.code, &a.message)
                .cmp(&(b.severity, &b.pointer, b.code, &b.message))
        });
        self.items.dedup();
        self.items
    }
}

/// Escape one JSON pointer token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Append a token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}
