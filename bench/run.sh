#!/usr/bin/env bash
# Run a benchmark script from TypeScript source: bench/run.sh sip-calls [args]
# (ts-node's ESM loader, as tap uses it; transpile only, types are checked by
#  `npx tsc -p bench`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="$1"; shift
cd "$here/.."
export TS_NODE_PROJECT="$here/tsconfig.json" TS_NODE_TRANSPILE_ONLY=1
exec node --import=@tapjs/typescript/import "bench/${name%.ts}.ts" "$@"
