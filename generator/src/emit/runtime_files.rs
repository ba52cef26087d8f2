//! The hand-written runtime copied into every generated crate (`src/runtime/`).
//!
//! The sources live in `generator/runtime/`; they are unit-tested inside every generated
//! fixture crate (`cargo test` runs their `#[cfg(test)]` modules there).

/// (file name, contents), in a fixed order.
pub const FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../../runtime/mod.rs")),
    ("client.rs", include_str!("../../runtime/client.rs")),
    ("de.rs", include_str!("../../runtime/de.rs")),
    (
        "double_option.rs",
        include_str!("../../runtime/double_option.rs"),
    ),
    ("error.rs", include_str!("../../runtime/error.rs")),
    ("open_enum.rs", include_str!("../../runtime/open_enum.rs")),
    ("pagination.rs", include_str!("../../runtime/pagination.rs")),
    ("redact.rs", include_str!("../../runtime/redact.rs")),
    ("operation.rs", include_str!("../../runtime/operation.rs")),
    ("request.rs", include_str!("../../runtime/request.rs")),
    ("response.rs", include_str!("../../runtime/response.rs")),
    ("retry.rs", include_str!("../../runtime/retry.rs")),
    ("secret.rs", include_str!("../../runtime/secret.rs")),
    ("union.rs", include_str!("../../runtime/union.rs")),
];

/// The hand-written part of the `webhooks` module (file name under `src/webhooks/`, contents),
/// copied only when the spec describes webhooks.
pub const WEBHOOK_FILES: &[(&str, &str)] =
    &[("verify.rs", include_str!("../../runtime/webhook.rs"))];
