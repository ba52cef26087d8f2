//! Two rules of the core's modules, checked on their source.
//!
//! **No module cycles**: each module of `generator/src` (files and directories, down
//! to the submodules of `emit/`, `agent/`, `lower/`, ...) may use modules that do not use it
//! back, directly or through others. The stages then read in one direction: load → lower →
//! IR → emit / agent → output.
//!
//! The graph comes from the `crate::a::b` and `super::b` paths in each module's source (its
//! code, not comments or tests); cycles are the strongly connected components of more than
//! one module (petgraph's Tarjan). A module and its own submodules are exempt here; CI's
//! `scripts/module_cycles.sh` checks the stricter graph of cargo-modules, where a parent that
//! uses its child and a child that uses an item of its parent are a cycle too.
//!
//! **No I/O in the generation path**: the modules that `generate` and `analyze` run
//! ([`GENERATION`]) use no file system, environment, process, thread or network API; reading
//! and writing belong to the front-end modules ([`FRONT_END`]). Every top-level module is in
//! one of the two lists, so a new one must be placed.

use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src`, as (module path, file).
fn modules(src: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().to_string())
                    .collect();
                if parts.last().is_some_and(|p| p == "mod") {
                    parts.pop();
                }
                let name = parts.join("::");
                if name != "lib" {
                    out.push((name, path));
                }
            }
        }
    }
    out.sort();
    out
}

/// The module's code: before its `#[cfg(test)]` module, without comment lines.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifiers after `prefix` (`crate::`, `super::`): `a` or `a::b`.
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let preceded_by_ident = rest[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + prefix.len()..];
        if preceded_by_ident {
            continue;
        }
        let segments: Vec<&str> = rest
            .split("::")
            .take(2)
            .map(|s| {
                let end = s
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(s.len());
                &s[..end]
            })
            .take_while(|s| !s.is_empty())
            .collect();
        out.push(segments);
    }
    out
}

/// module -> the modules its code names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let all = modules(src);
    let known: BTreeSet<&str> = all.iter().map(|(m, _)| m.as_str()).collect();
    // The deepest known module a path names.
    let resolve = |segments: &[&str]| -> Option<String> {
        (1..=segments.len())
            .rev()
            .map(|n| segments[..n].join("::"))
            .find(|m| known.contains(m.as_str()))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &all {
        let code = code(path);
        let parent: Vec<&str> = module.split("::").collect();
        let parent = &parent[..parent.len() - 1];
        let mut targets: Vec<String> = paths_after(&code, "crate::")
            .iter()
            .filter_map(|s| resolve(s))
            .collect();
        for segments in paths_after(&code, "super::") {
            let mut full: Vec<&str> = parent.to_vec();
            full.extend(&segments);
            // `super::x` names the parent's own item when `x` is not a module.
            targets.extend(resolve(&full).or_else(|| resolve(parent)));
        }
        for target in targets {
            let related = target == *module
                || target.starts_with(&format!("{module}::"))
                || module.starts_with(&format!("{target}::"));
            if !related {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    edges
}

fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut g = DiGraphMap::<&str, ()>::new();
    for (from, tos) in edges {
        for to in tos {
            g.add_edge(from.as_str(), to.as_str(), ());
        }
    }
    let mut found: Vec<Vec<String>> = tarjan_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c: Vec<String> = c.into_iter().map(str::to_string).collect();
            c.sort();
            c
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_core_has_no_module_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    assert!(
        edges.get("lower").is_some_and(|t| t.contains("ir")),
        "the graph is read: lowering uses the IR"
    );
    // Also between the top-level modules (the stages): `emit::a -> agent::b` and
    // `agent::c -> emit::d` make `emit` and `agent` depend on each other.
    let mut stages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &edges {
        let top = |m: &str| m.split("::").next().unwrap_or(m).to_string();
        for to in tos.iter().filter(|to| top(to) != top(from)) {
            stages.entry(top(from)).or_default().insert(top(to));
        }
    }
    // Each cycle with its edges, from the graph it was found in (a stage and a module can
    // share a name, such as `agent`).
    let report: Vec<String> = [&edges, &stages]
        .into_iter()
        .flat_map(|graph| cycles(graph).into_iter().map(move |c| describe(graph, &c)))
        .collect();
    assert!(report.is_empty(), "module cycles:\n{}", report.join("\n"));
}

/// `a -> b; b -> a`: each module of the cycle with the modules of the cycle it uses.
fn describe(graph: &BTreeMap<String, BTreeSet<String>>, cycle: &[String]) -> String {
    let arrows: Vec<String> = cycle
        .iter()
        .map(|m| {
            let within: Vec<&str> = graph[m]
                .iter()
                .filter(|t| cycle.contains(t))
                .map(String::as_str)
                .collect();
            format!("{m} -> {}", within.join(", "))
        })
        .collect();
    arrows.join("; ")
}

#[test]
fn a_cycle_is_found() {
    let dir = std::env::temp_dir().join(format!("agentgen-cycles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("emit")).unwrap();
    std::fs::write(
        dir.join("lib.rs"),
        "pub mod a;\npub mod b;\npub mod emit;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("a.rs"),
        "use crate::b::X;\n// crate::emit in a comment\n",
    )
    .unwrap();
    std::fs::write(dir.join("b.rs"), "pub fn f() { crate::a::g() }\n").unwrap();
    std::fs::write(
        dir.join("emit/mod.rs"),
        "mod ops;\nmod util;\nuse crate::a;\n",
    )
    .unwrap();
    std::fs::write(dir.join("emit/util.rs"), "pub fn helper() {}\n").unwrap();
    std::fs::write(
        dir.join("emit/ops.rs"),
        "use super::util::helper;\nuse super::header;\n#[cfg(test)]\nmod tests { use crate::b; }\n",
    )
    .unwrap();
    let edges = graph(&dir);
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".to_string()]]);
    // `super::util` is the sibling module; a module's own parent and children are its
    // hierarchy, not dependencies; comments and tests are not read.
    assert_eq!(
        edges["emit::ops"].iter().collect::<Vec<_>>(),
        vec!["emit::util"]
    );
    assert!(!edges["a"].contains("emit"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The top-level modules that `generate` and `analyze` run: pure.
const GENERATION: &[&str] = &[
    "agent",
    "diagnostics",
    "emit",
    "error",
    "example",
    "ir",
    "layout",
    "load",
    "lower",
    "naming",
    "normalize",
    "overlay",
    "pipeline",
    "timings",
    "unique_keys",
    "validate",
];

/// The modules of front ends and their helpers (they read and write; generation never calls
/// them): the builder, `check`, the `Config` file setters, `Inputs::load`, the pin lookup,
/// the writer, rustfmt, `diff` and `inspect` (which read two specs or print), `publish`.
const FRONT_END: &[&str] = &[
    "builder", "check", "config", "diff", "inputs", "inspect", "pin", "publish", "rustfmt", "write",
];

/// The APIs that touch the world outside the arguments.
const IO: &[&str] = &[
    "std::fs",
    "std::env::",
    "std::process",
    "std::thread",
    "std::net",
    "File::",
    "read_to_string(",
    "read_dir(",
    "tokio::",
    "rayon::",
];

/// The module's code (before its `#[cfg(test)]` module) as its tokens without literals,
/// comments or docs: `let text = std::fs::read_to_string("x")` is
/// `let text=std::fs::read_to_string()`. Idents are spaced only from each other.
fn tokens(path: &Path) -> String {
    fn flatten(stream: proc_macro2::TokenStream, out: &mut String, after_ident: &mut bool) {
        use proc_macro2::{Delimiter, TokenTree};
        for tt in stream {
            match tt {
                TokenTree::Ident(i) => {
                    if *after_ident {
                        out.push(' ');
                    }
                    out.push_str(&i.to_string());
                    *after_ident = true;
                }
                TokenTree::Punct(p) => {
                    out.push(p.as_char());
                    *after_ident = false;
                }
                TokenTree::Literal(_) => *after_ident = false,
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    out.push_str(open);
                    *after_ident = false;
                    flatten(g.stream(), out, after_ident);
                    out.push_str(close);
                    *after_ident = false;
                }
            }
        }
    }
    let stream: proc_macro2::TokenStream = code(path)
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = String::new();
    flatten(stream, &mut out, &mut false);
    out
}

/// `(module, API)` for every I/O API used in the code of the generation path under `src`,
/// and the top-level modules that are in neither list.
fn io_in_generation(src: &Path) -> (Vec<(String, &'static str)>, Vec<String>) {
    let mut found = Vec::new();
    let mut unplaced = BTreeSet::new();
    for (name, path) in modules(src) {
        let top = name.split("::").next().unwrap_or(&name).to_string();
        if FRONT_END.contains(&top.as_str()) {
            continue;
        }
        if !GENERATION.contains(&top.as_str()) {
            unplaced.insert(top);
            continue;
        }
        let code = tokens(&path);
        for api in IO {
            if code.contains(api) {
                found.push((name.clone(), *api));
            }
        }
    }
    (found, unplaced.into_iter().collect())
}

#[test]
fn the_generation_path_does_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (found, unplaced) = io_in_generation(&src);
    assert!(
        unplaced.is_empty(),
        "place these modules in GENERATION or FRONT_END: {unplaced:?}"
    );
    assert!(
        found.is_empty(),
        "I/O in the generation path (move it to the loading step, `Inputs::load`, or a front end): {found:?}"
    );
    // The front-end modules do read: the check sees them.
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for m in GENERATION.iter().chain(FRONT_END) {
        assert!(
            lib.contains(&format!("mod {m};")),
            "{m} is not a module of lib.rs"
        );
    }
}

#[test]
fn io_in_a_generation_module_is_found() {
    let dir = std::env::temp_dir().join(format!("agentgen-io-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("emit")).unwrap();
    std::fs::write(
        dir.join("emit/mod.rs"),
        "/// Not `std::env::var` in a doc.\npub fn f() -> String { let s = \"std::process\"; std::fs::read_to_string(s).unwrap() }\n#[cfg(test)]\nmod tests { fn t() { std::thread::spawn(|| ()); } }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("write.rs"),
        "pub fn w() { std::fs::write(\"x\", \"\").unwrap() }\n",
    )
    .unwrap();
    std::fs::write(dir.join("shiny.rs"), "pub fn s() {}\n").unwrap();
    let (found, unplaced) = io_in_generation(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        found,
        [
            ("emit".to_string(), "std::fs"),
            ("emit".to_string(), "read_to_string(")
        ]
    );
    assert_eq!(unplaced, ["shiny"]);
}
