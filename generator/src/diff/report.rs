//! The report of a comparison: each change with its class and scope, the counts, the
//! suggested semver bump (the data that `compare` fills and `render` prints).

use serde::Serialize;

/// How a change affects users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Code written against the old crate may stop compiling.
    Breaking,
    /// Code compiles, but clients already deployed fail at runtime.
    WireBreaking,
    /// A type name changed; the wire format did not.
    TypeRename,
    /// Something new; existing code and deployed clients keep working.
    Additive,
    /// Documentation and metadata only.
    Compatible,
}

impl Class {
    /// Every class, most severe first.
    pub const ALL: [Class; 5] = [
        Class::Breaking,
        Class::WireBreaking,
        Class::TypeRename,
        Class::Additive,
        Class::Compatible,
    ];

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::WireBreaking => "wire-breaking",
            Class::TypeRename => "type-rename",
            Class::Additive => "additive",
            Class::Compatible => "compatible",
        }
    }
}

/// What a change does to code compiled against the old crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeImpact {
    /// May stop compiling.
    Breaking,
    /// A type name changed (the same shape under a new name).
    Rename,
    /// Something new to use.
    Additive,
    /// Nothing to change.
    None,
}

/// Where a change is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// An operation, by path and method.
    Operation {
        /// Path template (of the new spec when the operation exists in both).
        path: String,
        /// HTTP method, upper case.
        method: String,
    },
    /// A component schema, by its name in the spec.
    Schema {
        /// Component name (`User`, `schemas-CommercePlan`).
        name: String,
    },
}

impl Scope {
    /// `GET /users` or `schema User`.
    pub fn label(&self) -> String {
        match self {
            Scope::Operation { path, method } => format!("{method} {path}"),
            Scope::Schema { name } => format!("schema {name}"),
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The classification (see the module docs).
    pub class: Class,
    /// What it does to code compiled against the old crate.
    pub code: CodeImpact,
    /// True when clients already deployed may fail against the new API.
    pub wire_breaking: bool,
    /// Kebab-case kind: `operation-added`, `parameter-removed`, `field-nullable`, ...
    pub kind: &'static str,
    /// Where.
    pub scope: Scope,
    /// Where inside the scope (`query.limit`, `request.name`, `response[].id`; empty for
    /// the scope itself).
    pub location: String,
    /// The old value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// Why it has this impact.
    pub note: String,
    /// For a schema change: the operations (`GET /users`) whose parameters, body or success
    /// response reach the schema, in the old or the new spec.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
}

impl Change {
    /// `GET /users query.limit` or `schema User.name`.
    pub fn place(&self) -> String {
        let scope = self.scope.label();
        match (&self.scope, self.location.is_empty()) {
            (_, true) => scope,
            (Scope::Schema { .. }, false) if self.location.starts_with('.') => {
                format!("{scope}{}", self.location)
            }
            _ => format!("{scope} {}", self.location),
        }
    }
}

/// Facts about one side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecSummary {
    /// How the spec was named (its path).
    pub label: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// sha256 of the file, lower-case hex.
    pub sha256: String,
    /// Operations.
    pub operations: usize,
    /// Component schemas.
    pub schemas: usize,
}

/// Change counts per class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// All changes.
    pub total: usize,
    /// [`Class::Breaking`].
    pub breaking: usize,
    /// [`Class::WireBreaking`].
    pub wire_breaking: usize,
    /// [`Class::TypeRename`].
    pub type_rename: usize,
    /// [`Class::Additive`].
    pub additive: usize,
    /// [`Class::Compatible`].
    pub compatible: usize,
    /// Changes that break deployed clients, whatever their class.
    pub breaks_deployed_clients: usize,
}

/// A semver bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// No change at all.
    None,
    /// Compatible changes only.
    Patch,
    /// Additive (or wire-breaking only) changes.
    Minor,
    /// Breaking changes or type renames.
    Major,
}

/// The suggested next version of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Semver {
    /// The bump by semver's rules for 1.0 and later.
    pub bump: Bump,
    /// The version compared from.
    pub current: String,
    /// The suggested version, applying Cargo's pre-1.0 rules when `current` is `0.y.z`.
    pub next: String,
    /// Why.
    pub reason: String,
}

/// Operations added, removed and changed (`GET /users`), each list sorted by path, then
/// method.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OperationChanges {
    /// Only in the new spec.
    pub added: Vec<String>,
    /// Only in the old spec.
    pub removed: Vec<String>,
    /// In both, with a change of their own or in a schema they reach.
    pub changed: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeReport {
    /// The old spec.
    pub old: SpecSummary,
    /// The new spec.
    pub new: SpecSummary,
    /// Counts per class.
    pub counts: Counts,
    /// Operations added, removed and changed.
    pub operations: OperationChanges,
    /// The semver suggestion.
    pub semver: Semver,
    /// Every change, sorted.
    pub changes: Vec<Change>,
}

impl ChangeReport {
    /// The changes of one class.
    pub fn of_class(&self, class: Class) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.class == class)
    }

    /// The changes whose scope label is `scope` (`GET /users`, `schema User`).
    pub fn in_scope<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a Change> + 'a {
        self.changes
            .iter()
            .filter(move |c| c.scope.label() == scope)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
