//! Cross-stage tests live in `tests/*.rs`.
