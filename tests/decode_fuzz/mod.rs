//! Writes the decode fuzz test (`prelude.rs` plus one check per model type, with an example
//! value synthesized from the spec) for a generated crate.

use agentgen::ir::{Api, TypeRef};

/// The source of `tests/decode_fuzz.rs` for the crate generated from `api`, named `krate`
/// in Rust (`clerk_backend_api`).
pub fn source(api: &Api, krate: &str) -> String {
    let mut out = include_str!("prelude.rs").to_string();
    out.push_str("\n#[test]\nfn every_model_survives_arbitrary_json() {\n    let n = cases();\n");
    let mut count = 0;
    for (id, def) in api.types.iter().enumerate() {
        // Multipart bodies are only ever sent (no serde).
        if def.usage.multipart {
            continue;
        }
        let example = agentgen::example::value(api, &TypeRef::Named(id), Some(&def.constraints));
        out.push_str(&format!(
            "    check::<{krate}::models::{}>({:?}, {:?}, n);\n",
            def.name,
            def.name,
            example.to_string()
        ));
        count += 1;
    }
    assert!(count > 0, "no model types");
    out.push_str("}\n");
    out
}
