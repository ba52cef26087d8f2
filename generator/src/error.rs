//! The library's error type.

use crate::diagnostics::{Diagnostic, Severity};
use std::fmt;

/// Why generation (or loading a spec) failed.
#[derive(Debug)]
pub struct Error {
    /// What the error is about (a file name, a flag, a pinned spec).
    pub subject: String,
    /// The findings; at least one has severity error unless `message` says otherwise.
    pub diagnostics: Vec<Diagnostic>,
    /// A summary message.
    pub message: String,
}

impl Error {
    /// An error with a message and no diagnostics.
    pub fn msg(subject: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            subject: subject.into(),
            diagnostics: Vec::new(),
            message: message.into(),
        }
    }

    /// An error carrying located diagnostics.
    pub fn with_diagnostics(
        subject: impl Into<String>,
        message: impl Into<String>,
        diagnostics: Vec<Diagnostic>,
    ) -> Self {
        Error {
            subject: subject.into(),
            diagnostics,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)?;
        let errors: Vec<_> = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        for d in errors.iter().take(50) {
            write!(f, "\n{}", d.render(&self.subject))?;
        }
        if errors.len() > 50 {
            write!(f, "\n... and {} more errors", errors.len() - 50)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
