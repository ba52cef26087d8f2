//! The benchmark's smoke mode (`scripts/bench.sh --smoke`): our generator only, one run, no
//! peers and no crate builds. Checks the report is produced, well-formed, and spliced into an
//! existing BENCHMARKS.md without touching its hand-written sections. Speeds are not asserted.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ has a parent")
        .to_path_buf()
}

fn smoke(spec: &Path, out: &Path) -> String {
    let work = out.parent().expect("out is in a directory").join("work");
    let output = Command::new("bash")
        .env("BENCH_SMOKE_DIR", &work)
        .arg(repo_root().join("scripts/bench.sh"))
        .args(["--smoke", "--bin", env!("CARGO_BIN_EXE_agentgen"), "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out)
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "bench.sh --smoke failed:\n{stderr}"
    );
    std::fs::read_to_string(out).expect("the report is written")
}

/// The cells of the table row whose first cell is `tool`.
fn row<'a>(report: &'a str, tool: &str) -> Vec<&'a str> {
    let line = report
        .lines()
        .find(|l| l.starts_with(&format!("| {tool} |")))
        .unwrap_or_else(|| panic!("no row for {tool} in:\n{report}"));
    line.trim_matches('|').split('|').map(str::trim).collect()
}

fn number(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

#[test]
fn smoke_report_is_well_formed_and_keeps_hand_written_sections() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-smoke");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("BENCHMARKS.md");
    let hand =
        "## Generated crate: features and build time (measured by hand)\n\nHand-measured text.\n";
    std::fs::write(&out, format!("# Benchmarks\n\n{hand}")).unwrap();

    let spec = repo_root().join("tests/fixtures/accounts/spec.yaml");
    let report = smoke(&spec, &out);
    assert!(
        report.contains(hand),
        "hand-written section kept:\n{report}"
    );
    for tool in ["agentgen (client)", "agentgen (client + agent)"] {
        let cells = row(&report, tool);
        assert_eq!(cells.len(), 7, "{cells:?}");
        assert!(number(cells[1]) > 0.0, "generation time: {cells:?}");
        assert!(number(cells[2]) >= 0.0, "generation CPU: {cells:?}");
        assert!(number(cells[3]) > 0.0, "peak RSS: {cells:?}");
        assert_eq!(cells[4], "n/a", "no crate builds in smoke mode: {cells:?}");
        assert!(
            number(cells[5]) >= number(cells[6]),
            "lines >= code lines: {cells:?}"
        );
        assert!(number(cells[6]) > 0.0, "{cells:?}");
    }
    // Peers are not run in smoke mode: their cells and the ratios that need them say so.
    assert!(row(&report, "progenitor (positional)")[1..]
        .iter()
        .all(|c| *c == "n/a"));
    let gen_ratio = row(
        &report,
        "generation, ours (client + agent) / progenitor (positional)",
    );
    assert_eq!(gen_ratio[1..], ["n/a", "≤ 0.300", "n/a"]);
    let memory = row(&report, "peak memory of generation, ours (MB)");
    assert!(number(memory[1]) > 0.0);
    assert!(["met", "not met"].contains(&memory[3]), "{memory:?}");
    assert!(report.contains("### Machine") && report.contains("- rustc "));
    assert!(report.contains("### Commands") && report.contains("generate --spec "));
    assert!(report.contains("spec.yaml"), "names the spec");

    // A second run replaces the generated block instead of adding another one.
    let spec = repo_root().join("tests/fixtures/minimal/spec.json");
    let report = smoke(&spec, &out);
    assert_eq!(report.matches("<!-- bench.sh:begin").count(), 1, "{report}");
    assert_eq!(report.matches("<!-- bench.sh:end -->").count(), 1);
    assert!(report.contains("spec.json") && !report.contains("accounts/spec.yaml"));
    assert!(report.contains(hand));
}
