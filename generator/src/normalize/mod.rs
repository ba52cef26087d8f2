//! Normalization of the raw document before typing: lenient defaults for fields generation
//! does not need, and OpenAPI 3.1 rewritten to the 3.0 model (`openapiv3` reads 3.0 only).
//! A pass over a `serde_json::Value` with diagnostics; no I/O.

pub mod lenient;
pub mod oas31;
mod walk;

use crate::diagnostics::Diagnostics;
use serde_json::Value;

/// The OpenAPI versions the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `openapi: 3.0.x`.
    V30,
    /// `openapi: 3.1.x`.
    V31,
}

/// Normalize a document whose `openapi` field names `version`.
pub fn document(raw: &mut Value, version: Version, diags: &mut Diagnostics) {
    if let Some(root) = raw.as_object_mut() {
        lenient::fill(root, diags);
    }
    if version == Version::V31 {
        oas31::rewrite(raw, diags);
    }
}
