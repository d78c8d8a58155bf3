#!/usr/bin/env bash
# npm run bench -- [--runs N] [--only NAME ...]: bench/run.ts in the toolchain's environment.
source "$(dirname "${BASH_SOURCE[0]}")/../toolchain/lib.sh"
fleet_env
cd "$FLEET_ROOT"
exec node --require tsx/cjs bench/run.ts "$@"
