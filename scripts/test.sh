#!/usr/bin/env bash
# The whole test suite, as the README's test command runs it (`npm ci && npm test`):
# make sure the real peers the tests drive are installed, build every workspace,
# run each workspace's tests, and exit non-zero if any test failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-test-tools.sh || exit 1
bash scripts/ensure-engines.sh || exit 1

echo "== build"
# Every workspace (tsc -b) and the web client's bundle, which the Chromium tests load.
npm run build --silent || { echo "build failed"; exit 1; }

workspaces=(telephony scripts-dsl server agent-ui)
passed=0
failed=0
failed_workspaces=()
# The failing assertions, with tap's diagnostics, repeated at the end of the run:
# a CI log is often read from its tail only.
failures=$(mktemp)
for ws in "${workspaces[@]}"; do
  if [ -z "$(find "$ws/test" -name '*.test.ts' -print -quit 2>/dev/null)" ]; then
    echo "== test $ws: no tests in this workspace yet"
    continue
  fi
  echo "== test $ws"
  log=$(mktemp)
  (cd "$ws" && npx tsc -p test && npx tap --reporter=tap) 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # tap's closing line: "# { total: N, pass: P, fail: F, ... }". grep -a: a test's output may hold
  # a byte that makes grep take the log for binary and print no line (the failures list was lost so).
  summary=$(grep -a -E '^# \{ total: [0-9]+' "$log" | tail -n 1)
  p=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
  f=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ]; then
    failed_workspaces+=("$ws")
    # A workspace that failed without a failing assertion (type error, crash) still counts.
    [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
  fi
  grep -a -n -A 12 -E '^ *not ok ' "$log" | sed "s|^|$ws: |" >>"$failures"
  rm -f "$log"
done

if [ -s "$failures" ]; then
  echo
  echo "== failing tests (first 120 lines)"
  head -n 120 "$failures"
fi
rm -f "$failures"

echo
echo "tests: $passed passed, $failed failed"
if [ ${#failed_workspaces[@]} -gt 0 ]; then
  echo "failing workspaces: ${failed_workspaces[*]}"
  exit 1
fi
