#!/usr/bin/env bash
# npm run fleet -- <command>: the fleet CLI (src/ops/cli.ts) in the toolchain's environment.
# With --setup first, provisions the toolchain before (npm run dev:up and dev:down do).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ "${1:-}" = --setup ]; then
  shift
  bash "$FLEET_ROOT/toolchain/setup.sh"
fi
fleet_env
cd "$FLEET_ROOT"
exec node --require tsx/cjs src/ops/cli.ts "$@"
