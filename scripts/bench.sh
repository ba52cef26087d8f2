#!/usr/bin/env bash
# Benchmark agentgen against the Rust generators it is compared with (issue #6), on Clerk's
# Backend API 2026-05-12, side by side on this machine. Prints a table and the ratios against
# the targets, and writes them (with the machine and the exact commands) to BENCHMARKS.md.
#
#   scripts/bench.sh                 full run: ours + peers, medians of N runs
#   scripts/bench.sh --smoke         ours only, 1 run, no crate builds, report under target/
#
# Options (BENCH_SMOKE_DIR=DIR: where --smoke works, default target/bench/smoke): --runs N (generation runs, default 5), --build-runs N (crate builds, default 3; 0: none),
#   --spec FILE (default $AGENTGEN_SPEC_MIRROR/bapi/2026-05-12.yml), --bin PATH (agentgen binary;
#   default: built here with --release), --out FILE (report; default BENCHMARKS.md, or
#   target/bench/BENCHMARKS.md with --smoke), --with-builder-build (also build progenitor's
#   builder-style crate).
#
# Peers are installed under target/bench-tools (never committed) from the registries:
#   cargo-progenitor 0.15.1 (crates.io), openapi-generator-cli 7.26.0 (PyPI, ships the jar;
#   runs on the machine's Java), clerk-rs 0.5.0 (crates.io, as a dependency of a scratch crate).
# progenitor needs three spec patches (scripts/bench/progenitor_patch.py), applied to a copy
# under target/bench/. Everything generated goes to target/bench/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SMOKE=0
RUNS=5
BUILD_RUNS=3
SPEC=""
BIN=""
OUT=""
BUILDER_BUILD=0
PROGENITOR_VERSION=0.15.1
OAG_VERSION=7.26.0
CLERK_RS_VERSION=0.5.0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --runs) RUNS="$2"; shift ;;
    --build-runs) BUILD_RUNS="$2"; shift ;;
    --spec) SPEC="$2"; shift ;;
    --bin) BIN="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --with-builder-build) BUILDER_BUILD=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$SMOKE" = 1 ]; then RUNS=1; fi
if [ -z "$SPEC" ]; then
  if [ -z "${AGENTGEN_SPEC_MIRROR:-}" ]; then
    echo "bench.sh: set AGENTGEN_SPEC_MIRROR or pass --spec FILE" >&2
    exit 2
  fi
  SPEC="$AGENTGEN_SPEC_MIRROR/bapi/2026-05-12.yml"
fi
[ -f "$SPEC" ] || { echo "bench.sh: spec not found: $SPEC" >&2; exit 2; }
SPEC="$(cd "$(dirname "$SPEC")" && pwd)/$(basename "$SPEC")"

B="$ROOT/target/bench"
# Smoke runs (the test suite) work apart from full runs, which may be going on at the same time.
[ "$SMOKE" = 1 ] && B="$ROOT/target/bench/smoke"
TOOLS="$ROOT/target/bench-tools"
if [ -z "$OUT" ]; then
  if [ "$SMOKE" = 1 ]; then OUT="$B/BENCHMARKS.md"; else OUT="$ROOT/BENCHMARKS.md"; fi
fi
if [ "$SMOKE" = 1 ] && [ -n "${BENCH_SMOKE_DIR:-}" ]; then B="$BENCH_SMOKE_DIR"
fi
mkdir -p "$B"
PARKED="$B/.parked"
# Outputs of earlier runs, moved aside by `park`; deleted when this run ends.
trap 'rm -rf "$PARKED"' EXIT
export CARGO_INCREMENTAL=0
export CARGO_TARGET_DIR_BENCH="$B/cargo-target"
COMMANDS=()   # exact commands, for the report
log() { echo "bench: $*" >&2; }

# ---------- helpers ----------
median() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) print "n/a"; else print a[int((NR + 1) / 2)] }'; }
now_ns() { date +%s%N; }
# time_run CMD...: one run; sets LAST_WALL (s), LAST_CPU (user + system s, all threads and
# child processes) and LAST_RSS (MB). Output is discarded.
time_run() {
  local t0 t1 rss_kb
  t0=$(now_ns)
  /usr/bin/time -f "%M %U %S" -o "$B/.time" "$@" >"$B/.stdout" 2>"$B/.stderr" || {
    echo "bench.sh: command failed: $*" >&2; tail -20 "$B/.stderr" >&2; return 1; }
  t1=$(now_ns)
  rss_kb=$(tail -1 "$B/.time" | cut -d' ' -f1)
  LAST_CPU=$(tail -1 "$B/.time" | awk '{ printf "%.2f", $2 + $3 }')
  LAST_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  LAST_RSS=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
}
# park DIR: move DIR (an earlier run's output) out of the way, to be deleted at the end. Each run
# writes into a directory that does not exist yet, as in a fresh checkout. Deleting the previous
# output right before a run would time the file system instead: ext4 steers new inodes away from
# ones deleted in the last minute, which made creating a file up to 20x slower here.
park() {
  if [ -e "$1" ]; then mkdir -p "$PARKED"; mv "$1" "$PARKED/$(now_ns)"; fi
}
# gen NAME OUTDIR CMD...: 1 warm-up (skipped in smoke mode) + RUNS runs, each into an OUTDIR that
# does not exist yet; sets GEN_WALL[NAME], GEN_RSS[NAME] (medians).
declare -A GEN_WALL GEN_CPU GEN_RSS LOC_ALL LOC_CODE BUILD
gen() {
  local name="$1" dir="$2"; shift 2
  COMMANDS+=("$*")
  local walls=() cpus=() rsss=() i
  if [ "$SMOKE" = 0 ]; then park "$dir"; time_run "$@"; fi
  for ((i = 0; i < RUNS; i++)); do
    park "$dir"
    time_run "$@"
    walls+=("$LAST_WALL"); cpus+=("$LAST_CPU"); rsss+=("$LAST_RSS")
  done
  GEN_WALL[$name]=$(printf '%s\n' "${walls[@]}" | median)
  GEN_RSS[$name]=$(printf '%s\n' "${rsss[@]}" | median)
  GEN_CPU[$name]=$(printf '%s\n' "${cpus[@]}" | median)
  log "$name: generation ${GEN_WALL[$name]} s wall, ${GEN_CPU[$name]} s cpu, peak ${GEN_RSS[$name]} MB"
}
# loc NAME DIR: .rs lines (all) and code lines (non-blank, not a // comment).
loc() {
  local name="$1" dir="$2"
  LOC_ALL[$name]=$(find "$dir" -name '*.rs' -print0 | xargs -0 cat | wc -l)
  LOC_CODE[$name]=$(find "$dir" -name '*.rs' -print0 | xargs -0 cat | grep -cvE '^\s*($|//)')
}
# clean_build DIR "PACKAGES" [CARGO ARGS...]: `cargo clean -p` each of the space-separated
# PACKAGES (`cargo clean` takes no feature flags: with them it fails and nothing would be
# rebuilt), then one timed `cargo build` with the arguments (LAST_WALL).
clean_build() {
  local dir="$1" p clean=(); for p in $2; do clean+=(-p "$p"); done; shift 2
  ( cd "$dir" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR_BENCH" cargo clean -q "${clean[@]}" ) || return 1
  time_run env -C "$dir" CARGO_TARGET_DIR="$CARGO_TARGET_DIR_BENCH" cargo build -q "$@"
}
# build NAME DIR PACKAGES [CARGO ARGS...]: deps once, then BUILD_RUNS x (clean -p PACKAGE for
# each of the space-separated PACKAGES; build).
build() {
  local name="$1" dir="$2" pkg="$3"; shift 3
  local times=() i p clean=()
  for p in $pkg; do clean+=(-p "$p"); done
  if [ "$BUILD_RUNS" = 0 ]; then return 0; fi
  ( cd "$dir" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR_BENCH" cargo build -q "$@" ) >&2 || {
    BUILD[$name]="failed"; log "$name: build failed"; return 0; }
  COMMANDS+=("(cd $dir && cargo clean -q ${clean[*]} && cargo build -q $*)  # CARGO_INCREMENTAL=0, CARGO_TARGET_DIR=target/bench/cargo-target")
  for ((i = 0; i < BUILD_RUNS; i++)); do
    clean_build "$dir" "$pkg" "$@" || {
      BUILD[$name]="failed"; log "$name: cargo clean or build failed"; return 0; }
    times+=("$LAST_WALL")
  done
  BUILD[$name]=$(printf '%s\n' "${times[@]}" | median)
  log "$name: crate-only debug build ${BUILD[$name]} s"
}
# build_pair NAME_A NAME_B DIR PACKAGE [CARGO ARGS OF B...]: like `build` for two builds of one
# crate, A with its default features and B with the arguments given, interleaved (A, B, A,
# B, ...) so that the machine's load shifts both alike: their ratio is a target.
build_pair() {
  local name_a="$1" name_b="$2" dir="$3" pkg="$4"; shift 4
  local ta=() tb=() i args
  if [ "$BUILD_RUNS" = 0 ]; then return 0; fi
  for args in "" "$*"; do
    # shellcheck disable=SC2086
    ( cd "$dir" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR_BENCH" cargo build -q $args ) >&2 || {
      BUILD[$name_a]="failed"; BUILD[$name_b]="failed"; log "$dir: build failed"; return 0; }
  done
  COMMANDS+=("(cd $dir && cargo clean -q -p $pkg && cargo build -q)  # CARGO_INCREMENTAL=0, CARGO_TARGET_DIR=target/bench/cargo-target")
  COMMANDS+=("(cd $dir && cargo clean -q -p $pkg && cargo build -q $*)  # interleaved with the line above, one of each per run")
  for ((i = 0; i < BUILD_RUNS; i++)); do
    clean_build "$dir" "$pkg" && ta+=("$LAST_WALL") && clean_build "$dir" "$pkg" "$@" || {
      BUILD[$name_a]="failed"; BUILD[$name_b]="failed"; log "$dir: cargo clean or build failed"; return 0; }
    tb+=("$LAST_WALL")
  done
  BUILD[$name_a]=$(printf '%s\n' "${ta[@]}" | median)
  BUILD[$name_b]=$(printf '%s\n' "${tb[@]}" | median)
  log "$name_a: crate-only debug build ${BUILD[$name_a]} s; $name_b: ${BUILD[$name_b]} s (interleaved)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) print "n/a"; else printf "%.3f", a / b }'; }
verdict() { # verdict RATIO MAX
  awk -v r="$1" -v m="$2" 'BEGIN { if (r !~ /^[0-9.]+$/) print "n/a"; else if (r <= m) print "met"; else print "not met" }'
}
get() { local -n arr="$1"; echo "${arr[$2]:-n/a}"; }

# ---------- ours ----------
if [ -z "$BIN" ]; then
  log "building agentgen (release)"
  cargo build -q --release -p agentgen-tool --bin agentgen
  BIN="$ROOT/target/release/agentgen"
fi
gen "agentgen (client)" "$B/ours-client" "$BIN" generate --spec "$SPEC" --out "$B/ours-client" --outputs client
gen "agentgen (client + agent)" "$B/ours" "$BIN" generate --spec "$SPEC" --out "$B/ours"
# The rows above print with prettyplease; this one also lays the Rust files out with rustfmt,
# as cargo-progenitor always does.
gen "agentgen (client + agent, --rustfmt)" "$B/ours-fmt" "$BIN" generate --spec "$SPEC" --out "$B/ours-fmt" --rustfmt
# Lines of the crate and of its runtime copy (runtime/src/).
loc "agentgen (client)" "$B/ours/client"
loc "agentgen (client + agent)" "$B/ours/client"
AGENT_FILES=0
AGENT_BYTES=0
if [ -d "$B/ours/agent" ]; then
  AGENT_FILES=$(find "$B/ours/agent" -type f | wc -l)
  AGENT_BYTES=$(du -sb "$B/ours/agent" | cut -f1)
fi
CRATE_NAME=$(sed -n 's/^name = "\(.*\)"/\1/p' "$B/ours/client/Cargo.toml" | head -1)
if [ "$SMOKE" = 0 ]; then
  # The full crate and its `users` group alone, interleaved (their ratio is a target).
  if grep -qE '^users *=' "$B/ours/client/Cargo.toml"; then
    build_pair "agentgen (client)" "agentgen (only users)" "$B/ours/client" "$CRATE_NAME" \
      --no-default-features --features users
  else
    build "agentgen (client)" "$B/ours/client" "$CRATE_NAME"
    log "the generated crate has no \`users\` feature: n/a"
  fi
  # The crate's runtime is a crate of its own (like progenitor-client): built once, so the rows
  # above leave it compiled. This row rebuilds it too.
  if [ -f "$B/ours/client/runtime/Cargo.toml" ]; then
    build "agentgen (client + its runtime crate)" "$B/ours/client" "$CRATE_NAME $CRATE_NAME-runtime"
  fi
fi

# ---------- peers ----------
if [ "$SMOKE" = 0 ]; then
  PROG="$TOOLS/bin/cargo-progenitor"
  if [ ! -x "$PROG" ]; then
    log "installing cargo-progenitor $PROGENITOR_VERSION (takes minutes)"
    cargo install -q cargo-progenitor --locked --version "$PROGENITOR_VERSION" --root "$TOOLS"
  fi
  VENV="$TOOLS/venv"
  if [ ! -x "$VENV/bin/openapi-generator-cli" ] || ! "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
    log "installing openapi-generator-cli $OAG_VERSION and PyYAML into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "openapi-generator-cli==$OAG_VERSION" "pyyaml==6.0.2"
  fi
  OAG_JAR=$("$VENV/bin/python" -c 'import openapi_generator_cli, os; print(os.path.join(os.path.dirname(openapi_generator_cli.__file__), "openapi-generator.jar"))')

  mkdir -p "$B/prog"
  PATCH_CMD=("$VENV/bin/python" scripts/bench/progenitor_patch.py "$SPEC" "$B/prog/spec.json")
  COMMANDS+=("${PATCH_CMD[*]}")
  PATCHES=$("${PATCH_CMD[@]}")
  log "progenitor spec patches (operations edited): $PATCHES"
  for style in positional builder; do
    gen "progenitor ($style)" "$B/prog/$style" "$PROG" progenitor -i "$B/prog/spec.json" -o "$B/prog/$style" \
      -n clerk_prog -v 0.1.0 --interface "$style"
    loc "progenitor ($style)" "$B/prog/$style/src"
  done
  gen "OpenAPI Generator" "$B/oag" java -jar "$OAG_JAR" generate -g rust -i "$SPEC" -o "$B/oag" \
    --additional-properties=packageName=clerk_oag,packageVersion=0.1.0
  loc "OpenAPI Generator" "$B/oag/src"

  build "progenitor (positional)" "$B/prog/positional" clerk_prog
  if [ "$BUILDER_BUILD" = 1 ]; then build "progenitor (builder)" "$B/prog/builder" clerk_prog; fi

  SCRATCH="$B/clerk-rs-scratch"
  mkdir -p "$SCRATCH/src"
  printf '[package]\nname = "clerk-rs-scratch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\nclerk-rs = "=%s"\n' \
    "$CLERK_RS_VERSION" >"$SCRATCH/Cargo.toml"
  : >"$SCRATCH/src/lib.rs"
  build "clerk-rs $CLERK_RS_VERSION" "$SCRATCH" clerk-rs
  CLERK_SRC=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d -name "clerk-rs-$CLERK_RS_VERSION" | head -1)
  if [ -n "$CLERK_SRC" ]; then loc "clerk-rs $CLERK_RS_VERSION" "$CLERK_SRC/src"; fi
fi

# ---------- report ----------
G_OURS=$(get GEN_WALL "agentgen (client + agent)")
G_PROG=$(get GEN_WALL "progenitor (positional)")
R_GEN=$(ratio "$G_OURS" "$G_PROG")
RSS_OURS=$(get GEN_RSS "agentgen (client + agent)")
R_BUILD=$(ratio "$(get BUILD "agentgen (client)")" "$(get BUILD "progenitor (positional)")")
R_USERS=$(ratio "$(get BUILD "agentgen (only users)")" "$(get BUILD "agentgen (client)")")
RSS_MET=$(awk -v r="$RSS_OURS" 'BEGIN { if (r !~ /^[0-9.]+$/) print "n/a"; else if (r < 100) print "met"; else print "not met" }')

ROWS=("agentgen (client)" "agentgen (client + agent)" "agentgen (client + agent, --rustfmt)" "progenitor (positional)" "progenitor (builder)" \
  "OpenAPI Generator" "clerk-rs $CLERK_RS_VERSION")
if [ -n "$(get BUILD "agentgen (client + its runtime crate)")" ] && [ "$(get BUILD "agentgen (client + its runtime crate)")" != n/a ]; then
  ROWS+=("agentgen (client + its runtime crate)")
fi
if [ -n "$(get BUILD "agentgen (only users)")" ] && [ "$(get BUILD "agentgen (only users)")" != n/a ]; then
  ROWS+=("agentgen (only users)")
fi
MODE="full"; [ "$SMOKE" = 1 ] && MODE="smoke (agentgen only, 1 run, no crate builds)"
REPORT="$B/report.md"
{
  echo "<!-- bench.sh:begin (generated by scripts/bench.sh; the rest of this file is hand-written) -->"
  echo "## Benchmark: generation and crate build ($MODE)"
  echo
  echo "Spec: \`$(basename "$(dirname "$SPEC")")/$(basename "$SPEC")\` (sha256 \`$(sha256sum "$SPEC" | cut -c1-16)…\`)."
  if [ "$SMOKE" = 1 ]; then WARM="no warm-up"; else WARM="after 1 warm-up"; fi
  echo "Medians of $RUNS generation runs ($WARM) and $BUILD_RUNS crate-only debug builds"
  echo "(\`CARGO_INCREMENTAL=0\`, dependencies prebuilt). Wall times; CPU (user + system, all threads"
  echo "and child processes) and peak RSS from \`/usr/bin/time\`. The ratios use wall times."
  echo
  echo "| tool | generation (s) | generation CPU (s) | peak RSS (MB) | crate-only debug build (s) | .rs lines | code lines |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for r in "${ROWS[@]}"; do
    echo "| $r | $(get GEN_WALL "$r") | $(get GEN_CPU "$r") | $(get GEN_RSS "$r") | $(get BUILD "$r") | $(get LOC_ALL "$r") | $(get LOC_CODE "$r") |"
  done
  echo
  echo "agentgen writes $AGENT_FILES agent documents ($((AGENT_BYTES / 1024)) KiB) besides the client; the"
  echo "\"client + agent\" row is the whole \`agentgen generate\`. OpenAPI Generator's generation includes JVM start."
  echo
  echo "| target | measured | target | result |"
  echo "|---|---:|---:|---|"
  echo "| generation, ours (client + agent) / progenitor (positional) | $R_GEN | ≤ 0.300 | $(verdict "$R_GEN" 0.3) |"
  echo "| peak memory of generation, ours (MB) | $RSS_OURS | < 100 | $RSS_MET |"
  echo "| crate-only debug build, ours / progenitor (positional) | $R_BUILD | ≤ 0.400 | $(verdict "$R_BUILD" 0.4) |"
  echo "| crate-only debug build, only \`users\` / full crate | $R_USERS | ≤ 0.200 | $(verdict "$R_USERS" 0.2) |"
  echo
  echo "### Machine"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores available"
  echo "- RAM: $(free -g | awk '/^Mem:/ { print $2 " GiB" }'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- $(rustc -V); $(cargo -V)"
  echo "- java: $(java -version 2>&1 | head -1)"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "### Commands"
  echo
  echo '```sh'
  echo "scripts/bench.sh --runs $RUNS --build-runs $BUILD_RUNS$([ "$SMOKE" = 1 ] && echo " --smoke")"
  echo "# each generation: $WARM, $RUNS timed runs into an output directory that does not exist yet (the previous one is moved aside and deleted at the end)"
  for c in "${COMMANDS[@]}"; do echo "${c//$ROOT\//}"; done
  echo '```'
  echo "<!-- bench.sh:end -->"
} >"$REPORT"

# Splice the generated part into OUT, keeping any hand-written sections.
if [ -f "$OUT" ] && grep -q '<!-- bench.sh:begin' "$OUT"; then
  awk -v rep="$REPORT" '
    /<!-- bench.sh:begin/ { while ((getline l < rep) > 0) print l; skip = 1; next }
    /<!-- bench.sh:end -->/ { skip = 0; next }
    !skip { print }' "$OUT" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
elif [ -f "$OUT" ]; then
  { cat "$OUT"; echo; cat "$REPORT"; } >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
  mkdir -p "$(dirname "$OUT")"
  { echo "# Benchmarks"; echo; cat "$REPORT"; } >"$OUT"
fi
cat "$REPORT"
log "report written to $OUT"
