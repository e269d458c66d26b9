#!/usr/bin/env bash
# The FreeSWITCH and drachtio test suites drive real engines built from the pinned
# sources in ../shared/vendor. Build each once into the cache (minutes the first
# time, nothing after) before the tests run, so no test waits on a compiler.
# Without the sources the engine suites skip themselves; under CI=true that is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
for engine in freeswitch drachtio; do
  started=$(date +%s)
  prefix=$(bash "scripts/build-$engine.sh")
  case $? in
    0) echo "== $engine: $prefix ($(( $(date +%s) - started )) s)" ;;
    3) if [ "${CI:-}" = "true" ]; then
         echo "== $engine: sources not found, and CI=true needs them" >&2
         status=1
       else
         echo "== $engine: sources not found; its test suite will be skipped"
       fi ;;
    *) echo "== $engine: build failed" >&2; status=1 ;;
  esac
done
exit $status
