#!/usr/bin/env bash
# The test command: installs the pinned Stoplight Prism (tools/prism) and MCP Inspector
# (tools/inspector) when missing or older than their lockfiles, then runs every test of the
# workspace. Needs Node.js (>= 18.20) and npm besides the Rust toolchain.
set -euo pipefail
# Tests run in their own package directories: hand them the spec mirror as an absolute path
# (the README passes it relative to the checkout, e.g. ../shared/spec/clerk).
if [ -n "${AGENTGEN_SPEC_MIRROR:-}" ] && [ -d "$AGENTGEN_SPEC_MIRROR" ]; then
  AGENTGEN_SPEC_MIRROR="$(cd "$AGENTGEN_SPEC_MIRROR" && pwd)"
  export AGENTGEN_SPEC_MIRROR
fi
cd "$(dirname "$0")/.."

# Pinned npm tools: Stoplight Prism (tests/tests/e2e_prism.rs) and the MCP Inspector CLI
# (cli/tests/mcp_inspector.rs). Each is installed from its lockfile when missing or older
# than the lockfile.
install() {
  local dir=$1 bin=$2
  local stamp=$dir/node_modules/.agentgen-installed
  if [ ! -x "$dir/node_modules/.bin/$bin" ] || [ ! -e "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
    npm ci --prefix "$dir" --no-fund --no-audit
    touch "$stamp"
  fi
}
install tools/prism prism
install tools/inspector mcp-inspector

cargo test --workspace --locked "$@"
