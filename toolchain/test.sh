#!/usr/bin/env bash
# npm test: provision the toolchain, then type-check, run the unit tests (Pulumi mocks) and the
# end-to-end tests (real engine, a real Keycloak this run starts itself). Ends with one summary
# line, "N passed, N failed, N skipped".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
started=$SECONDS
bash "$FLEET_ROOT/toolchain/setup.sh" --tests
fleet_env
cd "$FLEET_ROOT"

step "type-check"
npx --no-install tsc --noEmit
done_step

step "unit and end-to-end tests"
results=$FLEET_ROOT/.fleet/test-results.json
mkdir -p "$(dirname "$results")" && rm -f "$results"
status=0
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
done_step

[ -f "$results" ] || fail "vitest wrote no results to $results"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  // A file whose set-up failed fails without a failed test: its tests count as skipped, so name it.
  const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((t) => t.status === "failed"));
  const files = broken.length ? ` (${broken.length} file${broken.length === 1 ? "" : "s"} failed before ${broken.length === 1 ? "its" : "their"} tests: ${broken.map((f) => require("path").relative(process.cwd(), f.name)).join(", ")})` : "";
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped${files}`);
' "$results"
printf '==> npm test finished in %ss\n' "$((SECONDS - started))" >&2
exit "$status"
