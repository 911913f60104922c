#!/usr/bin/env bash
# The test command: installs what it needs (Node 24, pnpm 12, packages; the integration tests'
# global setup installs and starts the local servers and Chromium through scripts/infra.sh),
# then runs the formatter/linter check, the type check, and every unit and integration test.
# Server URLs come from MONGO_URL / AMQP_URL / TEMPORAL_ADDRESS when set; otherwise the integration
# tests' global setup uses a container runtime when one answers, else the local stand-ins.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

step() { printf '\n== %s\n' "$*" >&2; }

step "packages"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tail -n 3 >&2

step "deployment check tools"
scripts/deploy/install-tools.sh

step "format and lint"
pnpm exec biome check .

step "type check"
pnpm exec tsc -b

step "tests"
mkdir -p .data
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.data/vitest-report.json "$@" || status=$?
if [ -f .data/vitest-report.json ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(".data/vitest-report.json", "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
    if (skipped && process.env.CI) { console.error("skipped tests are not allowed in CI"); process.exit(1); }
  ' || status=1
fi
exit "$status"
