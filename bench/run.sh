#!/usr/bin/env bash
# Run a benchmark script from TypeScript source: bench/run.sh sip-calls [args]
# (tsx's loader, as the tests use it; transpile only, types are checked by
#  `npx tsc -p bench`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="$1"; shift
cd "$here/.."
export TSX_TSCONFIG_PATH="$here/tsconfig.json"
exec node --import=tsx "bench/${name%.ts}.ts" "$@"
