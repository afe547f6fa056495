#!/usr/bin/env bash
# `npm test`: install what is missing, type-check, build the services, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

bash scripts/ensure-deps.sh chromium

# Run a step quietly; print its output only when it fails.
quiet() { local out; out=$("$@" 2>&1) || { echo "$out"; return 1; }; }

echo "==> type check"
npx tsc -p tsconfig.json
echo "==> build (end-to-end tests run the built services)"
quiet npx nx run-many -t build --outputStyle=static
echo "==> lint"
quiet npx nx run-many -t lint --outputStyle=static

mkdir -p artifacts
echo "==> jest"
status=0
npx jest --ci --forceExit --json --outputFile=artifacts/jest-results.json "$@" || status=$?
node -e '
  const r = require("./artifacts/jest-results.json");
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed, ${r.numPendingTests} skipped`);
'
exit $status
