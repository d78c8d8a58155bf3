#!/usr/bin/env bash
# npm run bench -- [--runs N] [--sizes 10,100,1000] [--only TEXT ...]: provisions the toolchain
# and the bench's peers (cached), then runs bench/run.ts in the toolchain's environment.
source "$(dirname "${BASH_SOURCE[0]}")/../toolchain/lib.sh"
bash "$FLEET_ROOT/toolchain/setup.sh" --bench
fleet_env
cd "$FLEET_ROOT"
exec node --require tsx/cjs bench/run.ts "$@"
