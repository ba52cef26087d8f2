//! Generated models never panic on arbitrary JSON: every model type decodes random values
//! and mutations of a valid example, returning Ok or Err; what decodes re-encodes.
//! Written into generated crates under target/ by `tests/decode_fuzz/mod.rs` (the list of
//! types and their examples is appended there). Cases per type: `AGENTGEN_FUZZ_CASES`
//! (default 200).

use serde_json::{json, Map, Value};

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
}

const STRINGS: &[&str] = &["", "x", "null", "0", "-1", "1e400", "true", "\u{0}", "😀", "unknown_value", "verification_otp", "email_code"];

fn scalar(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(i64::MIN),
        3 => json!(u64::MAX),
        4 => json!(-0.5),
        5 => json!(1.0e308),
        6 => json!(rng.next() as i64),
        _ => json!(STRINGS[rng.below(STRINGS.len())]),
    }
}

fn random(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 3 } else { 6 }) {
        0..=2 => scalar(rng),
        3 => Value::Array((0..rng.below(4)).map(|_| random(rng, depth + 1)).collect()),
        _ => {
            let keys = ["object", "id", "type", "status", "data", "total_count", "strategy", "x"];
            let mut m = Map::new();
            for _ in 0..rng.below(5) {
                m.insert(keys[rng.below(keys.len())].to_string(), random(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// A copy of `v` with one node somewhere replaced, removed, or given a sibling.
fn mutate(rng: &mut Rng, v: &mut Value, depth: usize) {
    let descend = depth < 8 && rng.below(3) != 0;
    match v {
        Value::Object(m) if !m.is_empty() && descend => {
            let k = m.keys().nth(rng.below(m.len())).cloned().unwrap();
            if rng.below(6) == 0 {
                m.remove(&k);
            } else {
                mutate(rng, m.get_mut(&k).unwrap(), depth + 1);
            }
        }
        Value::Array(a) if !a.is_empty() && descend => {
            let i = rng.below(a.len());
            mutate(rng, &mut a[i], depth + 1);
        }
        Value::Object(m) if rng.below(2) == 0 => {
            m.insert("unexpected".into(), random(rng, depth));
        }
        other => *other = random(rng, depth),
    }
}

fn cases() -> u64 {
    std::env::var("AGENTGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Decode `cases` values into `T`; a panic fails with the type and the input.
fn check<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, example: &str, cases: u64) {
    let example: Value = serde_json::from_str(example).unwrap();
    let mut rng = Rng(name.bytes().fold(0xA5A5, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)));
    for i in 0..cases {
        let value = if i == 0 {
            example.clone()
        } else if i % 2 == 0 {
            random(&mut rng, 0)
        } else {
            let mut v = example.clone();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut rng, &mut v, 0);
            }
            v
        };
        let text = value.to_string();
        let outcome = std::panic::catch_unwind(|| {
            if let Ok(t) = serde_json::from_value::<T>(value.clone()) {
                serde_json::to_value(&t).expect("a decoded model encodes");
            }
            let _ = serde_json::from_str::<T>(&text);
        });
        assert!(outcome.is_ok(), "{name} panicked decoding {text}");
    }
}
