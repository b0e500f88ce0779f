#!/usr/bin/env bash
# npm test: dependencies and services as for `npm run up`, then lint, type check, schema drift
# check and the three Jest projects (unit, integration, e2e). Extra arguments go to Jest.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_dependencies
ensure_services
say "lint (eslint, prettier)"
npx eslint . --max-warnings 0
npx prettier --check src test scripts bench migrations --log-level warn
say "type check"
npx tsc -p tsconfig.json --noEmit
say "schema drift check"
npx ts-node --transpile-only scripts/check-schema-drift.ts
say "jest"
report="$(mktemp)"
status=0
npx jest --ci --forceExit --json --outputFile="$report" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed, ${r.numPendingTests} skipped`);
' "$report" || true
rm -f "$report"
exit "$status"
