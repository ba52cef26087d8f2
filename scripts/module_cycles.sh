#!/usr/bin/env bash
# No module cycles: for each package given (default: the core, the runtime, the MCP server and the
# gateway), the graph of its library's modules and their `use` edges, as cargo-modules draws
# it, must be acyclic, which Graphviz's `acyclic` checks. On a cycle, prints the edges of each
# cycle and fails. cargo-modules' edges are `use` declarations (a module that calls
# `crate::other::f()` by its path has no edge to `other`); the core's
# generator/tests/module_cycles.rs follows those paths too.
#
# `cargo modules dependencies --acyclic` alone also counts an item and its own methods (an
# enum and its `Default` impl) as a cycle, so the graph is drawn with modules only and
# checked by `acyclic`. Installs cargo-modules 0.27.0 (the last for rustc 1.95; minutes on
# 2 cores) under target/ci-tools, and Graphviz (Debian), when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_MODULES_VERSION=0.27.0
TOOLS=target/ci-tools
CM="$TOOLS/bin/cargo-modules"
if ! "$CM" --version 2>/dev/null | grep -q "$CARGO_MODULES_VERSION"; then
  echo "installing cargo-modules $CARGO_MODULES_VERSION into $TOOLS"
  cargo install -q cargo-modules --version "$CARGO_MODULES_VERSION" --locked --root "$TOOLS"
fi
if ! command -v acyclic >/dev/null; then
  echo "installing graphviz"
  apt-get install -y -q graphviz >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q graphviz >/dev/null; }
fi

packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(agentgen-core agentgen-runtime agentgen-mcp agentgen-gateway)
failed=0
for p in "${packages[@]}"; do
  dot="target/modules-$p.dot"
  "$CM" modules dependencies -p "$p" --lib --all-features --no-externs --no-sysroot \
    --no-fns --no-traits --no-types --no-owns >"$dot"
  edges=$(grep -c -- ' -> ' "$dot" || true)
  if acyclic -n "$dot"; then
    echo "$p: no module cycles ($edges use edges between modules)"
  else
    echo "$p: module cycles (edges within each):"
    sccmap "$dot" 2>/dev/null | grep -- ' -> ' | sed 's/\[.*//; s/^/  /'
    failed=1
  fi
done
exit "$failed"
