//! In-process phase timings of generation: `cargo bench -p agentgen-core --bench phases`.
//!
//! Generates the client and all agent documents from a spec (default: Clerk's bapi
//! 2026-05-12 under AGENTGEN_SPEC_MIRROR, or the path in AGENTGEN_BENCH_SPEC) RUNS times
//! (AGENTGEN_BENCH_RUNS, default 10, after one warm-up) and prints the median of each phase.
//! The cross-tool comparison (peers, crate build times) is `scripts/bench.sh`.

use agentgen::{Config, Timings};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test --all-targets` this is a no-op.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let spec = match std::env::var_os("AGENTGEN_BENCH_SPEC") {
        Some(p) => PathBuf::from(p),
        None => match std::env::var_os("AGENTGEN_SPEC_MIRROR") {
            Some(m) => PathBuf::from(m).join("bapi/2026-05-12.yml"),
            None => {
                eprintln!(
                    "set AGENTGEN_SPEC_MIRROR (or AGENTGEN_BENCH_SPEC=FILE) to run this bench"
                );
                return;
            }
        },
    };
    let runs: usize = std::env::var("AGENTGEN_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10)
        .max(1);
    for (label, client, agent) in [
        ("client only", true, false),
        ("client + agent documents", true, true),
    ] {
        let mut config = Config::new(&spec);
        config.emit_client = client;
        config.emit_agent = agent;
        let mut all: Vec<Timings> = Vec::new();
        let mut totals: Vec<Duration> = Vec::new();
        for i in 0..=runs {
            let mut t = Timings::default();
            let start = Instant::now();
            let generated = match agentgen::Inputs::load(&config)
                .and_then(|inputs| agentgen::generate_timed(&inputs, &config, &mut t))
            {
                Ok(g) => g,
                Err(e) => {
                    eprintln!("{}: {e}", spec.display());
                    std::process::exit(1);
                }
            };
            let total = start.elapsed();
            drop(generated);
            if i > 0 {
                all.push(t);
                totals.push(total);
            }
        }
        println!("{} ({}): median of {runs} runs", label, spec.display());
        for (name, _) in all[0].phases() {
            let mut v: Vec<Duration> = all
                .iter()
                .filter_map(|t| t.phases().iter().find(|(n, _)| n == name).map(|(_, d)| *d))
                .collect();
            println!("  {name:<30} {:>8.1} ms", ms(median(&mut v)));
        }
        println!(
            "  {:<30} {:>8.1} ms (wall)",
            "generate()",
            ms(median(&mut totals))
        );
    }
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
