//! Mutation fuzzing of loading and generation: the fixture specs and the ok cases of the
//! hostile corpus are mutated (keys deleted, values swapped for other types, `$ref`s pointed
//! anywhere, hostile strings and names injected, subtrees copied, text truncated or spliced)
//! and `generate` must return `Ok` or an error whose diagnostics all name a JSON pointer,
//! never panic or hang.
//!
//! Smoke mode (the default, run in CI by `cargo test`): 300 cases. Longer runs:
//! `AGENTGEN_FUZZ_CASES=100000 cargo test -p agentgen-core --test fuzz --release -- --nocapture`;
//! `AGENTGEN_FUZZ_SEED=<n>` starts from another seed. Failing inputs are written to
//! `target/fuzz-failures/` with their seed, so a failure can be replayed with
//! `AGENTGEN_FUZZ_SEED=<seed> AGENTGEN_FUZZ_CASES=1`.

use agentgen::{generate, Config, Inputs};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Hang guard only (one case normally takes milliseconds).
const WATCHDOG: Duration = Duration::from_secs(300);

/// splitmix64: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn hostile(&mut self) -> &'static str {
        HOSTILE[self.below(HOSTILE.len())]
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const HOSTILE: &[&str] = &[
    "",
    " ",
    "*/",
    "/*",
    "\"#",
    "```",
    "```rust\nfn main() { panic!() }\n```",
    "~~~",
    "---",
    "\n---\nname: evil\n---\n",
    "# Rules",
    "| a | b |\n|---|---|",
    "<script>x</script>",
    "<!--",
    "{{ 7 * 7 }}",
    "{% for x in y %}",
    "{#",
    "\\",
    "\u{0}",
    "\r\n",
    "type",
    "self",
    "Self",
    "crate",
    "r#try",
    "_",
    "1st",
    "名前",
    "😀",
    "a/b",
    "../..",
    "%2e%2e",
    "?x=1#y",
    "{id}",
    "~1",
    "#/components/schemas/",
    "application/json",
    "x-speakeasy-group",
    "null",
];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 2 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(f64::from(rng.below(1000) as u32) / 7.0),
        4 | 5 => json!(rng.hostile()),
        6 => Value::Array(
            (0..rng.below(3))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        7 => {
            let mut m = Map::new();
            for _ in 0..rng.below(3) {
                m.insert(rng.hostile().to_string(), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
        _ => json!({"$ref": random_ref(rng)}),
    }
}

fn random_ref(rng: &mut Rng) -> String {
    let kinds = [
        "schemas",
        "parameters",
        "responses",
        "requestBodies",
        "headers",
    ];
    match rng.below(4) {
        0 => format!(
            "#/components/{}/{}",
            kinds[rng.below(kinds.len())],
            rng.hostile()
        ),
        1 => "#/components/schemas/Account".to_string(),
        2 => format!(
            "#/paths/~1accounts/get/{}",
            rng.pick(&["responses", "parameters/0"])
        ),
        _ => rng
            .pick(&["#", "#/", "other.yaml#/X", "http://x/y", "#/components"])
            .to_string(),
    }
}

/// JSON pointers of every node, in document order.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn mutate_tree(rng: &mut Rng, doc: &mut Value) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let target = rng.pick(&all).clone();
    let donor_at = rng.pick(&all).clone();
    let donor = doc.pointer(&donor_at).cloned().unwrap_or(Value::Null);
    let fresh = random_value(rng, 0);
    let choice = rng.below(7);
    let Some(node) = doc.pointer_mut(&target) else {
        return;
    };
    match choice {
        // Wrong type (or a `$ref` anywhere) in place of the node.
        0 | 1 => *node = fresh,
        // Delete a key or an item.
        2 => match node {
            Value::Object(m) if !m.is_empty() => {
                let k = m.keys().nth(rng.below(m.len())).cloned().unwrap();
                m.shift_remove(&k);
            }
            Value::Array(a) if !a.is_empty() => {
                a.remove(rng.below(a.len()));
            }
            other => *other = Value::Null,
        },
        // A hostile key, or a key renamed to one.
        3 => {
            if let Value::Object(m) = node {
                let name = rng.hostile().to_string();
                if m.is_empty() || rng.below(2) == 0 {
                    m.insert(name, fresh);
                } else {
                    let k = m.keys().nth(rng.below(m.len())).cloned().unwrap();
                    let v = m.shift_remove(&k).unwrap();
                    m.insert(name, v);
                }
            } else {
                *node = json!(rng.hostile());
            }
        }
        // A copy of another subtree (recursion, self-reference, unexpected shapes).
        4 => *node = donor,
        // Hostile text appended to strings.
        5 => match node {
            Value::String(s) => s.push_str(rng.hostile()),
            other => *other = json!(rng.hostile()),
        },
        // Wrap in a container.
        _ => {
            let inner = std::mem::take(node);
            *node = if rng.below(2) == 0 {
                json!([inner])
            } else {
                json!({"allOf": [inner], "oneOf": [{"$ref": random_ref(rng)}]})
            };
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate_text(rng: &mut Rng, text: &mut String) {
    if text.is_empty() {
        return;
    }
    let at = floor_char_boundary(text, rng.below(text.len()));
    match rng.below(3) {
        0 => text.truncate(at),
        1 => text.insert_str(at, rng.hostile()),
        _ => {
            let end = floor_char_boundary(text, (at + rng.below(64)).min(text.len()));
            text.replace_range(at..end, "");
        }
    }
}

fn seeds() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut paths: Vec<PathBuf> = [
        "accounts/spec.yaml",
        "names/spec.yaml",
        "minimal/spec.json",
        "oas31/spec.yaml",
        "accounts/spec-3.1.yaml",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    for name in [
        "keywords",
        "non_ascii",
        "enum_collisions",
        "recursive",
        "hostile_text",
    ] {
        paths.push(root.join(format!("hostile/{name}.yaml")));
    }
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            // agentgen's parser: it reads integers past 64 bits (the 3.1 fixture has some).
            let v: Value = agentgen::load::parse_text(
                &text,
                &mut agentgen::diagnostics::Diagnostics::default(),
            )
            .unwrap();
            let name = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('/', "-");
            (name, v)
        })
        .collect()
}

/// One fuzz input for `seed`: a mutated seed spec as YAML or JSON text.
fn case(seeds: &[(String, Value)], seed: u64) -> (String, String) {
    let mut rng = Rng(seed);
    let (name, base) = rng.pick(seeds);
    let mut doc = base.clone();
    for _ in 0..1 + rng.below(4) {
        mutate_tree(&mut rng, &mut doc);
    }
    let mut text = if rng.below(2) == 0 {
        yaml_serde::to_string(&doc).unwrap()
    } else {
        serde_json::to_string_pretty(&doc).unwrap()
    };
    if rng.below(4) == 0 {
        mutate_text(&mut rng, &mut text);
    }
    (name.clone(), text)
}

fn save_failure(seed: u64, text: &str, why: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("seed-{seed}.spec"));
    std::fs::write(&path, text).unwrap();
    format!("seed {seed}: {why} (input: {})", path.display())
}

#[test]
fn generate_never_panics_on_mutated_specs() {
    let cases: u64 = std::env::var("AGENTGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let start: u64 = std::env::var("AGENTGEN_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let seeds = seeds();
    let began = Instant::now();
    let (tx, rx) = mpsc::channel::<(u64, String, Result<Result<(), String>, String>)>();
    // Panics are expected to be caught and reported per case: keep the default hook quiet.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            for seed in start..start + cases {
                let (_, text) = case(&seeds, seed);
                let t = text.clone();
                let outcome = std::panic::catch_unwind(move || {
                    match generate(
                        &Inputs::from_text("fuzz.yaml", t),
                        &Config::new("fuzz.yaml"),
                    ) {
                        Ok(g) => {
                            for (path, f) in &g.files {
                                if path.ends_with(".json") {
                                    if let Err(e) = serde_json::from_str::<Value>(f) {
                                        return Err(format!("{path} is not JSON: {e}"));
                                    }
                                }
                            }
                            Ok(())
                        }
                        Err(e) => {
                            if e.diagnostics.is_empty() {
                                return Err(format!("error without a diagnostic: {e}"));
                            }
                            match e.diagnostics.iter().find(|d| !d.pointer.starts_with('#')) {
                                Some(d) => Err(format!("diagnostic without a pointer: {d:?}")),
                                None => Ok(()),
                            }
                        }
                    }
                })
                .map_err(|p| {
                    p.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panic".to_string())
                });
                if tx.send((seed, text, outcome)).is_err() {
                    return;
                }
            }
        })
        .unwrap();
    let mut failures = Vec::new();
    let mut hung = false;
    for done in 1..=cases {
        if done % 5000 == 0 {
            eprintln!("fuzz: {done} cases in {:.1?}", began.elapsed());
        }
        match rx.recv_timeout(WATCHDOG) {
            Ok((seed, text, outcome)) => match outcome {
                Ok(Ok(())) => {}
                Ok(Err(why)) => failures.push(save_failure(seed, &text, &why)),
                Err(panic) => failures.push(save_failure(seed, &text, &format!("panic: {panic}"))),
            },
            Err(_) => {
                failures.push("a case hung (no answer within the watchdog)".to_string());
                hung = true;
                break;
            }
        }
    }
    std::panic::set_hook(hook);
    if !hung {
        let _ = worker.join();
    }
    eprintln!(
        "fuzz: {cases} cases from seed {start} in {:.1?}; {} failures",
        began.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mutations_are_deterministic_and_varied() {
    let seeds = seeds();
    assert_eq!(case(&seeds, 7), case(&seeds, 7));
    let distinct: std::collections::BTreeSet<String> = (0..50).map(|s| case(&seeds, s).1).collect();
    assert!(distinct.len() > 45, "{}", distinct.len());
}
