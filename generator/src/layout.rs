//! Output layouts of the Rust client: a standalone crate, or files to `include!` from a build
//! script's `OUT_DIR`.
//!
//! [`Layout::Crate`] is what `agentgen generate` writes: `client/Cargo.toml`,
//! `client/src/lib.rs` with `mod x;` declarations, one file per module.
//!
//! [`Layout::OutDir`] is for build scripts ([`crate::configure`]). Rust's `include!` cannot
//! bring `mod x;` declarations (they would be looked up next to the including file), inner
//! attributes (`#![...]`) or inner docs (`//!`) along, so the same crate is rewritten as:
//!
//! - `<name>.rs`: the items of `lib.rs`, each `mod x;` replaced by an inline module,
//!   `pub mod x { include!("<name>/x.rs"); }`. The docs (`//!` lines) and inner attributes of
//!   `x.rs` move into that inline module as inner attributes (`#![doc = "..."]`), where they
//!   are allowed and where intra-doc links still resolve inside the module. The inner
//!   attributes of `lib.rs` (its `#![allow(...)]`) go into every module it declares. Include
//!   it at the crate root:
//!   `include!(concat!(env!("OUT_DIR"), "/<name>.rs"));` (the generated code reaches its
//!   modules as `crate::models`, `crate::runtime`).
//! - `<name>/x.rs` (and `<name>/runtime.rs`, `<name>/runtime/client.rs`, ... for nested
//!   modules): the module bodies without inner docs or inner attributes. Paths in the nested
//!   `include!`s are relative to the including file, so the tree works in any directory.
//! - `<name>.md`: the crate documentation of `lib.rs`, for
//!   `#![doc = include_str!(concat!(env!("OUT_DIR"), "/<name>.md"))]`.
//!
//! `<name>` is the crate name in snake case (`clerk-backend` -> `clerk_backend`).
//! `Cargo.toml` and `README.md` are not part of this layout: the including crate has its own.

use std::collections::BTreeMap;

/// How the Rust client is laid out in [`crate::Generated::files`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// A standalone crate under `client/` (`Cargo.toml`, `src/lib.rs`, `src/<module>.rs`).
    #[default]
    Crate,
    /// Files to `include!` from `OUT_DIR`: `<name>.rs`, `<name>.md`, `<name>/<module>.rs`.
    OutDir,
}

/// Base name of the files of the [`Layout::OutDir`] layout for a crate name.
pub fn out_dir_stem(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// One source file split into its parts.
struct Split<'a> {
    /// Plain `//` comment lines before the body (the `@generated` header).
    comments: Vec<&'a str>,
    /// The `//!` docs, without the `//!` prefix (one entry per line).
    docs: Vec<&'a str>,
    /// Inner attributes, in outer form (`#![allow(x)]` -> `#[allow(x)]`), on one line.
    attrs: Vec<String>,
    /// Everything after the leading comments, docs and inner attributes.
    body: &'a str,
}

/// Split the leading comments, inner docs and inner attributes off a Rust file.
fn split(text: &str) -> Result<Split<'_>, String> {
    let mut comments = Vec::new();
    let mut docs = Vec::new();
    let mut attrs = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        if let Some(after) = trimmed.strip_prefix("//!") {
            let end = after.find('\n').unwrap_or(after.len());
            docs.push(after[..end].trim_end_matches('\r'));
            rest = &after[end..];
        } else if trimmed.starts_with("#![") {
            let len = attribute_len(trimmed)
                .ok_or_else(|| "an inner attribute is not closed".to_string())?;
            attrs.push(one_line(&format!("#[{}", &trimmed[3..len])));
            rest = &trimmed[len..];
        } else if trimmed.starts_with("//") && !trimmed.starts_with("///") {
            let end = trimmed.find('\n').unwrap_or(trimmed.len());
            comments.push(trimmed[..end].trim_end_matches('\r'));
            rest = &trimmed[end..];
        } else {
            return Ok(Split {
                comments,
                docs,
                attrs,
                body: trimmed,
            });
        }
    }
}

/// An attribute on one line (`#[allow(\n    a,\n    b\n)]` -> `#[allow(a, b)]`); attributes
/// with string literals are kept as they are.
fn one_line(attr: &str) -> String {
    if attr.contains('"') || !attr.contains('\n') {
        return attr.to_string();
    }
    let joined = attr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    joined
        .replace("( ", "(")
        .replace(", )", ")")
        .replace(",)", ")")
        .replace(" )", ")")
}

/// Length of the attribute starting at `text` (`#![...]`), brackets and strings balanced.
fn attribute_len(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(2) {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' => depth += 1,
            ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// `mod name;` at the start of a line (with optional visibility): (visibility, name).
fn mod_declaration(line: &str) -> Option<(&str, &str)> {
    let decl = line.strip_suffix(';')?;
    let (vis, rest) = match decl.find("mod ") {
        Some(0) => ("", &decl[4..]),
        Some(i) if decl[..i].starts_with("pub") && decl[..i].ends_with(' ') => {
            (&decl[..i], &decl[i + 4..])
        }
        _ => return None,
    };
    let name = rest.trim();
    let plain = name.strip_prefix("r#").unwrap_or(name);
    let valid = !plain.is_empty()
        && plain.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !plain.starts_with(|c: char| c.is_ascii_digit());
    valid.then_some((vis, name))
}

/// The module path of a crate source file (`src/lib.rs` -> [], `src/runtime/mod.rs` ->
/// [runtime], `src/runtime/client.rs` -> [runtime, client]).
fn module_path(src_path: &str) -> Option<Vec<String>> {
    let rel = src_path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts.len() == 1 && parts[0] == "lib" {
        parts.clear();
    } else if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// Rewrite the files of a crate (paths relative to the crate: `Cargo.toml`, `src/lib.rs`,
/// ...) into the [`Layout::OutDir`] layout for the crate named `crate_name`.
pub fn out_dir_files(
    crate_name: &str,
    crate_files: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let stem = out_dir_stem(crate_name);
    let mut modules: BTreeMap<Vec<String>, &str> = BTreeMap::new();
    for (path, text) in crate_files {
        if let Some(m) = module_path(path) {
            modules.insert(m, text.as_str());
        }
    }
    let mut splits = BTreeMap::new();
    for (m, text) in &modules {
        let s = split(text).map_err(|e| format!("{}: {e}", file_of(&stem, m)))?;
        splits.insert(m.clone(), s);
    }
    let root = splits
        .get(&Vec::new())
        .ok_or_else(|| "internal error: the crate has no src/lib.rs".to_string())?;
    let root_attrs: Vec<String> = root.attrs.clone();
    let mut out = BTreeMap::new();
    for (m, s) in &splits {
        let file = file_of(&stem, m);
        let mut text = String::new();
        for c in &s.comments {
            text.push_str(c);
            text.push('\n');
        }
        if m.is_empty() {
            text.push_str(&format!(
                "// Include at the crate root: include!(concat!(env!(\"OUT_DIR\"), \"/{stem}.rs\"));\n"
            ));
        }
        text.push('\n');
        // The directory of this file, relative to which its `include!`s are resolved.
        let dir_prefix = match m.last() {
            None => format!("{stem}/"),
            Some(last) => format!("{last}/"),
        };
        for line in s.body.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let Some((vis, name)) = mod_declaration(content) else {
                text.push_str(line);
                continue;
            };
            let plain = name.strip_prefix("r#").unwrap_or(name);
            let mut child = m.clone();
            child.push(plain.to_string());
            let cs = splits.get(&child).ok_or_else(|| {
                format!("{file}: `mod {name};` has no file in the generated crate")
            })?;
            // Inner attributes of an inline module: links in the docs resolve inside it.
            text.push_str(&format!("{vis}mod {name} {{\n"));
            for d in &cs.docs {
                text.push_str(&format!("    #![doc = {d:?}]\n"));
            }
            for a in cs.attrs.iter().chain(&root_attrs_for(m, &root_attrs)) {
                text.push_str(&format!("    #!{}\n", &a[1..]));
            }
            text.push_str(&format!("    include!(\"{dir_prefix}{plain}.rs\");\n}}\n"));
        }
        out.insert(file, text);
        if m.is_empty() && !s.docs.is_empty() {
            let mut md = String::new();
            for d in &s.docs {
                md.push_str(d.strip_prefix(' ').unwrap_or(d));
                md.push('\n');
            }
            out.insert(format!("{stem}.md"), md);
        }
    }
    Ok(out)
}

/// The crate-level attributes apply to the modules declared at the root.
fn root_attrs_for(m: &[String], root_attrs: &[String]) -> Vec<String> {
    if m.is_empty() {
        root_attrs.to_vec()
    } else {
        Vec::new()
    }
}

fn file_of(stem: &str, m: &[String]) -> String {
    if m.is_empty() {
        format!("{stem}.rs")
    } else {
        format!("{stem}/{}.rs", m.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn splits_docs_and_inner_attributes() {
        let s = split("// @generated\n//! Doc one.\n//!\n//! Two.\n#![forbid(unsafe_code)]\n\n#![allow(\n    a,\n    b,\n)]\npub mod x;\n").unwrap();
        assert_eq!(s.comments, vec!["// @generated"]);
        assert_eq!(s.docs, vec![" Doc one.", "", " Two."]);
        assert_eq!(
            s.attrs,
            vec![
                "#[forbid(unsafe_code)]".to_string(),
                "#[allow(a, b)]".to_string()
            ]
        );
        assert_eq!(s.body, "pub mod x;\n");
    }

    #[test]
    fn recognizes_module_declarations() {
        assert_eq!(mod_declaration("mod client;"), Some(("", "client")));
        assert_eq!(mod_declaration("pub mod users;"), Some(("pub ", "users")));
        assert_eq!(
            mod_declaration("pub(crate) mod r#type;"),
            Some(("pub(crate) ", "r#type"))
        );
        assert_eq!(mod_declaration("mod tests {"), None);
        assert_eq!(mod_declaration("    mod inner;"), None);
        assert_eq!(mod_declaration("// mod x;"), None);
        assert_eq!(mod_declaration("pub use x::mod y;"), None);
    }

    #[test]
    fn rewrites_modules_inline() {
        let crate_files = files(&[
            ("Cargo.toml", "[package]\n"),
            (
                "src/lib.rs",
                "// @generated\n//! Crate docs.\n\n#![allow(clippy::x)]\npub mod models;\npub mod runtime;\npub use runtime::Client;\n",
            ),
            (
                "src/models.rs",
                "// @generated\n//! The \"models\".\n#![forbid(unsafe_code)]\n\npub struct A;\n",
            ),
            (
                "src/runtime/mod.rs",
                "//! Runtime.\n\nmod client;\npub use client::Client;\n",
            ),
            ("src/runtime/client.rs", "//! Client.\npub struct Client;\n"),
        ]);
        let out = out_dir_files("my-api", &crate_files).unwrap();
        let keys: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "my_api.md",
                "my_api.rs",
                "my_api/models.rs",
                "my_api/runtime.rs",
                "my_api/runtime/client.rs"
            ]
        );
        assert_eq!(out["my_api.md"], "Crate docs.\n");
        assert_eq!(
            out["my_api.rs"],
            "// @generated\n// Include at the crate root: include!(concat!(env!(\"OUT_DIR\"), \"/my_api.rs\"));\n\n\
             pub mod models {\n    #![doc = \" The \\\"models\\\".\"]\n    #![forbid(unsafe_code)]\n    #![allow(clippy::x)]\n\
             \x20   include!(\"my_api/models.rs\");\n}\n\
             pub mod runtime {\n    #![doc = \" Runtime.\"]\n    #![allow(clippy::x)]\n    include!(\"my_api/runtime.rs\");\n}\n\
             pub use runtime::Client;\n"
        );
        assert_eq!(out["my_api/models.rs"], "// @generated\n\npub struct A;\n");
        assert_eq!(
            out["my_api/runtime.rs"],
            "\nmod client {\n    #![doc = \" Client.\"]\n    include!(\"runtime/client.rs\");\n}\npub use client::Client;\n"
        );
        assert_eq!(out["my_api/runtime/client.rs"], "\npub struct Client;\n");
    }

    #[test]
    fn a_declared_module_without_file_is_an_error() {
        let crate_files = files(&[("src/lib.rs", "pub mod gone;\n")]);
        let err = out_dir_files("x", &crate_files).unwrap_err();
        assert!(err.contains("mod gone;"), "{err}");
    }
}
