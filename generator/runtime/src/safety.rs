//! The safety class of an operation: what calling it may change.

/// Safety class of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SafetyClass {
    /// No side effects.
    Read,
    /// Creates or changes data.
    Write,
    /// Deletes, revokes, bans: hard or impossible to undo.
    Destructive,
}

impl SafetyClass {
    /// `read`, `write` or `destructive`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SafetyClass::Read => "read",
            SafetyClass::Write => "write",
            SafetyClass::Destructive => "destructive",
        }
    }
}
