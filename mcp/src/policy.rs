//! What one connection may do with the API: a ceiling on the safety class, whether
//! operations that return credentials are offered, and whether `private_metadata` is shown.
//! The MCP server (listing, search, describe, call) and its HTTP backend check the same
//! [`Policy`] before anything is sent.

use crate::catalog::{Class, Operation};
use std::fmt;

/// What a connection may do. The default is the most restrictive choice for secrets and
/// metadata and no ceiling on classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The most harmful class the connection may call (`read` for a read-only connection).
    pub ceiling: Class,
    /// Operations that return a secret or credential are offered.
    pub allow_secrets: bool,
    /// Results keep `private_metadata`.
    pub allow_private_metadata: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            ceiling: Class::Destructive,
            allow_secrets: false,
            allow_private_metadata: false,
        }
    }
}

/// Why a connection may not call an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The operation's class is above the connection's ceiling.
    Ceiling {
        /// The operation's class.
        class: Class,
        /// The connection's ceiling.
        ceiling: Class,
    },
    /// The operation returns a credential and the connection does not allow secrets.
    Credential {
        /// What it returns.
        reason: String,
    },
}

impl Policy {
    /// A read-only connection: `read` operations that return no credential.
    pub fn read_only() -> Policy {
        Policy {
            ceiling: Class::Read,
            ..Policy::default()
        }
    }

    /// Whether the ceiling is `read`.
    pub fn is_read_only(&self) -> bool {
        self.ceiling == Class::Read
    }

    /// Whether the connection may call `op`, and if not, why.
    pub fn check(&self, op: &Operation) -> Result<(), Refusal> {
        let class = op.safety.class;
        if class > self.ceiling {
            return Err(Refusal::Ceiling {
                class,
                ceiling: self.ceiling,
            });
        }
        match &op.safety.credential {
            Some(c) if !self.allow_secrets => Err(Refusal::Credential {
                reason: c.reason.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Whether the connection may call `op`.
    pub fn permits(&self, op: &Operation) -> bool {
        self.check(op).is_ok()
    }
}

impl Refusal {
    /// One line that names the operation, what was refused and why; says nothing was sent.
    pub fn message(&self, operation: &str) -> String {
        match self {
            Refusal::Ceiling {
                class,
                ceiling: Class::Read,
            } => format!(
                "`{operation}` is a {class} operation and this connection is read-only (max_class: read): it was refused and nothing was sent"
            ),
            Refusal::Ceiling { class, ceiling } => format!(
                "`{operation}` is a {class} operation and this connection's ceiling is max_class: {ceiling}: it was refused and nothing was sent"
            ),
            Refusal::Credential { reason } => format!(
                "`{operation}` returns a credential ({}) and this connection withholds credentials (allow_secrets is false): it was refused and nothing was sent",
                reason.trim_end_matches('.')
            ),
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
