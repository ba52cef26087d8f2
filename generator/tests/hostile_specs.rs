//! The hostile-spec corpus (`tests/fixtures/hostile/`, expectations in its
//! `expectations.txt`) plus cases too large to commit, generated here: every case either
//! fails with a diagnostic naming the expected code and JSON pointer, or generates documents
//! that render intact (frontmatter parses, fences balance, tables keep their shape, no spec
//! text becomes a heading, HTML or evaluated template syntax) and Rust that parses.
//! Compiling the generated crates is `tests/tests/hostile_crates.rs`.
//!
//! Each case runs on its own thread under a generous watchdog that only guards against a
//! hang; the bounds asserted are structural (diagnostics, output size), never timings.

use agentgen::{generate, load_and_generate, Config, Generated, Inputs};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Hang guard only: far above what any case needs on a loaded machine.
const WATCHDOG: Duration = Duration::from_secs(600);

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hostile")
}

/// Expected outcome of one corpus file.
#[derive(Debug)]
enum Expect {
    Ok,
    Error {
        code: String,
        pointer: String,
    },
    /// Generates, with a warning of this code at this pointer (a field generation does not
    /// need, given a default).
    Warning {
        code: String,
        pointer: String,
    },
}

fn expectations() -> Vec<(String, Expect)> {
    let text = std::fs::read_to_string(corpus_dir().join("expectations.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let expect = match f.as_slice() {
                [_, "ok"] => Expect::Ok,
                [_, "error", code, pointer] => Expect::Error {
                    code: code.to_string(),
                    pointer: pointer.to_string(),
                },
                [_, "warning", code, pointer] => Expect::Warning {
                    code: code.to_string(),
                    pointer: pointer.to_string(),
                },
                _ => panic!("bad expectations line: {l}"),
            };
            (f[0].to_string(), expect)
        })
        .collect()
}

/// Run `load_and_generate` on a thread (2 MiB stack, like any spawned thread) under the
/// watchdog; a panic or a hang fails the test with the case named.
fn run(name: &str, config: Config) -> Result<Generated, agentgen::Error> {
    watch(name, move || load_and_generate(&config))
}

/// [`run`] for spec text in memory, named `label` in diagnostics.
fn run_text(
    name: &str,
    label: &str,
    text: impl Into<String>,
) -> Result<Generated, agentgen::Error> {
    let inputs = Inputs::from_text(label, text);
    let config = Config::new(label);
    watch(name, move || generate(&inputs, &config))
}

fn watch(
    name: &str,
    job: impl FnOnce() -> Result<Generated, agentgen::Error> + Send + 'static,
) -> Result<Generated, agentgen::Error> {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let _ = tx.send(job());
        })
        .unwrap();
    match rx.recv_timeout(WATCHDOG) {
        Ok(result) => {
            handle.join().unwrap();
            result
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = handle.join();
            panic!("{name}: generate panicked")
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no answer within the watchdog"),
    }
}

fn assert_error(name: &str, result: Result<Generated, agentgen::Error>, code: &str, ptr: &str) {
    let err = match result {
        Ok(g) => panic!(
            "{name}: expected error {code} at {ptr}, got {} files",
            g.files.len()
        ),
        Err(e) => e,
    };
    assert!(
        err.diagnostics
            .iter()
            .any(|d| d.severity == agentgen::Severity::Error && d.code == code && d.pointer == ptr),
        "{name}: expected error[{code}] at {ptr}, got:\n{err}"
    );
    let text = err.to_string();
    assert!(text.contains(&format!("at {ptr}")), "{name}: {text}");
}

#[test]
fn corpus_cases_meet_their_expectations() {
    let expect = expectations();
    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "expectations.txt")
        .collect();
    files.sort();
    let mut listed: Vec<String> = expect.iter().map(|(n, _)| n.clone()).collect();
    listed.sort();
    assert_eq!(
        files, listed,
        "every corpus file has exactly one expectation"
    );
    assert!(expect.len() >= 15);
    for (name, e) in &expect {
        let result = run(name, Config::new(corpus_dir().join(name)));
        match e {
            Expect::Error { code, pointer } => assert_error(name, result, code, pointer),
            Expect::Ok => {
                let g = result.unwrap_or_else(|e| panic!("{name}: expected success:\n{e}"));
                check_outputs(name, &g);
            }
            Expect::Warning { code, pointer } => {
                let g = result.unwrap_or_else(|e| panic!("{name}: expected success:\n{e}"));
                assert!(
                    g.diagnostics
                        .iter()
                        .any(|d| d.severity == agentgen::Severity::Warning
                            && d.code == code
                            && &d.pointer == pointer),
                    "{name}: expected warning {code} at {pointer}: {:?}",
                    g.diagnostics
                );
                check_outputs(name, &g);
            }
        }
    }
}

#[test]
fn hostile_text_stays_data_in_every_document() {
    let g = run(
        "hostile_text",
        Config::new(corpus_dir().join("hostile_text.yaml")),
    )
    .unwrap();
    check_outputs("hostile_text", &g);
    let docs: Vec<(&String, &String)> = g
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("agent/"))
        .collect();
    let md: Vec<_> = docs.iter().filter(|(p, _)| p.ends_with(".md")).collect();
    assert!(md.len() >= 4, "{:?}", g.files.keys().collect::<Vec<_>>());
    // Template syntax in spec text is printed, never evaluated.
    let all_md: String = md.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all_md.contains("{{ 7 * 7 }}"), "template text was dropped");
    assert!(all_md.contains("{%"), "template tag text was dropped");
    for (path, text) in &docs {
        assert!(!text.contains("looploop"), "{path}: a template loop ran");
        assert!(!text.contains(" 49 "), "{path}: a template expression ran");
    }
    // The hostile prose reached the documents (else the checks above prove nothing).
    let skill = g
        .files
        .iter()
        .find(|(p, _)| p.ends_with("/SKILL.md"))
        .map(|(_, t)| t)
        .unwrap();
    assert!(skill.contains("*/"), "{skill}");
    assert!(
        all_md.contains("DeleteEverything"),
        "hostile descriptions reached no document"
    );
    // Tool descriptions keep the text as JSON data.
    let tools = &g.files["agent/tools/openai.tools.json"];
    let v: serde_json::Value = serde_json::from_str(tools).unwrap();
    assert!(v.to_string().contains("*/"), "{tools}");
}

/// Checks every generated file of a successful case.
fn check_outputs(name: &str, g: &Generated) {
    for (path, text) in &g.files {
        let label = format!("{name}: {path}");
        if path.ends_with(".md") {
            check_markdown(&label, text);
        } else if path.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(text)
                .unwrap_or_else(|e| panic!("{label}: invalid JSON: {e}"));
        } else if path.ends_with(".yaml") || path.ends_with(".yml") {
            yaml_serde::from_str::<serde_json::Value>(text)
                .unwrap_or_else(|e| panic!("{label}: invalid YAML: {e}"));
        } else if path.ends_with(".rs") {
            syn::parse_file(text).unwrap_or_else(|e| panic!("{label}: Rust does not parse: {e}"));
            check_rust_docs(&label, text);
        }
    }
}

/// No doc comment in generated Rust opens a code block that rustdoc would compile as a
/// doctest from spec text (fences from the spec become `text`).
fn check_rust_docs(label: &str, text: &str) {
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        let t = line.trim_start();
        let Some(doc) = t.strip_prefix("///").or_else(|| t.strip_prefix("//!")) else {
            continue;
        };
        let Some((c, n, rest)) = fence(doc.strip_prefix(' ').unwrap_or(doc)) else {
            continue;
        };
        match open {
            Some((oc, on)) => {
                if c == oc && n >= on && rest.trim().is_empty() {
                    open = None;
                }
            }
            None => {
                let info = rest.trim();
                assert!(
                    matches!(info, "text" | "no_run" | "ignore" | "json" | "toml" | "sh")
                        || info.starts_with("compile_fail"),
                    "{label}: doc code block `{doc}` would run as a doctest"
                );
                open = Some((c, n));
            }
        }
    }
    assert!(open.is_none(), "{label}: a doc code block is left open");
}

/// A fence line: up to 3 spaces of indent, then 3+ backticks or tildes. Returns (char, len, rest).
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &line[indent..];
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then(|| (c, n, &t[n..]))
}

fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        if c == '|' && backslashes % 2 == 0 {
            count += 1;
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    count
}

/// The line without its code spans (which render literally).
fn strip_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let n = rest[start..].chars().take_while(|c| *c == '`').count();
        let marker = &rest[start..start + n];
        let after = &rest[start + n..];
        match after.find(marker) {
            Some(end) => rest = &after[end + n..],
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn check_markdown(label: &str, text: &str) {
    let mut lines: Vec<&str> = text.lines().collect();
    // Frontmatter: one YAML mapping between the first two `---` lines, with our keys only.
    if lines.first() == Some(&"---") {
        let end = lines[1..]
            .iter()
            .position(|l| *l == "---")
            .unwrap_or_else(|| panic!("{label}: unterminated frontmatter"))
            + 1;
        let yaml = lines[1..end].join("\n");
        let v: serde_json::Value = yaml_serde::from_str(&yaml)
            .unwrap_or_else(|e| panic!("{label}: frontmatter is not YAML: {e}\n{yaml}"));
        let map = v
            .as_object()
            .unwrap_or_else(|| panic!("{label}: frontmatter"));
        for key in map.keys() {
            assert!(
                [
                    "name",
                    "description",
                    "compatibility",
                    "metadata",
                    "license",
                    "allowed-tools"
                ]
                .contains(&key.as_str()),
                "{label}: unexpected frontmatter key `{key}`"
            );
        }
        assert!(
            map.get("name")
                .and_then(|n| n.as_str())
                .is_some_and(|n| !n.contains("evil")),
            "{label}"
        );
        lines.drain(..=end);
    }
    let mut open: Option<(char, usize)> = None;
    let mut table: Option<usize> = None;
    let mut safety_headings = 0;
    for (i, line) in lines.iter().enumerate() {
        if let Some((c, n)) = open {
            if let Some((c2, n2, rest)) = fence(line) {
                if c2 == c && n2 >= n && rest.trim().is_empty() {
                    open = None;
                }
            }
            continue;
        }
        if let Some((c, n, _)) = fence(line) {
            open = Some((c, n));
            table = None;
            continue;
        }
        let t = line.trim_start();
        // Spec text never becomes a heading, an HTML block or a frontmatter-looking key.
        if t.starts_with('#') {
            let heading = t.trim_start_matches('#').trim();
            assert!(
                !heading.starts_with("Rules") && !heading.contains("DeleteEverything"),
                "{label}:{i}: spec text became a heading: {line}"
            );
            if heading == "Safety" {
                safety_headings += 1;
            }
        }
        let prose = strip_code_spans(line);
        assert!(
            !prose.contains("<script") && !prose.contains("<!-- hide") && !prose.contains("<b>"),
            "{label}:{i}: raw HTML from the spec: {line}"
        );
        // Tables: every row has the header's number of cell separators.
        if t.starts_with('|') {
            let pipes = unescaped_pipes(t);
            match table {
                None => table = Some(pipes),
                Some(n) => assert_eq!(pipes, n, "{label}:{i}: table row breaks the table: {line}"),
            }
        } else {
            table = None;
        }
    }
    assert!(open.is_none(), "{label}: a code fence is left open");
    assert!(
        safety_headings <= 1,
        "{label}: spec text added a `Safety` heading"
    );
}

// ----- Cases generated at test time (too large to commit) -----

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: Generated, version: '1'}\n";

fn total_bytes(g: &Generated) -> usize {
    g.files.values().map(String::len).sum()
}

#[test]
fn huge_spec_generates_with_bounded_output() {
    let description = "A long description with `code`, | pipes | and */ markers. ".repeat(40);
    let mut text = format!("{HEAD}paths:\n");
    for i in 0..300 {
        text.push_str(&format!(
            "  /r{i}/{{id}}:\n    get:\n      operationId: get{i}\n      tags: [T{}]\n      description: \"{description}\"\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/S{i}'}}}}}}}}}}\n",
            i % 20
        ));
    }
    text.push_str("components:\n  schemas:\n");
    for i in 0..300 {
        text.push_str(&format!(
            "    S{i}: {{type: object, description: \"{description}\", properties: {{a: {{type: string}}, b: {{$ref: '#/components/schemas/S{}'}}}}}}\n",
            i - i % 5 + (i + 1) % 5
        ));
    }
    // One enormous description on top.
    text.push_str(&format!("x-big: \"{}\"\n", "x".repeat(4 << 20)));
    let input = text.len();
    let g = run_text("huge", "huge.yaml", text).unwrap();
    assert_eq!(g.api.operations.len(), 300);
    let out = total_bytes(&g);
    // Each operation's documents embed the schemas it reaches (here a cycle of five), so
    // output grows with operations x reachable schemas; with that fixed it stays linear.
    assert!(out < 100 * (input - (4 << 20)), "{out} bytes from {input}");
    // The 4 MiB extension is not copied into any output.
    assert!(g.files.values().all(|f| !f.contains(&"x".repeat(1 << 20))));
    check_outputs("huge", &g);
}

/// Output bytes per spec byte allowed for a spec whose every operation reaches one big cycle
/// of schemas (each document embeds definitions up to a budget shared by all documents; see
/// `agentgen::agent::budget`).
const CYCLE_OUTPUT_PER_INPUT_BYTE: usize = 64;

#[test]
fn a_schema_cycle_reached_by_every_operation_keeps_output_linear() {
    // 600 operations (a read and a write per path), each reaching all of a 600-schema cycle
    // whose schemas and fields carry long descriptions: once 1.5 GB of documents.
    let (paths, schemas) = (300, 600);
    let description =
        "A long description with `code`, | pipes | and */ markers that repeats. ".repeat(6);
    let description = description.trim();
    let mut text = format!("{HEAD}paths:\n");
    for i in 0..paths {
        let schema = format!("{{$ref: '#/components/schemas/S{i}'}}");
        text.push_str(&format!(
            "  /r{i}:\n    get:\n      operationId: get{i}\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {schema}}}}}}}}}\n    post:\n      operationId: post{i}\n      requestBody: {{required: true, content: {{application/json: {{schema: {schema}}}}}}}\n      responses: {{'204': {{description: done}}}}\n"
        ));
    }
    text.push_str("components:\n  schemas:\n");
    for i in 0..schemas {
        text.push_str(&format!(
            "    S{i}: {{type: object, description: \"{description}\", properties: {{a: {{type: string, description: \"{description}\"}}, next: {{$ref: '#/components/schemas/S{}'}}}}}}\n",
            (i + 1) % schemas
        ));
    }
    let input = text.len();
    let g = run_text("cycle", "cycle.yaml", text).unwrap();
    assert_eq!(g.api.operations.len(), 2 * paths);
    let out = total_bytes(&g);
    assert!(
        out <= CYCLE_OUTPUT_PER_INPUT_BYTE * input,
        "{out} bytes of output from {input} bytes of spec"
    );
    // One warning per operation whose documents left definitions out, naming it.
    let warned: Vec<&str> = g
        .diagnostics
        .iter()
        .filter(|d| d.code == "schema-budget")
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(warned.len(), 2 * paths, "{warned:?}");
    assert!(warned.iter().all(|p| p.starts_with("#/paths/~1r")));
    check_outputs("cycle", &g);
    for (path, text) in g.files.iter().filter(|(p, _)| p.ends_with(".json")) {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        check_refs(path, &v, None);
    }
    // A placeholder is open and says where the type is described.
    let op = &g.files["agent/ops/default_post0.json"];
    assert!(
        op.contains("not expanded here (document size limit); see `S"),
        "{op}"
    );

    {
        // The MCP server loads the documents and accepts an argument deep in the cycle.
        let docs: std::collections::BTreeMap<String, String> = g
            .files
            .iter()
            .filter_map(|(p, t)| Some((p.strip_prefix("agent/")?.to_string(), t.clone())))
            .collect();
        let catalog = agentgen_mcp::Catalog::from_documents(&docs).unwrap();
        let post = catalog.get("default_post0").unwrap();
        let mut body = serde_json::json!({"a": "end"});
        for _ in 0..schemas + 5 {
            body = serde_json::json!({"a": "x", "next": body});
        }
        let args = serde_json::json!({ "body": body });
        agentgen_mcp::validate::validate(&post.input_schema, &args).unwrap();
        let wrong = serde_json::json!({"body": {"a": 1}});
        assert!(agentgen_mcp::validate::validate(&post.input_schema, &wrong).is_err());
    }
}

#[test]
fn synthesized_examples_stay_small() {
    // Each level has five required fields of the next: the example input once held 5^9
    // leaves (267 MB of documents from 3 KB of spec). A required string of minLength 10^8
    // once took quadratic time to build.
    let (levels, width) = (9, 5);
    let mut text = format!(
        "{HEAD}paths:\n  /a:\n    post:\n      operationId: a\n      requestBody: {{required: true, content: {{application/json: {{schema: {{$ref: '#/components/schemas/A0'}}}}}}}}\n      responses: {{'204': {{description: done}}}}\n  /b:\n    post:\n      operationId: b\n      requestBody: {{required: true, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Long'}}}}}}}}\n      responses: {{'204': {{description: done}}}}\ncomponents:\n  schemas:\n    Long: {{type: object, required: [s], properties: {{s: {{type: string, minLength: 100000000}}}}}}\n"
    );
    for i in 0..levels {
        let fields: Vec<String> = (0..width)
            .map(|j| format!("f{j}: {{$ref: '#/components/schemas/A{}'}}", i + 1))
            .collect();
        let required: Vec<String> = (0..width).map(|j| format!("f{j}")).collect();
        text.push_str(&format!(
            "    A{i}: {{type: object, required: [{}], properties: {{{}}}}}\n",
            required.join(", "),
            fields.join(", ")
        ));
    }
    text.push_str(&format!(
        "    A{levels}: {{type: object, required: [x], properties: {{x: {{type: string}}}}}}\n"
    ));
    let g = run_text("examples", "examples.yaml", text).unwrap();
    let out = total_bytes(&g);
    assert!(out < 1 << 20, "{out} bytes");
    check_outputs("examples", &g);
}

/// Every local `$ref` resolves in the `$defs` of the schema document that holds it.
fn check_refs(path: &str, v: &serde_json::Value, defs: Option<&serde_json::Value>) {
    match v {
        serde_json::Value::Object(m) => {
            let defs = m.get("$defs").or(defs);
            if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                let name = r
                    .strip_prefix("#/$defs/")
                    .unwrap_or_else(|| panic!("{path}: {r}"));
                assert!(
                    defs.and_then(|d| d.get(name)).is_some(),
                    "{path}: `{r}` dangles"
                );
            }
            m.values().for_each(|x| check_refs(path, x, defs));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| check_refs(path, x, defs)),
        _ => {}
    }
}

#[test]
fn very_deep_nesting_is_refused_by_the_parsers() {
    // JSON and YAML nested far beyond any real spec: a located parse error, no stack overflow.
    let deep_json = format!(
        "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"T\", \"version\": \"1\"}}, \"paths\": {{}}, \"x-deep\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let r = run_text("deep-json", "deep.json", deep_json);
    assert_error("deep-json", r, "parse", "#");
    let deep_yaml = format!(
        "{HEAD}paths: {{}}\nx-deep: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let r = run_text("deep-yaml", "deep.yaml", deep_yaml);
    assert_error("deep-yaml", r, "too-deep", "#");
    let mut block = format!("{HEAD}paths: {{}}\nx-deep:\n");
    for d in 1..1000 {
        block.push_str(&format!("{}k:\n", "  ".repeat(d)));
    }
    let r = run_text("deep-block-yaml", "deep.yaml", block);
    assert!(r.is_err(), "1000 levels of block mappings were accepted");
}

#[test]
fn long_reference_chains_do_not_overflow() {
    // 1000 objects each holding the next (the agent schemas once recursed per link and
    // overflowed the stack at a few hundred) and 1000 plain aliases generate; an allOf chain
    // deeper than the lowering's limit is refused as too deep (it was once called a cycle).
    let op = |name: &str, root: &str| {
        format!("  /{name}:\n    get:\n      operationId: {name}\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/{root}'}}}}}}}}}}\n")
    };
    let n = 1000;
    let mut text = format!(
        "{HEAD}paths:\n{}{}components:\n  schemas:\n",
        op("b", "B0"),
        op("c", "C0")
    );
    for i in 0..n {
        text.push_str(&format!(
            "    B{i}: {{$ref: '#/components/schemas/B{}'}}\n    C{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/C{}'}}}}}}\n",
            i + 1,
            i + 1
        ));
    }
    text.push_str(&format!(
        "    B{n}: {{type: string}}\n    C{n}: {{type: object}}\n"
    ));
    let g = run_text("chains", "chains.yaml", text).unwrap();
    check_outputs("chains", &g);
    let c = g
        .files
        .iter()
        .find(|(p, _)| p.ends_with("_c.json"))
        .unwrap()
        .1;
    assert!(c.contains(&format!("\"C{}\"", n - 1)));

    let m = 100;
    let mut text = format!("{HEAD}paths:\n{}components:\n  schemas:\n", op("a", "A0"));
    for i in 0..m {
        text.push_str(&format!(
            "    A{i}: {{allOf: [{{$ref: '#/components/schemas/A{}'}}, {{type: object, properties: {{f{i}: {{type: string}}}}}}]}}\n",
            i + 1
        ));
    }
    text.push_str(&format!("    A{m}: {{type: object}}\n"));
    let err = run_text("allof-chain", "chains.yaml", text).unwrap_err();
    assert!(
        err.diagnostics.iter().all(|d| d.code != "allof-cycle"),
        "{err}"
    );
    assert!(
        err.diagnostics
            .iter()
            .any(|d| d.code == "too-deep" && d.pointer.starts_with("#/components/schemas/A")),
        "{err}"
    );
}
