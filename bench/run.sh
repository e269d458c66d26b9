#!/usr/bin/env bash
# Run a benchmark script from TypeScript source: bench/run.sh sip-calls [args]
# (or a folder's: bench/run.sh compare [args] runs bench/compare/run.ts)
# (tsx's loader, as the tests use it; transpile only, types are checked by
#  `npx tsc -p bench`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="$1"; shift
cd "$here/.."
export TSX_TSCONFIG_PATH="$here/tsconfig.json"
script="bench/${name%.ts}.ts"
# A benchmark that is a folder of its own (bench/compare/) starts from its run.ts.
if [ -d "bench/$name" ]; then script="bench/$name/run.ts"; fi
exec node --import=tsx "$script" "$@"
