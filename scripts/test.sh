#!/usr/bin/env bash
# The test command: every suite against real components (Temporal dev server, PostgreSQL,
# SMTP and provider receivers started by the tests). Prints a closing "N passed, N failed" alone on the last line, which CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
rc=$?
node -e '
const fs = require("fs");
try {
  const r = JSON.parse(fs.readFileSync("test-results/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
} catch (e) { console.error("no vitest report"); console.log("\n0 passed, 1 failed"); process.exit(1); }
'
exit $rc
