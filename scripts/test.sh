#!/usr/bin/env bash
# The test command: installs the pinned Stoplight Prism (tools/prism, for the end-to-end test
# tests/tests/e2e_prism.rs) when it is missing or older than its lockfile, then runs every
# test of the workspace. Needs Node.js (>= 18.20) and npm besides the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

prism=tools/prism/node_modules/.bin/prism
stamp=tools/prism/node_modules/.agentgen-installed
if [ ! -x "$prism" ] || [ ! -e "$stamp" ] || [ tools/prism/package-lock.json -nt "$stamp" ]; then
  npm ci --prefix tools/prism --no-fund --no-audit
  touch "$stamp"
fi

cargo test --workspace --locked "$@"
